/**
 * The dependency fixer's real check: does the distribution provide the missing module? Its wheel
 * is downloaded with `pip download --no-deps --only-binary=:all:` (a wheel: no build step, no code
 * of the package runs) into a temporary directory outside the workspace, and its zip directory is
 * read (./wheel.ts). pip runs with the fixers' allow-listed environment (no token) plus, when the
 * runner sets it, PIP_INDEX_URL (an index URL may carry its own credentials: it reaches pip only,
 * never the repository's tools), and a time limit.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getErrorMessage } from '../../errors.js';
import { outputTail, resolvePythonTool } from '../tools.js';
import type { FixContext } from '../types.js';
import { providesModule, zipEntryNames } from './wheel.js';

/** How long one download may take. */
export const PIP_DOWNLOAD_TIMEOUT_MS = 90_000;

export type WheelCheck =
  /** The wheel was downloaded and contains the module. */
  | { kind: 'provides'; command: string; wheel: string }
  /** The wheel was downloaded and does not contain it: the requirement does not fix the import. */
  | { kind: 'lacks'; command: string; wheel: string }
  /** pip or the index could not be used: nothing is known. */
  | { kind: 'unavailable'; command: string; exitCode?: number; detail: string };

/** `pip download …` as the report names it (the index URL is left out: it may hold credentials). */
function downloadText(distribution: string): string {
  return `pip download --no-deps --only-binary=:all: ${distribution}`;
}

/** Downloads `distribution`'s wheel for this interpreter and checks that it provides `module`. */
export async function checkWheelProvides(ctx: FixContext, distribution: string, module: string): Promise<WheelCheck> {
  const command = downloadText(distribution);
  const pip = await resolvePythonTool({ ...ctx, useRepositoryTools: false }, 'pip', 'pip');
  if (pip === undefined) return { kind: 'unavailable', command, detail: 'pip is not available on PATH' };
  const dest = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-wheel-'));
  try {
    const args = [
      ...pip.prefixArgs,
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--no-cache-dir',
      '--disable-pip-version-check',
      '--no-input',
      '--retries',
      '0',
      '--timeout',
      '20',
      '--dest',
      dest,
      '--',
      distribution,
    ];
    const result = await ctx.exec(pip.command, args, {
      cwd: dest,
      env: ctx.packageIndexEnv ?? {},
      baseEnv: ctx.env,
      timeoutMs: PIP_DOWNLOAD_TIMEOUT_MS,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    });
    if (result.exitCode !== 0) {
      return { kind: 'unavailable', command, exitCode: result.exitCode, detail: `exit ${result.exitCode}: ${outputTail(result, 4)}` };
    }
    const wheels = (await readdir(dest)).filter((name) => name.endsWith('.whl'));
    const wheel = wheels[0];
    if (wheel === undefined) return { kind: 'unavailable', command, exitCode: 0, detail: 'pip saved no wheel' };
    const names = await zipEntryNames(path.join(dest, wheel));
    return { kind: providesModule(names, module) ? 'provides' : 'lacks', command, wheel };
  } catch (error: unknown) {
    return { kind: 'unavailable', command, detail: getErrorMessage(error) };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}
