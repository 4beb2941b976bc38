/**
 * Shared set-up for the security suite: the demo's failed run on the local GitHub stand-in and git
 * remote, with the repository's own tools planted in the checkout as an attacker would commit or
 * install them, secrets planted in the environment as a runner has them, and small readers for
 * what the planted tools recorded.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { nodeExec } from '../../src/exec.js';
import { authEnv, createScenario, PROJECT_ROOT, type Scenario, type ScenarioOptions } from '../../standin/scenario.js';

export const CLI = path.join(PROJECT_ROOT, 'dist', 'cli.js');
export const PROJECT_BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin');

/** Secrets a runner (or a workflow) puts in the action's environment. None may reach a child. */
export function plantedSecrets(token: string): Record<string, string> {
  return {
    GITHUB_TOKEN: token,
    GH_TOKEN: token,
    ACTIONS_RUNTIME_TOKEN: 'runtime-token-planted-1f2e',
    ACTIONS_RUNTIME_URL: 'https://pipelines.example/runtime-url-planted',
    ACTIONS_RESULTS_URL: 'https://results.example/results-url-planted',
    ACTIONS_CACHE_URL: 'https://cache.example/cache-url-planted',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-planted-9a8b',
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example/id-token-url-planted',
    // A closed local port: the action now posts to this webhook (needs-human by default), and no test may need the internet.
    SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/services/T000/B000/webhook-planted',
    SMTP_PASSWORD: 'smtp-password-planted',
    SMTP_URL: 'smtp://user:smtp-url-password-planted@mail.example:587',
    MY_SERVICE_API_KEY: 'api-key-planted-77',
    NPM_AUTH_CREDENTIALS: 'credentials-planted-42',
    DEPLOY_SECRET: 'deploy-secret-planted',
  };
}

/** Values that must never appear in what a child saw. */
export function secretValues(env: Record<string, string>): string[] {
  return Object.values(env);
}

/** The runner's command files, whose paths must not reach a child either. */
export const RUNNER_FILE_VARIABLES = ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH', 'GITHUB_STATE'];

export interface Planted {
  /** Directory the planted tools write what they saw into (outside the workspace). */
  dumps: string;
}

/** A shell script that records its environment and arguments, then runs `real` (or exits 0). */
export function recordingTool(name: string, dumps: string, real: string | undefined, extra = ''): string {
  return [
    '#!/bin/sh',
    `{ echo "ARGS: $*"; env; echo "----"; } >> "${dumps}/${name}.env"`,
    extra,
    real !== undefined ? `exec "${real}" "$@"` : 'exit 0',
    '',
  ].join('\n');
}

export async function writeExecutable(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  await chmod(file, 0o755);
}

/** Plants `.venv/bin/black` and `node_modules/.bin/prettier` that record their environment. */
export async function plantRepositoryTools(workspace: string, dumps: string, extraBlack = ''): Promise<void> {
  await writeExecutable(path.join(workspace, '.venv', 'bin', 'black'), recordingTool('black', dumps, '/usr/bin/black', extraBlack));
  await writeExecutable(
    path.join(workspace, 'node_modules', '.bin', 'prettier'),
    recordingTool('prettier', dumps, path.join(PROJECT_BIN, 'prettier')),
  );
}

/** A `git` first on PATH that records every invocation's arguments and environment. */
export async function plantGitRecorder(dumps: string): Promise<string> {
  const bin = path.join(dumps, 'bin');
  await writeExecutable(path.join(bin, 'git'), recordingTool('git', dumps, '/usr/bin/git'));
  return bin;
}

export interface Recorded {
  args: string;
  env: Record<string, string>;
  text: string;
}

/** What a recording tool saw, one entry per invocation (empty when it never ran). */
export async function readRecorded(dumps: string, name: string): Promise<Recorded[]> {
  let text: string;
  try {
    text = await readFile(path.join(dumps, `${name}.env`), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n----\n')
    .filter((block) => block.startsWith('ARGS:'))
    .map((block) => {
      const [first = '', ...rest] = block.split('\n');
      const env: Record<string, string> = {};
      for (const line of rest) {
        const eq = line.indexOf('=');
        if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return { args: first.slice('ARGS: '.length), env, text: block };
    });
}

/** The demo scenario with `.gitignore` for the planted tool folders, as a real project has it. */
export async function securityScenario(options: ScenarioOptions = {}): Promise<Scenario & Planted> {
  const s = await createScenario({ ...options, files: { '.gitignore': 'node_modules/\n.venv/\n', ...(options.files ?? {}) } });
  const dumps = await mkdtemp(path.join(s.dir, 'dumps-'));
  return Object.assign(s, { dumps });
}

/** Runs git against the scenario's remote with the token (as a collaborator would push). */
export async function remoteGit(s: Scenario, args: string[], cwd: string): Promise<string> {
  const url = s.gitServer.repoUrl(s.owner, s.repo);
  const result = await nodeExec('git', args, {
    cwd,
    env: {
      ...authEnv(url, s.token),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Hu Man',
      GIT_AUTHOR_EMAIL: 'human@example.com',
      GIT_COMMITTER_NAME: 'Hu Man',
      GIT_COMMITTER_EMAIL: 'human@example.com',
    },
  });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Pushes a commit of its own (unrelated history, one file) to `branch` on the remote; returns its sha. */
export async function pushOwnBranch(s: Scenario, branch: string, file: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(s.dir, 'branch-'));
  const url = s.gitServer.repoUrl(s.owner, s.repo);
  await remoteGit(s, ['init', '-q'], dir);
  await writeFile(path.join(dir, file), content);
  await remoteGit(s, ['add', '-A'], dir);
  await remoteGit(s, ['commit', '-q', '-m', `work on ${branch}`], dir);
  await remoteGit(s, ['push', '-q', url, `HEAD:refs/heads/${branch}`], dir);
  return remoteGit(s, ['rev-parse', 'HEAD'], dir);
}

/** Adds a human commit on top of the remote `branch`; returns its sha. */
export async function pushHumanCommit(s: Scenario, branch: string, file: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(s.dir, 'human-'));
  const url = s.gitServer.repoUrl(s.owner, s.repo);
  await remoteGit(s, ['init', '-q'], dir);
  await remoteGit(s, ['fetch', '-q', url, `refs/heads/${branch}`], dir);
  await remoteGit(s, ['checkout', '-q', 'FETCH_HEAD'], dir);
  await writeFile(path.join(dir, file), content);
  await remoteGit(s, ['add', '-A'], dir);
  await remoteGit(s, ['commit', '-q', '-m', 'A human fixes it by hand'], dir);
  await remoteGit(s, ['push', '-q', url, `HEAD:refs/heads/${branch}`], dir);
  return remoteGit(s, ['rev-parse', 'HEAD'], dir);
}

/** Puts the checkout back at the run's head, as a fresh actions/checkout would leave it. */
export async function resetCheckout(s: Scenario): Promise<void> {
  await nodeExec('git', ['checkout', '-q', '--detach', s.headSha], { cwd: s.workspace });
  await nodeExec('git', ['reset', '-q', '--hard', s.headSha], { cwd: s.workspace });
}

/** An HTTP server that records every request: where a hijacked push or request would go. */
export async function startRecorder(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method ?? ''} ${request.url ?? ''} auth=${request.headers.authorization ?? ''}`);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs the bundled CLI as a user does. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }) {
  return nodeExec(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    baseEnv: {
      PATH: `${PROJECT_BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? os.homedir(),
      ...options.env,
    },
  });
}

export async function listFiles(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
