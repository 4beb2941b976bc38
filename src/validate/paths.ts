/**
 * Paths that come from log text are hostile until proven otherwise. A fixer only ever receives a
 * path that is relative, free of `..` and NUL, does not look like a command-line option, and stays
 * inside the workspace after every symlink on the way has been resolved.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import path from 'node:path';

const GLOB_CHARACTERS = /[{}[\]*?!]/;

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

/** true when `child` is `parent` itself or lies below it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Checks the text of a workspace-relative path without touching the disk. Returns the path in
 * normalised POSIX form (`./a//b.py` → `a/b.py`).
 */
export function checkRelativePathText(candidate: unknown): PathCheck {
  if (typeof candidate !== 'string' || candidate.trim() === '') return { ok: false, reason: 'empty path' };
  const shown = JSON.stringify(candidate.slice(0, 200));
  if (candidate.includes('\0')) return { ok: false, reason: `path ${shown} contains a NUL byte` };
  if (candidate.includes('\\'))
    return { ok: false, reason: `path ${shown} contains a backslash; only workspace-relative POSIX paths are used` };
  if (path.posix.isAbsolute(candidate) || /^[A-Za-z]:/.test(candidate)) {
    return { ok: false, reason: `path ${shown} is absolute; only workspace-relative paths are used` };
  }
  if (candidate.split('/').includes('..')) return { ok: false, reason: `path ${shown} contains '..'` };
  const normalised = path.posix.normalize(candidate).replace(/\/+$/, '');
  if (normalised === '.' || normalised === '') return { ok: false, reason: `path ${shown} names the workspace itself` };
  // A leading '-' would reach a tool's argv as an option.
  if (normalised.startsWith('-')) return { ok: false, reason: `path ${shown} starts with '-'` };
  if (normalised === '.git' || normalised.startsWith('.git/')) return { ok: false, reason: `path ${shown} is inside .git` };
  // Tools given this path may read it as a pattern (prettier and eslint expand '{a,b}' and '*'):
  // a name from a log must stay one literal file.
  if (GLOB_CHARACTERS.test(normalised)) return { ok: false, reason: `path ${shown} contains a pattern character (one of {}[]*?!)` };
  return { ok: true, path: normalised };
}

async function exists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a workspace-relative path on disk: the path (or, when it does not exist yet, its nearest
 * existing ancestor) must resolve inside the workspace. A symlink anywhere on the way that leaves
 * the workspace is refused.
 */
export async function checkWorkspacePath(workspace: string, candidate: unknown): Promise<PathCheck> {
  const text = checkRelativePathText(candidate);
  if (!text.ok) return text;
  const root = await realpath(workspace);
  let probe = path.join(root, ...text.path.split('/'));
  while (!(await exists(probe))) {
    const parent = path.dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  let resolved: string;
  try {
    resolved = await realpath(probe);
  } catch {
    // A dangling symlink: where it would point cannot be checked, so it is not used.
    return { ok: false, reason: `path ${JSON.stringify(text.path)} goes through a dangling symlink` };
  }
  if (!isInside(root, resolved)) {
    return { ok: false, reason: `path ${JSON.stringify(text.path)} resolves outside the workspace (through a symlink)` };
  }
  return text;
}

/** Workflow files are never changed by a fixer (case-insensitive: runners on macOS/Windows fold case). */
export function isWorkflowPath(relative: string): boolean {
  return relative.replace(/^\.\//, '').toLowerCase().startsWith('.github/workflows/');
}

/**
 * A file a fixer may edit: `relative` (already checked with checkWorkspacePath) names an existing
 * regular file, not a symlink, whose real location is inside the workspace.
 */
export async function checkEditableFile(workspace: string, relative: string): Promise<PathCheck> {
  const root = await realpath(workspace);
  const absolute = path.join(root, ...relative.split('/'));
  let info;
  try {
    info = await lstat(absolute);
  } catch {
    return { ok: false, reason: `${JSON.stringify(relative)} does not exist in the workspace` };
  }
  if (info.isSymbolicLink()) return { ok: false, reason: `${JSON.stringify(relative)} is a symlink; only regular files are edited` };
  if (!info.isFile()) return { ok: false, reason: `${JSON.stringify(relative)} is not a regular file` };
  try {
    if (!isInside(root, await realpath(absolute)))
      return { ok: false, reason: `${JSON.stringify(relative)} resolves outside the workspace` };
  } catch {
    return { ok: false, reason: `${JSON.stringify(relative)} cannot be resolved` };
  }
  return { ok: true, path: relative };
}

/**
 * Reads a workspace file a fixer is about to edit: undefined when it does not exist; a refusal
 * when it is a symlink, not a regular file, or resolves outside the workspace.
 */
export async function readEditableFile(
  workspace: string,
  relative: string,
): Promise<{ ok: true; content: string | undefined } | { ok: false; reason: string }> {
  const root = await realpath(workspace);
  const absolute = path.join(root, ...relative.split('/'));
  try {
    await lstat(absolute);
  } catch {
    return { ok: true, content: undefined };
  }
  const checked = await checkEditableFile(root, relative);
  if (!checked.ok) return checked;
  const handle = await open(absolute, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return { ok: true, content: await handle.readFile('utf8') };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a workspace file without following a symlink: an existing file must pass
 * `checkEditableFile`; a new one is created only when `create` is set, exclusively (never through
 * a link planted in its place), in a directory inside the workspace.
 */
export async function writeEditableFile(workspace: string, relative: string, content: string, options: { create: boolean }): Promise<void> {
  const root = await realpath(workspace);
  const absolute = path.join(root, ...relative.split('/'));
  let exists = true;
  try {
    await lstat(absolute);
  } catch {
    exists = false;
  }
  let flags: number;
  if (exists) {
    const checked = await checkEditableFile(root, relative);
    if (!checked.ok) throw new Error(`refusing to write: ${checked.reason}`);
    flags = constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW;
  } else {
    if (!options.create) throw new Error(`refusing to write ${JSON.stringify(relative)}: it does not exist`);
    if (!isInside(root, await realpath(path.dirname(absolute))))
      throw new Error(`refusing to write ${JSON.stringify(relative)}: its directory resolves outside the workspace`);
    flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  }
  const handle = await open(absolute, flags, 0o644);
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
}
