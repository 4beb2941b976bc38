/**
 * Replay: the failed step's own command, re-run over the scope it had in CI. The command comes
 * from the log (hostile), so it is replayed only when every line of the step's script is a
 * recognised invocation of a supported tool in its checking mode, parsed into an argument array
 * (./shell-words.ts), with every argument that names a path inside the workspace, and no option
 * that writes files or loads code from elsewhere. The tool is the one fixers would run (the
 * workspace's when use-repository-tools allows, else PATH: never `npx` fetching a package), in the
 * workspace, with the fixers' allow-listed credential-free environment and a time limit.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { getErrorMessage } from '../errors.js';
import { resolveSystemTool } from '../fixers/support/system-tool.js';
import { commandText, outputTail, resolveNodeTool, resolvePythonTool, toolRunText } from '../fixers/tools.js';
import type { FixContext, ToolResolution } from '../fixers/types.js';
import type { VerificationCheck } from '../model.js';
import { parseShellWords, wordsText } from './shell-words.js';

/** Tools whose checking invocation can be replayed. */
export type ReplayToolName =
  'black' | 'isort' | 'flake8' | 'pycodestyle' | 'autopep8' | 'prettier' | 'eslint' | 'cargo' | 'rustfmt' | 'markdownlint';

interface ToolRule {
  /** 'system': a toolchain tool from PATH (Rust), never the repository's. */
  ecosystem: 'python' | 'node' | 'system';
  /** When set, the first argument must be this subcommand (`cargo fmt`). */
  subcommand?: string;
  /** When set, one of these options must be present: without it the tool would rewrite files, not check. */
  requiresOneOf?: readonly string[];
  /** Options refused: they write files, or load code or configuration from elsewhere. */
  refused: readonly string[];
}

const TOOL_RULES: Readonly<Record<ReplayToolName, ToolRule>> = {
  black: { ecosystem: 'python', requiresOneOf: ['--check'], refused: ['--code', '-c'] },
  isort: { ecosystem: 'python', requiresOneOf: ['--check-only', '--check', '-c'], refused: [] },
  flake8: { ecosystem: 'python', refused: ['--output-file', '--tee'] },
  pycodestyle: { ecosystem: 'python', refused: [] },
  autopep8: { ecosystem: 'python', requiresOneOf: ['--exit-code'], refused: ['--in-place', '-i'] },
  prettier: {
    ecosystem: 'node',
    requiresOneOf: ['--check', '-c', '--list-different', '-l'],
    refused: ['--write', '-w', '--cache', '--cache-location', '--plugin', '--plugin-search-dir'],
  },
  // `cargo fmt --check`, `cargo fmt --all -- --check`: exit 1 when a file would change. gofmt is
  // not here: `gofmt -l` exits 0 whatever it lists, so its replay would prove nothing.
  cargo: { ecosystem: 'system', subcommand: 'fmt', requiresOneOf: ['--check'], refused: ['--emit', '--backup', '--print-config'] },
  rustfmt: { ecosystem: 'system', requiresOneOf: ['--check'], refused: ['--emit', '--backup', '--print-config', '--write-mode'] },
  markdownlint: { ecosystem: 'node', refused: ['--fix', '-f', '--output', '-o', '--rules', '-r'] },
  eslint: {
    ecosystem: 'node',
    refused: [
      '--fix',
      '--fix-type',
      '--cache',
      '--cache-location',
      '--cache-file',
      '-o',
      '--output-file',
      '--rulesdir',
      '--plugin',
      '--resolve-plugins-relative-to',
      '--init',
      '--inspect-config',
    ],
  },
};

const PACKAGE_SCRIPT_MAX_BYTES = 1024 * 1024;
/** How long one replayed invocation may run. */
export const REPLAY_TIMEOUT_MS = 5 * 60 * 1000;

/** One recognised invocation: the tool and the arguments it gets (after the wrapper such as `npx`). */
export interface Invocation {
  tool: ReplayToolName;
  args: string[];
  /** The line as the step ran it, for the report. */
  line: string;
}

export type ReplayPlan = { ok: true; invocations: Invocation[] } | { ok: false; reason: string };

type Recognised = { ok: true; invocations: Invocation[] } | { ok: false; reason: string };

function isToolName(name: string): name is ReplayToolName {
  return Object.prototype.hasOwnProperty.call(TOOL_RULES, name);
}

/** Strips a runner wrapper (`npx`, `python -m`, `pnpm exec`, `yarn`); the tool name and its arguments. */
function unwrap(words: readonly string[]): { name: string; args: string[] } | undefined {
  const [first, ...rest] = words;
  if (first === undefined) return undefined;
  if (first === 'npx' || (first === 'pnpm' && rest[0] === 'exec') || (first === 'npm' && rest[0] === 'exec')) {
    const after = first === 'npx' ? rest : rest.slice(1);
    const flags = new Set(['--no-install', '--no', '--yes', '-y', '--offline', '--']);
    let i = 0;
    while (i < after.length && flags.has(after[i] as string)) i += 1;
    const [name, ...args] = after.slice(i);
    return name === undefined ? undefined : { name, args };
  }
  if ((first === 'python' || first === 'python3') && rest[0] === '-m' && rest[1] !== undefined) {
    return { name: rest[1], args: rest.slice(2) };
  }
  if (first === 'yarn' && rest[0] !== undefined && isToolName(rest[0])) return { name: rest[0], args: rest.slice(1) };
  return { name: first, args: rest };
}

/** A value that names something outside the workspace (absolute, `..`, a URL, a drive) or is not plain text. */
function outsideReason(value: string): string | undefined {
  if (value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\')) return `the absolute path ${value}`;
  if (value.split(/[\\/]/).includes('..')) return `the path ${value} (with ..)`;
  if (value.includes('://')) return `the URL ${value}`;
  return undefined;
}

/** Checks a tool's arguments against its rule; the reason it will not be replayed, or undefined. */
function argumentProblem(tool: ReplayToolName, args: readonly string[]): string | undefined {
  const rule = TOOL_RULES[tool];
  if (rule.subcommand !== undefined && args[0] !== rule.subcommand) return `only \`${tool} ${rule.subcommand}\` is replayed`;
  for (const arg of args) {
    const option = arg.startsWith('-') ? (arg.split('=')[0] as string) : undefined;
    if (option !== undefined && rule.refused.includes(option)) {
      return `${tool} ${option} writes files or loads code from outside the checked scope`;
    }
    const value = option !== undefined && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : option === undefined ? arg : '';
    const outside = outsideReason(value);
    if (outside !== undefined) return `it names ${outside}, outside the workspace`;
  }
  if (rule.requiresOneOf !== undefined && !args.some((arg) => rule.requiresOneOf?.includes(arg.split('=')[0] as string))) {
    return `${tool} without ${rule.requiresOneOf.join(' / ')} would change files instead of checking them`;
  }
  return undefined;
}

/** Reads a package.json script by name from the workspace root (never through a symlink). */
async function packageScript(workspace: string, name: string): Promise<string | { reason: string }> {
  const file = path.join(workspace, 'package.json');
  try {
    const info = await lstat(file);
    if (!info.isFile() || info.size > PACKAGE_SCRIPT_MAX_BYTES) return { reason: 'package.json is not a regular file of a sane size' };
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { scripts?: Record<string, unknown> };
    const script = parsed.scripts?.[name];
    return typeof script === 'string' ? script : { reason: `package.json has no script "${name}"` };
  } catch (error: unknown) {
    return { reason: `package.json could not be read: ${getErrorMessage(error)}` };
  }
}

/** `npm run lint`, `npm run-script lint`, `yarn lint`, `yarn run lint`, `pnpm lint`, `pnpm run lint`: the script name. */
function packageScriptName(words: readonly string[]): string | undefined {
  const [manager, second, third, ...rest] = words;
  if (manager !== 'npm' && manager !== 'yarn' && manager !== 'pnpm') return undefined;
  if ((second === 'run' || (manager === 'npm' && second === 'run-script')) && third !== undefined && rest.length === 0) return third;
  if (manager !== 'npm' && second !== undefined && third === undefined && !second.startsWith('-') && !isToolName(second)) return second;
  return undefined;
}

/** One script line → its invocations (a package script expands once into its own line). */
async function recogniseLine(line: string, workspace: string, depth: number): Promise<Recognised> {
  const parsed = parseShellWords(line.trim());
  if (!parsed.ok) return { ok: false, reason: `it is not a plain command: it holds ${parsed.reason}` };
  const words = parsed.words;
  if (words.length === 0) return { ok: true, invocations: [] };
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] as string)) return { ok: false, reason: 'it sets environment variables' };
  const scriptName = packageScriptName(words);
  if (scriptName !== undefined) {
    if (depth > 0) return { ok: false, reason: 'a package script runs another package script' };
    const script = await packageScript(workspace, scriptName);
    if (typeof script !== 'string') return { ok: false, reason: script.reason };
    const inner = await recogniseLine(script, workspace, depth + 1);
    return inner.ok ? inner : { ok: false, reason: `its package.json script "${scriptName}" (\`${script}\`): ${inner.reason}` };
  }
  const unwrapped = unwrap(words);
  if (unwrapped === undefined || !isToolName(unwrapped.name)) {
    return {
      ok: false,
      reason: `\`${words[0] ?? ''}\` is not a recognised invocation of a supported tool (black, isort, flake8, pycodestyle, autopep8, prettier, eslint, markdownlint, cargo fmt, rustfmt, or a package script running one)`,
    };
  }
  const problem = argumentProblem(unwrapped.name, unwrapped.args);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, invocations: [{ tool: unwrapped.name, args: unwrapped.args, line: wordsText(words) }] };
}

/**
 * What replaying the step's script would run: every line must be a recognised invocation (each
 * must then pass, as under `bash -e`), else nothing is replayed and the reason says why.
 */
export async function planReplay(script: readonly string[], workspace: string): Promise<ReplayPlan> {
  const invocations: Invocation[] = [];
  for (const line of script) {
    const recognised = await recogniseLine(line, workspace, 0);
    if (!recognised.ok) return script.length > 1 ? { ok: false, reason: `its line \`${line.trim()}\`: ${recognised.reason}` } : recognised;
    invocations.push(...recognised.invocations);
  }
  if (invocations.length === 0) return { ok: false, reason: 'the log shows no command for it' };
  return { ok: true, invocations };
}

interface ReplayTool {
  tool: ToolResolution;
  /** Variables the invocation needs on top of the tools' environment. */
  env: Record<string, string>;
}

/**
 * The tool a replay runs, the one fixers would run. `cargo fmt` runs rustfmt from PATH unless
 * RUSTFMT names one: it gets the rustfmt the rustfmt fixer resolved, and cargo's own directory
 * first on PATH for `cargo-fmt` (rustup's proxies on PATH may not start with the private HOME
 * tools run with).
 */
async function resolveReplayTool(ctx: FixContext, tool: ReplayToolName): Promise<ReplayTool | undefined> {
  const ecosystem = TOOL_RULES[tool].ecosystem;
  if (ecosystem === 'node' || ecosystem === 'python') {
    const resolved = ecosystem === 'node' ? await resolveNodeTool(ctx, tool) : await resolvePythonTool(ctx, tool, tool);
    return resolved === undefined ? undefined : { tool: resolved, env: {} };
  }
  const rustfmt = await resolveSystemTool(ctx, { name: 'rustfmt', probeArgs: ['--version'] });
  if (rustfmt === undefined || tool === 'rustfmt') return rustfmt === undefined ? undefined : { tool: rustfmt, env: {} };
  const cargo = await resolveSystemTool(ctx, { name: 'cargo', probeArgs: ['--version'] });
  if (cargo === undefined) return undefined;
  // cargo runs `cargo-fmt` from PATH: its own directory first, so a rustup proxy earlier on PATH is not picked.
  const PATH = [path.dirname(cargo.command), ctx.env.PATH ?? ''].filter((dir) => dir !== '').join(path.delimiter);
  return { tool: cargo, env: { RUSTFMT: rustfmt.command, PATH } };
}

export interface ReplayRun {
  /** true when every invocation ran and exited 0. */
  passed: boolean;
  /** The invocations that ran, with their exit status. */
  checks: VerificationCheck[];
  /** When it did not pass: which command failed and how (or why it could not run at all). */
  detail?: string;
  /** true when a tool could not be found: nothing ran, nothing is known. */
  unavailable?: boolean;
}

/** Runs the plan's invocations in order, stopping at the first that fails (as `bash -e` would). */
export async function runReplay(ctx: FixContext, invocations: readonly Invocation[]): Promise<ReplayRun> {
  const resolved: ({ invocation: Invocation } & ReplayTool)[] = [];
  for (const invocation of invocations) {
    const found = await resolveReplayTool(ctx, invocation.tool);
    if (found === undefined)
      return { passed: false, checks: [], unavailable: true, detail: `${invocation.tool} was not found to replay it` };
    resolved.push({ invocation, ...found });
  }
  const checks: VerificationCheck[] = [];
  for (const { invocation, tool, env } of resolved) {
    const result = await ctx.exec(tool.command, [...tool.prefixArgs, ...invocation.args], {
      cwd: ctx.workspace,
      env,
      baseEnv: ctx.env,
      timeoutMs: REPLAY_TIMEOUT_MS,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    });
    const command = commandText(tool, invocation.args);
    ctx.logger.info(toolRunText(command, result));
    checks.push({ kind: 'replay', command, exitCode: result.exitCode, passed: result.exitCode === 0 });
    if (result.exitCode !== 0) {
      const why = result.timedOut ? ` (stopped after ${REPLAY_TIMEOUT_MS / 1000} s)` : '';
      return {
        passed: false,
        checks,
        detail: `the step's command \`${command}\` exited with ${result.exitCode}${why}: ${outputTail(result, 8)}`,
      };
    }
  }
  return { passed: true, checks };
}
