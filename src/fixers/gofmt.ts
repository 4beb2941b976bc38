/**
 * gofmt: rewrites the Go files a gofmt check named (`gofmt -l` lists, `gofmt -d` diffs,
 * golangci-lint's gofmt linter) with `gofmt -w`, and with `-s` when the check simplified. gofmt
 * exits 0 whether or not files need formatting, so the check is that `gofmt -l` on the same files
 * lists none of them (and exits 0: a file that does not parse makes it exit 2).
 */
import path from 'node:path';
import type { Failure } from '../analysis/types.js';
import { dataString, hasExtension } from './support/file-formatter.js';
import { neutralDir, resolveSystemTool } from './support/system-tool.js';
import { allOnPath, commandText, editableFailureFiles, outputTail, runTool } from './tools.js';
import type { FixContext, Fixer, FixOutcome, ToolResolution, VerifyOutcome } from './types.js';

/** golangci-lint: "File is not `gofmt`-ed with `-s`"; gometalinter: "file is not gofmted with -s". */
const SIMPLIFY_MESSAGE = /with `?-s`?/;

function wantsSimplify(failures: readonly Failure[]): boolean {
  return failures.some((failure) => failure.data?.simplify === true || SIMPLIFY_MESSAGE.test(failure.message));
}

/**
 * The Go toolchain's bin directory when `go` is on PATH (Debian links only some tools into
 * /usr/bin), then the usual install places. `go env` runs outside the checkout with
 * GOTOOLCHAIN=local: a go.mod `toolchain` line must not make it download another Go.
 */
async function goToolchainDirs(ctx: FixContext): Promise<string[]> {
  const dirs: string[] = [];
  for (const go of await allOnPath('go', ctx.env)) {
    const result = await ctx.exec(go, ['env', 'GOROOT'], {
      cwd: neutralDir(ctx),
      env: { GOTOOLCHAIN: 'local', GOFLAGS: '' },
      baseEnv: ctx.env,
      timeoutMs: 30_000,
      ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
    });
    const root = result.stdout.trim();
    if (result.exitCode === 0 && path.isAbsolute(root)) dirs.push(path.join(root, 'bin'));
  }
  return [...dirs, '/usr/lib/go/bin', '/usr/local/go/bin'];
}

function gofmtArgs(mode: '-w' | '-l', simplify: boolean, files: readonly string[]): string[] {
  // '--': the names are files, never flags (they are also checked not to start with '-').
  return [mode, ...(simplify ? ['-s'] : []), '--', ...files];
}

async function applyGofmt(ctx: FixContext, tool: ToolResolution): Promise<FixOutcome> {
  const { files, refused } = await editableFailureFiles(ctx);
  const refusedText = refused.length > 0 ? ` (left out: ${refused.join('; ')})` : '';
  if (files.length === 0) return { changed: false, description: `no file to run gofmt on${refusedText}`, files: [] };
  const args = gofmtArgs('-w', wantsSimplify(ctx.failures), files);
  const result = await runTool(ctx, tool, args);
  if (result.exitCode !== 0) {
    // Exit 2: some file does not parse; the others may have been rewritten (the check reverts them).
    return { changed: false, description: `${commandText(tool, args)} exited with ${result.exitCode}: ${outputTail(result)}`, files };
  }
  return { changed: true, description: `ran gofmt -w on ${files.length} file(s): ${files.join(', ')}${refusedText}`, files };
}

async function verifyGofmt(ctx: FixContext, tool: ToolResolution, outcome: FixOutcome): Promise<VerifyOutcome> {
  const args = gofmtArgs('-l', wantsSimplify(ctx.failures), outcome.files);
  const result = await runTool(ctx, tool, args);
  const command = commandText(tool, args);
  const listed = result.stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (result.exitCode === 0 && listed.length === 0) return { ok: true, command, exitCode: 0, strength: 'check' };
  const detail =
    result.exitCode !== 0 ? `exit ${result.exitCode}: ${outputTail(result)}` : `gofmt still lists ${listed.slice(0, 10).join(', ')}`;
  return { ok: false, command, exitCode: result.exitCode, detail };
}

export const gofmtFixer: Fixer = {
  id: 'gofmt',
  description:
    "Rewrites the Go files a gofmt check named (`gofmt -l` lists, `gofmt -d` diffs, golangci-lint gofmt) with `gofmt -w` (`-s` when the check simplified), using the runner's Go toolchain; verified with `gofmt -l` listing none of them.",
  fixType: 'format',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.95,
  touches: ['**/*.go'],
  toolHint: 'install Go in the job (actions/setup-go) or the golang-go package, so that gofmt is on PATH or in `go env GOROOT`/bin',
  handles: (failure) =>
    failure.category === 'lint_format' &&
    (failure.tool === 'gofmt' || dataString(failure, 'formatter') === 'gofmt' || dataString(failure, 'linter') === 'gofmt') &&
    hasExtension(failure, ['.go']),
  resolveTool: (ctx) => resolveSystemTool(ctx, { name: 'gofmt', extraDirs: goToolchainDirs }),
  apply: applyGofmt,
  verify: verifyGofmt,
};
