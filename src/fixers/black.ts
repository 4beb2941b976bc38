import { createFileFormatterFixer, dataString, hasExtension } from './support/file-formatter.js';
import { resolvePinnedTool } from './support/pinned-tool.js';
import { resolvePythonTool } from './tools.js';

export const PYTHON_SOURCE_GLOBS = ['**/*.py', '**/*.pyi'] as const;

export const blackFixer = createFileFormatterFixer({
  id: 'black',
  description:
    "Reformats the Python files `black --check` reported, with the repository's black configuration; verified with `black --check`.",
  fixType: 'format',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.95,
  touches: PYTHON_SOURCE_GLOBS,
  toolName: 'black',
  toolHint: "install black in the job (pip install black) or in the repository's .venv",
  handles: (failure) =>
    failure.category === 'lint_format' &&
    (failure.tool === 'black' || dataString(failure, 'formatter') === 'black') &&
    hasExtension(failure, ['.py', '.pyi']),
  resolveTool: (ctx) =>
    resolvePinnedTool(
      ctx,
      { tool: 'black', ecosystem: 'python', packageName: 'black', preCommitRepos: ['psf/black', 'psf/black-pre-commit-mirror'] },
      () => resolvePythonTool(ctx, 'black', 'black'),
    ),
  writeArgs: ['--quiet'],
  checkArgs: ['--check'],
  // 123: black could not format some file (e.g. a syntax error); the others may be formatted.
  writeExitCodes: [0, 123],
});
