import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';

/**
 * Ruff: `ruff check` problems in the concise shape (`x.py:1:8: F401 [*] msg`), the full shape of
 * 0.5–0.8 (the same line followed by a `|` code frame) and of newer releases (`F401 [*] msg` then
 * ` --> x.py:1:8`), one failure per problem; `ruff format --check` (`Would reformat: x.py`), one
 * failure per file. A concise line without `[*]` is ruff's only when the log says ruff ran nearby;
 * otherwise the flake8 detector reads it.
 */

export const CONCISE_PROBLEM = /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?<column>\d+): (?<code>[A-Z]{1,4}\d{1,4}) (?<fixable>\[\*\] )?(?<message>.*)$/;
const CODE_FIRST = /^(?<code>[A-Z]{1,4}\d{1,4}) (?:\[\*\] )?(?<message>.+)$/;
const ARROW = /^\s*--> (?<file>(?:[A-Za-z]:)?[^\s:][^:]*):(?<line>\d+):(?<column>\d+)$/;
const FRAME_LINE = /^\s*(?:\d+\s*)?\||^\s*= help:|^\s*help: |^\s*\.\.\.$/;
const WOULD_REFORMAT = /^Would reformat: (?<file>.+)$/;
const PARSE_ERROR = /^error: Failed to parse (?<file>(?:[A-Za-z]:)?[^\s:][^:]*):(?<line>\d+):(?<column>\d+): (?<message>.*)$/;
const MENTIONS_RUFF = /\bruff\b/i;

/** Whether the lines before (or the step name) say ruff produced this output. */
export function ruffRanBefore(line: LogLine, ctx: DetectorContext): boolean {
  if (line.step !== undefined && MENTIONS_RUFF.test(line.step)) return true;
  return ctx.before(40).some((previous) => MENTIONS_RUFF.test(previous.text) && !CONCISE_PROBLEM.test(previous.text));
}

export const ruffDetector: Detector = {
  id: 'ruff',
  description: 'Ruff lint problems (concise and full output, with the rule code) and `ruff format --check` files.',
  categories: ['lint_format', 'syntax_error'],
  example: 'src/app.py:1:8: F401 [*] `os` imported but unused',
  trigger: /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:\d+:\d+: [A-Z]{1,4}\d{1,4} |^[A-Z]{1,4}\d{1,4} |^Would reformat: |^error: Failed to parse /,
  start() {
    let open: FailureDraft | undefined;
    /** A code-first line waiting for its ` --> file:line:col`. */
    let pendingCode: { code: string; message: string; n: number; text: string } | undefined;
    /** Decision for a run of consecutive problem lines, so the context is read once per run. */
    let runIsRuff: { lastN: number; ruff: boolean } | undefined;

    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const concise = CONCISE_PROBLEM.exec(text)?.groups;
        if (concise?.code !== undefined) {
          close(ctx);
          pendingCode = undefined;
          let ruff = concise.fixable !== undefined;
          if (!ruff) {
            if (runIsRuff === undefined || line.n - runIsRuff.lastN > 8) runIsRuff = { lastN: line.n, ruff: ruffRanBefore(line, ctx) };
            runIsRuff.lastN = line.n;
            ruff = runIsRuff.ruff;
          } else {
            runIsRuff = { lastN: line.n, ruff: true };
          }
          if (!ruff) return false;
          open = {
            category: 'lint_format',
            tool: 'ruff',
            message: text.trim().slice(0, 500),
            file: concise.file,
            line: Number(concise.line),
            column: Number(concise.column),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { code: concise.code },
          };
          return true;
        }
        const arrow = ARROW.exec(text)?.groups;
        if (arrow?.file !== undefined && pendingCode) {
          close(ctx);
          open = {
            category: 'lint_format',
            tool: 'ruff',
            message: pendingCode.text.slice(0, 500),
            file: arrow.file,
            line: Number(arrow.line),
            column: Number(arrow.column),
            logLines: [pendingCode.n, line.n],
            confidence: 0.95,
            data: { code: pendingCode.code },
          };
          pendingCode = undefined;
          return true;
        }
        const codeFirst = CODE_FIRST.exec(text)?.groups;
        if (codeFirst?.code !== undefined) {
          close(ctx);
          pendingCode = { code: codeFirst.code, message: codeFirst.message ?? '', n: line.n, text: text.trim() };
          return true;
        }
        pendingCode = undefined;
        const reformat = WOULD_REFORMAT.exec(text)?.groups?.file;
        if (reformat !== undefined) {
          close(ctx);
          ctx.report({
            category: 'lint_format',
            tool: 'ruff',
            message: text.trim().slice(0, 500),
            file: reformat.trim(),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { formatter: 'ruff' },
          });
          return false;
        }
        const parse = PARSE_ERROR.exec(text)?.groups;
        if (parse?.file !== undefined) {
          close(ctx);
          ctx.report({
            category: 'syntax_error',
            tool: 'ruff',
            message: text.trim().slice(0, 500),
            file: parse.file,
            line: Number(parse.line),
            column: Number(parse.column),
            logLines: [line.n, line.n],
            confidence: 0.9,
          });
          return false;
        }
        if (open && FRAME_LINE.test(text)) {
          open.logLines[1] = line.n;
          return true;
        }
        close(ctx);
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
