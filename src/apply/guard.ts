/**
 * The guard: exact snapshots of the working tree around each fixer, the list of what changed, the
 * rules a change must keep, and the revert.
 *
 * A snapshot is the tree id git would commit for the non-ignored working tree: `git add -A` into a
 * temporary index (GIT_INDEX_FILE, seeded from the real index so unchanged files are not re-hashed)
 * and `git write-tree`. The real index and HEAD are never touched. Ignored files are outside the
 * snapshot on purpose: a commit cannot carry them either.
 */
import { copyFile, lstat, mkdtemp, readdir, readlink, realpath, rm, rmdir, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigurationError, FixError } from '../errors.js';
import type { Exec, ExecResult } from '../exec.js';
import { isInside, isWorkflowPath } from '../validate/paths.js';

export interface GuardLimits {
  /** Most paths one fixer may change. */
  maxFiles: number;
  /** Most bytes one fixer may write (sum of the new contents of changed paths). */
  maxBytes: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { maxFiles: 200, maxBytes: 1024 * 1024 };

export interface TreeChange {
  /** Path relative to the repository's top level (POSIX). */
  repoPath: string;
  /** Path relative to the workspace, or undefined when the change is outside it. */
  path: string | undefined;
  status: 'A' | 'M' | 'D' | 'T';
  oldMode: string;
  newMode: string;
  newBlob: string;
}

const SYMLINK_MODE = '120000';
const GITLINK_MODE = '160000';

/** Copies the repository's index; false when it has none yet (a fresh repository: git builds one). */
async function copyIndex(from: string, to: string): Promise<boolean> {
  try {
    await copyFile(from, to);
    return true;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export class WorkspaceGuard {
  private constructor(
    private readonly exec: Exec,
    /** Real path of the workspace. */
    readonly workspace: string,
    /** Real path of the repository's top level (the workspace or one of its parents). */
    readonly topLevel: string,
    /** The workspace's path inside the repository ('' or 'sub/dir/'). */
    private readonly prefix: string,
    private readonly realIndex: string,
    private readonly scratch: string,
    private readonly limits: GuardLimits,
  ) {}

  /** Opens a guard on a git working tree; ConfigurationError when `workspace` is not one. */
  static async open(workspace: string, exec: Exec, limits: GuardLimits = DEFAULT_GUARD_LIMITS): Promise<WorkspaceGuard> {
    let root: string;
    try {
      root = await realpath(workspace);
    } catch {
      throw new ConfigurationError(`workspace ${workspace} does not exist; pass the directory of a git checkout`);
    }
    const probe = await exec('git', ['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix', '--git-path', 'index'], {
      cwd: root,
      env: { GIT_OPTIONAL_LOCKS: '0' },
    });
    const lines = probe.stdout.split('\n');
    if (probe.exitCode !== 0 || lines[0] !== 'true') {
      throw new ConfigurationError(`workspace ${workspace} is not a git working tree; fixes are applied to a git checkout (run git init or actions/checkout first)`);
    }
    const topLevel = await realpath(lines[1] as string);
    const realIndex = path.resolve(root, lines[3] as string);
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-guard-'));
    return new WorkspaceGuard(exec, root, topLevel, lines[2] ?? '', realIndex, scratch, limits);
  }

  async close(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true });
  }

  private async git(args: readonly string[], options: { index?: string; input?: string } = {}): Promise<ExecResult> {
    const result = await this.exec('git', args, {
      cwd: this.topLevel,
      env: {
        GIT_OPTIONAL_LOCKS: '0',
        GIT_LITERAL_PATHSPECS: '1',
        LC_ALL: 'C',
        ...(options.index !== undefined ? { GIT_INDEX_FILE: options.index } : {}),
      },
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    if (result.exitCode !== 0) {
      throw new FixError(`git ${args[0]} failed in ${this.topLevel} (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 500)}`);
    }
    return result;
  }

  /** Tree id of the current non-ignored working tree. */
  async snapshot(): Promise<string> {
    const index = path.join(this.scratch, `index-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    try {
      if (await copyIndex(this.realIndex, index)) {
        // A copy dated 1970 (not 0, which git reads as "no timestamp") makes git treat every cached
        // stat as racy and compare contents: a fixer that rewrites a file to the same size within
        // the same second (autopep8 removing two spaces and adding two blank lines) would
        // otherwise look unchanged.
        await utimes(index, 1, 1);
      }
      await this.git(['add', '-A', '--', '.'], { index });
      return (await this.git(['write-tree'], { index })).stdout.trim();
    } finally {
      await rm(index, { force: true });
    }
  }

  /** What differs between two snapshots. */
  async changes(before: string, after: string): Promise<TreeChange[]> {
    if (before === after) return [];
    const raw = (await this.git(['diff-tree', '-r', '-z', '--no-renames', '--no-ext-diff', before, after])).stdout;
    const fields = raw.split('\0');
    const changes: TreeChange[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const meta = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([AMDT])/.exec(fields[i] as string);
      if (!meta) continue;
      const repoPath = fields[i + 1] as string;
      changes.push({
        repoPath,
        path: repoPath.startsWith(this.prefix) ? repoPath.slice(this.prefix.length) : undefined,
        status: meta[5] as TreeChange['status'],
        oldMode: meta[1] as string,
        newMode: meta[2] as string,
        newBlob: meta[4] as string,
      });
    }
    return changes;
  }

  /** Reasons the changes break the rules; empty when they keep them. */
  async violations(changes: readonly TreeChange[], touches: readonly string[]): Promise<string[]> {
    const problems: string[] = [];
    const allowed = picomatch([...touches], { dot: true });
    for (const change of changes) {
      const shown = JSON.stringify(change.repoPath);
      if (change.path === undefined) {
        problems.push(`changed ${shown}, outside the workspace`);
        continue;
      }
      if (isWorkflowPath(change.repoPath) || isWorkflowPath(change.path)) {
        problems.push(`changed ${shown} under .github/workflows/ (workflows are never changed)`);
        continue;
      }
      if (!allowed(change.path)) problems.push(`changed ${shown}, which is not among the paths it declares (${touches.join(', ')})`);
      if (change.newMode === SYMLINK_MODE && change.status !== 'D') {
        const problem = await this.symlinkProblem(change.repoPath);
        if (problem !== undefined) problems.push(problem);
      }
      if (change.newMode === GITLINK_MODE || change.oldMode === GITLINK_MODE) problems.push(`changed the submodule ${shown}`);
    }
    if (changes.length > this.limits.maxFiles) problems.push(`changed ${changes.length} paths, more than the limit of ${this.limits.maxFiles}`);
    const bytes = await this.bytesWritten(changes);
    if (bytes > this.limits.maxBytes) problems.push(`wrote ${bytes} bytes, more than the limit of ${this.limits.maxBytes}`);
    return problems;
  }

  private async symlinkProblem(repoPath: string): Promise<string | undefined> {
    const link = path.join(this.topLevel, ...repoPath.split('/'));
    try {
      const target = await readlink(link);
      const lexical = path.resolve(path.dirname(link), target);
      if (!isInside(this.workspace, lexical)) return `created the symlink ${JSON.stringify(repoPath)} pointing outside the workspace`;
      try {
        if (!isInside(this.workspace, await realpath(link))) return `created the symlink ${JSON.stringify(repoPath)} resolving outside the workspace`;
      } catch {
        // Dangling but lexically inside: harmless.
      }
      return undefined;
    } catch (error: unknown) {
      return `could not read the symlink ${JSON.stringify(repoPath)}: ${String(error)}`;
    }
  }

  private async bytesWritten(changes: readonly TreeChange[]): Promise<number> {
    const blobs = changes.filter((change) => change.status !== 'D' && change.newMode !== GITLINK_MODE).map((change) => change.newBlob);
    if (blobs.length === 0) return 0;
    const sizes = (await this.git(['cat-file', '--batch-check=%(objectsize)'], { input: `${blobs.join('\n')}\n` })).stdout;
    return sizes
      .split('\n')
      .map((line) => Number.parseInt(line, 10))
      .filter((size) => Number.isFinite(size))
      .reduce((sum, size) => sum + size, 0);
  }

  /**
   * Puts every changed path back as it was in `before`: added paths are deleted (with the
   * directories that only they made), others are checked out of `before` through a temporary
   * index. Afterwards the working tree's snapshot must equal `before`, or a FixError is thrown.
   */
  async revert(before: string, changes: readonly TreeChange[]): Promise<void> {
    const added = changes.filter((change) => change.status === 'A');
    for (const change of added) {
      const file = path.join(this.topLevel, ...change.repoPath.split('/'));
      if (!isInside(this.topLevel, await realpathOrSelf(path.dirname(file)))) {
        throw new FixError(`refusing to delete ${change.repoPath}: its directory resolves outside the repository`);
      }
      await rm(file, { force: true });
      await this.removeDirectoriesOnlyItMade(before, path.posix.dirname(change.repoPath));
    }
    const restore = changes.filter((change) => change.status !== 'A').map((change) => change.repoPath);
    if (restore.length > 0) {
      const index = path.join(this.scratch, `restore-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      try {
        await this.git(['read-tree', before], { index });
        await this.git(['checkout-index', '-f', '-z', '--stdin'], { index, input: `${restore.join('\0')}\0` });
      } finally {
        await rm(index, { force: true });
      }
    }
    const now = await this.snapshot();
    if (now !== before) {
      const left = await this.changes(before, now);
      throw new FixError(`reverting left the workspace changed: ${left.map((change) => `${change.status} ${change.repoPath}`).join(', ')}`);
    }
  }

  private async removeDirectoriesOnlyItMade(before: string, directory: string): Promise<void> {
    let current = directory;
    while (current !== '.' && current !== '' && `${current}/`.startsWith(this.prefix) && `${current}/` !== this.prefix) {
      const inBefore = await this.exec('git', ['cat-file', '-e', `${before}:${current}`], {
        cwd: this.topLevel,
        env: { GIT_OPTIONAL_LOCKS: '0' },
      });
      if (inBefore.exitCode === 0) return;
      const absolute = path.join(this.topLevel, ...current.split('/'));
      try {
        const info = await lstat(absolute);
        if (!info.isDirectory() || (await readdir(absolute)).length > 0) return;
        await rmdir(absolute);
      } catch {
        return;
      }
      current = path.posix.dirname(current);
    }
  }
}

async function realpathOrSelf(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch {
    return target;
  }
}
