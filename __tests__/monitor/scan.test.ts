/** `ci-autofixer scan` against the GitHub stand-in (every request and response checked against the OpenAPI description). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, importJob, minutesAgo, monitorRepo, OWNER, REPO, type MonitorRepo } from './helpers.js';

let m: MonitorRepo;
beforeEach(async () => {
  m = await monitorRepo();
});
afterEach(async () => {
  expect(m.gh.violations).toEqual([]);
  await m.close();
});

const scan = (...args: string[]) => cli(m, ['scan', '--repo', `${OWNER}/${REPO}`, '--api-url', m.gh.url, ...args]);

interface ScanJson {
  version: number;
  repository: string;
  since: string;
  lookbackMinutes: number;
  filters: { branch: string | null; workflows: string[]; maxFailures: number };
  more: boolean;
  runs: {
    id: number;
    attempt: number;
    workflow: string;
    workflowPath: string;
    branch: string;
    headSha: string;
    event: string;
    createdAt: string;
    ageMinutes: number;
    url: string;
    fromFork: boolean;
    jobs: {
      id: number;
      name: string;
      url?: string;
      failedStep?: string;
      primary?: { category: string; tool: string; message: string; file?: string; line?: number; column?: number };
      failureCount: number;
      fixable: boolean;
      fixers: string[];
      unavailable?: string;
    }[];
  }[];
}

async function scanJson(...args: string[]): Promise<ScanJson> {
  const result = await scan('--json', ...args);
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ScanJson;
}

describe('ci-autofixer scan', () => {
  it('lists the failed runs of the last hour newest first, with each failed job primary failure and fixability', async () => {
    const parsed = await scanJson();
    expect(parsed).toMatchObject({ version: 1, repository: `${OWNER}/${REPO}`, lookbackMinutes: 60, more: false });
    expect(parsed.filters).toEqual({ branch: null, workflows: [], maxFailures: 20 });
    expect(parsed.runs.map((run) => run.id)).toEqual([m.testsRun, m.lintRun]);
    const [tests, lint] = parsed.runs;
    expect(tests).toMatchObject({ workflow: 'Tests', workflowPath: '.github/workflows/tests.yml', branch: 'main', attempt: 1 });
    expect(tests?.ageMinutes).toBeGreaterThanOrEqual(9);
    expect(tests?.jobs).toHaveLength(1);
    expect(tests?.jobs[0]).toMatchObject({
      name: 'test',
      failedStep: 'Run python -m unittest',
      fixable: false,
      fixers: [],
      primary: { category: 'import_missing_module' },
    });
    expect(tests?.jobs[0]?.primary?.message).toContain("No module named 'yaml'");
    // The successful build job of the lint run is not listed.
    expect(lint?.jobs.map((job) => job.name)).toEqual(['lint']);
    expect(lint?.jobs[0]).toMatchObject({
      fixable: true,
      fixers: ['black'],
      primary: { category: 'lint_format', tool: 'black', file: 'src/app/config.py' },
    });
    expect(Object.keys(lint ?? {}).sort()).toEqual(
      [
        'ageMinutes',
        'attempt',
        'branch',
        'createdAt',
        'event',
        'fromFork',
        'headSha',
        'id',
        'jobs',
        'url',
        'workflow',
        'workflowPath',
      ].sort(),
    );
    // One listing request: failed runs, newest first, read until one older than the window.
    const listings = m.gh.requests.filter((request) => request.path === `/repos/${OWNER}/${REPO}/actions/runs`);
    expect(listings).toHaveLength(1);
    const query = new URLSearchParams(listings[0]?.query ?? '');
    expect(query.get('status')).toBe('failure');
    expect(query.get('per_page')).toBe('21');
  });

  it('prints a table: run, workflow, branch, age, job, category, location, fixable', async () => {
    const result = await scan();
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^2 failed run\(s\) in octo\/app in the last 60 minute\(s\).*2 failed job\(s\), 1 fixable$/);
    expect(lines[1]).toMatch(/^RUN\s+WORKFLOW\s+BRANCH\s+AGE\s+JOB\s+CATEGORY\s+LOCATION\s+FIXABLE\s+MESSAGE$/);
    expect(lines[2]).toMatch(
      new RegExp(`^${m.testsRun}\\s+Tests\\s+main\\s+1\\dm\\s+test\\s+import_missing_module\\s+tests/test_config.py:3\\s+no\\s+`),
    );
    expect(lines[3]).toMatch(
      new RegExp(`^${m.lintRun}\\s+CI\\s+feature/a\\s+[23]\\dm\\s+lint\\s+lint_format\\s+src/app/config.py\\s+yes \\(black\\)`),
    );
    expect(lines).toHaveLength(4);
  });

  it.each([
    [
      ['--lookback', '240'],
      ['tests', 'lint', 'old'],
    ],
    [['--lookback', '20'], ['tests']],
    [['--branch', 'feature/a'], ['lint']],
    [['--workflow', 'tests.yml'], ['tests']],
    [['--workflow', 'ci'], ['lint']],
    [
      ['--workflow', 'CI,.github/workflows/tests.yml'],
      ['tests', 'lint'],
    ],
    [['--max-failures', '1'], ['tests']],
  ])('filters %j', async (args, expected) => {
    const parsed = await scanJson(...args);
    const ids = { tests: m.testsRun, lint: m.lintRun, old: m.oldRun };
    expect(parsed.runs.map((run) => run.id)).toEqual(expected.map((name) => ids[name as keyof typeof ids]));
    expect(parsed.more).toBe(args[0] === '--max-failures');
  });

  it('follows the pagination of the runs list when a workflow filter leaves pages short', async () => {
    for (let index = 0; index < 120; index += 1) {
      m.gh.addRun({
        owner: OWNER,
        repo: REPO,
        name: 'Nightly',
        headSha: 'e'.repeat(40),
        headBranch: 'main',
        conclusion: 'failure',
        createdAt: minutesAgo(5),
        jobs: [],
      });
    }
    const parsed = await scanJson('--workflow', 'CI');
    expect(parsed.runs.map((run) => run.id)).toEqual([m.lintRun]);
    const pages = m.gh.requests.filter((request) => request.path === `/repos/${OWNER}/${REPO}/actions/runs`);
    expect(pages.length).toBe(2);
  });

  it('--output writes the same JSON to a file and prints the table', async () => {
    const result = await scan('--output', 'scan.json');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('RUN ');
    const written = JSON.parse(await readFile(path.join(m.dir, 'scan.json'), 'utf8')) as ScanJson;
    expect(written.runs.map((run) => run.id)).toEqual([m.testsRun, m.lintRun]);
  });

  it('prints log text without workflow commands or control characters', async () => {
    m.gh.addRun({
      owner: OWNER,
      repo: REPO,
      name: 'Evil',
      headSha: 'f'.repeat(40),
      headBranch: 'main',
      conclusion: 'failure',
      createdAt: minutesAgo(1),
      jobs: [importJob("No module named '##[error]x\u001b[31m\n::set-output name=x::pwned'")],
    });
    const table = await scan();
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toContain('Evil');
    // A runner reads `::cmd` at a line start and `##[` anywhere; the message is one line, cut, and neutralised.
    expect(table.stdout).not.toMatch(/^\s*::/m);
    expect(table.stdout).not.toContain('##[');
    expect(table.stdout).not.toContain('\u001b');
    const json = await scan('--json');
    expect(json.stdout).not.toContain('##[');
    expect(json.stdout).not.toMatch(/^\s*::/m);
    const parsed = JSON.parse(json.stdout) as ScanJson;
    expect(parsed.runs[0]?.jobs[0]?.primary?.message).toContain('##[error]x');
  });

  it.each([
    [['--lookback', 'abc'], "--lookback: expected a whole number of minutes (1–10080), got 'abc'"],
    [['--lookback', '0'], "--lookback: expected a whole number of minutes (1–10080), got '0'"],
    [['--lookback', '10081'], "--lookback: expected a whole number of minutes (1–10080), got '10081'"],
    [['--max-failures', '101'], "--max-failures: expected a whole number (1–100), got '101'"],
    [['--max-failures', '2.5'], "--max-failures: expected a whole number (1–100), got '2.5'"],
    [['--branch', 'a b'], "--branch: expected a branch name, got 'a b'"],
    [['--workflow', 'CI,,Tests'], "--workflow: expected workflow names or files separated by commas, got 'CI,,Tests'"],
    [['--json', '--output', 'x.json'], '--json and --output: give one'],
    [['--lokback', '5'], "Unknown option '--lokback'"],
    [['extra'], 'unexpected argument "extra"'],
  ])('%j fails with one line and exit 2', async (args, message) => {
    const result = await scan(...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(m.gh.requests).toEqual([]);
  });

  it('needs --repo OWNER/NAME and a token', async () => {
    const noRepo = await cli(m, ['scan']);
    expect([noRepo.exitCode, noRepo.stderr.trim()]).toEqual([2, 'ci-autofixer: scan needs --repo OWNER/NAME']);
    const badRepo = await cli(m, ['scan', '--repo', 'octo']);
    expect([badRepo.exitCode, badRepo.stderr.trim()]).toEqual([2, "ci-autofixer: --repo: expected OWNER/NAME, got 'octo'"]);
    const noToken = await cli(m, ['scan', '--repo', 'octo/app'], { env: { GITHUB_TOKEN: '' } });
    expect(noToken.exitCode).toBe(2);
    expect(noToken.stderr).toContain('GITHUB_TOKEN');
  });

  it('a 403 on the runs list says which permission is missing; the token is never printed', async () => {
    m.gh.failNext(/^GET \/repos\/octo\/app\/actions\/runs$/, 403, 1, {
      body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' },
    });
    const result = await scan();
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('listing the failed workflow runs of octo/app');
    expect(result.stderr).toContain('answered 403 Resource not accessible by integration');
    expect(result.stderr).toContain('actions: read');
    expect(result.stdout + result.stderr).not.toContain(TOKEN_TEXT);
  });

  it('a repository the token cannot see is a 404 naming the repository', async () => {
    const result = await cli(m, ['scan', '--repo', 'octo/missing', '--api-url', m.gh.url]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('/repos/octo/missing');
    expect(result.stderr).toContain('404');
  });

  it('a rate limit that does not clear gives up with a clear error', async () => {
    m.gh.rateLimitNext(/^GET \/repos\/octo\/app\/actions\/runs$/, 'secondary', 10);
    const result = await scan();
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/secondary rate limit.*re-run later/);
  }, 20_000);
});

const TOKEN_TEXT = 'ghs_monitorTestToken0123456789';
