/**
 * The environment of every child process. Children are fixers, the repository's own tools
 * (`node_modules/.bin`, `.venv/bin`: the pull request author's code), and git. None of them may see
 * a credential: the action's token (`INPUT_GITHUB-TOKEN`, `GITHUB_TOKEN`), the runner's
 * `ACTIONS_RUNTIME_TOKEN` (cache and artifact writes), the OIDC request token, the paths of the
 * runner's command files (`GITHUB_ENV`, `GITHUB_OUTPUT` … would let a child set our outputs or
 * environment), webhook URLs or SMTP passwords.
 *
 * So the environment is built from an allow-list, never from `process.env` minus a deny-list: a
 * new secret a runner or a workflow adds later is left out without anyone having to know its name.
 * Names that look like secrets are dropped even when allow-listed (a `LC_API_KEY` would be).
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Variables a child may inherit, by exact name. */
const ALLOWED_NAMES = new Set([
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'USER',
  'LOGNAME',
  'SHELL',
  // Windows needs these to start processes at all.
  'SystemRoot',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
]);

/** Locale variables (`LC_ALL`, `LC_CTYPE` …). */
const ALLOWED_PATTERN = /^LC_[A-Z]+$/;

/** A name that may hold a credential. Such a variable never reaches a child, whatever else allows it. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|WEBHOOK|CREDENTIAL/i;

/** Variables every child gets, set by us: none carries anything from the runner. */
const FIXED_VARIABLES: Readonly<Record<string, string>> = {
  // Python tools importing themselves from a repository venv would write .pyc files into it
  // (git-ignored files the guard watches).
  PYTHONDONTWRITEBYTECODE: '1',
  // Tools must not wait for a human.
  GIT_TERMINAL_PROMPT: '0',
  GCM_INTERACTIVE: 'never',
};

function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The allow-listed part of `source`, secret-looking names removed. */
function allowListed(source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || isSecretName(name)) continue;
    if (ALLOWED_NAMES.has(name) || ALLOWED_PATTERN.test(name)) env[name] = value;
  }
  return env;
}

/**
 * A child environment: the allow-listed variables of `source`, HOME and TMPDIR pointing at
 * private directories, and the fixed variables. `extra` is added last; it comes from our own code
 * (a per-tool setting, git's one-shot auth header), never from the runner's environment.
 */
export function childEnvironment(
  source: Readonly<Record<string, string | undefined>>,
  dirs: { home: string; tmp: string },
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...allowListed(source),
    ...FIXED_VARIABLES,
    HOME: dirs.home,
    USERPROFILE: dirs.home,
    TMPDIR: dirs.tmp,
    TMP: dirs.tmp,
    TEMP: dirs.tmp,
    ...extra,
  };
}

/** A private HOME and TMPDIR, removed by `dispose`. */
export interface PrivateDirs {
  root: string;
  home: string;
  tmp: string;
  dispose(): Promise<void>;
}

export async function createPrivateDirs(prefix = 'ci-autofixer-child-'): Promise<PrivateDirs> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  const home = path.join(root, 'home');
  const tmp = path.join(root, 'tmp');
  await mkdir(home, { mode: 0o700 });
  await mkdir(tmp, { mode: 0o700 });
  return { root, home, tmp, dispose: () => rm(root, { recursive: true, force: true }) };
}

let processDirs: { root: string; home: string; tmp: string; hooks: string } | undefined;

/**
 * The private HOME and TMPDIR of children that do not get their own (git, the guard's git), and an
 * empty hooks directory: made once, on first use, removed when the process exits.
 */
function processDirectories(): { root: string; home: string; tmp: string; hooks: string } {
  if (processDirs === undefined) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-home-'));
    const dirs = { root, home: path.join(root, 'home'), tmp: path.join(root, 'tmp'), hooks: path.join(root, 'no-hooks') };
    mkdirSync(dirs.home, { mode: 0o700 });
    mkdirSync(dirs.tmp, { mode: 0o700 });
    mkdirSync(dirs.hooks, { mode: 0o500 });
    processDirs = dirs;
    process.once('exit', () => {
      try {
        rmSync(dirs.root, { recursive: true, force: true });
      } catch {
        // The process is exiting; a leftover temporary directory is all that can go wrong.
      }
    });
  }
  return processDirs;
}

/** The environment a child gets when its caller gives none: allow-listed, with the process's private HOME. */
export function defaultChildEnvironment(): Record<string, string> {
  const { home, tmp } = processDirectories();
  return childEnvironment(process.env, { home, tmp });
}

/**
 * An empty directory for `core.hooksPath`: git then finds no hook to run, whatever a fixer wrote
 * into `.git/hooks` or whatever `core.hooksPath` the repository's config names.
 */
export function emptyHooksDirectory(): string {
  return processDirectories().hooks;
}
