/**
 * Paths that come from log text are hostile until proven otherwise. A fixer only ever receives a
 * path that is relative, free of `..` and NUL, does not look like a command-line option, and stays
 * inside the workspace after every symlink on the way has been resolved.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

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
  if (candidate.includes('\\')) return { ok: false, reason: `path ${shown} contains a backslash; only workspace-relative POSIX paths are used` };
  if (path.posix.isAbsolute(candidate) || /^[A-Za-z]:/.test(candidate)) {
    return { ok: false, reason: `path ${shown} is absolute; only workspace-relative paths are used` };
  }
  if (candidate.split('/').includes('..')) return { ok: false, reason: `path ${shown} contains '..'` };
  const normalised = path.posix.normalize(candidate).replace(/\/+$/, '');
  if (normalised === '.' || normalised === '') return { ok: false, reason: `path ${shown} names the workspace itself` };
  // A leading '-' would reach a tool's argv as an option.
  if (normalised.startsWith('-')) return { ok: false, reason: `path ${shown} starts with '-'` };
  if (normalised === '.git' || normalised.startsWith('.git/')) return { ok: false, reason: `path ${shown} is inside .git` };
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
