/**
 * resolveTarget for each trigger, from payload fixtures (__fixtures__/event, see SOURCES.md),
 * against the GitHub stand-in for the cases that ask the API.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, GitHubApiError } from '../../src/errors.js';
import { resolveTarget } from '../../src/event/target.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { createMemoryLogger } from '../../src/logging.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../standin/github-server.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', 'event');
const TOKEN = 'ghs_targettest';

interface Case {
  eventName: string;
  repository: string;
  runId?: string;
  expected: { target: Record<string, unknown> } | { notice: string };
}

let gh: GitHubStandIn;
let client: GitHubClient;
const runs: Record<string, number> = {};

/** Replaces `@run:<name>` placeholders with the ids the stand-in gave the runs. */
function resolvePlaceholders<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replace(/"@run:([a-z-]+)"|@run:([a-z-]+)/g, (_match, quoted: string | undefined, bare: string | undefined) =>
      quoted !== undefined ? String(runs[quoted]) : String(runs[bare as string]),
    ),
  ) as T;
}

beforeAll(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
  gh.addRepository({ owner: 'octo-org', repo: 'demo-app', defaultBranch: 'main' });
  const base = { owner: 'octo-org', repo: 'demo-app', jobs: [] };
  runs['older-failure'] = gh.addRun({ ...base, headSha: '1'.repeat(40), headBranch: 'feature/greeting', conclusion: 'failure' });
  runs['main-success'] = gh.addRun({ ...base, headSha: '3'.repeat(40), headBranch: 'main', conclusion: 'success' });
  runs['newer-failure'] = gh.addRun({ ...base, headSha: '2'.repeat(40), headBranch: 'feature/greeting', conclusion: 'failure' });
  runs['fork-failure'] = gh.addRun({
    ...base,
    headSha: '4'.repeat(40),
    headBranch: 'patch-1',
    headRepository: 'someone/demo-app',
    conclusion: 'failure',
    runAttempt: 3,
  });
  runs['newest-on-main-in-progress'] = gh.addRun({
    ...base,
    headSha: '5'.repeat(40),
    headBranch: 'main',
    status: 'in_progress',
    conclusion: null,
  });
  client = createGitHubClient({ token: TOKEN, apiUrl: gh.url, logger: createMemoryLogger(), retry: { retries: 1, minDelayMs: 5 } });
});

afterAll(async () => {
  await gh.close();
});

const cases = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.expected.json'))
  .map((name) => name.replace(/\.expected\.json$/, ''))
  .sort();

describe('resolveTarget fixtures', () => {
  it('has a case for each trigger', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', async (name) => {
    const payload = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
    const spec = resolvePlaceholders(JSON.parse(readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as Case);
    const result = await resolveTarget(
      { eventName: spec.eventName, payload, repository: spec.repository, runId: spec.runId === undefined ? undefined : Number(spec.runId) },
      client,
    );
    if ('notice' in spec.expected) {
      expect(result).toEqual({ notice: spec.expected.notice });
    } else {
      expect('target' in result ? result.target : result).toMatchObject(spec.expected.target);
    }
    expect(gh.violations).toEqual([]);
  });
});

describe('resolveTarget errors and edge cases', () => {
  it('a run id that does not exist is a GitHubApiError saying so', async () => {
    const error = await resolveTarget({ eventName: 'cli', payload: {}, repository: 'octo-org/demo-app', runId: 999 }, client).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(404);
    expect((error as GitHubApiError).message).toBe(
      "workflow run 999 does not exist in octo-org/demo-app (GET /repos/octo-org/demo-app/actions/runs/999 answered 404): check the run-id, and that the token has 'actions: read'",
    );
  });

  it('a run that is still in progress yields a notice', async () => {
    const id = runs['newest-on-main-in-progress'] as number;
    const result = await resolveTarget({ eventName: 'cli', payload: {}, repository: 'octo-org/demo-app', runId: id }, client);
    expect(result).toEqual({
      notice: `Workflow run ${id} (CI) has not finished (status: in_progress); nothing to fix yet. Run again once it has failed.`,
    });
  });

  it('the run-id input wins over the workflow_run payload', async () => {
    const payload = JSON.parse(readFileSync(path.join(FIXTURES, 'workflow-run-success.json'), 'utf8')) as Record<string, unknown>;
    const result = await resolveTarget(
      { eventName: 'workflow_run', payload, repository: 'octo-org/demo-app', runId: runs['older-failure'] },
      client,
    );
    expect(result).toMatchObject({ target: { runId: runs['older-failure'], headSha: '1'.repeat(40), trigger: 'workflow_run' } });
  });

  it('a schedule event without run-id, a bad repository or a bad run id is a ConfigurationError', async () => {
    await expect(resolveTarget({ eventName: 'schedule', payload: {}, repository: 'octo-org/demo-app' }, client)).rejects.toThrow(
      ConfigurationError,
    );
    await expect(resolveTarget({ eventName: 'cli', payload: {}, repository: 'octo-org', runId: 1 }, client)).rejects.toThrow(
      /must be OWNER\/NAME/,
    );
    await expect(resolveTarget({ eventName: 'cli', payload: {}, repository: 'o/r', runId: -3 }, client)).rejects.toThrow(
      /run-id must be a positive/,
    );
    await expect(resolveTarget({ eventName: 'workflow_run', payload: {}, repository: 'o/r' }, client)).rejects.toThrow(
      /not a workflow run/,
    );
  });

  it('the dispatch lookup asks for one failed run on the dispatched branch', async () => {
    const before = gh.requests.length;
    await resolveTarget(
      { eventName: 'workflow_dispatch', payload: { ref: 'refs/heads/feature/greeting' }, repository: 'octo-org/demo-app' },
      client,
    );
    const [call] = gh.requests.slice(before);
    expect(call?.path).toBe('/repos/octo-org/demo-app/actions/runs');
    expect(new URLSearchParams(call?.query)).toEqual(new URLSearchParams({ branch: 'feature/greeting', status: 'failure', per_page: '1' }));
  });
});
