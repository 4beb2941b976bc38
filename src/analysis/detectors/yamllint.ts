import type { Detector, DetectorContext } from '../types.js';

/**
 * yamllint, in its standard format (the file's path flush left, then `  6:5  error  wrong
 * indentation: expected 6 but found 4  (indentation)` lines under it) and in `-f parsable` form
 * (`./ci.yml:6:5: [error] … (indentation)`). One failure per problem; errors fail the run,
 * warnings only with `--strict`, so they get less confidence.
 */

const PARSABLE =
  /^(?<file>[^\s:]+\.ya?ml):(?<line>\d+):(?<column>\d+): \[(?<level>error|warning)\] (?<message>.+?) \((?<rule>[\w-]+)\)\s*$/;
const FILE_HEADER = /^(?<file>\S+\.ya?ml)\s*$/;
const STANDARD = /^\s+(?<line>\d+):(?<column>\d+)\s+(?<level>error|warning)\s+(?<message>.+?)\s+\((?<rule>[\w-]+)\)\s*$/;

function confidenceOf(level: string): number {
  return level === 'error' ? 0.88 : 0.5;
}

export const yamllintDetector: Detector = {
  id: 'yamllint',
  description: 'yamllint problems, in its standard format (path, then `line:col  level  message  (rule)`) and in parsable form.',
  categories: ['lint_format'],
  example: './.github/workflows/ci.yml:6:5: [error] wrong indentation: expected 6 but found 4 (indentation)',
  trigger: /\.ya?ml(?::\d+:\d+: \[(?:error|warning)\] |\s*$)/,
  start() {
    let file: { path: string; n: number } | undefined;
    const report = (ctx: DetectorContext, path: string, n: number, groups: Record<string, string | undefined>) => {
      const level = groups.level ?? 'error';
      ctx.report({
        category: 'lint_format',
        tool: 'yamllint',
        message: `${groups.message ?? ''} (${groups.rule ?? ''})`.slice(0, 500),
        file: path,
        line: Number(groups.line),
        column: Number(groups.column),
        logLines: [n, n],
        confidence: confidenceOf(level),
        data: { rule: groups.rule, level },
      });
    };
    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const parsable = PARSABLE.exec(text)?.groups;
        if (parsable?.file !== undefined) {
          report(ctx, parsable.file, line.n, parsable);
          return false;
        }
        const header = FILE_HEADER.exec(text)?.groups?.file;
        if (header !== undefined) {
          file = { path: header, n: line.n };
          return true;
        }
        if (file === undefined) return false;
        const problem = STANDARD.exec(text)?.groups;
        if (problem) {
          report(ctx, file.path, line.n, problem);
          return true;
        }
        file = undefined;
        return false;
      },
    };
  },
};
