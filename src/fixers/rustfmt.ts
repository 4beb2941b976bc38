/**
 * rustfmt: rewrites the Rust files `cargo fmt --check` / `rustfmt --check` reported (`Diff in
 * <file> at line N:`) with rustfmt on exactly those files, not `cargo fmt` over the whole crate, so
 * the change stays with what the check named. `cargo fmt` passes the crate's edition to rustfmt;
 * run alone rustfmt would parse as 2015, so the edition is read from the nearest Cargo.toml (as
 * cargo does: `[package] edition`, `edition.workspace = true` from the workspace root's
 * `[workspace.package]`, and 2015 when the manifest names none). Files of crates with different
 * editions run as separate groups.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { dataString, hasExtension } from './support/file-formatter.js';
import { resolveSystemTool } from './support/system-tool.js';
import { commandText, editableFailureFiles, outputTail, runTool } from './tools.js';
import type { FixContext, Fixer, FixOutcome, ToolResolution, VerifyOutcome } from './types.js';

const MANIFEST_MAX_BYTES = 1024 * 1024;
const EDITIONS = new Set(['2015', '2018', '2021', '2024']);
/** Cargo's edition when a package names none. */
const CARGO_DEFAULT_EDITION = '2015';

interface Manifest {
  /** `[package]` edition: a year, 'workspace' (inherited), or undefined when the package names none. */
  packageEdition?: string;
  hasPackage: boolean;
  /** `[workspace.package]` edition. */
  workspaceEdition?: string;
}

/** The few Cargo.toml facts needed, read line by line (a TOML subset: sections and `edition` keys). */
function readManifest(text: string): Manifest {
  const manifest: Manifest = { hasPackage: false };
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const header = /^\[\s*([\w.-]+)\s*\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      if (section === 'package') manifest.hasPackage = true;
      continue;
    }
    const year = /^edition\s*=\s*["'](\d{4})["']$/.exec(line)?.[1];
    const inherited = /^edition\s*(?:\.\s*workspace\s*=\s*true|=\s*\{\s*workspace\s*=\s*true\s*\})$/.test(line);
    if (section === 'package' && (year !== undefined || inherited)) manifest.packageEdition = inherited ? 'workspace' : year;
    if (section === 'workspace.package' && year !== undefined) manifest.workspaceEdition = year;
  }
  return manifest;
}

/** Cargo.toml in `dir` (a regular file, not a symlink, of a sane size), or undefined. */
async function manifestIn(dir: string): Promise<Manifest | undefined> {
  const file = path.join(dir, 'Cargo.toml');
  try {
    const info = await lstat(file);
    if (!info.isFile() || info.size > MANIFEST_MAX_BYTES) return undefined;
    return readManifest(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The workspace-relative directories from `dir` up to the workspace root, innermost first. */
function ancestors(dir: string): string[] {
  const dirs: string[] = [];
  let current = dir;
  for (;;) {
    dirs.push(current);
    if (current === '.' || current === '') return dirs;
    current = path.dirname(current);
  }
}

/** The edition `cargo fmt` would give `file` (workspace-relative), or undefined outside any crate. */
export async function crateEdition(workspace: string, file: string): Promise<string | undefined> {
  let wanted: 'package' | 'workspace' = 'package';
  for (const dir of ancestors(path.dirname(file))) {
    const manifest = await manifestIn(path.join(workspace, dir));
    if (manifest === undefined) continue;
    if (wanted === 'package' && manifest.hasPackage) {
      if (manifest.packageEdition !== 'workspace') {
        const edition = manifest.packageEdition ?? CARGO_DEFAULT_EDITION;
        return EDITIONS.has(edition) ? edition : undefined;
      }
      wanted = 'workspace';
      if (manifest.workspaceEdition !== undefined) return manifest.workspaceEdition;
      continue;
    }
    if (wanted === 'workspace' && manifest.workspaceEdition !== undefined) return manifest.workspaceEdition;
  }
  return undefined;
}

/** The files grouped by edition (undefined: no crate found, rustfmt's own configuration decides). */
async function groupByEdition(workspace: string, files: readonly string[]): Promise<Map<string | undefined, string[]>> {
  const groups = new Map<string | undefined, string[]>();
  for (const file of files) {
    const edition = await crateEdition(workspace, file);
    groups.set(edition, [...(groups.get(edition) ?? []), file]);
  }
  return groups;
}

function rustfmtArgs(edition: string | undefined, check: boolean, files: readonly string[]): string[] {
  // '--': the names are files, never options (they are also checked not to start with '-').
  return [...(check ? ['--check'] : []), ...(edition !== undefined ? ['--edition', edition] : []), '--', ...files];
}

async function applyRustfmt(ctx: FixContext, tool: ToolResolution): Promise<FixOutcome> {
  const { files, refused } = await editableFailureFiles(ctx);
  const refusedText = refused.length > 0 ? ` (left out: ${refused.join('; ')})` : '';
  if (files.length === 0) return { changed: false, description: `no file to run rustfmt on${refusedText}`, files: [] };
  const ran: string[] = [];
  for (const [edition, group] of await groupByEdition(ctx.workspace, files)) {
    const args = rustfmtArgs(edition, false, group);
    const result = await runTool(ctx, tool, args);
    // A file that does not parse fails the run; what it rewrote before is judged (and reverted) by the check.
    if (result.exitCode !== 0) {
      return { changed: false, description: `${commandText(tool, args)} exited with ${result.exitCode}: ${outputTail(result)}`, files };
    }
    ran.push(commandText(tool, args));
  }
  return { changed: true, description: `ran ${ran.join(' and ')} on ${files.length} file(s)${refusedText}`, files };
}

async function verifyRustfmt(ctx: FixContext, tool: ToolResolution, outcome: FixOutcome): Promise<VerifyOutcome> {
  const commands: string[] = [];
  for (const [edition, group] of await groupByEdition(ctx.workspace, outcome.files)) {
    const args = rustfmtArgs(edition, true, group);
    const result = await runTool(ctx, tool, args);
    commands.push(commandText(tool, args));
    if (result.exitCode !== 0) {
      return {
        ok: false,
        command: commands.join(' && '),
        exitCode: result.exitCode,
        detail: `exit ${result.exitCode}: ${outputTail(result)}`,
      };
    }
  }
  return { ok: true, command: commands.join(' && '), exitCode: 0, strength: 'check' };
}

export const rustfmtFixer: Fixer = {
  id: 'rustfmt',
  description:
    "Rewrites the Rust files `cargo fmt --check` / `rustfmt --check` reported with rustfmt on exactly those files, with the crate's edition from Cargo.toml and the repository's rustfmt.toml; verified with `rustfmt --check` on them.",
  fixType: 'format',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.95,
  touches: ['**/*.rs'],
  toolHint: 'install rustfmt in the job (rustup component add rustfmt, or the rustfmt package) so that it is on PATH',
  handles: (failure) =>
    failure.category === 'lint_format' &&
    (failure.tool === 'rustfmt' || dataString(failure, 'formatter') === 'rustfmt') &&
    hasExtension(failure, ['.rs']),
  // --version: rustup's proxy on PATH does not start without the runner's HOME; the next candidate then does.
  resolveTool: (ctx) => resolveSystemTool(ctx, { name: 'rustfmt', probeArgs: ['--version'] }),
  apply: applyRustfmt,
  verify: verifyRustfmt,
};
