/**
 * The action's `mode: scan`: the failed runs to fix as a strategy.matrix. `scanMatrix` against the
 * GitHub stand-in, and the action itself (src/index.ts, run with tsx as the runner runs
 * dist/index.js: INPUT_* variables, output and summary files).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { createGitHubClient } from '../../src/github/client.js';
import { createMemoryLogger } from '../../src/logging.js';
import { scanMatrix } from '../../src/monitor/matrix.js';
import { parseOutputFile, PROJECT_ROOT } from '../../standin/scenario.js';
import { blackJob, minutesAgo, monitorRepo, OWNER, REPO, TOKEN, type MonitorRepo } from './helpers.js';

let m: MonitorRepo;
beforeEach(async () => {
  m = await monitorRepo();
});
afterEach(async () => {
  expect(m.gh.violations).toEqual([]);
  await m.close();
});

const OPTIONS = { owner: OWNER, repo: REPO, lookbackMinutes: 60, maxFailures: 20, branchPrefix: 'autofix/' };

function client() {
  return createGitHubClient({ token: TOKEN, apiUrl: m.gh.url, logger: createMemoryLogger(), retry: { minDelayMs: 1 } });
}

describe('scanMatrix', () => {
  it('lists the failed runs to fix, newest first', async () => {
    const result = await scanMatrix(client(), OPTIONS, new Date());
    expect(result.matrix).toEqual({
      include: [
        { 'run-id': m.testsRun, workflow: 'Tests', branch: 'main', 'head-sha': 'd'.repeat(40) },
        { 'run-id': m.lintRun, workflow: 'CI', branch: 'feature/a', 'head-sha': 'b'.repeat(40) },
      ],
    });
    expect(result.skipped).toEqual([]);
    // The fix branches were looked up through the API: 404 means no fix yet.
    const lookups = m.gh.requests.filter((request) => request.path.includes('/branches/')).map((r) => [r.path, r.status]);
    expect(lookups).toEqual([
      [`/repos/${OWNER}/${REPO}/branches/autofix%2Fmain`, 404],
      [`/repos/${OWNER}/${REPO}/branches/autofix%2Ffeature%2Fa`, 404],
    ]);
  });

  it('skips a run whose fix branch already holds a fix of its head, older runs of a branch, and fix branches', async () => {
    // autofix/main holds a fix of the tests run's head commit: that run was handled.
    m.gh.setBranch({ owner: OWNER, repo: REPO, branch: 'autofix/main', sha: '7'.repeat(40), parents: ['d'.repeat(40)] });
    // autofix/feature/a holds a fix of an older head: the new failure still needs a fix job.
    m.gh.setBranch({ owner: OWNER, repo: REPO, branch: 'autofix/feature/a', sha: '8'.repeat(40), parents: ['0'.repeat(40)] });
    const base = { owner: OWNER, repo: REPO, name: 'CI', conclusion: 'failure' as const, jobs: [blackJob()] };
    const olderRun = m.gh.addRun({ ...base, headSha: '2'.repeat(40), headBranch: 'feature/a', createdAt: minutesAgo(40) });
    const fixBranchRun = m.gh.addRun({ ...base, headSha: '3'.repeat(40), headBranch: 'autofix/feature/a', createdAt: minutesAgo(5) });
    const forkRun = m.gh.addRun({
      ...base,
      headSha: '4'.repeat(40),
      headBranch: 'main',
      headRepository: 'mallory/app',
      pullRequests: [],
      createdAt: minutesAgo(4),
    });
    const result = await scanMatrix(client(), OPTIONS, new Date());
    expect(result.matrix.include).toEqual([{ 'run-id': m.lintRun, workflow: 'CI', branch: 'feature/a', 'head-sha': 'b'.repeat(40) }]);
    expect(result.skipped).toEqual([
      {
        runId: forkRun,
        workflow: 'CI',
        branch: 'main',
        reason: "the run's head is not in this repository (a fork): fix jobs take only this repository's runs",
      },
      {
        runId: fixBranchRun,
        workflow: 'CI',
        branch: 'autofix/feature/a',
        reason: 'the run is on a fix branch (autofix/…): loop protection',
      },
      { runId: m.testsRun, workflow: 'Tests', branch: 'main', reason: 'autofix/main already holds a fix of dddddddddddd' },
      { runId: olderRun, workflow: 'CI', branch: 'feature/a', reason: 'a newer failed run of the same branch is in the matrix' },
    ]);
  });

  it('a 403 on the branch lookup is an API error, not "no fix branch"', async () => {
    m.gh.failNext(/^GET \/repos\/octo\/app\/branches\//, 403, 1);
    await expect(scanMatrix(client(), OPTIONS, new Date())).rejects.toThrow(/looking up the fix branch autofix\/main: .*answered 403/);
  });
});

/** Runs src/index.ts as the runner runs the action, with `inputs`; returns its outputs and summary. */
async function runActionFromSource(inputs: Record<string, string>) {
  const runnerTemp = await mkdtemp(path.join(m.dir, 'runner-'));
  const files = { event: 'event.json', summary: 'summary.md', output: 'output.txt' };
  for (const name of Object.values(files)) await writeFile(path.join(runnerTemp, name), name === 'event.json' ? '{}' : '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? m.dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_EVENT_PATH: path.join(runnerTemp, files.event),
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_WORKSPACE: m.dir,
    GITHUB_API_URL: m.gh.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_STEP_SUMMARY: path.join(runnerTemp, files.summary),
    GITHUB_OUTPUT: path.join(runnerTemp, files.output),
    RUNNER_TEMP: runnerTemp,
    'INPUT_GITHUB-TOKEN': TOKEN,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const tsx = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = await nodeExec(process.execPath, [tsx, path.join(PROJECT_ROOT, 'src', 'index.ts')], { cwd: m.dir, baseEnv: env });
  return {
    ...result,
    outputs: parseOutputFile(await readFile(path.join(runnerTemp, files.output), 'utf8')),
    summary: await readFile(path.join(runnerTemp, files.summary), 'utf8'),
  };
}

describe('action mode: scan', () => {
  it('outputs the matrix of runs to fix and a summary of what it skipped', async () => {
    m.gh.setBranch({ owner: OWNER, repo: REPO, branch: 'autofix/main', sha: '7'.repeat(40), parents: ['d'.repeat(40)] });
    const result = await runActionFromSource({ mode: 'scan' });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.outputs.matrix ?? '')).toEqual({
      include: [{ 'run-id': m.lintRun, workflow: 'CI', branch: 'feature/a', 'head-sha': 'b'.repeat(40) }],
    });
    expect(result.summary).toContain('1 failed run(s) of octo/app in the last 60 minute(s) go to fix jobs.');
    expect(result.summary).toContain(`| ${m.testsRun} | Tests | main | skipped: autofix/main already holds a fix of dddddddddddd |`);
    // Nothing was analysed or fixed: no job logs were read.
    expect(m.gh.requests.some((request) => request.path.includes('/jobs'))).toBe(false);
  });

  it('outputs {"include":[]} when nothing is to do', async () => {
    const result = await runActionFromSource({ mode: 'scan', 'lookback-minutes': '5' });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.matrix).toBe('{"include":[]}');
    expect(result.summary).toContain('needs a fix job');
  });

  it('a bad scan input fails the step with one line naming it', async () => {
    const result = await runActionFromSource({ mode: 'scan', 'lookback-minutes': 'abc' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("::error::Input 'lookback-minutes' must be a whole number of minutes from 1 to 10080");
    expect(m.gh.requests).toEqual([]);
    const mode = await runActionFromSource({ mode: 'monitor' });
    expect(mode.stdout).toContain("::error::Input 'mode' must be one of: fix, scan");
  });
});
