/**
 * Pull requests for the fix branch. The branch name is stable (autofix/<head-branch>), so a second
 * run finds the PR the first one opened and updates it: there is never a duplicate.
 */
import { GitHubApiError } from '../errors.js';
import { callGitHub, toGitHubApiError, type GitHubClient } from './client.js';

export interface PullRequestRef {
  number: number;
  /** html_url, for people. */
  url: string;
  title: string;
  head: string;
  base: string;
}

export interface PullRequestContent {
  owner: string;
  repo: string;
  /** Branch name in the same repository (not owner:branch). */
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
}

export interface UpsertResult {
  number: number;
  url: string;
  action: 'created' | 'updated';
}

export async function findOpenPullRequest(
  client: GitHubClient,
  query: { owner: string; repo: string; head: string; base?: string },
): Promise<PullRequestRef | undefined> {
  const pulls = await callGitHub(client, `looking for an open pull request from ${query.head}`, () =>
    client.octokit.rest.pulls.list({
      owner: query.owner,
      repo: query.repo,
      state: 'open',
      // The API filters on owner:branch; a bare branch name would match nothing.
      head: `${query.owner}:${query.head}`,
      ...(query.base === undefined ? {} : { base: query.base }),
      per_page: 10,
    }),
  );
  const pull = pulls.data.find((p) => p.head.ref === query.head && (query.base === undefined || p.base.ref === query.base));
  return pull === undefined
    ? undefined
    : { number: pull.number, url: pull.html_url, title: pull.title, head: pull.head.ref, base: pull.base.ref };
}

export async function createPullRequest(client: GitHubClient, content: PullRequestContent): Promise<PullRequestRef> {
  const created = await callGitHub(client, `opening a pull request from ${content.head} into ${content.base}`, () =>
    client.octokit.rest.pulls.create({
      owner: content.owner,
      repo: content.repo,
      head: content.head,
      base: content.base,
      title: content.title,
      body: content.body,
      ...(content.draft === undefined ? {} : { draft: content.draft }),
      maintainer_can_modify: false,
    }),
  );
  const pull = created.data;
  return { number: pull.number, url: pull.html_url, title: pull.title, head: pull.head.ref, base: pull.base.ref };
}

export async function updatePullRequest(
  client: GitHubClient,
  update: { owner: string; repo: string; number: number; title: string; body: string },
): Promise<PullRequestRef> {
  const updated = await callGitHub(client, `updating pull request #${update.number}`, () =>
    client.octokit.rest.pulls.update({
      owner: update.owner,
      repo: update.repo,
      pull_number: update.number,
      title: update.title,
      body: update.body,
    }),
  );
  const pull = updated.data;
  return { number: pull.number, url: pull.html_url, title: pull.title, head: pull.head.ref, base: pull.base.ref };
}

/** Updates the open PR from `head` into `base`, or opens one. */
export async function upsertPullRequest(client: GitHubClient, content: PullRequestContent): Promise<UpsertResult> {
  const existing = await findOpenPullRequest(client, { owner: content.owner, repo: content.repo, head: content.head, base: content.base });
  if (existing !== undefined) {
    const updated = await updatePullRequest(client, { ...content, number: existing.number });
    return { number: updated.number, url: updated.url, action: 'updated' };
  }
  try {
    const created = await createPullRequest(client, content);
    return { number: created.number, url: created.url, action: 'created' };
  } catch (error: unknown) {
    // Another run may have opened it between the lookup and the create: GitHub answers 422
    // "A pull request already exists". Update that one instead of failing.
    if (!(error instanceof GitHubApiError) || error.status !== 422 || !/already exists/i.test(error.message)) throw error;
    const raced = await findOpenPullRequest(client, { owner: content.owner, repo: content.repo, head: content.head, base: content.base });
    if (raced === undefined) throw error;
    const updated = await updatePullRequest(client, { ...content, number: raced.number });
    return { number: updated.number, url: updated.url, action: 'updated' };
  }
}

export async function getDefaultBranch(client: GitHubClient, owner: string, repo: string): Promise<string> {
  try {
    const response = await client.octokit.rest.repos.get({ owner, repo });
    return response.data.default_branch;
  } catch (error: unknown) {
    throw toGitHubApiError(error, client, `reading the default branch of ${owner}/${repo}`);
  }
}
