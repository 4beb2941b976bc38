import { PYTHON_SOURCE_GLOBS } from './black.js';
import { createFileFormatterFixer, dataString, hasExtension } from './support/file-formatter.js';
import { resolvePinnedTool } from './support/pinned-tool.js';
import { resolvePythonTool } from './tools.js';

export const isortFixer = createFileFormatterFixer({
  id: 'isort',
  description:
    "Sorts the imports of the Python files isort reported, with the repository's isort settings; verified with `isort --check-only`.",
  fixType: 'format',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.95,
  touches: PYTHON_SOURCE_GLOBS,
  toolName: 'isort',
  toolHint: "install isort in the job (pip install isort) or in the repository's .venv",
  handles: (failure) =>
    failure.category === 'lint_format' &&
    (failure.tool === 'isort' || dataString(failure, 'formatter') === 'isort') &&
    hasExtension(failure, ['.py', '.pyi']),
  resolveTool: (ctx) =>
    resolvePinnedTool(
      ctx,
      { tool: 'isort', ecosystem: 'python', packageName: 'isort', preCommitRepos: ['pycqa/isort', 'timothycrosley/isort'] },
      () => resolvePythonTool(ctx, 'isort', 'isort'),
    ),
  writeArgs: ['--quiet'],
  checkArgs: ['--check-only'],
});
