import type { Failure } from '../analysis/types.js';
import { PYTHON_SOURCE_GLOBS } from './black.js';
import { dataString } from './support/file-formatter.js';
import { resolvePinnedTool } from './support/pinned-tool.js';
import { commandText, editableFailureFiles, outputTail, resolvePythonTool, runTool } from './tools.js';
import type { FixContext, Fixer, ToolResolution } from './types.js';

/**
 * pycodestyle codes autopep8 fixes without `--aggressive`, i.e. without changing what the code
 * means. Left out on purpose: E711/E712/E713/E714/E721/E722/E731 (comparisons, bare except,
 * lambdas: semantic), E402 (moves imports: can change import order effects), W503/W504 (mutually
 * exclusive), W690 (rewrites Python 2 idioms).
 */
// One line per code family (E1, E2, …): kept as written rather than one code per line.
// prettier-ignore
export const AUTOPEP8_CODES: readonly string[] = [
  'E101', 'E111', 'E112', 'E113', 'E114', 'E115', 'E116', 'E117',
  'E121', 'E122', 'E123', 'E124', 'E125', 'E126', 'E127', 'E128', 'E129', 'E131', 'E133',
  'E201', 'E202', 'E203', 'E211', 'E221', 'E222', 'E223', 'E224', 'E225', 'E226', 'E227', 'E228',
  'E231', 'E241', 'E242', 'E251', 'E252', 'E261', 'E262', 'E265', 'E266', 'E271', 'E272', 'E273', 'E274', 'E275',
  'E301', 'E302', 'E303', 'E304', 'E305', 'E306',
  'E401', 'E501', 'E502', 'E701', 'E702', 'E703',
  'W191', 'W291', 'W292', 'W293', 'W391', 'W605',
];

function codeOf(failure: Failure): string | undefined {
  const code = dataString(failure, 'code');
  return code !== undefined && AUTOPEP8_CODES.includes(code) ? code : undefined;
}

/** autopep8 re-indents tabs (W191) only through its E101 fixer: selecting W191 alone changes nothing. */
const COMPANION_CODES: Readonly<Record<string, string>> = { W191: 'E101' };

function selectedCodes(ctx: FixContext): string[] {
  const codes = ctx.failures.map(codeOf).filter((code): code is string => code !== undefined);
  const companions = codes.flatMap((code) => COMPANION_CODES[code] ?? []);
  return [...new Set([...codes, ...companions])].sort();
}

/**
 * The checker the failures came from: a repository that runs pycodestyle configures pycodestyle
 * (e.g. its max-line-length), so verifying with flake8 could judge by other rules, and vice versa.
 */
async function resolveChecker(ctx: FixContext): Promise<ToolResolution | undefined> {
  const reportedBy = ctx.failures.some((failure) => failure.tool === 'pycodestyle') ? 'pycodestyle' : 'flake8';
  const order = reportedBy === 'pycodestyle' ? ['pycodestyle', 'flake8'] : ['flake8', 'pycodestyle'];
  for (const name of order) {
    const tool = await resolvePythonTool(ctx, name, name);
    if (tool !== undefined) return tool;
  }
  return undefined;
}

export const autopep8Fixer: Fixer = {
  id: 'autopep8',
  description:
    'Fixes the pycodestyle/flake8 problems autopep8 can fix without changing meaning (indentation, whitespace, blank lines, long lines …), only the reported codes; verified with flake8 or pycodestyle on those codes.',
  fixType: 'lint',
  safeByDefault: true,
  categories: ['lint_format'],
  confidence: 0.9,
  touches: PYTHON_SOURCE_GLOBS,
  toolName: 'autopep8',
  toolHint: "install autopep8 in the job (pip install autopep8) or in the repository's .venv",
  handles: (failure) =>
    failure.category === 'lint_format' &&
    (failure.tool === 'flake8' || failure.tool === 'pycodestyle') &&
    codeOf(failure) !== undefined &&
    failure.file !== undefined &&
    /\.pyi?$/i.test(failure.file),
  resolveTool: (ctx) =>
    resolvePinnedTool(
      ctx,
      {
        tool: 'autopep8',
        ecosystem: 'python',
        packageName: 'autopep8',
        preCommitRepos: ['hhatto/autopep8', 'pre-commit/mirrors-autopep8'],
      },
      () => resolvePythonTool(ctx, 'autopep8', 'autopep8'),
    ),
  async apply(ctx, tool) {
    const { files, refused } = await editableFailureFiles(ctx);
    const codes = selectedCodes(ctx);
    const refusedText = refused.length > 0 ? ` (left out: ${refused.join('; ')})` : '';
    if (files.length === 0 || codes.length === 0)
      return { changed: false, description: `no file or fixable code to run autopep8 on${refusedText}`, files: [] };
    const args = ['--in-place', `--select=${codes.join(',')}`, '--', ...files];
    const result = await runTool(ctx, tool, args);
    if (result.exitCode !== 0) {
      return { changed: false, description: `${commandText(tool, args)} exited with ${result.exitCode}: ${outputTail(result)}`, files };
    }
    return { changed: true, description: `fixed ${codes.join(', ')} with autopep8 in ${files.length} file(s): ${files.join(', ')}`, files };
  },
  async verify(ctx, _tool, outcome) {
    const checker = await resolveChecker(ctx);
    if (checker === undefined)
      return { ok: false, command: 'flake8', detail: 'neither flake8 nor pycodestyle is available to verify the fix' };
    const args = [`--select=${selectedCodes(ctx).join(',')}`, '--', ...outcome.files];
    const result = await runTool(ctx, checker, args);
    const command = commandText(checker, args);
    return result.exitCode === 0
      ? { ok: true, command, exitCode: 0, strength: 'check' }
      : { ok: false, command, exitCode: result.exitCode, detail: `exit ${result.exitCode}: ${outputTail(result)}` };
  },
};
