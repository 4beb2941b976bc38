import { createFileFormatterFixer, dataString } from './support/file-formatter.js';
import { resolvePinnedTool } from './support/pinned-tool.js';
import { resolveNodeTool } from './tools.js';

/** File types prettier formats without plugins. */
export const PRETTIER_EXTENSIONS = [
  'js',
  'jsx',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'mts',
  'cts',
  'json',
  'json5',
  'jsonc',
  'css',
  'scss',
  'less',
  'md',
  'markdown',
  'mdx',
  'yml',
  'yaml',
  'html',
  'htm',
  'vue',
  'graphql',
  'gql',
  'hbs',
  'handlebars',
] as const;

export const prettierFixer = createFileFormatterFixer({
  id: 'prettier',
  description:
    "Rewrites the files `prettier --check` reported with `prettier --write`, using the repository's prettier and config; verified with `prettier --check`.",
  fixType: 'format',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.95,
  touches: [`**/*.{${PRETTIER_EXTENSIONS.join(',')}}`],
  toolName: 'prettier',
  toolHint: "add prettier to the repository's devDependencies and run npm ci before the autofixer, or install it on PATH",
  handles: (failure) =>
    failure.category === 'lint_format' &&
    (failure.tool === 'prettier' || dataString(failure, 'formatter') === 'prettier') &&
    failure.file !== undefined &&
    PRETTIER_EXTENSIONS.some((extension) => (failure.file as string).toLowerCase().endsWith(`.${extension}`)),
  resolveTool: (ctx) =>
    resolvePinnedTool(
      ctx,
      {
        tool: 'prettier',
        ecosystem: 'node',
        packageName: 'prettier',
        preCommitRepos: ['pre-commit/mirrors-prettier', 'rbubley/mirrors-prettier'],
      },
      () => resolveNodeTool(ctx, 'prettier'),
    ),
  writeArgs: ['--write', '--log-level', 'warn'],
  checkArgs: ['--check'],
});
