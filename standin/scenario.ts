/**
 * A failed CI run, for real: an example repository on the local git remote, job logs made by
 * running the real tools (black, prettier, python) on that repository, the run registered on the
 * local GitHub API stand-in, and a checkout of the failing commit as actions/checkout leaves it.
 * `runAction` then runs the bundled dist/index.js exactly as the runner does. Used by
 * `npm run demo` and by the integration tests.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeExec } from '../src/exec.js';
import { startGitHubStandIn, type GitHubStandIn } from './github-server.js';
import { startGitServer, type GitServer } from './git-server.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_REPO = path.join(PROJECT_ROOT, 'examples', 'demo-repo');
const BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin');

export interface StepRun {
  name: string;
  /** Command shown in the log's `Run …` group. */
  shown: string;
  output: string;
  exitCode: number;
}

export interface JobSpec {
  name: string;
  steps: StepRun[];
}

/** Runs a command in `cwd` and returns what it printed (stdout and stderr interleaved as they arrive). */
export async function capture(command: string, args: string[], cwd: string): Promise<{ output: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ output, exitCode: code ?? 1 }));
  });
}

/**
 * Writes steps as a GitHub Actions raw job log: timestamps, `##[group]Run …`, the tool output and
 * `##[error]Process completed with exit code N.` for a failed step.
 */
export function toActionsLog(jobName: string, steps: readonly StepRun[], start = new Date('2026-11-25T06:00:00Z')): string {
  let clock = start.getTime();
  const lines: string[] = [];
  const stamp = (text: string): void => {
    clock += 137;
    lines.push(`${new Date(clock).toISOString().replace('Z', '0000Z')} ${text}`);
  };
  stamp(`Current runner version: '2.329.0'`);
  stamp(`##[group]Operating System`);
  stamp(`Ubuntu`);
  stamp(`24.04.3`);
  stamp(`##[endgroup]`);
  stamp(`Complete job name: ${jobName}`);
  for (const step of steps) {
    stamp(`##[group]Run ${step.shown}`);
    stamp(step.shown);
    stamp(`shell: /usr/bin/bash -e {0}`);
    stamp(`##[endgroup]`);
    for (const line of step.output.replace(/\n$/, '').split('\n')) stamp(line);
    if (step.exitCode !== 0) {
      stamp(`##[error]Process completed with exit code ${step.exitCode}.`);
      break;
    }
  }
  stamp(`Cleaning up orphan processes`);
  return `\uFEFF${lines.join('\n')}\n`;
}

/**
 * Makes the demo's failing jobs by running the real tools on a copy of the repository placed where
 * a runner would have it, so that paths in the output look like a runner's.
 */
export async function makeDemoJobs(repoDir: string, runnerPath: string): Promise<JobSpec[]> {
  const replacePaths = (text: string): string => text.split(repoDir).join(runnerPath);
  const black = await capture('black', ['--check', '.'], repoDir);
  const prettier = await capture(path.join(BIN, 'prettier'), ['--check', 'web'], repoDir);
  // PyYAML is not in requirements.txt, so a fresh runner does not have it; `-S` leaves out this
  // machine's site-packages to reproduce that.
  const unittest = await capture('python3', ['-S', '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], repoDir);
  return [
    {
      name: 'lint (black)',
      steps: [{ name: 'black', shown: 'black --check .', output: replacePaths(black.output), exitCode: black.exitCode }],
    },
    {
      name: 'lint (prettier)',
      steps: [{ name: 'prettier', shown: 'npx prettier --check web', output: replacePaths(prettier.output), exitCode: prettier.exitCode }],
    },
    {
      name: 'test (3.11)',
      steps: [
        { name: 'pip', shown: 'pip install -r requirements.txt', output: 'Successfully installed requests-2.32.3\n', exitCode: 0 },
        {
          name: 'unittest',
          shown: 'python -m unittest discover -s tests -t .',
          output: replacePaths(unittest.output),
          exitCode: unittest.exitCode,
        },
      ],
    },
  ];
}

export interface Scenario {
  github: GitHubStandIn;
  gitServer: GitServer;
  token: string;
  owner: string;
  repo: string;
  headBranch: string;
  headSha: string;
  runId: number;
  /** The checkout the action repairs (GITHUB_WORKSPACE). */
  workspace: string;
  /** Scratch directory holding everything of this scenario. */
  dir: string;
  jobs: JobSpec[];
  close(): Promise<void>;
}

export interface ScenarioOptions {
  owner?: string;
  repo?: string;
  headBranch?: string;
  /** The run's head lives in this fork (owner/name) instead of the repository. */
  forkOf?: string;
  /** Commit message of the failing commit (e.g. one carrying the autofixer trailer). */
  commitMessage?: string;
  /** Jobs to register; default: the demo jobs made with the real tools. */
  jobs?: (repoDir: string, runnerPath: string) => Promise<JobSpec[]>;
  /** Files to add to or replace in the example repository. */
  files?: Record<string, string>;
  /** ISO time the run was created (default: the stand-in's fixed past times). */
  createdAt?: string;
}

async function listFiles(dir: string, prefix = ''): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.name === '__pycache__') continue;
    if (entry.isDirectory()) Object.assign(files, await listFiles(path.join(dir, entry.name), relative));
    else files[relative] = await readFile(path.join(dir, entry.name), 'utf8');
  }
  return files;
}

export async function createScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const owner = options.owner ?? 'octo-org';
  const repo = options.repo ?? 'demo-app';
  const headBranch = options.headBranch ?? 'feature/greeting';
  const token = `ghs_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-scenario-'));
  const repoDir = path.join(dir, 'source', repo);
  await cp(DEMO_REPO, repoDir, { recursive: true });
  for (const [file, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(repoDir, file)), { recursive: true });
    await writeFile(path.join(repoDir, file), content);
  }

  const gitServer = await startGitServer({ token });
  const github = await startGitHubStandIn({ token });
  try {
    const files = await listFiles(repoDir);
    const headSha = await gitServer.createRepository(owner, repo, {
      files,
      branch: headBranch,
      message: options.commitMessage ?? 'Add configuration loader',
    });
    const runnerPath = `/home/runner/work/${repo}/${repo}`;
    const jobs = await (options.jobs ?? makeDemoJobs)(repoDir, runnerPath);
    github.addRepository({ owner, repo, defaultBranch: 'main' });
    const runId = github.addRun({
      owner,
      repo,
      name: 'CI',
      headSha,
      headBranch,
      headRepository: options.forkOf ?? `${owner}/${repo}`,
      conclusion: 'failure',
      ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
      jobs: jobs.map((job) => ({
        name: job.name,
        conclusion: job.steps.some((step) => step.exitCode !== 0) ? 'failure' : 'success',
        steps: job.steps.map((step) => ({ name: `Run ${step.shown}`, conclusion: step.exitCode === 0 ? 'success' : 'failure' })),
        log: toActionsLog(job.name, job.steps),
      })),
    });

    // The checkout, as actions/checkout leaves it: the failing commit, detached, origin = the remote.
    const workspace = path.join(dir, 'work', repo, repo);
    await checkout(gitServer.repoUrl(owner, repo), token, workspace, headSha);
    return {
      github,
      gitServer,
      token,
      owner,
      repo,
      headBranch,
      headSha,
      runId,
      workspace,
      dir,
      jobs,
      close: async () => {
        await github.close();
        await gitServer.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error: unknown) {
    await github.close();
    await gitServer.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const result = await nodeExec('git', args, { cwd, env: { GIT_TERMINAL_PROMPT: '0', ...env } });
  if (result.exitCode !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Like actions/checkout: the token only in a one-shot extraheader, never stored. */
export function authEnv(url: string, token: string): Record<string, string> {
  const origin = new URL(url).origin;
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
  };
}

async function checkout(url: string, token: string, workspace: string, sha: string): Promise<void> {
  await rm(workspace, { recursive: true, force: true });
  await nodeExec('mkdir', ['-p', workspace], { cwd: os.tmpdir() });
  await git(['init', '-q'], workspace);
  await git(['remote', 'add', 'origin', url], workspace);
  await git(['fetch', '-q', '--no-tags', 'origin', sha], workspace, authEnv(url, token));
  await git(['checkout', '-q', '--detach', sha], workspace);
}

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  reportPath: string;
}

/** Parses the GITHUB_OUTPUT file (`name<<DELIM` … `DELIM`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i] ?? '');
    outputs[name as string] = value.join('\n');
  }
  return outputs;
}

/** A workflow_run event payload for the scenario's run, as GitHub sends it. */
export async function workflowRunEvent(scenario: Scenario): Promise<Record<string, unknown>> {
  const response = await fetch(`${scenario.github.url}/repos/${scenario.owner}/${scenario.repo}/actions/runs/${scenario.runId}`, {
    headers: { authorization: `token ${scenario.token}`, accept: 'application/vnd.github+json' },
  });
  const run = (await response.json()) as Record<string, unknown>;
  return {
    action: 'completed',
    workflow_run: run,
    repository: { full_name: `${scenario.owner}/${scenario.repo}`, name: scenario.repo, owner: { login: scenario.owner } },
  };
}

/** Runs dist/index.js as the runner does: INPUT_* variables, event file, summary and output files. */
export async function runAction(
  scenario: Scenario,
  inputs: Record<string, string> = {},
  options: { eventName?: string; event?: Record<string, unknown>; env?: Record<string, string> } = {},
): Promise<ActionRun> {
  const runnerTemp = await mkdtemp(path.join(scenario.dir, 'runner-temp-'));
  const eventPath = path.join(runnerTemp, 'event.json');
  const summaryPath = path.join(runnerTemp, 'step_summary.md');
  const outputPath = path.join(runnerTemp, 'output.txt');
  await writeFile(eventPath, JSON.stringify(options.event ?? (await workflowRunEvent(scenario))));
  await writeFile(summaryPath, '');
  await writeFile(outputPath, '');
  const env: Record<string, string> = {
    PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? os.homedir(),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'workflow_run',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${scenario.owner}/${scenario.repo}`,
    GITHUB_WORKSPACE: scenario.workspace,
    GITHUB_API_URL: scenario.github.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    RUNNER_TEMP: runnerTemp,
    'INPUT_GITHUB-TOKEN': scenario.token,
    // Nothing here needs the internet: the dependency fixer's wheel download goes to a closed local
    // port, so its fix is reported as applied, not verified (tests may pass a local index instead).
    PIP_INDEX_URL: 'http://127.0.0.1:9/simple/',
  };
  Object.assign(env, options.env ?? {});
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = await nodeExec(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'index.js')], {
    cwd: scenario.workspace,
    baseEnv: env,
  });
  const outputs = parseOutputFile(await readFile(outputPath, 'utf8'));
  return {
    ...result,
    outputs,
    summary: await readFile(summaryPath, 'utf8'),
    reportPath: outputs['report-path'] ?? '',
  };
}
