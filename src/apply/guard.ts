/**
 * The guard: exact snapshots of the working tree around each fixer, the list of what changed, the
 * rules a change must keep, and the revert.
 *
 * A snapshot is the tree id git would commit for the non-ignored working tree: `git add -A` into a
 * temporary index (GIT_INDEX_FILE, seeded from the real index so unchanged files are not re-hashed)
 * and `git write-tree`. The real index and HEAD are never touched.
 *
 * Two more areas are watched, because a change there is an attack rather than a fix, even though
 * no commit could carry it (see ./protected.ts): git's own files (`.git/config` could aim the push
 * elsewhere, `.git/hooks` would run code at the push) and the git-ignored files inside the
 * workspace (`node_modules/.bin`, `.venv/bin`: tools a later fixer runs).
 */
import { copyFile, lstat, mkdtemp, readdir, readlink, realpath, rm, rmdir, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { ConfigurationError, FixError } from '../errors.js';
import type { Exec, ExecResult } from '../exec.js';
import { hardenedConfigArgs } from '../git/git.js';
import { isInside, isWorkflowPath } from '../validate/paths.js';
import { compareProtected, readProtectedState, restoreProtected, type ProtectedChange, type ProtectedState } from './protected.js';

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

/** What a fixer may do to the working tree. */
export interface GuardRules {
  /** Globs of paths it may modify. */
  touches: readonly string[];
  /** Globs of new paths it may create (none unless declared). */
  creates?: readonly string[];
  /**
   * The workspace-relative files it said it changed or created: nothing else may change. Undefined
   * only for callers that check a change set without a fixer's outcome.
   */
  named?: readonly string[];
}

/** The state the guard compares: the working tree's tree id and the protected areas. */
export interface GuardSnapshot {
  tree: string;
  protected: ProtectedState;
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
    /** git's directories (the repository's and, for a linked worktree, the common one). */
    private readonly gitDirs: readonly string[],
  ) {}

  /** Opens a guard on a git working tree; ConfigurationError when `workspace` is not one. */
  static async open(workspace: string, exec: Exec, limits: GuardLimits = DEFAULT_GUARD_LIMITS): Promise<WorkspaceGuard> {
    let root: string;
    try {
      root = await realpath(workspace);
    } catch {
      throw new ConfigurationError(`workspace ${workspace} does not exist; pass the directory of a git checkout`);
    }
    const probe = await exec(
      'git',
      [
        ...hardenedConfigArgs(),
        'rev-parse',
        '--is-inside-work-tree',
        '--show-toplevel',
        '--show-prefix',
        '--git-path',
        'index',
        '--absolute-git-dir',
        '--git-common-dir',
      ],
      { cwd: root, env: { GIT_OPTIONAL_LOCKS: '0' } },
    );
    const lines = probe.stdout.split('\n');
    if (probe.exitCode !== 0 || lines[0] !== 'true') {
      throw new ConfigurationError(
        `workspace ${workspace} is not a git working tree; fixes are applied to a git checkout (run git init or actions/checkout first)`,
      );
    }
    const topLevel = await realpath(lines[1] as string);
    const realIndex = path.resolve(root, lines[3] as string);
    const gitDir = lines[4] as string;
    const commonDir = path.resolve(root, lines[5] as string);
    const gitDirs = [...new Set([gitDir, commonDir])];
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-guard-'));
    return new WorkspaceGuard(exec, root, topLevel, lines[2] ?? '', realIndex, scratch, limits, gitDirs);
  }

  async close(): Promise<void> {
    await rm(this.scratch, { recursive: true, force: true });
  }

  private async git(args: readonly string[], options: { index?: string; input?: string } = {}): Promise<ExecResult> {
    const result = await this.exec('git', [...hardenedConfigArgs(), ...args], {
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

  /** The working tree's tree id and the state of the protected areas. */
  async snapshot(): Promise<GuardSnapshot> {
    const tree = await this.treeSnapshot();
    const ignored = await this.ignoredPaths();
    return { tree, protected: await readProtectedState({ gitDirs: this.gitDirs, workspace: this.workspace, ignored }) };
  }

  /** Workspace-relative git-ignored paths (directories end in '/'), as git lists them. */
  private async ignoredPaths(): Promise<string[]> {
    const listed = await this.exec(
      'git',
      [...hardenedConfigArgs(), 'ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory', '--', '.'],
      { cwd: this.workspace, env: { GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
    );
    if (listed.exitCode !== 0)
      throw new FixError(`git ls-files failed in ${this.workspace} (exit ${listed.exitCode}): ${listed.stderr.trim().slice(0, 500)}`);
    return listed.stdout.split('\0').filter((entry) => entry !== '');
  }

  /** What changed in the protected areas between two snapshots. */
  protectedChanges(before: GuardSnapshot, after: GuardSnapshot): ProtectedChange[] {
    return compareProtected(before.protected, after.protected);
  }

  /** Tree id of the current non-ignored working tree. */
  private async treeSnapshot(): Promise<string> {
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

  /** What differs in the working tree between two snapshots. */
  async changes(before: GuardSnapshot, after: GuardSnapshot): Promise<TreeChange[]> {
    if (before.tree === after.tree) return [];
    const raw = (await this.git(['diff-tree', '-r', '-z', '--no-renames', '--no-ext-diff', before.tree, after.tree])).stdout;
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
  async violations(
    changes: readonly TreeChange[],
    rules: GuardRules,
    protectedChanges: readonly ProtectedChange[] = [],
  ): Promise<string[]> {
    const problems: string[] = protectedChanges.map(describeProtectedChange);
    const modifiable = picomatch([...rules.touches], { dot: true });
    const creatable = (rules.creates ?? []).length > 0 ? picomatch([...(rules.creates ?? [])], { dot: true }) : () => false;
    const named = rules.named === undefined ? undefined : new Set(rules.named);
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
      problems.push(...this.ruleProblems(change, shown, { modifiable, creatable, named, rules }));
      if (change.newMode === SYMLINK_MODE && change.status !== 'D') {
        const problem = await this.symlinkProblem(change.repoPath);
        if (problem !== undefined) problems.push(problem);
      }
      if (change.newMode === GITLINK_MODE || change.oldMode === GITLINK_MODE) problems.push(`changed the submodule ${shown}`);
    }
    if (changes.length > this.limits.maxFiles)
      problems.push(`changed ${changes.length} paths, more than the limit of ${this.limits.maxFiles}`);
    const bytes = await this.bytesWritten(changes);
    if (bytes > this.limits.maxBytes) problems.push(`wrote ${bytes} bytes, more than the limit of ${this.limits.maxBytes}`);
    return problems;
  }

  /** Deletions, creations, modifications and mode changes measured against what the fixer declared. */
  private ruleProblems(
    change: TreeChange,
    shown: string,
    checks: { modifiable: (p: string) => boolean; creatable: (p: string) => boolean; named: Set<string> | undefined; rules: GuardRules },
  ): string[] {
    const relative = change.path as string;
    const { rules } = checks;
    if (change.status === 'D') return [`deleted ${shown}; fixers only modify the files they name`];
    if (change.status === 'T') return [`changed the type of ${shown} (${change.oldMode} → ${change.newMode})`];
    const problems: string[] = [];
    if (change.status === 'A' && !checks.creatable(relative)) {
      const allowed =
        (rules.creates ?? []).length > 0 ? `it may only create ${(rules.creates ?? []).join(', ')}` : 'it declares no new files';
      problems.push(`created ${shown}; ${allowed}`);
    }
    if (change.status === 'M' && !checks.modifiable(relative)) {
      problems.push(`changed ${shown}, which is not among the paths it declares (${rules.touches.join(', ')})`);
    }
    if (change.status === 'M' && change.oldMode !== change.newMode)
      problems.push(`changed the mode of ${shown} (${change.oldMode} → ${change.newMode})`);
    if (checks.named !== undefined && !checks.named.has(relative))
      problems.push(`changed ${shown}, which it did not name as a file it fixes`);
    return problems;
  }

  private async symlinkProblem(repoPath: string): Promise<string | undefined> {
    const link = path.join(this.topLevel, ...repoPath.split('/'));
    try {
      const target = await readlink(link);
      const lexical = path.resolve(path.dirname(link), target);
      if (!isInside(this.workspace, lexical)) return `created the symlink ${JSON.stringify(repoPath)} pointing outside the workspace`;
      try {
        if (!isInside(this.workspace, await realpath(link)))
          return `created the symlink ${JSON.stringify(repoPath)} resolving outside the workspace`;
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
  async revert(
    before: GuardSnapshot,
    changes: readonly TreeChange[],
    protectedChanges: readonly ProtectedChange[] = [],
  ): Promise<string[]> {
    const unrestorable = await restoreProtected(before.protected, protectedChanges);
    await this.revertTree(before.tree, changes);
    return unrestorable;
  }

  /**
   * Puts the working tree and the protected areas back as they were in `before`, whatever
   * happened since; returns what could not be restored.
   */
  async restore(before: GuardSnapshot): Promise<string[]> {
    const now = await this.snapshot();
    const changes = await this.changes(before, now);
    const protectedChanges = this.protectedChanges(before, now);
    if (changes.length === 0 && protectedChanges.length === 0) return [];
    return this.revert(before, changes, protectedChanges);
  }

  /**
   * Puts only these changed paths back as they were in `before`, leaving every other change in
   * place (a later fixer's, on other files). Afterwards none of them may differ from `before`, or a
   * FixError is thrown.
   */
  async revertPaths(before: GuardSnapshot, changes: readonly TreeChange[]): Promise<void> {
    await this.revertTree(before.tree, changes, { onlyThese: true });
  }

  private async revertTree(before: string, changes: readonly TreeChange[], options: { onlyThese?: boolean } = {}): Promise<void> {
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
    const now = await this.treeSnapshot();
    if (now !== before) {
      const reverted = new Set(changes.map((change) => change.repoPath));
      const all = await this.changes({ tree: before, protected: EMPTY_PROTECTED }, { tree: now, protected: EMPTY_PROTECTED });
      const left = options.onlyThese === true ? all.filter((change) => reverted.has(change.repoPath)) : all;
      if (left.length === 0) return;
      throw new FixError(`reverting left the workspace changed: ${left.map((change) => `${change.status} ${change.repoPath}`).join(', ')}`);
    }
  }

  private async removeDirectoriesOnlyItMade(before: string, directory: string): Promise<void> {
    let current = directory;
    while (current !== '.' && current !== '' && `${current}/`.startsWith(this.prefix) && `${current}/` !== this.prefix) {
      const inBefore = await this.exec('git', [...hardenedConfigArgs(), 'cat-file', '-e', `${before}:${current}`], {
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

const EMPTY_PROTECTED: ProtectedState = { entries: new Map(), incomplete: [] };

function describeProtectedChange(change: ProtectedChange): string {
  const shown = JSON.stringify(change.path);
  const verb = change.kind === 'added' ? 'created' : change.kind === 'deleted' ? 'deleted' : 'changed';
  return change.area === 'git'
    ? `${verb} git's own file ${shown} (git's configuration and hooks are never changed)`
    : `${verb} the git-ignored ${shown} (ignored files such as installed tools are never changed)`;
}

async function realpathOrSelf(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch {
    return target;
  }
}
