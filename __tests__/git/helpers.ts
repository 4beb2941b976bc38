/** Shared set-up for the git tests: a real remote (git http-backend) and a checkout as actions/checkout leaves it. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nodeExec, type Exec, type ExecOptions } from '../../src/exec.js';
import { createMemoryLogger, type Logger } from '../../src/logging.js';
import { startGitServer, type GitServer } from '../../standin/git-server.js';

/** Keeps git away from the machine's own config, so the tests see only what the code sets. */
export const ISOLATED_ENV = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

export interface ExecCall {
  command: string;
  args: readonly string[];
  options: ExecOptions;
}

/** The real exec, recording every call; `before` may act first (e.g. another writer racing us). */
export function recordingExec(calls: ExecCall[], before?: (call: ExecCall) => Promise<void>): Exec {
  return async (command, args, options) => {
    const call = { command, args, options };
    calls.push(call);
    if (before) await before(call);
    return nodeExec(command, args, options);
  };
}

export async function plainGit(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const result = await nodeExec('git', args, {
    cwd,
    env: {
      ...ISOLATED_ENV,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Someone Else',
      GIT_AUTHOR_EMAIL: 'else@example.com',
      GIT_COMMITTER_NAME: 'Someone Else',
      GIT_COMMITTER_EMAIL: 'else@example.com',
      ...env,
    },
  });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

export function authEnv(url: string, token: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${new URL(url).origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
  };
}

export interface Remote {
  server: GitServer;
  token: string;
  url: string;
  headSha: string;
  dir: string;
  /** A detached checkout of `headSha` with origin = the remote, fetched at `depth` when given. */
  checkout(name: string, depth?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startRemote(files: Record<string, string>): Promise<Remote> {
  const token = `ghs_${Math.random().toString(36).slice(2)}`;
  const server = await startGitServer({ token });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-git-test-'));
  const headSha = await server.createRepository('octo', 'app', { files, branch: 'main', message: 'Initial' });
  const url = server.repoUrl('octo', 'app');
  return {
    server,
    token,
    url,
    headSha,
    dir,
    async checkout(name, depth) {
      const work = path.join(dir, name);
      await mkdir(work, { recursive: true });
      await plainGit(['init', '-q'], work);
      await plainGit(['remote', 'add', 'origin', url], work);
      await plainGit(['fetch', '-q', '--no-tags', ...(depth ? [`--depth=${depth}`] : []), 'origin', headSha], work, authEnv(url, token));
      await plainGit(['checkout', '-q', '--detach', headSha], work);
      return work;
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A logger for these tests: the shared memory logger. */
export function testLogger(): Logger & { lines: string[] } {
  return createMemoryLogger();
}
