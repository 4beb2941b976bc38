/**
 * The GitHub stand-in itself, spoken to with plain fetch: it must reject what the OpenAPI
 * description rejects (so that an empty `violations` list in other tests means something).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStandIn, type GitHubStandIn } from '../../standin/github-server.js';
import { findOperation, validateRequest, validateResponse } from '../../standin/openapi-validator.js';

const TOKEN = 'ghs_standin_api';
let gh: GitHubStandIn;

function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Response> {
  return fetch(`${gh.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      accept: 'application/vnd.github+json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeEach(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
  gh.addRepository({ owner: 'octo-org', repo: 'demo-app', defaultBranch: 'main' });
});

afterEach(async () => {
  await gh.close();
});

describe('GitHub stand-in: requests are checked against the OpenAPI description', () => {
  it('a POST /pulls without head is a violation answered with 500, and no PR is created', async () => {
    const response = await call('POST', '/repos/octo-org/demo-app/pulls', { title: 'x', base: 'main' });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { message: string };
    expect(body.message).toContain("request body must have required property 'head'");
    expect(gh.violations).toEqual(["POST /repos/{owner}/{repo}/pulls: request body must have required property 'head'"]);
    expect(gh.pulls).toHaveLength(0);
  });

  it('wrongly typed body fields, path parameters and query values are violations', async () => {
    await call('PATCH', '/repos/octo-org/demo-app/pulls/1', { state: 'merged' });
    await call('GET', '/repos/octo-org/demo-app/actions/runs/not-a-number');
    await call('GET', '/repos/octo-org/demo-app/actions/runs?status=broken&per_page=ten');
    await call('GET', '/repos/octo-org/demo-app/pulls?heads=octo-org:x');
    expect(gh.violations.join('\n')).toMatch(
      /PATCH \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}: request body\/state must be equal to one of the allowed values/,
    );
    expect(gh.violations.join('\n')).toMatch(/path parameter run_id must be integer/);
    expect(gh.violations.join('\n')).toMatch(/query parameter status must be equal to one of the allowed values/);
    expect(gh.violations.join('\n')).toMatch(/query parameter per_page must be integer/);
    expect(gh.violations.join('\n')).toMatch(/query parameter heads is not documented/);
  });

  it('a path the API does not have is a violation', async () => {
    const response = await call('GET', '/repos/octo-org/demo-app/autofix-please');
    expect(response.status).toBe(404);
    expect(gh.violations).toEqual(['GET /repos/octo-org/demo-app/autofix-please: no operation in the OpenAPI description matches']);
  });

  it("requires the token and answers 401 with GitHub's error body", async () => {
    const missing = await call('GET', '/repos/octo-org/demo-app', undefined, null);
    const wrong = await call('GET', '/repos/octo-org/demo-app', undefined, 'ghs_other');
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(await missing.json()).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    expect((await call('GET', '/repos/octo-org/demo-app')).status).toBe(200);
    expect(gh.violations).toEqual([]);
  });
});

describe('GitHub stand-in: responses are checked too', () => {
  it('a response that breaks the schema becomes a 500 and a violation', async () => {
    // 'exploded' is not a job conclusion the description allows, so the jobs answer is invalid.
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      headSha: 'a'.repeat(40),
      headBranch: 'main',
      conclusion: 'failure',
      jobs: [{ name: 'lint', conclusion: 'exploded' as 'failure', steps: [], log: 'x\n' }],
    });
    const response = await call('GET', `/repos/octo-org/demo-app/actions/runs/${runId}/attempts/1/jobs`);
    expect(response.status).toBe(500);
    expect(gh.violations.join('\n')).toContain('→ 200: response body/jobs/0/conclusion must be equal to one of the allowed values');
  });

  it('the validator itself rejects a response missing required fields and an undocumented status', () => {
    const operation = findOperation('GET', '/repos/o/r/actions/runs/5');
    expect(operation?.operationId).toBe('actions/get-workflow-run');
    const violations = validateResponse(operation!, 200, {}, { id: 5, head_sha: 'abc' });
    expect(violations).toContain(
      "GET /repos/{owner}/{repo}/actions/runs/{run_id} → 200: response body must have required property 'head_branch'",
    );
    expect(validateResponse(operation!, 201, {}, {})).toEqual([
      'GET /repos/{owner}/{repo}/actions/runs/{run_id} → 201: status 201 is not documented for this operation',
    ]);
    const logs = findOperation('GET', '/repos/o/r/actions/jobs/7/logs');
    expect(validateResponse(logs!, 302, {}, undefined)).toEqual([
      'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs → 302: missing Location header',
    ]);
    // GitHub answers 410 Gone for an expired log: accepted with the basic-error shape, like 404.
    expect(validateResponse(logs!, 410, {}, { message: 'Gone', documentation_url: 'https://docs.github.com/rest', status: '410' })).toEqual(
      [],
    );
    expect(validateResponse(logs!, 410, {}, { message: 410 })).toEqual([
      'GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs → 410: response body/message must be string',
    ]);
    const create = findOperation('POST', '/repos/o/r/pulls');
    expect(validateRequest(create!, new URLSearchParams(), { contentType: 'application/json', text: '' })).toEqual([
      'POST /repos/{owner}/{repo}/pulls: request body is required',
    ]);
  });
});

describe('GitHub stand-in: behaviour', () => {
  it('serves a valid workflow run, the 302 log redirect to another origin, and the plain-text log', async () => {
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      name: 'CI',
      headSha: 'b'.repeat(40),
      headBranch: 'feature/x',
      headRepository: 'someone/demo-app',
      conclusion: 'failure',
      pullRequests: [3],
      jobs: [{ name: 'test', conclusion: 'failure', steps: [{ name: 'Run pytest', conclusion: 'failure' }], log: 'E   assert 1 == 2\n' }],
    });
    const run = (await (await call('GET', `/repos/octo-org/demo-app/actions/runs/${runId}`)).json()) as Record<string, unknown>;
    expect(run).toMatchObject({
      id: runId,
      conclusion: 'failure',
      head_sha: 'b'.repeat(40),
      head_repository: { full_name: 'someone/demo-app' },
    });
    const jobs = (await (await call('GET', `/repos/octo-org/demo-app/actions/runs/${runId}/jobs`)).json()) as { jobs: { id: number }[] };
    const redirect = await call('GET', `/repos/octo-org/demo-app/actions/jobs/${jobs.jobs[0]?.id}/logs`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location') ?? '';
    expect(new URL(location).origin).not.toBe(new URL(gh.url).origin);
    const log = await fetch(location);
    expect(log.headers.get('content-type')).toContain('text/plain');
    expect(await log.text()).toBe('E   assert 1 == 2\n');
    // Credentials sent to the signed URL's host are refused and recorded.
    const leaked = await fetch(location, { headers: { authorization: `token ${TOKEN}` } });
    expect(leaked.status).toBe(400);
    expect(gh.violations).toEqual([expect.stringContaining('received an Authorization header')]);
  });

  it('failNext answers the next N matching requests with the status, then recovers', async () => {
    gh.failNext(/^GET \/repos\/octo-org\/demo-app$/, 502, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call('GET', '/repos/octo-org/demo-app')).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(gh.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /repos/octo-org/demo-app 502',
      'GET /repos/octo-org/demo-app 502',
      'GET /repos/octo-org/demo-app 200',
    ]);
    expect(gh.violations).toEqual([]);
  });

  it('failNext can add headers and a body: a 429 with Retry-After, a 410 for a log', async () => {
    gh.failNext(/^GET \/repos\/octo-org\/demo-app$/, 429, 1, { headers: { 'Retry-After': '7' } });
    const limited = await call('GET', '/repos/octo-org/demo-app');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('4987');
    expect(await limited.json()).toEqual({ message: 'Injected failure', documentation_url: 'https://docs.github.com/rest', status: '429' });
    expect((await call('GET', '/repos/octo-org/demo-app')).status).toBe(200);

    gh.failNext(/\/logs$/, 410, 1, { body: { message: 'Gone', documentation_url: 'https://docs.github.com/rest', status: '410' } });
    const gone = await call('GET', '/repos/octo-org/demo-app/actions/jobs/5/logs');
    expect(gone.status).toBe(410);
    expect(await gone.json()).toEqual({ message: 'Gone', documentation_url: 'https://docs.github.com/rest', status: '410' });
    expect(gh.violations).toEqual([]);
  });

  it('failNext applies to the signed log URL too, with its headers', async () => {
    const runId = gh.addRun({
      owner: 'octo-org',
      repo: 'demo-app',
      headSha: 'c'.repeat(40),
      headBranch: 'main',
      conclusion: 'failure',
      jobs: [{ name: 'test', conclusion: 'failure', steps: [], log: 'log text\n' }],
    });
    const jobs = (await (await call('GET', `/repos/octo-org/demo-app/actions/runs/${runId}/jobs`)).json()) as { jobs: { id: number }[] };
    const location = (await call('GET', `/repos/octo-org/demo-app/actions/jobs/${jobs.jobs[0]?.id}/logs`)).headers.get('location') ?? '';
    gh.failNext(/signedlogcontent$/, 429, 1, { headers: { 'retry-after': '2' } });
    const limited = await fetch(location);
    expect([limited.status, limited.headers.get('retry-after'), await limited.text()]).toEqual([429, '2', 'Too Many Requests']);
    expect(await (await fetch(location)).text()).toBe('log text\n');
    expect(gh.violations).toEqual([]);
  });

  it('a failNext body that breaks the error schema is a violation like any other answer', async () => {
    gh.failNext(/^GET \/repos\/octo-org\/demo-app$/, 503, 1, { body: { message: ['not', 'a', 'string'] } });
    expect((await call('GET', '/repos/octo-org/demo-app')).status).toBe(500);
    expect(gh.violations).toEqual(['GET /repos/{owner}/{repo} → 503: response body/message must be string']);
  });

  it('lists runs newest first with filters and pagination links', async () => {
    for (let i = 0; i < 5; i += 1) {
      gh.addRun({
        owner: 'octo-org',
        repo: 'demo-app',
        headSha: String(i).repeat(40),
        headBranch: 'main',
        conclusion: i % 2 === 0 ? 'failure' : 'success',
        jobs: [],
      });
    }
    const response = await call('GET', '/repos/octo-org/demo-app/actions/runs?branch=main&status=failure&per_page=2');
    const body = (await response.json()) as { total_count: number; workflow_runs: { head_sha: string }[] };
    expect(body.total_count).toBe(3);
    expect(body.workflow_runs.map((r) => r.head_sha[0])).toEqual(['4', '2']);
    expect(response.headers.get('link')).toContain('rel="next"');
    expect(gh.violations).toEqual([]);
  });
});

describe('GitHub stand-in: repository contents', () => {
  interface ContentFile {
    type: string;
    encoding: string;
    content: string;
    sha: string;
    size: number;
    name: string;
    path: string;
    url: string;
    _links: { self: string; git: string | null; html: string | null };
  }
  const blobSha = (text: string): string =>
    createHash('sha1')
      .update(`blob ${Buffer.byteLength(text)}\0${text}`)
      .digest('hex');

  it('serves a file set with setFile at the default branch when no ref is given, as base64 with its blob sha', async () => {
    const text = 'line = 1\n'.repeat(20);
    gh.setFile({ owner: 'octo-org', repo: 'demo-app', path: 'src/app/config.py', content: text });
    const response = await call('GET', '/repos/octo-org/demo-app/contents/src/app/config.py');
    expect(response.status).toBe(200);
    const file = (await response.json()) as ContentFile;
    expect(file).toMatchObject({ type: 'file', encoding: 'base64', name: 'config.py', path: 'src/app/config.py', size: text.length });
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe(text);
    // As GitHub sends it: base64 in lines of 60 characters.
    expect(file.content.split('\n').every((line) => line.length <= 60)).toBe(true);
    expect(file.sha).toBe(blobSha(text));
    expect(file.url).toBe(`${gh.url}/repos/octo-org/demo-app/contents/src/app/config.py?ref=main`);
    expect(file._links.self).toBe(file.url);
    // Octokit sends the path with %2F, which GitHub accepts as well.
    const encoded = (await (await call('GET', '/repos/octo-org/demo-app/contents/src%2Fapp%2Fconfig.py?ref=main')).json()) as ContentFile;
    expect(encoded.sha).toBe(file.sha);
    expect(gh.violations).toEqual([]);
  });

  it('keeps each ref apart: a file on another branch, and a branch without it', async () => {
    gh.setFile({ owner: 'octo-org', repo: 'demo-app', ref: 'main', path: 'setup.cfg', content: '[flake8]\n' });
    gh.setFile({ owner: 'octo-org', repo: 'demo-app', ref: 'feature/x', path: 'setup.cfg', content: '[flake8]\nmax-line-length = 120\n' });
    const onMain = (await (await call('GET', '/repos/octo-org/demo-app/contents/setup.cfg')).json()) as ContentFile;
    const onFeature = (await (await call('GET', '/repos/octo-org/demo-app/contents/setup.cfg?ref=feature%2Fx')).json()) as ContentFile;
    expect(Buffer.from(onMain.content, 'base64').toString('utf8')).toBe('[flake8]\n');
    expect(Buffer.from(onFeature.content, 'base64').toString('utf8')).toBe('[flake8]\nmax-line-length = 120\n');
    expect((await call('GET', '/repos/octo-org/demo-app/contents/setup.cfg?ref=release')).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });

  it('answers 404 Not Found, as GitHub does, for a missing file, a directory or an unknown repository', async () => {
    gh.setFile({ owner: 'octo-org', repo: 'demo-app', path: 'src/app.py', content: 'print(1)\n' });
    const missing = await call('GET', '/repos/octo-org/demo-app/contents/src/missing.py');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content',
      status: '404',
    });
    expect((await call('GET', '/repos/octo-org/demo-app/contents/src')).status).toBe(404);
    expect((await call('GET', '/repos/octo-org/elsewhere/contents/src/app.py')).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });
});
