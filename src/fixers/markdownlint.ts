/**
 * markdownlint: `markdownlint --fix` (markdownlint-cli) on the Markdown files markdownlint reported
 * with a rule it can fix, only in a repository that uses markdownlint (a markdownlint
 * configuration file at its root, or markdownlint in package.json): mdl prints the same rule ids,
 * and a repository that runs mdl must not get markdownlint's opinions. Verified with `markdownlint`
 * on the same files, which also fails on problems --fix cannot fix (then the change is reverted).
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { getErrorMessage } from '../errors.js';
import { dataString, hasExtension } from './support/file-formatter.js';
import { commandText, editableFailureFiles, outputTail, resolveNodeTool, runTool } from './tools.js';
import type { FixContext, Fixer, FixOutcome, ToolResolution, VerifyOutcome } from './types.js';

/** Rules markdownlint 0.42 marks "Fixable" (its doc/md*.md pages). */
export const MARKDOWNLINT_FIXABLE_RULES: ReadonlySet<string> = new Set([
  'MD004',
  'MD005',
  'MD007',
  'MD009',
  'MD010',
  'MD011',
  'MD012',
  'MD014',
  'MD018',
  'MD019',
  'MD020',
  'MD021',
  'MD022',
  'MD023',
  'MD026',
  'MD027',
  'MD029',
  'MD030',
  'MD031',
  'MD032',
  'MD034',
  'MD037',
  'MD038',
  'MD039',
  'MD044',
  'MD047',
  'MD049',
  'MD050',
  'MD051',
  'MD053',
  'MD054',
  'MD058',
  'MD060',
]);

/** Configuration files markdownlint-cli and markdownlint-cli2 read from the repository root. */
const CONFIG_FILES = [
  '.markdownlint.json',
  '.markdownlint.jsonc',
  '.markdownlint.yaml',
  '.markdownlint.yml',
  '.markdownlintrc',
  '.markdownlint-cli2.jsonc',
  '.markdownlint-cli2.yaml',
  '.markdownlint-cli2.cjs',
  '.markdownlint-cli2.mjs',
] as const;
const PACKAGE_JSON_MAX_BYTES = 1024 * 1024;

async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isFile();
  } catch {
    return false;
  }
}

const NOT_USED = 'no .markdownlint* configuration file, no markdownlint in package.json';

/** Whether the repository uses markdownlint, and what says so (or why not). */
export async function markdownlintUse(workspace: string): Promise<{ uses: boolean; why: string }> {
  for (const name of CONFIG_FILES) if (await isRegularFile(path.join(workspace, name))) return { uses: true, why: `its ${name}` };
  const manifest = path.join(workspace, 'package.json');
  if (!(await isRegularFile(manifest))) return { uses: false, why: NOT_USED };
  try {
    if ((await lstat(manifest)).size > PACKAGE_JSON_MAX_BYTES)
      return { uses: false, why: `${NOT_USED} (package.json is too large to read)` };
    const parsed = JSON.parse(await readFile(manifest, 'utf8')) as Record<string, unknown>;
    const sections = ['dependencies', 'devDependencies', 'scripts'].map((key) => parsed[key]);
    const mentions = sections.some(
      (section) =>
        typeof section === 'object' &&
        section !== null &&
        Object.entries(section).some(
          ([key, value]) => /markdownlint/.test(key) || (typeof value === 'string' && /\bmarkdownlint\b/.test(value)),
        ),
    );
    return mentions ? { uses: true, why: 'its package.json' } : { uses: false, why: NOT_USED };
  } catch (error: unknown) {
    return { uses: false, why: `${NOT_USED} (package.json could not be read: ${getErrorMessage(error)})` };
  }
}

async function applyMarkdownlint(ctx: FixContext, tool: ToolResolution): Promise<FixOutcome> {
  const use = await markdownlintUse(ctx.workspace);
  if (!use.uses) return { changed: false, description: `the repository does not use markdownlint: ${use.why}`, files: [] };
  const { files, refused } = await editableFailureFiles(ctx);
  const refusedText = refused.length > 0 ? ` (left out: ${refused.join('; ')})` : '';
  if (files.length === 0) return { changed: false, description: `no file to run markdownlint on${refusedText}`, files: [] };
  // '--': the names are files, never options; they hold no glob character (checked), as markdownlint reads globs.
  const args = ['--fix', '--', ...files];
  const result = await runTool(ctx, tool, args);
  // 1: problems --fix could not fix are left; the check says whether any of them matter.
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    return { changed: false, description: `${commandText(tool, args)} exited with ${result.exitCode}: ${outputTail(result)}`, files };
  }
  return {
    changed: true,
    description: `ran markdownlint --fix on ${files.length} file(s) (the repository uses markdownlint: ${use.why}): ${files.join(', ')}${refusedText}`,
    files,
  };
}

async function verifyMarkdownlint(ctx: FixContext, tool: ToolResolution, outcome: FixOutcome): Promise<VerifyOutcome> {
  const args = ['--', ...outcome.files];
  const result = await runTool(ctx, tool, args);
  const command = commandText(tool, args);
  return result.exitCode === 0
    ? { ok: true, command, exitCode: 0, strength: 'check' }
    : { ok: false, command, exitCode: result.exitCode, detail: `exit ${result.exitCode}: ${outputTail(result)}` };
}

export const markdownlintFixer: Fixer = {
  id: 'markdownlint',
  description:
    "Fixes the Markdown problems markdownlint reported with a rule it can fix, with `markdownlint --fix` (markdownlint-cli, the repository's own first) on those files, only when the repository uses markdownlint (a .markdownlint* file or package.json); verified with `markdownlint` on them.",
  fixType: 'lint',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.9,
  touches: ['**/*.{md,markdown}'],
  toolHint: "add markdownlint-cli to the repository's devDependencies and run npm ci before the autofixer, or install it on PATH",
  handles: (failure) => {
    const rule = dataString(failure, 'rule');
    return (
      failure.category === 'lint_format' &&
      failure.tool === 'markdown-lint' &&
      rule !== undefined &&
      MARKDOWNLINT_FIXABLE_RULES.has(rule) &&
      hasExtension(failure, ['.md', '.markdown'])
    );
  },
  resolveTool: (ctx) => resolveNodeTool(ctx, 'markdownlint'),
  apply: applyMarkdownlint,
  verify: verifyMarkdownlint,
};
