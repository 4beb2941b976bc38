/**
 * The areas of a checkout no fixer may change, watched around every fixer next to the tracked
 * working tree:
 * - git's own files (`.git/config`, `.git/hooks`, `HEAD`, refs, `info/` …): a changed
 *   `remote.origin.pushurl` or `http.proxy` would send the token elsewhere, a hook would run code
 *   at the push. Object stores, logs, the index and lock files change in normal work and are not
 *   watched. These files are small; their bytes are kept so that a change can be put back.
 * - the git-ignored files inside the workspace (`node_modules/.bin`, `.venv/bin`, build output):
 *   a later fixer runs the tools there. Only their metadata is kept (type, mode, size, inode,
 *   mtime and ctime: ctime cannot be set back by a process), so a new ignored file can be removed
 *   but a changed one can only be reported.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readdir, readlink, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../validate/paths.js';

export type ProtectedArea = 'git' | 'ignored';

interface ProtectedEntry {
  area: ProtectedArea;
  /** What reports show: `.git/config`, `node_modules/.bin/prettier`. */
  shown: string;
  absolute: string;
  /** Where the entry lives: a git directory or the workspace. */
  root: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  signature: string;
  /** File bytes or symlink target, for git's files under the size cap. */
  content?: Buffer;
}

export interface ProtectedState {
  entries: Map<string, ProtectedEntry>;
  /** Notes on what could not be watched completely. */
  incomplete: string[];
}

export interface ProtectedChange {
  area: ProtectedArea;
  path: string;
  kind: 'added' | 'modified' | 'deleted';
  /** Where it is on disk, and the git directory or workspace it belongs to. */
  absolute: string;
  root: string;
}

/** Names inside a git directory that change in normal work (or are huge) and are not watched. */
const GIT_SKIPPED_DIRECTORIES = new Set(['objects', 'logs', 'lfs', 'rr-cache']);
const GIT_SKIPPED_FILES = new Set(['index', 'FETCH_HEAD', 'ORIG_HEAD', 'shallow', 'gc.pid', 'gc.log', 'sharedindex']);
/** Most bytes of one git file kept for restoring it. */
const MAX_KEPT_BYTES = 1024 * 1024;
/** Most ignored entries watched; a tree beyond this is reported as partly watched. */
const MAX_IGNORED_ENTRIES = 200_000;

function isSkippedGitName(name: string, isDirectory: boolean): boolean {
  if (isDirectory) return GIT_SKIPPED_DIRECTORIES.has(name);
  return GIT_SKIPPED_FILES.has(name) || name.endsWith('.lock') || name.startsWith('sharedindex.');
}

async function describe(
  absolute: string,
  fields: { area: ProtectedArea; shown: string; root: string; keepContent: boolean },
): Promise<ProtectedEntry | undefined> {
  let info;
  try {
    info = await lstat(absolute, { bigint: true });
  } catch {
    return undefined;
  }
  const mode = Number(info.mode & 0o7777n);
  const base = { area: fields.area, shown: fields.shown, absolute, root: fields.root, mode };
  if (info.isDirectory()) return { ...base, kind: 'dir', signature: `dir:${mode}` };
  if (info.isSymbolicLink()) {
    const target = await readlink(absolute);
    return { ...base, kind: 'symlink', signature: `symlink:${target}`, content: Buffer.from(target) };
  }
  if (!info.isFile()) return { ...base, kind: 'other', signature: `other:${mode}:${info.ino}:${info.ctimeNs}` };
  if (fields.keepContent) {
    if (info.size <= BigInt(MAX_KEPT_BYTES)) {
      const content = await readFile(absolute);
      return { ...base, kind: 'file', signature: `file:${mode}:${createHash('sha256').update(content).digest('hex')}`, content };
    }
  }
  return { ...base, kind: 'file', signature: `file:${mode}:${info.size}:${info.ino}:${info.mtimeNs}:${info.ctimeNs}` };
}

async function walkGitDirectory(gitDir: string, workspace: string, into: Map<string, ProtectedEntry>): Promise<void> {
  const shownBase = isInside(workspace, gitDir) ? path.relative(workspace, gitDir).split(path.sep).join('/') : gitDir;
  const visit = async (directory: string): Promise<void> => {
    let names;
    try {
      names = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const dirent of names) {
      if (isSkippedGitName(dirent.name, dirent.isDirectory())) continue;
      const absolute = path.join(directory, dirent.name);
      const shown = `${shownBase}/${path.relative(gitDir, absolute).split(path.sep).join('/')}`;
      const entry = await describe(absolute, { area: 'git', shown, root: gitDir, keepContent: true });
      if (entry === undefined) continue;
      into.set(`git:${absolute}`, entry);
      if (entry.kind === 'dir') await visit(absolute);
    }
  };
  await visit(gitDir);
}

async function walkIgnored(
  workspace: string,
  ignored: readonly string[],
  into: Map<string, ProtectedEntry>,
  incomplete: string[],
): Promise<void> {
  let count = 0;
  const add = async (relative: string): Promise<boolean> => {
    if (count >= MAX_IGNORED_ENTRIES) return false;
    const absolute = path.join(workspace, ...relative.split('/'));
    const entry = await describe(absolute, { area: 'ignored', shown: relative, root: workspace, keepContent: false });
    if (entry === undefined) return true;
    count += 1;
    into.set(`ignored:${relative}`, entry);
    if (entry.kind !== 'dir') return true;
    let names;
    try {
      names = await readdir(absolute);
    } catch {
      return true;
    }
    for (const name of names.sort()) if (!(await add(`${relative}/${name}`))) return false;
    return true;
  };
  for (const listed of ignored) {
    if (!(await add(listed.replace(/\/+$/, '')))) {
      incomplete.push(`more than ${MAX_IGNORED_ENTRIES} git-ignored files: only the first ones are watched`);
      return;
    }
  }
}

/** Reads the protected areas: the git directories and the listed ignored paths of the workspace. */
export async function readProtectedState(options: {
  gitDirs: readonly string[];
  workspace: string;
  ignored: readonly string[];
}): Promise<ProtectedState> {
  const entries = new Map<string, ProtectedEntry>();
  const incomplete: string[] = [];
  for (const gitDir of options.gitDirs) await walkGitDirectory(gitDir, options.workspace, entries);
  await walkIgnored(options.workspace, options.ignored, entries, incomplete);
  return { entries, incomplete };
}

export function compareProtected(before: ProtectedState, after: ProtectedState): ProtectedChange[] {
  const changes: ProtectedChange[] = [];
  const change = (entry: ProtectedEntry, kind: ProtectedChange['kind']): ProtectedChange => ({
    area: entry.area,
    path: entry.shown,
    kind,
    absolute: entry.absolute,
    root: entry.root,
  });
  for (const [key, entry] of after.entries) {
    const old = before.entries.get(key);
    if (old === undefined) changes.push(change(entry, 'added'));
    else if (old.signature !== entry.signature) changes.push(change(entry, 'modified'));
  }
  for (const [key, entry] of before.entries) {
    if (!after.entries.has(key)) changes.push(change(entry, 'deleted'));
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

async function insideRoot(root: string, absolute: string): Promise<boolean> {
  try {
    return isInside(await realpath(root), await realpath(path.dirname(absolute)));
  } catch {
    return false;
  }
}

async function putBack(entry: ProtectedEntry): Promise<void> {
  await rm(entry.absolute, { recursive: true, force: true });
  await mkdir(path.dirname(entry.absolute), { recursive: true });
  if (entry.kind === 'dir') {
    await mkdir(entry.absolute, { mode: entry.mode });
  } else if (entry.kind === 'symlink') {
    await symlink((entry.content as Buffer).toString(), entry.absolute);
  } else {
    await writeFile(entry.absolute, entry.content as Buffer, { flag: 'wx', mode: entry.mode });
  }
  if (entry.kind !== 'symlink') await chmod(entry.absolute, entry.mode);
}

/**
 * Puts the protected areas back as they were in `before`: new entries are removed, git's changed
 * or deleted files are rewritten from the kept bytes. Returns what could not be put back (a
 * changed ignored file, whose bytes were never kept).
 */
export async function restoreProtected(before: ProtectedState, changes: readonly ProtectedChange[]): Promise<string[]> {
  const unrestorable: string[] = [];
  const byPlace = new Map([...before.entries.values()].map((entry) => [entry.absolute, entry]));
  // Shallow first when putting back (a directory before its files), deep first when removing.
  const ordered = [...changes].sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  for (const change of ordered.filter((c) => c.kind !== 'added')) {
    const entry = byPlace.get(change.absolute);
    const restorable =
      entry !== undefined && (entry.kind === 'dir' || entry.content !== undefined) && (await insideRoot(entry.root, entry.absolute));
    if (!restorable) {
      unrestorable.push(
        `${change.kind === 'deleted' ? 'deleted' : 'changed'} ${change.area === 'git' ? "git's file" : 'git-ignored'} ${JSON.stringify(change.path)} could not be put back`,
      );
      continue;
    }
    await putBack(entry);
  }
  for (const change of ordered.filter((c) => c.kind === 'added').reverse()) {
    if (!(await insideRoot(change.root, change.absolute))) {
      unrestorable.push(`new ${JSON.stringify(change.path)} was left in place: its directory resolves outside the checkout`);
      continue;
    }
    await rm(change.absolute, { recursive: true, force: true });
  }
  return unrestorable;
}
