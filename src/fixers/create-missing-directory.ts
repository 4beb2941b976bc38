import { lstat, mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../analysis/types.js';
import { checkWorkspacePath, isInside } from '../validate/paths.js';
import { dataString } from './support/file-formatter.js';
import { findOnPath, runTool } from './tools.js';
import type { FixContext, Fixer } from './types.js';

/**
 * Extensions of files a build reads rather than writes (sources, scripts, configs, manifests). A
 * missing `scripts/build.sh` is not fixed by creating `scripts/`, so those paths are left alone.
 */
// Packed table: kept as written rather than one extension per line.
// prettier-ignore
const INPUT_EXTENSIONS = new Set([
  '.py', '.pyi', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx', '.sh', '.bash', '.ps1', '.bat', '.cmd', '.rb', '.pl', '.php',
  '.java', '.kt', '.scala', '.go', '.rs', '.c', '.h', '.cc', '.cpp', '.hpp', '.cs', '.swift', '.jar', '.so', '.dll', '.exe',
  '.toml', '.cfg', '.ini', '.yml', '.yaml', '.conf', '.lock', '.gradle', '.pom', '.properties', '.env', '.mk', '.cmake',
]);

const GITKEEP = '.gitkeep';

function missingPathOf(failure: Failure): string | undefined {
  return failure.file ?? dataString(failure, 'path');
}

async function pathExists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

type DirectoryPlan = { ok: true; directory: string } | { ok: false; reason: string };

/** Which directory to create for one failure, or why none. */
async function directoryFor(ctx: FixContext, failure: Failure): Promise<DirectoryPlan> {
  const checked = await checkWorkspacePath(ctx.workspace, missingPathOf(failure));
  if (!checked.ok) return checked;
  const missing = checked.path;
  const directory = path.posix.dirname(missing);
  if (directory === '.') return { ok: false, reason: `${missing}: its directory is the workspace root, which exists` };
  if (INPUT_EXTENSIONS.has(path.posix.extname(missing).toLowerCase())) {
    return { ok: false, reason: `${missing}: looks like a file the build reads; creating its directory would not provide it` };
  }
  if (await pathExists(path.join(ctx.workspace, missing))) return { ok: false, reason: `${missing} exists in the workspace` };
  if (await pathExists(path.join(ctx.workspace, directory))) {
    return { ok: false, reason: `${missing}: its directory ${directory}/ exists; the file itself is missing` };
  }
  return { ok: true, directory };
}

export const createMissingDirectoryFixer: Fixer = {
  id: 'create-missing-directory',
  description:
    'Creates a missing output directory inside the workspace (with an empty .gitkeep so git carries it) when a file could not be written because its directory does not exist; never creates files with content.',
  fixType: 'missing-file',
  safeByDefault: false,
  categories: ['missing_file'],
  confidence: 0.8,
  touches: [`**/${GITKEEP}`],
  creates: [`**/${GITKEEP}`],
  toolHint: 'git must be on PATH',
  handles: (failure) => failure.category === 'missing_file' && missingPathOf(failure) !== undefined,
  async resolveTool(ctx) {
    // The fixer writes with the file system; git tells it whether the new directory would be ignored.
    const git = await findOnPath('git', ctx.env);
    return git === undefined ? undefined : { command: git, prefixArgs: [], source: 'system' };
  },
  async apply(ctx, git) {
    const created: string[] = [];
    const refused: string[] = [];
    for (const failure of ctx.failures) {
      const planned = await directoryFor(ctx, failure);
      if (!planned.ok) {
        refused.push(planned.reason);
        continue;
      }
      const keep = `${planned.directory}/${GITKEEP}`;
      if (created.includes(keep)) continue;
      const ignored = await runTool(ctx, git, ['check-ignore', '-q', '--no-index', '--', keep]);
      if (ignored.exitCode === 0) {
        refused.push(`${planned.directory}/ is ignored by git, so a commit cannot carry it; the workflow must create it`);
        continue;
      }
      await mkdir(path.join(ctx.workspace, planned.directory), { recursive: true });
      await writeFile(path.join(ctx.workspace, keep), '', { flag: 'wx' });
      created.push(keep);
    }
    const refusedText = refused.length > 0 ? `; not created: ${refused.join('; ')}` : '';
    if (created.length === 0) return { changed: false, description: `no directory to create${refusedText}`, files: [] };
    const directories = created.map((keep) => `${path.posix.dirname(keep)}/`).join(', ');
    return { changed: true, description: `created ${directories} (with an empty ${GITKEEP})${refusedText}`, files: created };
  },
  async verify(ctx, _git, outcome) {
    const root = await realpath(ctx.workspace);
    for (const keep of outcome.files) {
      const directory = path.join(root, path.posix.dirname(keep));
      try {
        if (!(await stat(directory)).isDirectory()) return { ok: false, command: 'stat', detail: `${directory} is not a directory` };
        if (!isInside(root, await realpath(directory)))
          return { ok: false, command: 'realpath', detail: `${directory} resolves outside the workspace` };
        if (!(await stat(path.join(root, keep))).isFile()) return { ok: false, command: 'stat', detail: `${keep} is missing` };
      } catch (error: unknown) {
        return { ok: false, command: 'stat', detail: `${keep}: ${String(error)}` };
      }
    }
    return { ok: true, command: `test -d ${outcome.files.map((keep) => path.posix.dirname(keep)).join(' ')} (inside the workspace)` };
  },
};
