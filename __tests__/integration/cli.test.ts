/** The bundled CLI (dist/cli.js), run as a user runs it: `node dist/cli.js …`. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/analysis/types.js';
import { nodeExec } from '../../src/exec.js';
import { createScenario, DEMO_REPO, makeDemoJobs, PROJECT_ROOT, toActionsLog, type Scenario } from '../../standin/scenario.js';

const CLI = path.join(PROJECT_ROOT, 'dist', 'cli.js');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return nodeExec(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    baseEnv: {
      PATH: `${path.join(PROJECT_ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? os.homedir(),
      // No test needs the internet: the dependency fixer's wheel download goes to a closed local port.
      PIP_INDEX_URL: 'http://127.0.0.1:9/simple/',
      ...options.env,
    },
  });
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-test-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A git working tree holding the demo repository, and its failing CI logs made with the real tools. */
async function demoWorkspace(): Promise<{ workspace: string; logs: string[] }> {
  const dir = await tempDir();
  const workspace = path.join(dir, 'demo-app');
  await cp(DEMO_REPO, workspace, { recursive: true });
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'init'],
  ]) {
    const result = await nodeExec('git', args, { cwd: workspace });
    expect(result.exitCode, result.stderr).toBe(0);
  }
  const jobs = await makeDemoJobs(workspace, '/home/runner/work/demo-app/demo-app');
  const logs: string[] = [];
  for (const job of jobs) {
    const file = path.join(dir, `${job.name.replace(/\W+/g, '-')}.log`);
    await writeFile(file, toActionsLog(job.name, job.steps));
    logs.push(file);
  }
  return { workspace, logs };
}

describe('ci-autofixer analyze', () => {
  it('prints the documented JSON, most relevant failure first, logLines counted as grep -n does', async () => {
    const { logs } = await demoWorkspace();
    const result = await cli(['analyze', '--json', ...logs]);
    expect(result.exitCode, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      logs: { path: string; category: string; failedStep: Record<string, unknown> | null; failures: Record<string, unknown>[] }[];
    };
    expect(parsed.logs.map((log) => log.path)).toEqual(logs);
    const [lint, prettier, test] = parsed.logs;
    expect(lint?.category).toBe('lint_format');
    expect(prettier?.category).toBe('lint_format');
    expect(prettier?.failures[0]).toMatchObject({ tool: 'prettier', file: 'web/format.js' });
    expect(test?.category).toBe('import_missing_module');
    for (const log of parsed.logs) {
      expect(CATEGORIES).toContain(log.category);
      for (const failure of log.failures) {
        expect(Object.keys(failure).sort()).toEqual([
          'category',
          'column',
          'confidence',
          'file',
          'fingerprint',
          'job',
          'line',
          'logLines',
          'message',
          'occurrences',
          'step',
          'tool',
        ]);
      }
      expect(Object.keys(log).sort()).toEqual(['category', 'failedStep', 'failures', 'path']);
    }
    expect(test?.failedStep).toMatchObject({ name: 'Run python -m unittest discover -s tests -t .', exitCode: 1 });
    const black = lint?.failures.find((failure) => failure.tool === 'black');
    expect(black?.file).toMatch(/app\/config\.py$/);
    const lines = (await readFile(logs[0] as string, 'utf8')).split('\n');
    const [first] = black?.logLines as [number, number];
    expect(lines[first - 1]).toContain('would reformat');
    const missing = test?.failures[0];
    expect(missing?.message).toContain("No module named 'yaml'");
  });

  it('prints a readable text report without --json', async () => {
    const { logs } = await demoWorkspace();
    const result = await cli(['analyze', logs[2] as string]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('import_missing_module');
    expect(result.stdout).toContain("No module named 'yaml'");
  });

  it.each([
    [['analyze'], 'analyze needs at least one LOG file'],
    [['analyze', '/no/such.log'], 'LOG "/no/such.log" does not exist'],
    [['analyze', '--jsn', 'x.log'], "Unknown option '--jsn'"],
    [['frobnicate'], 'unknown command "frobnicate"'],
  ])('%j fails with one clear line and exit 2', async (args, message) => {
    const result = await cli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});

describe('ci-autofixer fix', () => {
  it('applies and verifies the fixes in a working tree, committing nothing', async () => {
    const { workspace, logs } = await demoWorkspace();
    const head = (await nodeExec('git', ['rev-parse', 'HEAD'], { cwd: workspace })).stdout;
    const result = await cli([
      'fix',
      '--workspace',
      workspace,
      ...logs.flatMap((log) => ['--log', log]),
      '--fix-types',
      'format,dependency',
      '--json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { fixes: { fixer: string; status: string }[] };
    const verified = parsed.fixes.filter((fix) => fix.status === 'verified').map((fix) => fix.fixer);
    expect(verified).toEqual(expect.arrayContaining(['black', 'prettier']));
    // Without a reachable package index nothing can show that PyYAML provides `yaml`: kept, not verified.
    expect(parsed.fixes.find((fix) => fix.fixer === 'python-requirement')?.status).toBe('applied-unverified');
    expect(await readFile(path.join(workspace, 'app/config.py'), 'utf8')).toContain('def load_config(path="config.yml"):');
    expect(await readFile(path.join(workspace, 'requirements.txt'), 'utf8')).toMatch(/^PyYAML\b/m);
    expect((await nodeExec('git', ['rev-parse', 'HEAD'], { cwd: workspace })).stdout).toBe(head);
  });

  it('--dry-run leaves the working tree exactly as it was', async () => {
    const { workspace, logs } = await demoWorkspace();
    const result = await cli(['fix', '--workspace', workspace, '--log', logs[0] as string, '--dry-run']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('dry run');
    expect((await nodeExec('git', ['status', '--porcelain'], { cwd: workspace })).stdout).toBe('');
  });

  it.each([
    [['fix', '--log', 'x.log'], 'fix needs --workspace DIR'],
    [['fix', '--workspace', os.tmpdir(), '--log', '/no/such.log'], '--log "/no/such.log" does not exist'],
  ])('%j fails with one clear line and exit 2', async (args, message) => {
    const result = await cli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });

  it('refuses a directory that is not a git working tree', async () => {
    const dir = await tempDir();
    const { logs } = await demoWorkspace();
    const result = await cli(['fix', '--workspace', dir, '--log', logs[0] as string]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('is not a git working tree');
  });
});

describe('ci-autofixer run', () => {
  let s: Scenario;
  it('runs the whole pipeline against an API URL and pushes to the checkout origin', async () => {
    s = await createScenario();
    cleanup.push(() => s.close());
    const result = await cli(
      ['run', '--repo', `${s.owner}/${s.repo}`, '--run-id', String(s.runId), '--api-url', s.github.url, '--fix-types', 'all'],
      {
        cwd: s.workspace,
        env: { GITHUB_TOKEN: s.token },
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(s.github.violations).toEqual([]);
    expect(s.github.pulls).toHaveLength(1);
    expect(result.stdout).toContain(`autofix/${s.headBranch}`);
    expect(result.stderr + result.stdout).not.toContain(s.token);
  });

  it('needs a token', async () => {
    const result = await cli(['run', '--repo', 'a/b', '--run-id', '1']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('GITHUB_TOKEN');
  });
});
