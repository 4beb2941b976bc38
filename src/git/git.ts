/**
 * A small git command manager, in the spirit of actions/checkout's git-command-manager: every git
 * call goes through `Exec` with an argument array, and a token only ever reaches git through a
 * one-shot `http.extraheader` in the environment of the one command that needs it.
 */
import { GitError } from '../errors.js';
import type { Exec, ExecResult } from '../exec.js';
import type { Logger } from '../logging.js';
import { emptyHooksDirectory } from '../environment.js';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface StatusEntry {
  /** Index column of `git status --porcelain` ('M', 'A', 'D', 'R', '?', ' ' …). */
  index: string;
  /** Work-tree column. */
  worktree: string;
  path: string;
  /** The old path of a rename or copy. */
  originalPath?: string;
}

export interface CommitOptions {
  message: string;
  author: GitIdentity;
  /** Appended as a trailer paragraph, `Key: value` per entry, in the given order. */
  trailers?: Readonly<Record<string, string>>;
}

export interface CreateCommitOptions extends CommitOptions {
  /** The tree of the new commit (see `writeTree`). */
  tree: string;
  parents: readonly string[];
}

export interface PushOptions {
  /** A remote name (`origin`) or a URL. */
  remote: string;
  /** The branch to update on the remote (without `refs/heads/`). */
  branch: string;
  /** What to push: a commit sha or a local ref. Default: the local branch of the same name. */
  source?: string;
  /**
   * The sha the remote branch must still have for the push to be accepted (`--force-with-lease`);
   * undefined means the branch must not exist yet.
   */
  expectedRemoteSha: string | undefined;
  token?: string;
}

export interface FetchOptions {
  remote: string;
  refspecs: readonly string[];
  token?: string;
  /** `--depth`, for shallow fetches. */
  depth?: number;
}

export interface Git {
  readonly cwd: string;
  isRepository(): Promise<boolean>;
  topLevel(): Promise<string>;
  headSha(): Promise<string>;
  /** The checked-out branch, or undefined when HEAD is detached. */
  currentBranch(): Promise<string | undefined>;
  headCommitMessage(): Promise<string>;
  statusPorcelain(): Promise<StatusEntry[]>;
  /** Paths (relative to the repository root) that differ from HEAD, untracked files included; sorted. */
  changedFiles(): Promise<string[]>;
  /** The fetch URL of a remote; `push: true` for its push URL. */
  remoteUrl(name: string, options?: { push?: boolean }): Promise<string>;
  /** The sha of `refs/heads/<branch>` on the remote, or undefined when it has no such branch. */
  lsRemoteBranch(remote: string, branch: string, token?: string): Promise<string | undefined>;
  /** Every branch of the remote: name (without `refs/heads/`) → sha. */
  listRemoteBranches(remote: string, token?: string): Promise<Map<string, string>>;
  /** Up to `max` commits from `sha` along first parents, newest first, with their full messages. */
  firstParentChain(sha: string, max: number): Promise<{ sha: string; parents: string[]; message: string }[]>;
  /** Whether `ancestor` is `descendant` or one of its ancestors, as far as the local history shows. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** The commit a revision names, or undefined when it names none. */
  resolveCommit(revision: string): Promise<string | undefined>;
  /** The tree of a commit. */
  resolveTree(revision: string): Promise<string>;
  /** Whether `name` is a valid branch name (`git check-ref-format refs/heads/<name>`). */
  isValidBranchName(name: string): Promise<boolean>;
  checkoutNewBranch(name: string, startPoint: string): Promise<void>;
  /** Stages the paths (additions, changes and removals). `indexFile` stages into another index. */
  add(paths: readonly string[], options?: { indexFile?: string }): Promise<void>;
  /** Commits the index on HEAD; returns the new commit's sha. */
  commit(options: CommitOptions): Promise<string>;
  /** Reads a tree into an index file (the real index unless `indexFile` is given). */
  readTree(treeish: string, options?: { indexFile?: string }): Promise<void>;
  /** Writes an index out as a tree; returns its sha. */
  writeTree(options?: { indexFile?: string }): Promise<string>;
  /** A commit object that no ref points at yet; HEAD, index and work tree are left alone. */
  createCommit(options: CreateCommitOptions): Promise<string>;
  /**
   * Points `refs/heads/<name>` at `sha`. With `expectedSha` the update only happens while the branch
   * still has that value (undefined: only while it does not exist).
   */
  setBranch(name: string, sha: string, options?: { expectedSha?: string | undefined }): Promise<void>;
  push(options: PushOptions): Promise<void>;
  /** Deletes a remote branch, only while it still points at `expectedRemoteSha`. */
  deleteRemoteBranch(options: { remote: string; branch: string; expectedRemoteSha: string; token?: string }): Promise<void>;
  fetch(options: FetchOptions): Promise<void>;
  deleteLocalBranch(name: string): Promise<void>;
  resetHard(sha: string): Promise<void>;
}

export interface CreateGitOptions {
  exec: Exec;
  cwd: string;
  logger: Logger;
  /** Extra environment for every git command. */
  env?: Record<string, string | undefined>;
}

/** Settings that keep an unattended git from waiting for a human. */
const UNATTENDED_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GCM_INTERACTIVE: 'never',
  // Messages are parsed for the error text; they must be in one language.
  LC_ALL: 'C',
  LANGUAGE: '',
};

/**
 * Configuration given on the command line of every git command, where it outranks the
 * repository's `.git/config` (which a fixer could have written) and nothing can override it:
 * - no hooks: hooks are the repository's code, and a push would run them next to the token;
 * - no fsmonitor: `core.fsmonitor` names a program git runs on every status;
 * - no credential helper: the one-shot header carries the token; a helper could store it, prompt,
 *   or hand it to a program;
 * - `safe.directory=*`: git runs with a private HOME, so the runner's global config (where
 *   actions/checkout records the workspace as safe in container jobs) is not read; the commands
 *   only ever run in the checkout this run was given.
 */
export function hardenedConfigArgs(): string[] {
  return [
    '-c',
    `core.hooksPath=${emptyHooksDirectory()}`,
    '-c',
    'core.fsmonitor=false',
    '-c',
    'credential.helper=',
    '-c',
    'safe.directory=*',
  ];
}

/**
 * The environment that hands `token` to git for requests to `url`'s origin only.
 * The first entry clears any extraheader already configured for that origin (actions/checkout
 * persists one by default); two Authorization headers would make the server reject the request.
 */
export function tokenEnvironment(url: string, token: string): Record<string, string> {
  const origin = httpOrigin(url);
  if (origin === undefined) return {};
  const key = `http.${origin}/.extraheader`;
  const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
  return {
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: key,
    GIT_CONFIG_VALUE_0: '',
    GIT_CONFIG_KEY_1: key,
    GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${basic}`,
  };
}

function httpOrigin(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

/** Removes `user:password@` from URLs, and the token in both its plain and header forms. */
function redact(text: string, token: string | undefined): string {
  let result = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  if (token) {
    const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
    result = result.split(token).join('***').split(basic).join('***');
  }
  return result;
}

/**
 * The line of git's stderr that says what went wrong. Push failures put the reason on the
 * ` ! [rejected] … (stale info)` line and end with a generic `error: failed to push some refs`.
 */
export function meaningfulStderr(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'));
  const refStatus = lines.filter((line) => /^! \[/.test(line) || /^!\s/.test(line));
  const errors = lines.filter((line) => /^(fatal|error|remote: error):/i.test(line));
  const last = errors.at(-1) ?? lines.at(-1) ?? '';
  return [...refStatus, last].filter((line, i, all) => line !== '' && all.indexOf(line) === i).join('; ');
}

/** A sentence on what a known failure means and what to do, or undefined. */
function explain(stderr: string): string | undefined {
  // Before the credential check: a URL in the same message may hold 401 or 403 in its port.
  if (/stale info/.test(stderr)) {
    return 'the remote branch changed since it was read (someone else pushed to it); nothing was overwritten';
  }
  if (/refusing to allow an? (?:GitHub App|OAuth App|Personal Access Token) to create or update workflow/i.test(stderr)) {
    return "refusing to push workflow files without the 'workflows' permission: the pushed commits change .github/workflows, which this token may not write";
  }
  if (/Permission to \S+ denied to /i.test(stderr)) {
    return "the token may not push to this repository: it needs 'contents: write' (add it to the workflow's permissions)";
  }
  if (/terminal prompts disabled|Authentication failed|returned error: 40[13]\b|\b403 Forbidden|could not read Username/i.test(stderr)) {
    return 'the remote refused the credentials: check that the token is valid and may write contents (permissions: contents: write)';
  }
  if (/\[rejected\].*\(fetch first\)|\(non-fast-forward\)/.test(stderr)) {
    return 'the remote branch has commits this push would drop; nothing was overwritten';
  }
  if (/not a git repository/i.test(stderr)) return 'the directory is not a git checkout';
  return undefined;
}

function formatMessage(message: string, trailers: Readonly<Record<string, string>> | undefined): string {
  const body = message.replace(/\s+$/, '');
  const entries = Object.entries(trailers ?? {});
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9-]+$/.test(key)) throw new GitError(`invalid trailer key ${JSON.stringify(key)}: use letters, digits and '-'`);
    if (/[\r\n]/.test(value)) throw new GitError(`trailer ${key} must be one line`);
  }
  if (entries.length === 0) return `${body}\n`;
  return `${body}\n\n${entries.map(([key, value]) => `${key}: ${value}`).join('\n')}\n`;
}

function identityEnv(author: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
}

function looksLikeUrl(remote: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(remote);
}

function parseStatus(output: string): StatusEntry[] {
  const fields = output.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i += 1) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue;
    const entry: StatusEntry = { index: field[0] ?? ' ', worktree: field[1] ?? ' ', path: field.slice(3) };
    // In -z output a rename or copy is followed by its source path as the next field.
    if (entry.index === 'R' || entry.index === 'C') {
      i += 1;
      entry.originalPath = fields[i] ?? '';
    }
    entries.push(entry);
  }
  return entries;
}

/** What every git command of one `Git` needs: how to run it, where, how to log, and extra environment. */
interface GitContext {
  exec: Exec;
  cwd: string;
  logger: Logger;
  /** `CreateGitOptions.env`: extra environment for every git command. */
  env: Record<string, string | undefined>;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  /** Exit codes that are answers, not failures. */
  allowedExitCodes?: readonly number[];
  token?: string;
}

async function run(ctx: GitContext, args: readonly string[], runOptions: RunOptions = {}): Promise<ExecResult> {
  const { exec, cwd, logger } = ctx;
  logger.debug(`git ${args.join(' ')}`);
  const result = await exec('git', [...hardenedConfigArgs(), ...args], {
    cwd,
    env: { ...UNATTENDED_ENV, ...ctx.env, ...(runOptions.env ?? {}) },
    ...(runOptions.input !== undefined ? { input: runOptions.input } : {}),
  });
  const allowed = runOptions.allowedExitCodes ?? [0];
  if (!allowed.includes(result.exitCode)) {
    const command = redact(`git ${args.join(' ')}`, runOptions.token);
    if (result.notFound) {
      throw new GitError(`${command} could not start: is git installed and is ${cwd} a directory? (${result.stderr.trim()})`);
    }
    const reason = redact(meaningfulStderr(result.stderr) || `exit code ${result.exitCode}`, runOptions.token);
    const hint = explain(result.stderr);
    throw new GitError(`${command} failed (exit ${result.exitCode}): ${reason}${hint ? ` — ${hint}` : ''}`);
  }
  return result;
}

async function output(ctx: GitContext, args: readonly string[], runOptions: RunOptions = {}): Promise<string> {
  return (await run(ctx, args, runOptions)).stdout.trim();
}

async function remoteUrl(ctx: GitContext, name: string, urlOptions: { push?: boolean } = {}): Promise<string> {
  return output(ctx, ['remote', 'get-url', ...(urlOptions.push ? ['--push'] : []), '--', name]);
}

/**
 * The environment of a command that talks to `remote`: the token's one-shot header for an http(s)
 * remote; for an ssh remote (the CLI on a laptop) the ssh agent's socket, which only git, never a
 * fixer, receives.
 */
async function authFor(ctx: GitContext, remote: string, token: string | undefined, push: boolean): Promise<Record<string, string>> {
  const url = looksLikeUrl(remote) ? remote : await remoteUrl(ctx, remote, { push });
  if (httpOrigin(url) === undefined) {
    if (token) ctx.logger.debug(`remote ${remote} is not an http(s) URL: the token is not used for it`);
    const agent = process.env.SSH_AUTH_SOCK;
    return agent !== undefined && agent !== '' ? { SSH_AUTH_SOCK: agent } : {};
  }
  return token ? tokenEnvironment(url, token) : {};
}

function indexEnv(indexFile: string | undefined): Record<string, string> {
  return indexFile ? { GIT_INDEX_FILE: indexFile } : {};
}

// Queries on the local repository.

async function isRepository(ctx: GitContext): Promise<boolean> {
  const result = await ctx.exec('git', [...hardenedConfigArgs(), 'rev-parse', '--is-inside-work-tree'], {
    cwd: ctx.cwd,
    env: UNATTENDED_ENV,
  });
  return result.exitCode === 0 && result.stdout.trim() === 'true';
}

async function currentBranch(ctx: GitContext): Promise<string | undefined> {
  const result = await run(ctx, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowedExitCodes: [0, 1] });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function statusPorcelain(ctx: GitContext): Promise<StatusEntry[]> {
  return parseStatus((await run(ctx, ['status', '--porcelain=v1', '-z', '--untracked-files=all'])).stdout);
}

async function changedFiles(ctx: GitContext): Promise<string[]> {
  // Relative to the root whatever the cwd: --porcelain paths are root-relative.
  const entries = parseStatus((await run(ctx, ['status', '--porcelain=v1', '-z', '--untracked-files=all'])).stdout);
  const paths = new Set<string>();
  for (const entry of entries) {
    paths.add(entry.path);
    if (entry.originalPath) paths.add(entry.originalPath);
  }
  return [...paths].sort();
}

async function firstParentChain(ctx: GitContext, sha: string, max: number): Promise<{ sha: string; parents: string[]; message: string }[]> {
  const result = await run(ctx, ['log', '--first-parent', `--max-count=${max}`, '--format=%H%x00%P%x00%B%x1e', '--end-of-options', sha]);
  return result.stdout
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.includes('\0'))
    .map((record) => {
      const [commit = '', parents = '', message = ''] = record.split('\0');
      return { sha: commit, parents: parents.split(' ').filter(Boolean), message };
    });
}

async function isAncestor(ctx: GitContext, ancestor: string, descendant: string): Promise<boolean> {
  const result = await run(ctx, ['merge-base', '--is-ancestor', ancestor, descendant], { allowedExitCodes: [0, 1, 128] });
  return result.exitCode === 0;
}

async function resolveCommit(ctx: GitContext, revision: string): Promise<string | undefined> {
  const result = await run(ctx, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
    allowedExitCodes: [0, 1, 128],
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

async function isValidBranchName(ctx: GitContext, name: string): Promise<boolean> {
  if (name === '' || name.startsWith('-')) return false;
  const result = await run(ctx, ['check-ref-format', `refs/heads/${name}`], { allowedExitCodes: [0, 1] });
  return result.exitCode === 0;
}

// Queries on a remote.

async function lsRemoteBranch(ctx: GitContext, remote: string, branch: string, token?: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  const env = await authFor(ctx, remote, token, true);
  const result = await run(ctx, ['ls-remote', '--heads', '--', remote, ref], { env, token });
  for (const line of result.stdout.split('\n')) {
    const [sha, name] = line.trim().split('\t');
    // ls-remote matches patterns by their tail; only the exact ref counts.
    if (name === ref && sha) return sha;
  }
  return undefined;
}

async function listRemoteBranches(ctx: GitContext, remote: string, token?: string): Promise<Map<string, string>> {
  const env = await authFor(ctx, remote, token, true);
  const result = await run(ctx, ['ls-remote', '--heads', '--', remote], { env, token });
  const branches = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const [sha, name] = line.trim().split('\t');
    if (sha && name?.startsWith('refs/heads/')) branches.set(name.slice('refs/heads/'.length), sha);
  }
  return branches;
}

// Changes to the work tree, the index, commits and local branches.

async function checkoutNewBranch(ctx: GitContext, name: string, startPoint: string): Promise<void> {
  // checkout has no --end-of-options for revisions: refuse option-like values, and the
  // trailing '--' makes git read the start point as a revision, never as a path.
  for (const value of [name, startPoint]) {
    if (value.startsWith('-')) throw new GitError(`refusing ${JSON.stringify(value)}: branch names and revisions cannot start with '-'`);
  }
  await run(ctx, ['checkout', '-q', '-b', name, startPoint, '--']);
}

async function addPaths(ctx: GitContext, paths: readonly string[], addOptions: { indexFile?: string } = {}): Promise<void> {
  if (paths.length === 0) return;
  // Paths are file names, never patterns: GIT_LITERAL_PATHSPECS keeps '*' or ':' literal.
  await run(ctx, ['add', '--all', '--', ...paths], {
    env: { ...indexEnv(addOptions.indexFile), GIT_LITERAL_PATHSPECS: '1' },
  });
}

async function commitIndex(ctx: GitContext, commitOptions: CommitOptions): Promise<string> {
  await run(ctx, ['commit', '-q', '--no-verify', '-F', '-'], {
    env: identityEnv(commitOptions.author),
    input: formatMessage(commitOptions.message, commitOptions.trailers),
  });
  return output(ctx, ['rev-parse', '--verify', 'HEAD^{commit}']);
}

async function createCommit(ctx: GitContext, commitOptions: CreateCommitOptions): Promise<string> {
  const parents = commitOptions.parents.flatMap((parent) => ['-p', parent]);
  return output(ctx, ['commit-tree', commitOptions.tree, ...parents, '-F', '-'], {
    env: identityEnv(commitOptions.author),
    input: formatMessage(commitOptions.message, commitOptions.trailers),
  });
}

async function setBranch(
  ctx: GitContext,
  name: string,
  sha: string,
  branchOptions: { expectedSha?: string | undefined } = {},
): Promise<void> {
  const args = ['update-ref', '-m', 'ci-autofixer', `refs/heads/${name}`, sha];
  // update-ref takes an all-zero old value as "must not exist".
  if ('expectedSha' in branchOptions) args.push(branchOptions.expectedSha ?? '0'.repeat(sha.length));
  await run(ctx, args);
}

// Commands that change a remote or fetch from one.

async function pushBranch(ctx: GitContext, pushOptions: PushOptions): Promise<void> {
  const ref = `refs/heads/${pushOptions.branch}`;
  const source = pushOptions.source ?? ref;
  const env = await authFor(ctx, pushOptions.remote, pushOptions.token, true);
  await run(
    ctx,
    [
      'push',
      '--no-verify',
      `--force-with-lease=${ref}:${pushOptions.expectedRemoteSha ?? ''}`,
      '--',
      pushOptions.remote,
      `${source}:${ref}`,
    ],
    { env, token: pushOptions.token },
  );
}

async function deleteRemoteBranch(
  ctx: GitContext,
  deleteOptions: { remote: string; branch: string; expectedRemoteSha: string; token?: string },
): Promise<void> {
  const ref = `refs/heads/${deleteOptions.branch}`;
  const env = await authFor(ctx, deleteOptions.remote, deleteOptions.token, true);
  await run(
    ctx,
    ['push', '--no-verify', `--force-with-lease=${ref}:${deleteOptions.expectedRemoteSha}`, '--', deleteOptions.remote, `:${ref}`],
    { env, token: deleteOptions.token },
  );
}

async function fetchRefs(ctx: GitContext, fetchOptions: FetchOptions): Promise<void> {
  const env = await authFor(ctx, fetchOptions.remote, fetchOptions.token, false);
  const depth = fetchOptions.depth !== undefined ? [`--depth=${fetchOptions.depth}`] : [];
  await run(ctx, ['fetch', '-q', '--no-tags', ...depth, '--', fetchOptions.remote, ...fetchOptions.refspecs], {
    env,
    token: fetchOptions.token,
  });
}

export function createGit(options: CreateGitOptions): Git {
  const { exec, cwd, logger } = options;
  const ctx: GitContext = { exec, cwd, logger, env: options.env ?? {} };
  return {
    cwd,
    isRepository: () => isRepository(ctx),
    topLevel: () => output(ctx, ['rev-parse', '--show-toplevel']),
    headSha: () => output(ctx, ['rev-parse', '--verify', 'HEAD^{commit}']),
    currentBranch: () => currentBranch(ctx),
    headCommitMessage: async () => (await run(ctx, ['show', '-s', '--format=%B', 'HEAD'])).stdout,
    statusPorcelain: () => statusPorcelain(ctx),
    changedFiles: () => changedFiles(ctx),
    remoteUrl: (name, urlOptions) => remoteUrl(ctx, name, urlOptions),
    lsRemoteBranch: (remote, branch, token) => lsRemoteBranch(ctx, remote, branch, token),
    listRemoteBranches: (remote, token) => listRemoteBranches(ctx, remote, token),
    firstParentChain: (sha, max) => firstParentChain(ctx, sha, max),
    isAncestor: (ancestor, descendant) => isAncestor(ctx, ancestor, descendant),
    resolveCommit: (revision) => resolveCommit(ctx, revision),
    resolveTree: (revision) => output(ctx, ['rev-parse', '--verify', '--end-of-options', `${revision}^{tree}`]),
    isValidBranchName: (name) => isValidBranchName(ctx, name),
    checkoutNewBranch: (name, startPoint) => checkoutNewBranch(ctx, name, startPoint),
    add: (paths, addOptions) => addPaths(ctx, paths, addOptions),
    commit: (commitOptions) => commitIndex(ctx, commitOptions),
    readTree: async (treeish, treeOptions = {}) => {
      await run(ctx, ['read-tree', treeish], { env: indexEnv(treeOptions.indexFile) });
    },
    writeTree: (treeOptions = {}) => output(ctx, ['write-tree'], { env: indexEnv(treeOptions.indexFile) }),
    createCommit: (commitOptions) => createCommit(ctx, commitOptions),
    setBranch: (name, sha, branchOptions) => setBranch(ctx, name, sha, branchOptions),
    push: (pushOptions) => pushBranch(ctx, pushOptions),
    deleteRemoteBranch: (deleteOptions) => deleteRemoteBranch(ctx, deleteOptions),
    fetch: (fetchOptions) => fetchRefs(ctx, fetchOptions),
    deleteLocalBranch: async (name) => {
      await run(ctx, ['branch', '-q', '-D', '--', name]);
    },
    resetHard: async (sha) => {
      await run(ctx, ['reset', '-q', '--hard', sha]);
    },
  };
}
