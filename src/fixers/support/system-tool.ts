/**
 * System tools of the Go and Rust toolchains (gofmt, rustfmt). The repository cannot pin them in a
 * folder of its own (Go and Rust tools are not installed into the checkout), so they come from the
 * runner: every executable of that name on PATH, then the toolchain's own directories, in order,
 * the first that starts. A candidate can be on PATH and still not start: rustup's `rustfmt` proxy
 * in `~/.cargo/bin` needs the runner's HOME, and tools run with a private one.
 */
import path from 'node:path';
import { allOnPath, isExecutableFile } from '../tools.js';
import type { FixContext, ToolResolution } from '../types.js';

export interface SystemToolSpec {
  name: string;
  /** More directories to look in after PATH (absolute), or a function finding them. */
  extraDirs?: (ctx: FixContext) => Promise<string[]>;
  /** Arguments of a harmless run that must exit 0 for the candidate to count (e.g. ['--version']). */
  probeArgs?: readonly string[];
}

/** The first candidate that is executable (and, with `probeArgs`, starts), outside the workspace. */
export async function resolveSystemTool(ctx: FixContext, spec: SystemToolSpec): Promise<ToolResolution | undefined> {
  const candidates = await allOnPath(spec.name, ctx.env);
  for (const dir of spec.extraDirs !== undefined ? await spec.extraDirs(ctx) : []) {
    const candidate = path.join(dir, spec.name);
    if (path.isAbsolute(dir) && !candidates.includes(candidate) && (await isExecutableFile(candidate))) candidates.push(candidate);
  }
  for (const command of candidates) {
    // A tool inside the checkout is the repository's code, not the runner's toolchain.
    const relative = path.relative(ctx.workspace, command);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) continue;
    if (spec.probeArgs !== undefined && !(await starts(ctx, command, spec.probeArgs))) continue;
    return { command, prefixArgs: [], source: 'system' };
  }
  return undefined;
}

async function starts(ctx: FixContext, command: string, args: readonly string[]): Promise<boolean> {
  const result = await ctx.exec(command, args, {
    cwd: neutralDir(ctx),
    env: {},
    baseEnv: ctx.env,
    timeoutMs: 30_000,
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
  });
  return result.exitCode === 0;
}

/** A directory outside the checkout to run toolchain queries in (its go.mod or rust-toolchain must not steer them). */
export function neutralDir(ctx: FixContext): string {
  const tmp = ctx.env.TMPDIR;
  return tmp !== undefined && path.isAbsolute(tmp) ? tmp : path.dirname(ctx.workspace);
}
