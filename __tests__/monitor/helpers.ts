/** A repository with failed runs on the GitHub stand-in, and the CLI run in-process from src/cli.ts. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { startGitHubStandIn, type GitHubStandIn, type StandInRun } from '../../standin/github-server.js';
import { toActionsLog } from '../../standin/scenario.js';

export const TOKEN = 'ghs_monitorTestToken0123456789';
export const OWNER = 'octo';
export const REPO = 'app';

export function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

/** A black --check job: a format failure the black fixer takes with the default fix types. */
export function blackJob(): StandInRun['jobs'][number] {
  const output = [
    `would reformat /home/runner/work/${REPO}/${REPO}/src/app/config.py`,
    '',
    'Oh no! 💥 💔 💥',
    '1 file would be reformatted, 3 files would be left unchanged.',
  ].join('\n');
  return {
    name: 'lint',
    conclusion: 'failure',
    steps: [{ name: 'Run black --check .', conclusion: 'failure' }],
    log: toActionsLog('lint', [{ name: 'black', shown: 'black --check .', output, exitCode: 1 }]),
  };
}

/** A missing Python module: the dependency fixer handles it, but `dependency` is not a default fix type. */
export function importJob(message = "No module named 'yaml'"): StandInRun['jobs'][number] {
  const output = [
    'E',
    '======================================================================',
    'ERROR: tests.test_config (unittest.loader._FailedTest.tests.test_config)',
    '----------------------------------------------------------------------',
    'ImportError: Failed to import test module: tests.test_config',
    'Traceback (most recent call last):',
    `  File "/home/runner/work/${REPO}/${REPO}/tests/test_config.py", line 3, in <module>`,
    '    import yaml',
    `ModuleNotFoundError: ${message}`,
    '',
    '----------------------------------------------------------------------',
    'Ran 1 test in 0.000s',
    '',
    'FAILED (errors=1)',
  ].join('\n');
  return {
    name: 'test',
    conclusion: 'failure',
    steps: [{ name: 'Run python -m unittest', conclusion: 'failure' }],
    log: toActionsLog('test', [{ name: 'unittest', shown: 'python -m unittest', output, exitCode: 1 }]),
  };
}

export interface MonitorRepo {
  gh: GitHubStandIn;
  dir: string;
  /** Newest first: the tests run (10 minutes ago) then the lint run (30 minutes ago). */
  testsRun: number;
  lintRun: number;
  oldRun: number;
  close(): Promise<void>;
}

/** Two failed runs in the last hour, one older failed run, and a successful one. */
export async function monitorRepo(): Promise<MonitorRepo> {
  const gh = await startGitHubStandIn({ token: TOKEN });
  gh.addRepository({ owner: OWNER, repo: REPO, defaultBranch: 'main' });
  const base = { owner: OWNER, repo: REPO };
  const oldRun = gh.addRun({
    ...base,
    name: 'CI',
    headSha: 'a'.repeat(40),
    headBranch: 'feature/a',
    conclusion: 'failure',
    createdAt: minutesAgo(180),
    jobs: [blackJob()],
  });
  const lintRun = gh.addRun({
    ...base,
    name: 'CI',
    headSha: 'b'.repeat(40),
    headBranch: 'feature/a',
    conclusion: 'failure',
    createdAt: minutesAgo(30),
    jobs: [blackJob(), { name: 'build', conclusion: 'success', steps: [], log: 'ok\n' }],
  });
  gh.addRun({
    ...base,
    name: 'CI',
    headSha: 'c'.repeat(40),
    headBranch: 'main',
    conclusion: 'success',
    createdAt: minutesAgo(20),
    jobs: [],
  });
  const testsRun = gh.addRun({
    ...base,
    name: 'Tests',
    path: '.github/workflows/tests.yml',
    headSha: 'd'.repeat(40),
    headBranch: 'main',
    conclusion: 'failure',
    createdAt: minutesAgo(10),
    jobs: [importJob()],
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'monitor-test-'));
  return {
    gh,
    dir,
    testsRun,
    lintRun,
    oldRun,
    close: async () => {
      await gh.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function collector(onWrite?: (text: string) => void): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const stream = {
    write: (chunk: string | Uint8Array) => {
      const piece = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      text += piece;
      onWrite?.(piece);
      return true;
    },
  } as NodeJS.WritableStream;
  return { stream, text: () => text };
}

/** Runs `ci-autofixer ARGS` in-process (src/cli.ts's main) with GITHUB_TOKEN set and cwd `dir`. */
export async function cli(
  repo: Pick<MonitorRepo, 'dir'>,
  args: string[],
  options: { interrupt?: AbortSignal; onStdout?: (text: string) => void; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const stdout = collector(options.onStdout);
  const stderr = collector();
  const exitCode = await main(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { GITHUB_TOKEN: TOKEN, RUNNER_TEMP: repo.dir, PATH: process.env.PATH ?? '', ...options.env },
    cwd: repo.dir,
    ...(options.interrupt !== undefined ? { interrupt: options.interrupt } : {}),
  });
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}
