import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip, firstAnswer, type LineHandler } from '../detector-helpers.js';

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

interface RuffScan {
  /** The problem being read: its frame lines follow. */
  open: FailureDraft | undefined;
  /** A code-first line waiting for its ` --> file:line:col`. */
  pendingCode: { code?: string; name?: string; message: string; n: number; text: string } | undefined;
  /** Decision for a run of consecutive problem lines, so the context is read once per run. */
  runIsRuff: { lastN: number; ruff: boolean } | undefined;
}

/** Handlers get the line's text without trailing space, and the line. */
type RuffHandler = LineHandler<[scan: RuffScan, text: string, line: LogLine, ctx: DetectorContext]>;

function close(scan: RuffScan, ctx: DetectorContext): void {
  if (scan.open) ctx.report(scan.open);
  scan.open = undefined;
}

/** A draft for `invalid-syntax` (a syntax error) or `unformatted` (a file to reformat). */
function namedDraft(
  name: string,
  text: string,
  file: string,
  at: { line: number; column: number },
  logLines: [number, number],
): FailureDraft {
  return name === 'invalid-syntax'
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
}

/** Whether a concise line without `[*]` is ruff's: decided once per run of problem lines, from the context. */
function isRuffRun(scan: RuffScan, line: LogLine, ctx: DetectorContext, fixable: boolean): boolean {
  if (fixable) {
    scan.runIsRuff = { lastN: line.n, ruff: true };
    return true;
  }
  if (scan.runIsRuff === undefined || line.n - scan.runIsRuff.lastN > 8) scan.runIsRuff = { lastN: line.n, ruff: ruffRanBefore(line, ctx) };
  scan.runIsRuff.lastN = line.n;
  return scan.runIsRuff.ruff;
}

const conciseNamed: RuffHandler = (scan, text, line, ctx) => {
  const named = CONCISE_NAMED.exec(text)?.groups;
  if (named?.file === undefined || named.name === undefined) return undefined;
  close(scan, ctx);
  scan.pendingCode = undefined;
  const at = { line: Number(named.line), column: Number(named.column) };
  ctx.report(namedDraft(named.name, text.trim(), named.file, at, [line.n, line.n]));
  return false;
};

const conciseProblem: RuffHandler = (scan, text, line, ctx) => {
  const concise = CONCISE_PROBLEM.exec(text)?.groups;
  if (concise?.code === undefined) return undefined;
  close(scan, ctx);
  scan.pendingCode = undefined;
  if (!isRuffRun(scan, line, ctx, concise.fixable !== undefined)) return false;
  scan.open = {
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
};

/** The ` --> file:line:col` under a code-first line: the problem starts at that line. */
const arrowLine: RuffHandler = (scan, text, line, ctx) => {
  const arrow = ARROW.exec(text)?.groups;
  const pending = scan.pendingCode;
  if (arrow?.file === undefined || !pending) return undefined;
  close(scan, ctx);
  const at = { line: Number(arrow.line), column: Number(arrow.column) };
  scan.open =
    pending.name !== undefined
      ? namedDraft(pending.name, pending.text, arrow.file, at, [pending.n, line.n])
      : {
          category: 'lint_format',
          tool: 'ruff',
          message: clip(pending.text),
          file: arrow.file,
          line: Number(arrow.line),
          column: Number(arrow.column),
          logLines: [pending.n, line.n],
          confidence: 0.95,
          data: { code: pending.code },
        };
  scan.pendingCode = undefined;
  return true;
};

const codeFirst: RuffHandler = (scan, text, line, ctx) => {
  const groups = CODE_FIRST.exec(text)?.groups;
  if (groups?.code === undefined) return undefined;
  close(scan, ctx);
  scan.pendingCode = { code: groups.code, message: groups.message ?? '', n: line.n, text: text.trim() };
  return true;
};

const nameFirst: RuffHandler = (scan, text, line, ctx) => {
  const groups = NAMED_FIRST.exec(text)?.groups;
  if (groups?.name === undefined) return undefined;
  close(scan, ctx);
  scan.pendingCode = { name: groups.name, message: groups.message ?? '', n: line.n, text: text.trim() };
  return true;
};

/** Any other line: a code-first line that waited for its arrow did not get one. */
const notAnArrow: RuffHandler = (scan) => {
  scan.pendingCode = undefined;
  return undefined;
};

const wouldReformat: RuffHandler = (scan, text, line, ctx) => {
  const file = WOULD_REFORMAT.exec(text)?.groups?.file;
  if (file === undefined) return undefined;
  close(scan, ctx);
  ctx.report({
    category: 'lint_format',
    tool: 'ruff',
    message: clip(text),
    file: file.trim(),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { formatter: 'ruff' },
  });
  return false;
};

const parseError: RuffHandler = (scan, text, line, ctx) => {
  const parse = PARSE_ERROR.exec(text)?.groups;
  if (parse?.file === undefined) return undefined;
  close(scan, ctx);
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
};

/** The code frame, `help:` and fix diff lines under a problem extend it; anything else ends it. */
const frameLine: RuffHandler = (scan, text, line, ctx) => {
  if (scan.open && FRAME_LINE.test(text)) {
    scan.open.logLines[1] = line.n;
    return true;
  }
  close(scan, ctx);
  return false;
};

/** What a line is, in this order. */
const LINE_HANDLERS: readonly RuffHandler[] = [
  conciseNamed,
  conciseProblem,
  arrowLine,
  codeFirst,
  nameFirst,
  notAnArrow,
  wouldReformat,
  parseError,
  frameLine,
];

export const ruffDetector: Detector = {
  id: 'ruff',
  description: 'Ruff lint problems (concise and full output, with the rule code) and `ruff format --check` files.',
  categories: ['lint_format', 'syntax_error'],
  example: 'src/app.py:1:8: F401 [*] `os` imported but unused',
  trigger:
    /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:\d+:\d+: (?:[A-Z]{1,4}\d{1,4} |invalid-syntax: |unformatted: )|^[A-Z]{1,4}\d{1,4} |^(?:invalid-syntax|unformatted): |^Would reformat: |^error: Failed to parse /,
  start() {
    const scan: RuffScan = { open: undefined, pendingCode: undefined, runIsRuff: undefined };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line.text.trimEnd(), line, ctx),
      end: (ctx) => close(scan, ctx),
    };
  },
};
