/**
 * Finding and running the tools fixers use. The repository's own tool wins (the version its CI
 * pins, with its plugins), then PATH, then `python -m <module>` for Python tools (Debian ships
 * autopep8 only as a module for some interpreters).
 */
import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExecResult } from '../exec.js';
import { neutralizeWorkflowCommands, truncate } from '../report/escape.js';
import { checkEditableFile } from '../validate/paths.js';
import type { FixContext, ToolResolution } from './types.js';

/** Virtualenv folders looked for in the workspace, in this order. */
export const VENV_DIRS = ['.venv', 'venv', 'env'] as const;

/** Whether `file` is a regular file this process may execute. */
export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * First executable `name` in the PATH of `env`, as an absolute path. Only absolute directories
 * count: a relative PATH entry would resolve inside the workspace, the repository's code.
 */
export async function findOnPath(name: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Every executable `name` in the PATH of `env`, in order (absolute directories only, as findOnPath). */
export async function allOnPath(name: string, env: Record<string, string | undefined>): Promise<string[]> {
  const found: string[] = [];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    if (!found.includes(candidate) && (await isExecutableFile(candidate))) found.push(candidate);
  }
  return found;
}

/** Directories of the workspace's own tools: node_modules/.bin and the bin of each venv present. */
export async function workspaceBinDirs(workspace: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const dir of [path.join(workspace, 'node_modules', '.bin'), ...VENV_DIRS.map((venv) => path.join(workspace, venv, 'bin'))]) {
    try {
      if ((await stat(dir)).isDirectory()) dirs.push(dir);
    } catch {
      // absent: nothing to add
    }
  }
  return dirs;
}

/** The PATH tools run with: the workspace's own tool directories (when used) before the runner's PATH. */
export function toolPath(bins: readonly string[], rest: string | undefined): string {
  return [...bins, ...(rest === undefined || rest === '' ? [] : [rest])].join(path.delimiter);
}

/** A Node tool: `<workspace>/node_modules/.bin/<bin>`, then PATH. */
export async function resolveNodeTool(ctx: FixContext, bin: string): Promise<ToolResolution | undefined> {
  const local = path.join(ctx.workspace, 'node_modules', '.bin', bin);
  if (ctx.useRepositoryTools && (await isExecutableFile(local))) return { command: local, prefixArgs: [], source: 'workspace' };
  const onPath = await findOnPath(bin, ctx.env);
  if (onPath !== undefined) return { command: onPath, prefixArgs: [], source: 'system' };
  return undefined;
}

async function canImport(ctx: FixContext, python: string, module: string): Promise<boolean> {
  const result = await ctx.exec(python, ['-c', `import ${module}`], {
    cwd: ctx.workspace,
    env: {},
    baseEnv: ctx.env,
    timeoutMs: 30_000,
    ...signalOf(ctx),
  });
  return result.exitCode === 0;
}

/**
 * A Python tool: a venv's script, or its python with the module; then the script on PATH; then
 * `python3 -m <module>` / `python -m <module>` from PATH when the module imports.
 */
export async function resolvePythonTool(ctx: FixContext, bin: string, module: string): Promise<ToolResolution | undefined> {
  for (const venv of ctx.useRepositoryTools ? VENV_DIRS : []) {
    const binDir = path.join(ctx.workspace, venv, 'bin');
    const script = path.join(binDir, bin);
    if (await isExecutableFile(script)) return { command: script, prefixArgs: [], source: 'workspace' };
    const python = path.join(binDir, 'python');
    if ((await isExecutableFile(python)) && (await canImport(ctx, python, module))) {
      return { command: python, prefixArgs: ['-m', module], source: 'workspace' };
    }
  }
  const onPath = await findOnPath(bin, ctx.env);
  if (onPath !== undefined) return { command: onPath, prefixArgs: [], source: 'system' };
  // /usr/bin/python3 too when /usr/bin is on PATH behind a shim (pyenv) that lacks the module;
  // never when PATH does not reach /usr/bin: an empty PATH means no tool.
  const onPathDirs = (ctx.env.PATH ?? '').split(path.delimiter);
  const systemPython = onPathDirs.includes('/usr/bin') ? ['/usr/bin/python3'] : [];
  for (const interpreter of ['python3', 'python', ...systemPython]) {
    const python = path.isAbsolute(interpreter) ? interpreter : await findOnPath(interpreter, ctx.env);
    if (python === undefined || !(await isExecutableFile(python))) continue;
    if (await canImport(ctx, python, module)) return { command: python, prefixArgs: ['-m', module], source: 'system' };
  }
  return undefined;
}

/**
 * Runs a resolved tool in the workspace with the tool environment, and logs the command with the
 * tail of its output (inside the fixer's `Fix: <id>` group, where a person looks for it).
 */
export async function runTool(ctx: FixContext, tool: ToolResolution, args: readonly string[]): Promise<ExecResult> {
  // baseEnv replaces the default: tools see exactly ctx.env, the allow-listed environment apply built.
  const result = await ctx.exec(tool.command, [...tool.prefixArgs, ...args], {
    cwd: ctx.workspace,
    env: {},
    baseEnv: ctx.env,
    ...signalOf(ctx),
  });
  ctx.logger.info(toolRunText(commandText(tool, args), result));
  return result;
}

/** Lines of a tool's output shown in the log, and the characters kept of each. */
const LOGGED_OUTPUT_LINES = 20;
const LOGGED_LINE_CHARS = 400;

/**
 * `$ <command> (exit N)` and the last lines of its output, each cut to a bounded length and
 * neutralized: the output can quote the repository's files, which are not ours to trust.
 */
export function toolRunText(command: string, result: ExecResult): string {
  const status = result.notFound ? 'could not start' : result.timedOut ? 'timed out' : `exit ${result.exitCode}`;
  // NUL too: `git ls-files -z` and `find -print0` separate names with it.
  const lines = `${result.stdout}\n${result.stderr}`.split(/\r?\n|\0/).filter((line) => line.trim() !== '');
  const shown = lines.slice(-LOGGED_OUTPUT_LINES).map((line) => `  | ${truncate(line, LOGGED_LINE_CHARS)}`);
  const omitted = lines.length > shown.length ? [`  | (${lines.length - shown.length} earlier line(s) not shown)`] : [];
  return neutralizeWorkflowCommands([`$ ${truncate(command, LOGGED_LINE_CHARS)} (${status})`, ...omitted, ...shown].join('\n'));
}

function signalOf(ctx: FixContext): { signal?: AbortSignal } {
  return ctx.signal !== undefined ? { signal: ctx.signal } : {};
}

/** How a command line reads in a report (never run through a shell). */
export function commandText(tool: ToolResolution, args: readonly string[]): string {
  const base = path.basename(tool.command);
  return [base, ...tool.prefixArgs, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(' ');
}

/** The last lines of a tool's output, for a reason in the report. */
export function outputTail(result: ExecResult, maxLines = 12): string {
  const text = `${result.stdout}\n${result.stderr}`.trim();
  if (result.notFound) return `could not start the tool: ${result.stderr}`;
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.slice(-maxLines).join('\n');
}

/**
 * Workspace-relative files of the failures, deduplicated, in first-seen order, that a fixer may
 * edit: existing regular files (no symlinks) inside the workspace. The others are returned with
 * the reason they were left out.
 */
export async function editableFailureFiles(ctx: FixContext): Promise<{ files: string[]; refused: string[] }> {
  const files: string[] = [];
  const refused: string[] = [];
  for (const failure of ctx.failures) {
    if (failure.file === undefined || files.includes(failure.file)) continue;
    const checked = await checkEditableFile(ctx.workspace, failure.file);
    if (checked.ok) files.push(checked.path);
    else if (!refused.includes(checked.reason)) refused.push(checked.reason);
  }
  return { files, refused };
}
