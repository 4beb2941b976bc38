import { createFileFormatterFixer, dataString } from './support/file-formatter.js';
import { resolvePinnedTool } from './support/pinned-tool.js';
import { resolveNodeTool } from './tools.js';

export const ESLINT_EXTENSIONS = ['js', 'jsx', 'mjs', 'cjs', 'ts', 'tsx', 'mts', 'cts', 'vue', 'svelte', 'astro'] as const;

/**
 * Whether a rule is fixable is not known from the log; the fixer runs `eslint --fix` and keeps the
 * result only when `eslint` then passes on those files, so unfixable problems end in a revert.
 */
export const eslintFixer = createFileFormatterFixer({
  id: 'eslint',
  description:
    "Runs `eslint --fix` on the files with eslint problems, using the repository's eslint and config; kept only when `eslint` then passes on them.",
  fixType: 'lint',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.9,
  touches: [`**/*.{${ESLINT_EXTENSIONS.join(',')}}`],
  toolName: 'eslint',
  toolHint: "add eslint to the repository's devDependencies and run npm ci before the autofixer, or install it on PATH",
  handles: (failure) =>
    failure.category === 'lint_format' &&
    failure.tool === 'eslint' &&
    dataString(failure, 'rule') !== undefined &&
    failure.file !== undefined &&
    ESLINT_EXTENSIONS.some((extension) => (failure.file as string).toLowerCase().endsWith(`.${extension}`)),
  resolveTool: (ctx) =>
    resolvePinnedTool(
      ctx,
      { tool: 'eslint', ecosystem: 'node', packageName: 'eslint', preCommitRepos: ['pre-commit/mirrors-eslint'] },
      () => resolveNodeTool(ctx, 'eslint'),
    ),
  writeArgs: ['--fix'],
  checkArgs: [],
  // 1: problems remain after fixing (verification decides); 2 is a crash or a config error.
  writeExitCodes: [0, 1],
});
