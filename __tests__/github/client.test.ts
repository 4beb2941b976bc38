/**
 * The real client (Octokit + retry + throttling) against the local GitHub stand-in, which checks
 * every request and response against @octokit/openapi.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubApiError } from '../../src/errors.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { listFailedJobs } from '../../src/github/jobs.js';
import { downloadJobLog } from '../../src/github/logs.js';
import { createMemoryLogger } from '../../src/logging.js';
import type { Target } from '../../src/model.js';
import { startGitHubStandIn, type GitHubStandIn, type StandInJob } from '../../standin/github-server.js';

const TOKEN = 'ghs_clienttest';
let gh: GitHubStandIn;
let dir: string;
let logger: ReturnType<typeof createMemoryLogger>;

function client(token = TOKEN, url = gh.url, maxWaitSeconds?: number): GitHubClient {
  return createGitHubClient({
    token,
    apiUrl: url,
    logger,
    retry: { retries: 3, minDelayMs: 5, ...(maxWaitSeconds === undefined ? {} : { maxWaitSeconds }) },
  });
}

/** A failed run with one failed job whose log is `log`. */
function addFailingRun(name = 'lint', log = 'x\n'): number {
  return gh.addRun({
    owner: 'octo-org',
    repo: 'demo-app',
    headSha: 'a'.repeat(40),
    headBranch: 'x',
    conclusion: 'failure',
    jobs: [failingJob(name, log)],
  });
}

const JOBS = /\/attempts\/1\/jobs$/;

function failingJob(name: string, log: string): StandInJob {
  return {
    name,
    conclusion: 'failure',
    steps: [
      { name: 'Checkout', conclusion: 'success' },
      { name: 'Run black --check .', conclusion: 'failure' },
    ],
    log,
  };
}

function targetFor(runId: number): Target {
  return {
    owner: 'octo-org',
    repo: 'demo-app',
    runId,
    runAttempt: 1,
    headSha: 'a'.repeat(40),
    headBranch: 'feature/x',
    headRepository: 'octo-org/demo-app',
    fromFork: false,
    conclusion: 'failure',
    pullRequests: [],
    trigger: 'cli',
  };
}

beforeEach(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
  gh.addRepository({ owner: 'octo-org', repo: 'demo-app', defaultBranch: 'main' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'gh-client-test-'));
  logger = createMemoryLogger();
});

afterEach(async () => {
  await gh.close();
  await rm(dir, { recursive: true, force: true });
});

describe('listFailedJobs', () => {
  it('pages through more than 100 jobs and keeps failed and timed-out ones with their first failed step', async () => {
    const jobs: StandInJob[] = [];
    for (let i = 0; i < 230; i += 1) {
      const conclusion = i % 50 === 7 ? 'failure' : i === 199 ? 'timed_out' : i === 3 ? 'cancelled' : 'success';
      jobs.push({
        name: `shard ${i}`,
        conclusion,
        steps: [
          { name: 'Set up Python', conclusion: 'success' },
          {
            name: `Run pytest shard ${i}`,
            conclusion: conclusion === 'success' ? 'success' : conclusion === 'cancelled' ? 'cancelled' : conclusion,
          },
        ] as StandInJob['steps'],
        log: `log ${i}\n`,
      });
    }
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      headSha: 'a'.repeat(40),
      headBranch: 'feature/x',
      conclusion: 'failure',
      jobs,
    });
    const failed = await listFailedJobs(client(), targetFor(runId));
    expect(failed.map((job) => job.name)).toEqual(['shard 7', 'shard 57', 'shard 107', 'shard 157', 'shard 199', 'shard 207']);
    expect(failed[4]).toMatchObject({ conclusion: 'timed_out', failedStep: 'Run pytest shard 199' });
    expect(failed[0]?.htmlUrl).toMatch(/\/actions\/runs\/\d+\/job\/\d+$/);
    const pages = gh.requests.filter((r) => r.path.endsWith('/attempts/1/jobs'));
    expect(pages).toHaveLength(3);
    expect(pages.every((r) => r.query.includes('per_page=100'))).toBe(true);
    expect(gh.violations).toEqual([]);
  });

  it('retries 5xx answers and then succeeds', async () => {
    const runId = addFailingRun('lint', 'x\n');
    gh.failNext(/\/attempts\/1\/jobs$/, 502, 2);
    const failed = await listFailedJobs(client(), targetFor(runId));
    expect(failed).toHaveLength(1);
    expect(gh.requests.map((r) => r.status)).toEqual([502, 502, 200]);
    expect(gh.violations).toEqual([]);
  });

  it('gives up after the configured retries with a GitHubApiError naming the endpoint', async () => {
    const runId = addFailingRun('lint', 'x\n');
    gh.failNext(/\/attempts\/1\/jobs$/, 503, 10);
    const error = await listFailedJobs(client(), targetFor(runId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(503);
    expect((error as GitHubApiError).message).toMatch(
      /GET \/repos\/octo-org\/demo-app\/actions\/runs\/\d+\/attempts\/1\/jobs answered 503/,
    );
    expect((error as GitHubApiError).message).toContain('after 3 retries');
    expect((error as GitHubApiError).message).not.toContain('\n');
    expect(gh.requests).toHaveLength(4);
  });

  it('retries primary and secondary rate-limit answers, logging a warning', async () => {
    const runId = addFailingRun('lint', 'x\n');
    gh.rateLimitNext(/\/attempts\/1\/jobs$/, 'secondary', 1);
    gh.rateLimitNext(/\/attempts\/1\/jobs$/, 'primary', 1);
    const c = client();
    const failed = await listFailedJobs(c, targetFor(runId));
    expect(failed).toHaveLength(1);
    expect(gh.requests.map((r) => r.status)).toEqual([403, 403, 200]);
    expect(logger.lines.filter((line) => line.startsWith('warning: GitHub secondary rate limit'))).toHaveLength(1);
    expect(logger.lines.filter((line) => line.startsWith('warning: GitHub primary rate limit'))).toHaveLength(1);
    expect(c.rateLimitEvents).toEqual([
      expect.stringMatching(
        /^GET \/repos\/octo-org\/demo-app\/actions\/runs\/\d+\/attempts\/1\/jobs: secondary rate limit \(403\), waited 1 s \(retry 1\/3\)$/,
      ),
      expect.stringMatching(/: primary rate limit \(403\), waited \d s until the reset at \d{4}-\d\d-\d\dT[\d:.]+Z \(retry 2\/3\)$/),
    ]);
    expect(gh.violations).toEqual([]);
  });

  it('explains a bad token (401) and does not retry it', async () => {
    const runId = addFailingRun('lint', 'x\n');
    const error = await listFailedJobs(client('ghs_wrong'), targetFor(runId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(401);
    expect((error as GitHubApiError).message).toContain('answered 401 Bad credentials');
    expect((error as GitHubApiError).message).toContain('check the github-token input');
    expect(gh.requests).toHaveLength(1);
  });

  it("says the token needs 'actions: read' when the jobs endpoint answers 403", async () => {
    const runId = addFailingRun('lint', 'x\n');
    gh.failNext(/\/jobs$/, 403, 1);
    const error = await listFailedJobs(client(), targetFor(runId)).catch((e: unknown) => e);
    expect((error as GitHubApiError).message).toContain("'actions: read'");
  });

  it('says when the API cannot be reached at all, after retrying', async () => {
    const closed = await startGitHubStandIn({ token: TOKEN });
    const url = closed.url;
    await closed.close();
    const error = await listFailedJobs(client(TOKEN, url), targetFor(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).message).toContain(`could not reach the GitHub API at ${url}`);
    expect((error as GitHubApiError).message).toContain('check api-url');
  });

  it('refuses an API URL that is not http(s)', () => {
    expect(() => createGitHubClient({ token: TOKEN, apiUrl: 'ghe.example/api/v3', logger })).toThrow(/is not an http\(s\) URL/);
  });

  it('works below a GitHub Enterprise style /api/v3 prefix', async () => {
    const ghes = await startGitHubStandIn({ token: TOKEN, pathPrefix: '/api/v3' });
    try {
      expect(ghes.url).toMatch(/\/api\/v3$/);
      const runId = ghes.addRun({
        owner: 'octo-org',
        repo: 'demo-app',
        headSha: 'a'.repeat(40),
        headBranch: 'x',
        conclusion: 'failure',
        jobs: [failingJob('lint', 'boom\n')],
      });
      const c = client(TOKEN, `${ghes.url}/`);
      const [job] = await listFailedJobs(c, targetFor(runId));
      const log = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 1000 });
      expect(await readFile(log.path, 'utf8')).toBe('boom\n');
      expect(ghes.violations).toEqual([]);
    } finally {
      await ghes.close();
    }
  });
});

describe('rate limits: Retry-After, the wait cap and rateLimitEvents', () => {
  it('retries a plain 429 with Retry-After (no rate-limit headers or text) and then succeeds', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 429, 2, { headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests' } });
    const c = client();
    const failed = await listFailedJobs(c, targetFor(runId));
    expect(failed).toHaveLength(1);
    expect(gh.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(c.rateLimitEvents).toEqual([
      `GET /repos/octo-org/demo-app/actions/runs/${runId}/attempts/1/jobs: rate limit (429), waited 1 s (retry 1/3)`,
      `GET /repos/octo-org/demo-app/actions/runs/${runId}/attempts/1/jobs: rate limit (429), waited 1 s (retry 2/3)`,
    ]);
    expect(logger.lines.filter((line) => line.startsWith('warning: GitHub rate limit (429) on GET'))).toHaveLength(2);
    expect(gh.violations).toEqual([]);
  });

  it('retries a 403 that carries Retry-After, waiting as long as it says', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 403, 1, { headers: { 'retry-after': '30' } });
    const c = client();
    expect(await listFailedJobs(c, targetFor(runId))).toHaveLength(1);
    expect(gh.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(c.rateLimitEvents).toEqual([expect.stringMatching(/\/jobs: rate limit \(403\), waited 30 s \(retry 1\/3\)$/)]);
  });

  it('fails at once, without waiting, when Retry-After is over the cap, and says so', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 429, 5, { headers: { 'retry-after': '120' } });
    const c = client();
    const error = await listFailedJobs(c, targetFor(runId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    const { message, status } = error as GitHubApiError;
    expect(status).toBe(429);
    expect(message).toMatch(
      new RegExp(`^listing the jobs of run ${runId} attempt 1: GET /repos/octo-org/demo-app/actions/runs/${runId}/attempts/1/jobs: `),
    );
    expect(message).toContain('GitHub asked to wait 120 s, which is more than the cap of 60 s (retry.maxWaitSeconds)');
    expect(message).toContain('re-run later');
    expect(gh.requests).toHaveLength(1);
    expect(c.rateLimitEvents).toEqual([message.slice(message.indexOf('GET /repos/'))]);
    expect(logger.lines).toContain(`warning: ${c.rateLimitEvents[0]}`);
  });

  it('takes the cap from retry.maxWaitSeconds: a wait equal to it is sat through, one second more is not', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 429, 1, { headers: { 'retry-after': '10' } });
    const c = client(TOKEN, gh.url, 10);
    expect(await listFailedJobs(c, targetFor(runId))).toHaveLength(1);
    gh.failNext(JOBS, 429, 1, { headers: { 'retry-after': '11' } });
    const error = await listFailedJobs(c, targetFor(runId)).catch((e: unknown) => e);
    expect((error as GitHubApiError).message).toContain('GitHub asked to wait 11 s, which is more than the cap of 10 s');
    expect(gh.requests.map((r) => r.status)).toEqual([429, 200, 429]);
    expect(c.rateLimitEvents).toHaveLength(2);
  });

  it('fails at once when the primary rate limit resets beyond the cap, naming the reset time', async () => {
    const runId = addFailingRun();
    const reset = Math.floor(Date.now() / 1000) + 3600;
    gh.failNext(JOBS, 403, 5, {
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(reset) },
      body: {
        message: 'API rate limit exceeded for installation ID 1234567.',
        documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api',
        status: '403',
      },
    });
    const c = client();
    const error = await listFailedJobs(c, targetFor(runId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    const resetIso = new Date(reset * 1000).toISOString().replace('.000Z', 'Z');
    const { message } = error as GitHubApiError;
    expect(message).toContain(`/attempts/1/jobs: primary rate limit (403); GitHub asked to wait`);
    expect(message).toContain(`until the reset at ${resetIso}, which is more than the cap of 60 s`);
    expect(message).toContain(`re-run after ${resetIso} or use a token with a higher limit`);
    expect(gh.requests).toHaveLength(1);
    expect(c.rateLimitEvents).toHaveLength(1);
  });

  it('gives up after the configured retries with the rate-limit advice, and records every wait', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 429, 10, { headers: { 'retry-after': '1' } });
    const c = client();
    const error = await listFailedJobs(c, targetFor(runId)).catch((e: unknown) => e);
    expect((error as GitHubApiError).status).toBe(429);
    expect((error as GitHubApiError).message).toMatch(
      /\/attempts\/1\/jobs answered 429 Injected failure — rate limit still exceeded after 3 retries/,
    );
    expect(gh.requests).toHaveLength(4);
    expect(c.rateLimitEvents.map((event) => event.replace(/^.*: /, ''))).toEqual([
      'rate limit (429), waited 1 s (retry 1/3)',
      'rate limit (429), waited 1 s (retry 2/3)',
      'rate limit (429), waited 1 s (retry 3/3)',
      'rate limit (429), gave up after 3 retries',
    ]);
  });

  it('retries a 5xx and a 429 in the same call, each in its own layer (retry plugin inside the rate-limit hook)', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 502, 1);
    gh.failNext(JOBS, 429, 1, { headers: { 'retry-after': '1' } });
    gh.failNext(JOBS, 503, 1);
    const c = client();
    expect(await listFailedJobs(c, targetFor(runId))).toHaveLength(1);
    expect(gh.requests.map((r) => r.status)).toEqual([502, 429, 503, 200]);
    expect(c.rateLimitEvents).toEqual([expect.stringMatching(/: rate limit \(429\), waited 1 s \(retry 1\/3\)$/)]);
  });

  it('does not treat a 403 without Retry-After or rate-limit signs as a rate limit', async () => {
    const runId = addFailingRun();
    gh.failNext(JOBS, 403, 1);
    const c = client();
    await expect(listFailedJobs(c, targetFor(runId))).rejects.toThrow(/answered 403/);
    expect(gh.requests).toHaveLength(1);
    expect(c.rateLimitEvents).toEqual([]);
  });
});

describe('downloadJobLog', () => {
  it('follows the 302 to another origin without the token and saves the whole log when it fits', async () => {
    const text =
      '\uFEFF2026-11-25T06:00:00.0000000Z ##[group]Run black --check .\nwould reformat app/config.py\n##[error]Process completed with exit code 1.\n';
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      headSha: 'a'.repeat(40),
      headBranch: 'x',
      conclusion: 'failure',
      jobs: [failingJob('lint (3.11)', text)],
    });
    const c = client();
    const [job] = await listFailedJobs(c, targetFor(runId));
    const log = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 1 << 20 });
    expect(await readFile(log.path, 'utf8')).toBe(text);
    expect(log).toMatchObject({
      jobId: job!.id,
      jobName: 'lint (3.11)',
      failedStep: 'Run black --check .',
      truncated: false,
      bytes: Buffer.byteLength(text),
    });
    expect(path.dirname(log.path)).toBe(dir);
    const logCall = gh.requests.find((r) => r.path.endsWith('/logs'));
    expect(logCall?.status).toBe(302);
    expect(gh.requests.some((r) => r.path.endsWith('/signedlogcontent') && r.status === 200)).toBe(true);
    expect(gh.violations).toEqual([]);
  });

  it('keeps only the last maxBytes of a large log, cut at a line start, and marks it truncated', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 60_000; i += 1) lines.push(`2026-11-25T06:00:00.0000000Z line ${i} of a long build output`);
    lines.push('##[error]Process completed with exit code 1.');
    const text = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(2_500_000);
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      headSha: 'a'.repeat(40),
      headBranch: 'x',
      conclusion: 'failure',
      jobs: [failingJob('build', text)],
    });
    const c = client();
    const [job] = await listFailedJobs(c, targetFor(runId));
    const maxBytes = 100_000;
    const log = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes });
    const kept = await readFile(log.path, 'utf8');
    expect(log.truncated).toBe(true);
    expect(log.bytes).toBe(Buffer.byteLength(kept));
    expect(log.bytes).toBeLessThanOrEqual(maxBytes);
    expect(log.bytes).toBeGreaterThan(maxBytes - 100);
    expect(kept.startsWith('2026-11-25T06:00:00.0000000Z line ')).toBe(true);
    expect(text.endsWith(kept)).toBe(true);
    expect(kept.endsWith('##[error]Process completed with exit code 1.\n')).toBe(true);
  });

  it('keeps a log of exactly maxBytes whole', async () => {
    const text = 'abc\ndef\n';
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      headSha: 'a'.repeat(40),
      headBranch: 'x',
      conclusion: 'failure',
      jobs: [failingJob('t', text)],
    });
    const c = client();
    const [job] = await listFailedJobs(c, targetFor(runId));
    const log = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 8 });
    expect(log.truncated).toBe(false);
    expect(await readFile(log.path, 'utf8')).toBe(text);
    const cut = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 5 });
    expect(cut.truncated).toBe(true);
    expect(await readFile(cut.path, 'utf8')).toBe('def\n');
  });

  it('retries a 5xx from the signed log URL', async () => {
    const runId = addFailingRun('t', 'hello\n');
    const c = client();
    const [job] = await listFailedJobs(c, targetFor(runId));
    gh.failNext(/signedlogcontent$/, 503, 1);
    const log = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 100 });
    expect(await readFile(log.path, 'utf8')).toBe('hello\n');
    expect(gh.requests.filter((r) => r.path.endsWith('signedlogcontent')).map((r) => r.status)).toEqual([503, 200]);
  });

  it('waits for a 429 with Retry-After from the signed log URL, and gives up at once over the cap', async () => {
    const runId = addFailingRun('t', 'hello\n');
    const c = client();
    const [job] = await listFailedJobs(c, targetFor(runId));
    gh.failNext(/signedlogcontent$/, 429, 1, { headers: { 'retry-after': '2' } });
    const log = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 100 });
    expect(await readFile(log.path, 'utf8')).toBe('hello\n');
    expect(gh.requests.filter((r) => r.path.endsWith('signedlogcontent')).map((r) => r.status)).toEqual([429, 200]);
    expect(c.rateLimitEvents).toEqual([
      expect.stringMatching(
        /^GET http:\/\/127\.0\.0\.1:\d+\/_apis\/pipelines\/1\/jobs\/\d+\/signedlogcontent\?…: rate limit \(429\), waited 2 s \(retry 1\/3\)$/,
      ),
    ]);

    gh.failNext(/signedlogcontent$/, 429, 1, { headers: { 'retry-after': '3600' } });
    const error = await downloadJobLog(c, targetFor(runId), job!, { dir, maxBytes: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).message).toContain(`downloading the log of job ${job!.id} (t)`);
    expect((error as GitHubApiError).message).toContain('GitHub asked to wait 3600 s, which is more than the cap of 60 s');
    expect((error as GitHubApiError).message).not.toContain('urlSignature');
    expect(gh.requests.filter((r) => r.path.endsWith('signedlogcontent')).map((r) => r.status)).toEqual([429, 200, 429]);
    expect(c.rateLimitEvents).toHaveLength(2);
  });

  it('reports a job whose log is gone as a GitHubApiError', async () => {
    const runId = addFailingRun('t', 'x\n');
    const error = await downloadJobLog(
      client(),
      targetFor(runId),
      { id: 42, name: 'ghost', conclusion: 'failure' },
      { dir, maxBytes: 100 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).message).toContain(
      'downloading the log of job 42 (ghost): GET /repos/octo-org/demo-app/actions/jobs/42/logs answered 404',
    );
  });
});
