/**
 * Paths named in logs → workspace-relative paths. Logs name files by the runner's absolute path
 * (`/home/runner/work/<repo>/<repo>/src/x.py`, `D:\a\<repo>\<repo>\src\x.cs`, `/__w/<repo>/<repo>/…`
 * in containers, `/home/travis/build/<owner>/<repo>/…` on Travis) or relative to the job's working
 * directory. Nothing from a log may point outside the workspace, so anything that would is dropped.
 */
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export interface WorkspacePathOptions {
  /** Repository name (without owner): the runner checks out into `<work>/<repo>/<repo>`. */
  repoName: string;
  /** Workspace-relative directory the job ran in (`working-directory:`), when not the root. */
  workingDirectory?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runner checkout roots, each followed by `/`; group 1 is the repository directory name checked. */
function runnerRoots(repoName: string): RegExp[] {
  const repo = escapeRegExp(repoName);
  return [
    new RegExp(`^/home/runner/work/${repo}/${repo}/`),
    new RegExp(`^/Users/runner/work/${repo}/${repo}/`),
    new RegExp(`^/__w/${repo}/${repo}/`),
    new RegExp(`^/github/workspace/`),
    new RegExp(`^[A-Za-z]:/a/${repo}/${repo}/`),
    new RegExp(`^/home/travis/build/[^/]{1,100}/${repo}/`),
    // Self-hosted runners keep the same `_work/<repo>/<repo>` layout under their own root.
    new RegExp(`^(?:[A-Za-z]:)?/[^\\0]{0,500}?/_work/${repo}/${repo}/`),
  ];
}

/** Splits on `/`, resolving `.` and `..`; undefined when `..` climbs above the start. */
function normalizeSegments(path: string): string[] | undefined {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(segment);
  }
  return out;
}

/**
 * The workspace-relative path (forward slashes, no `./`) for a path named in a log, or undefined
 * when it is absolute elsewhere, climbs out with `..`, is empty, or holds a NUL.
 */
export function toWorkspacePath(logPath: string, opts: WorkspacePathOptions): string | undefined {
  if (logPath.length === 0 || logPath.length > 4096 || logPath.includes('\0')) return undefined;
  let path = logPath.trim().replace(/\\/g, '/');
  // file:// URLs and quotes around paths are how some tools print them.
  if (path.startsWith('file://')) path = path.slice('file://'.length);
  path = path.replace(/^["'`]|["'`]$/g, '');
  if (path === '' || opts.repoName === '' || opts.repoName.includes('/')) return undefined;

  let relative: string | undefined;
  for (const root of runnerRoots(opts.repoName)) {
    const match = root.exec(path);
    if (match) {
      relative = path.slice(match[0].length);
      break;
    }
  }
  if (relative === undefined) {
    const absolute = path.startsWith('/') || /^[A-Za-z]:\//.test(path) || path.startsWith('~');
    if (absolute) return undefined;
    const base = opts.workingDirectory ? normalizeSegments(opts.workingDirectory.replace(/\\/g, '/')) : [];
    if (base === undefined || opts.workingDirectory?.startsWith('/')) return undefined;
    const inside = normalizeSegments(path);
    if (inside === undefined) {
      // `../x` from a working directory can still land inside the workspace.
      const joined = normalizeSegments([...base, path].join('/'));
      return joined && joined.length > 0 ? joined.join('/') : undefined;
    }
    relative = [...base, ...inside].join('/');
  }
  const segments = normalizeSegments(relative);
  if (segments === undefined || segments.length === 0) return undefined;
  return segments.join('/');
}

/**
 * As `toWorkspacePath`, and the file must exist inside `workspaceDir`. Returns the
 * workspace-relative path, or undefined.
 */
export async function existsInWorkspace(logPath: string, workspaceDir: string, opts: WorkspacePathOptions): Promise<string | undefined> {
  const relative = toWorkspacePath(logPath, opts);
  if (relative === undefined) return undefined;
  const root = resolve(workspaceDir);
  const absolute = resolve(join(root, relative));
  if (absolute !== root && !absolute.startsWith(root + sep)) return undefined;
  try {
    await stat(absolute);
    return relative;
  } catch {
    return undefined;
  }
}
