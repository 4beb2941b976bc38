import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Ruff: `ruff check` problems in the concise shape (`x.py:1:8: F401 [*] msg`), the full shape of
 * 0.5–0.8 (the same line followed by a `|` code frame) and of newer releases (`F401 [*] msg` then
 * ` --> x.py:1:8`), one failure per problem, the frame spanning its source lines, `help:` and the
 * fix's diff lines (`  - old`, `2 + new`); `ruff format --check` (`Would reformat: x.py`, or since
 * about 0.12 `unformatted: File would be reformatted` with ` --> x.py:7:14` and a diff, or the
 * concise `x.py:7:14: unformatted: ...`), one failure per file. Parse errors are syntax errors:
 * `error: Failed to parse x.py:7:5: msg` of older releases, `invalid-syntax: msg` with its ` -->`
 * (concise `x.py:1:26: invalid-syntax: msg`) of newer ones. A concise line without `[*]` is ruff's
 * only when the log says ruff ran nearby; otherwise the flake8 detector reads it.
 */

export const CONCISE_PROBLEM =
  /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?<column>\d+): (?<code>[A-Z]{1,4}\d{1,4}) (?<fixable>\[\*\] )?(?<message>.*)$/;
const CODE_FIRST = /^(?<code>[A-Z]{1,4}\d{1,4}) (?:\[\*\] )?(?<message>.+)$/;
/** Newer ruff's diagnostics that have a name instead of a rule code, in the full and concise shapes. */
const NAMED_FIRST = /^(?<name>invalid-syntax|unformatted): (?<message>.+)$/;
const CONCISE_NAMED =
  /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?<column>\d+): (?<name>invalid-syntax|unformatted): (?<message>.*)$/;
const ARROW = /^\s*--> (?<file>(?:[A-Za-z]:)?[^\s:][^:]*):(?<line>\d+):(?<column>\d+)$/;
const FRAME_LINE = /^\s*(?:\d+\s*)?\||^\s*(?:\d+\s*)?[-+](?: |$)|^\s*= help:|^\s*help: |^\s*\.\.\.$/;
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
  trigger:
    /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:\d+:\d+: (?:[A-Z]{1,4}\d{1,4} |invalid-syntax: |unformatted: )|^[A-Z]{1,4}\d{1,4} |^(?:invalid-syntax|unformatted): |^Would reformat: |^error: Failed to parse /,
  start() {
    let open: FailureDraft | undefined;
    /** A code-first line waiting for its ` --> file:line:col`. */
    let pendingCode: { code?: string; name?: string; message: string; n: number; text: string } | undefined;
    /** Decision for a run of consecutive problem lines, so the context is read once per run. */
    let runIsRuff: { lastN: number; ruff: boolean } | undefined;

    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };

    /** A draft for `invalid-syntax` (a syntax error) or `unformatted` (a file to reformat). */
    const named = (
      name: string,
      text: string,
      file: string,
      at: { line: number; column: number },
      logLines: [number, number],
    ): FailureDraft =>
      name === 'invalid-syntax'
        ? { category: 'syntax_error', tool: 'ruff', message: clip(text), file, ...at, logLines, confidence: 0.9 }
        : {
            category: 'lint_format',
            tool: 'ruff',
            message: clip(text),
            file,
            ...at,
            logLines,
            confidence: 0.95,
            data: { formatter: 'ruff' },
          };

    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const conciseNamed = CONCISE_NAMED.exec(text)?.groups;
        if (conciseNamed?.file !== undefined && conciseNamed.name !== undefined) {
          close(ctx);
          pendingCode = undefined;
          const at = { line: Number(conciseNamed.line), column: Number(conciseNamed.column) };
          ctx.report(named(conciseNamed.name, text.trim(), conciseNamed.file, at, [line.n, line.n]));
          return false;
        }
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
            message: clip(text),
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
          const at = { line: Number(arrow.line), column: Number(arrow.column) };
          if (pendingCode.name !== undefined) {
            open = named(pendingCode.name, pendingCode.text, arrow.file, at, [pendingCode.n, line.n]);
            pendingCode = undefined;
            return true;
          }
          open = {
            category: 'lint_format',
            tool: 'ruff',
            message: clip(pendingCode.text),
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
        const nameFirst = NAMED_FIRST.exec(text)?.groups;
        if (nameFirst?.name !== undefined) {
          close(ctx);
          pendingCode = { name: nameFirst.name, message: nameFirst.message ?? '', n: line.n, text: text.trim() };
          return true;
        }
        pendingCode = undefined;
        const reformat = WOULD_REFORMAT.exec(text)?.groups?.file;
        if (reformat !== undefined) {
          close(ctx);
          ctx.report({
            category: 'lint_format',
            tool: 'ruff',
            message: clip(text),
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
            message: clip(text),
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
