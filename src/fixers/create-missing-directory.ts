import { lstat, mkdir, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../analysis/types.js';
import { checkWorkspacePath, isInside } from '../validate/paths.js';
import { dataString } from './support/file-formatter.js';
import { findOnPath, runTool } from './tools.js';
import type { FixContext, Fixer } from './types.js';

const GITKEEP = '.gitkeep';

/** The path the error message names (mapped onto the workspace), never the file of the code that raised it. */
function missingPathOf(failure: Failure): string | undefined {
  return dataString(failure, 'path');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Python: open(…, "w"/"a"/"x"…), Path.open("w"), write_text/write_bytes/touch.
const PYTHON_WRITE =
  /\bopen\s*\(.*,\s*(?:mode\s*=\s*)?[fbr]?['"][rbt]*[wax][rbt+]*['"]|\.open\s*\(\s*(?:mode\s*=\s*)?['"][rbt]*[wax][rbt+]*['"]|\.(?:write_text|write_bytes|touch)\s*\(/;
// Node: a writing fs call on the stack of the ENOENT error.
const NODE_WRITE = /\b(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|mkdirSync|mkdir)\b/;

/** Does a shell command line write to `target` (a redirection, tee, an output option)? */
function commandWrites(command: string, target: string): boolean {
  const quoted = escapeRegExp(target);
  return new RegExp(`(?:>|\\btee(?: -a)?|\\s-o|--output(?:-file)?=?)\\s*['"]?(?:\\./)?${quoted}(?:['"\\s;|&)]|$)`).test(command);
}

/**
 * Why the log shows the failing call writing the missing path, or undefined. A directory is created
 * only for a write: a missing input is not provided by creating its directory.
 */
export function writeEvidence(failure: Failure): string | undefined {
  const call = dataString(failure, 'call');
  // The command line names the path as the log did (relative, or the runner's absolute path).
  const named = [dataString(failure, 'logPath'), dataString(failure, 'path')].filter((text): text is string => text !== undefined);
  const message = failure.message;
  if (failure.tool === 'python' && call !== undefined && PYTHON_WRITE.test(call)) return `written by \`${call}\``;
  if (failure.tool === 'node') {
    if (/ENOENT: no such file or directory, mkdir '/.test(message)) return 'a mkdir without recursive: true';
    if (call !== undefined && NODE_WRITE.test(call)) return `written by ${call.split(' ').find((name) => NODE_WRITE.test(name))}`;
  }
  if (failure.tool === 'shell') {
    if (message.startsWith('mkdir: cannot create directory')) return 'a mkdir without -p';
    if (call !== undefined && named.some((target) => commandWrites(call, target))) return `written by \`${call}\``;
  }
  return undefined;
}

async function pathExists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

type DirectoryPlan = { ok: true; directory: string; why: string } | { ok: false; reason: string };

/** Which directory to create for one failure, or why none. */
async function directoryFor(ctx: FixContext, failure: Failure): Promise<DirectoryPlan> {
  const outside = dataString(failure, 'logPath');
  if (missingPathOf(failure) === undefined && outside !== undefined) {
    return { ok: false, reason: `${JSON.stringify(outside.slice(0, 200))} is outside the workspace` };
  }
  const checked = await checkWorkspacePath(ctx.workspace, missingPathOf(failure));
  if (!checked.ok) return checked;
  const missing = checked.path;
  const evidence = writeEvidence(failure);
  if (evidence === undefined) {
    return {
      ok: false,
      reason: `${missing}: the log does not show the failing call writing it (an open for writing, a redirection, an output option, mkdir without -p), so it may be a file the build reads; creating its directory would not provide it`,
    };
  }
  const directory = path.posix.dirname(missing);
  if (directory === '.') return { ok: false, reason: `${missing}: its directory is the workspace root, which exists` };
  if (await pathExists(path.join(ctx.workspace, missing))) return { ok: false, reason: `${missing} exists in the workspace` };
  if (await pathExists(path.join(ctx.workspace, directory))) {
    return { ok: false, reason: `${missing}: its directory ${directory}/ exists; the file itself is missing` };
  }
  return { ok: true, directory, why: `${missing}, ${evidence}` };
}

export const createMissingDirectoryFixer: Fixer = {
  id: 'create-missing-directory',
  description:
    'Creates the missing directory of the path an error message names (`No such file or directory: …`, `ENOENT … open …`), inside the workspace, with an empty .gitkeep so git carries it, only when the log shows the failing call writing (open for writing, a redirection, an output option, mkdir without -p); never for a file the build reads, never creates files with content.',
  fixType: 'missing-file',
  safeByDefault: false,
  categories: ['missing_file'],
  confidence: 0.8,
  touches: [`**/${GITKEEP}`],
  creates: [`**/${GITKEEP}`],
  toolHint: 'git must be on PATH',
  handles: (failure) =>
    failure.category === 'missing_file' && (missingPathOf(failure) !== undefined || dataString(failure, 'logPath') !== undefined),
  toolName: 'git',
  async resolveTool(ctx) {
    // The fixer writes with the file system; git tells it whether the new directory would be ignored.
    const git = await findOnPath('git', ctx.env);
    return git === undefined ? undefined : { command: git, prefixArgs: [], source: 'system' };
  },
  async apply(ctx, git) {
    const created: string[] = [];
    const written: string[] = [];
    const refused: string[] = [];
    for (const failure of ctx.failures) {
      const planned = await directoryFor(ctx, failure);
      if (!planned.ok) {
        refused.push(planned.reason);
        continue;
      }
      const keep = `${planned.directory}/${GITKEEP}`;
      written.push(planned.why);
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
    const description = `created ${directories} (with an empty ${GITKEEP}) for ${written.join('; ')}${refusedText}`;
    return { changed: true, description, files: created };
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
