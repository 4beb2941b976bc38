/**
 * A tool at the version the repository pins. The tool found (workspace, then PATH) is asked its
 * version; when the repository pins another one, the fix must not silently format with it: the
 * fixer is skipped with both versions named, or with `install-tools: true` the pinned version is
 * installed with the ecosystem's installer into a temporary prefix outside the workspace (the
 * fixer's private TMPDIR, removed after it), with the credential-free environment and a time limit.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolUnavailableError } from '../../errors.js';
import type { ExecResult } from '../../exec.js';
import { findOnPath } from '../tools.js';
import type { FixContext, ToolResolution } from '../types.js';
import { pinText, readPinnedVersion, satisfiesPin, type PinnedToolSpec, type PinnedVersion } from './pins.js';

const VERSION_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** The version a tool reports for `--version` (black, isort's banner, autopep8, prettier, eslint's `v8.57.0`). */
export function parseToolVersion(output: string): string | undefined {
  const banner = /\bVERSION\s+v?(\d+(?:\.\d+)+[A-Za-z0-9.+-]*)/.exec(output);
  if (banner) return banner[1];
  return /(?:^|[\s,(])v?(\d+(?:\.\d+)+(?:[-+.]?[A-Za-z]+\d*)*)/.exec(output)?.[1];
}

async function askVersion(ctx: FixContext, tool: ToolResolution): Promise<string | undefined> {
  const result = await ctx.exec(tool.command, [...tool.prefixArgs, '--version'], {
    cwd: ctx.workspace,
    env: {},
    baseEnv: ctx.env,
    timeoutMs: VERSION_TIMEOUT_MS,
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
  });
  return result.exitCode === 0 ? parseToolVersion(`${result.stdout}\n${result.stderr}`) : undefined;
}

/**
 * The tool `find` returns when it is at the pinned version (or nothing is pinned); else the pinned
 * version installed (install-tools) or a ToolUnavailableError naming both versions.
 */
export async function resolvePinnedTool(
  ctx: FixContext,
  spec: PinnedToolSpec,
  find: () => Promise<ToolResolution | undefined>,
): Promise<ToolResolution | undefined> {
  const pin = await readPinnedVersion(ctx.workspace, spec, ctx.logger);
  const found = await find();
  if (pin === undefined) return found;
  const pinned = `${spec.tool} ${pinText(pin)} is pinned in ${pin.source}`;
  if (found !== undefined) {
    const version = await askVersion(ctx, found);
    if (version !== undefined && satisfiesPin(version, pin)) {
      ctx.logger.info(`${pinned}; using ${spec.tool} ${version} (${found.command})`);
      return found;
    }
    const foundText = version !== undefined ? `${spec.tool} ${version} was found` : `${spec.tool} was found but did not tell its version`;
    if (ctx.installTools !== true) {
      throw new ToolUnavailableError(`${pinned}, ${foundText}; install-tools: true would install ${spec.tool} ${pinText(pin)}`);
    }
    ctx.logger.info(`${pinned}, ${foundText}: installing ${spec.tool} ${pinText(pin)}`);
  } else if (ctx.installTools !== true) return undefined;
  return installPinnedTool(ctx, spec, pin, pinned);
}

/** A fresh directory under the fixer's private TMPDIR (outside the workspace, removed after the fixer). */
async function installPrefix(ctx: FixContext): Promise<string> {
  const base = ctx.env.TMPDIR !== undefined && path.isAbsolute(ctx.env.TMPDIR) ? ctx.env.TMPDIR : os.tmpdir();
  const prefix = await mkdtemp(path.join(base, 'ci-autofixer-tool-'));
  const relative = path.relative(ctx.workspace, prefix);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new ToolUnavailableError(`the temporary directory ${prefix} is inside the workspace; no tool is installed there`);
  }
  return prefix;
}

/** The installer's own one-line reason: its last error line, without npm's pointer to its debug log. */
export function installerReason(result: ExecResult): string {
  if (result.notFound) return 'the installer could not be started';
  if (result.timedOut) return `the installer did not finish within ${INSTALL_TIMEOUT_MS / 60_000} minutes`;
  const lines = `${result.stderr}\n${result.stdout}`
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/complete log of this run|^npm error (?:code|errno|syscall)\b/i.test(line));
  const errors = lines.filter((line) => /error/i.test(line));
  const reason = errors.find((line) => /^npm error/i.test(line)) ?? errors[errors.length - 1] ?? lines[lines.length - 1];
  const text = reason ?? `exit ${result.exitCode}`;
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

async function runInstaller(ctx: FixContext, command: string, args: string[], prefix: string): Promise<ExecResult> {
  return ctx.exec(command, args, {
    cwd: prefix,
    // The index settings are the runner's, for the installer only; never seen by repository code.
    env: { ...(ctx.packageIndexEnv ?? {}) },
    baseEnv: ctx.env,
    timeoutMs: INSTALL_TIMEOUT_MS,
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
  });
}

/** `python3 -m venv <prefix>/venv` then its pip installs `<package>==<version>` from wheels only (no build code runs). */
async function installPython(ctx: FixContext, spec: PinnedToolSpec, pin: PinnedVersion, prefix: string): Promise<ExecResult | string> {
  const python = (await findOnPath('python3', ctx.env)) ?? (await findOnPath('python', ctx.env));
  if (python === undefined) return 'python3 is not on PATH to create a virtual environment';
  const venv = path.join(prefix, 'venv');
  const created = await runInstaller(ctx, python, ['-m', 'venv', venv], prefix);
  if (created.exitCode !== 0) return `python3 -m venv failed: ${installerReason(created)}`;
  const pip = [path.join(venv, 'bin', 'python'), '-m', 'pip', 'install'] as const;
  const options = ['--disable-pip-version-check', '--no-input', '--retries', '0', '--timeout', '15', '--only-binary=:all:'];
  return runInstaller(ctx, pip[0], [...pip.slice(1), ...options, `${spec.packageName}==${pin.version}`], prefix);
}

/** `npm install --prefix <prefix> <package>@<pin>` without lifecycle scripts. */
async function installNode(ctx: FixContext, spec: PinnedToolSpec, pin: PinnedVersion, prefix: string): Promise<ExecResult | string> {
  const npm = await findOnPath('npm', ctx.env);
  if (npm === undefined) return 'npm is not on PATH';
  const options = [
    '--prefix',
    prefix,
    '--no-save',
    '--no-package-lock',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--fetch-retries=0',
  ];
  return runInstaller(ctx, npm, ['install', ...options, `${spec.packageName}@${pinText(pin)}`], prefix);
}

async function installPinnedTool(ctx: FixContext, spec: PinnedToolSpec, pin: PinnedVersion, pinned: string): Promise<ToolResolution> {
  const prefix = await installPrefix(ctx);
  const installed = spec.ecosystem === 'python' ? await installPython(ctx, spec, pin, prefix) : await installNode(ctx, spec, pin, prefix);
  const failed = typeof installed === 'string' ? installed : installed.exitCode !== 0 ? installerReason(installed) : undefined;
  if (failed !== undefined) throw new ToolUnavailableError(`${pinned}; installing it failed: ${failed}`);
  const bin =
    spec.ecosystem === 'python' ? path.join(prefix, 'venv', 'bin', spec.tool) : path.join(prefix, 'node_modules', '.bin', spec.tool);
  const tool: ToolResolution = { command: bin, prefixArgs: [], source: 'system' };
  const version = await askVersion(ctx, tool);
  if (version === undefined || !satisfiesPin(version, pin)) {
    throw new ToolUnavailableError(`${pinned}; the installed ${spec.tool} reports ${version ?? 'no version'}`);
  }
  ctx.logger.info(`installed ${spec.tool} ${version} into ${prefix}`);
  return tool;
}
