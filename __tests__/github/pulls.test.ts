import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApiError } from '../../src/errors.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { createPullRequest, findOpenPullRequest, getDefaultBranch, upsertPullRequest } from '../../src/github/pulls.js';
import { createMemoryLogger } from '../../src/logging.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../standin/github-server.js';

const TOKEN = 'ghs_pullstest';
let gh: GitHubStandIn;
let client: GitHubClient;

beforeEach(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
  gh.addRepository({ owner: 'octo-org', repo: 'demo-app', defaultBranch: 'trunk' });
  client = createGitHubClient({ token: TOKEN, apiUrl: gh.url, logger: createMemoryLogger(), retry: { retries: 2, minDelayMs: 5 } });
});

afterEach(async () => {
  await gh.close();
});

const content = {
  owner: 'octo-org',
  repo: 'demo-app',
  head: 'autofix/feature/greeting',
  base: 'feature/greeting',
  title: 'CI Autofixer: fix lint_format in run 1',
  body: 'First body',
};

describe('pull requests', () => {
  it('upsert opens a PR, then updates the same one (no duplicate)', async () => {
    const first = await upsertPullRequest(client, content);
    expect(first.action).toBe('created');
    expect(first.url).toBe(`https://github.example/octo-org/demo-app/pull/${first.number}`);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({ head: content.head, base: content.base, title: content.title, body: 'First body', state: 'open' });

    const second = await upsertPullRequest(client, { ...content, title: 'CI Autofixer: fix lint_format in run 2', body: 'Second body' });
    expect(second).toEqual({ number: first.number, url: first.url, action: 'updated' });
    expect(gh.pulls).toHaveLength(1);
    expect(gh.pulls[0]).toMatchObject({ title: 'CI Autofixer: fix lint_format in run 2', body: 'Second body' });
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(gh.violations).toEqual([]);
  });

  it('finds only an open PR from the same head branch into the same base', async () => {
    await createPullRequest(client, content);
    expect(await findOpenPullRequest(client, { owner: 'octo-org', repo: 'demo-app', head: content.head })).toMatchObject({
      number: 1,
      base: content.base,
    });
    expect(await findOpenPullRequest(client, { owner: 'octo-org', repo: 'demo-app', head: 'autofix/other' })).toBeUndefined();
    expect(await findOpenPullRequest(client, { owner: 'octo-org', repo: 'demo-app', head: content.head, base: 'trunk' })).toBeUndefined();
    const listing = gh.requests.find((r) => r.method === 'GET' && r.path.endsWith('/pulls'));
    expect(decodeURIComponent(listing?.query ?? '')).toContain('head=octo-org:autofix/feature/greeting');
    expect(gh.violations).toEqual([]);
  });

  it('creating a second PR for the same head is refused by the API with 422 "already exists"', async () => {
    await createPullRequest(client, content);
    const error = await createPullRequest(client, content).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(422);
    expect((error as GitHubApiError).message).toContain('A pull request already exists');
    expect(gh.pulls).toHaveLength(1);
    expect(gh.violations).toEqual([]);
  });

  it("explains a 403 on pulls: 'pull-requests: write' and the repository setting", async () => {
    gh.failNext(/^POST \/repos\/[^/]+\/[^/]+\/pulls$/, 403, 1);
    const error = await upsertPullRequest(client, content).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).message).toContain("'pull-requests: write'");
    expect((error as GitHubApiError).message).toContain('Allow GitHub Actions to create and approve pull requests');
  });

  it.each([
    {
      message: 'GitHub Actions is not permitted to create or approve pull requests.',
      advice: 'Actions may not create pull requests in this repository: turn on',
    },
    {
      message: 'Resource not accessible by integration',
      advice: "the token needs 'pull-requests: write' (add it to the workflow's permissions)",
    },
  ])("a 403 whose body says '$message' gets that cause's advice", async ({ message, advice }) => {
    gh.failNext(/^POST \/repos\/[^/]+\/[^/]+\/pulls$/, 403, 1, {
      body: { message, documentation_url: 'https://docs.github.com/rest', status: '403' },
    });
    const error = await upsertPullRequest(client, content).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).message).toContain(advice);
    expect((error as GitHubApiError).message).not.toContain(TOKEN);
  });

  it('reads the default branch', async () => {
    expect(await getDefaultBranch(client, 'octo-org', 'demo-app')).toBe('trunk');
    const error = await getDefaultBranch(client, 'octo-org', 'missing').catch((e: unknown) => e);
    expect((error as GitHubApiError).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });
});
