import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * ESLint and stylelint problems. The stylish format (a path line, then `  12:5  error  msg  rule`
 * lines, stylelint's with `✖`/`⚠` markers) gives one failure per problem, located by the path line
 * that heads the run; standard's report (`standard: Use JavaScript Standard Style` and `  file:12:5: msg`
 * lines under it); the one-line `file:12:5: msg (rule)` shapes (standard --verbose, eslint-plugin-prettier
 * wrappers, the compact formatter's `file: line 12, col 5, Error - msg (rule)` and the unix
 * formatter's `file:12:5: msg [Error/rule]`) too. `✖ N problems` is only reported when no problem
 * line was read, and ESLint crashing (`Oops! Something went wrong!`) is a lint failure of its own.
 */

const PROBLEM_HEAD = /^\s+(?<line>\d+):(?<column>\d+)\s+(?<severity>error|warning|✖|⚠)\s+/;
const RULE = /^@?[\w-]+(?:\/[\w.-]+)*$/;
const PATH_HEADER = /^(?:[A-Za-z]:)?[^\s:]+$/;
const HAS_EXTENSION = /\.[A-Za-z0-9]+$/;
const ONE_LINE =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s:]+\.(?:[cm]?[jt]sx?|vue|svelte|astro|json|md|mdx|css|scss|less|html)):(?<line>\d+)(?::(?<column>\d+))?:? (?<message>\S.*) \((?<rule>@?[\w-]+(?:\/[\w.-]+)*)\)$/;
const COMPACT =
  /^(?<file>\S.*?): line (?<line>\d+), col (?<column>\d+), (?<severity>Error|Warning) - (?<message>.*?)(?: \((?<rule>@?[\w-]+(?:\/[\w.-]+)*)\))?$/;
const UNIX =
  /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.[A-Za-z0-9]+):(?<line>\d+):(?<column>\d+): (?<message>.*) \[(?<severity>Error|Warning)(?:\/(?<rule>@?[\w-]+(?:\/[\w.-]+)*))?\]$/;
// standard (JavaScript Standard Style) and its kin print a headline, then `  /path/x.js:12:5: msg`
// lines with no rule; a parser crash adds the offending source and the error under its line.
const STANDARD_HEADLINE = /^(?:standard|semistandard|ts-standard|standardx|snazzy): (?:Use JavaScript Standard Style|Run `)/;
const STANDARD_PROBLEM = /^\s+(?<file>(?:[A-Za-z]:)?[^\s:]+\.[cm]?[jt]sx?):(?<line>\d+):(?<column>\d+): (?<message>\S.*)$/;
const SUMMARY = /^\s*✖ (?<problems>\d+) problems? \((?<errors>\d+) errors?, (?<warnings>\d+) warnings?\)/;
const CRASH = /^Oops! Something went wrong! :\(/;

interface ParsedProblem {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  stylelint: boolean;
  message: string;
  rule?: string;
}

function parseProblem(text: string): ParsedProblem | undefined {
  const head = PROBLEM_HEAD.exec(text);
  if (!head?.groups) return undefined;
  // Messages are padded to align the rule column: the rule is the text after the last double space.
  const rest = text.slice(head[0].length).trimEnd();
  const split = rest.lastIndexOf('  ');
  const tail = split >= 0 ? rest.slice(split).trim() : '';
  const marker = head.groups.severity ?? 'error';
  const problem: ParsedProblem = {
    line: Number(head.groups.line),
    column: Number(head.groups.column),
    severity: marker === 'warning' || marker === '⚠' ? 'warning' : 'error',
    stylelint: marker === '✖' || marker === '⚠',
    message: rest,
  };
  if (split >= 0 && RULE.test(tail)) {
    problem.rule = tail;
    problem.message = rest.slice(0, split).trim();
  }
  return problem;
}

function isParsingError(message: string): boolean {
  return /^Parsing error:|^CssSyntaxError|Unknown word/.test(message);
}

interface EslintScan {
  /** The path line heading the current run of stylish problem lines, and its line number. */
  currentFile: string | undefined;
  headerLine: number | undefined;
  /** The next problem line starts a run (its header is the line above it). */
  firstInRun: boolean;
  /** The last stylish problem read, not yet reported: stylelint's wrapped message lines extend it. */
  last: FailureDraft | undefined;
  problemsSeen: number;
  /** ESLint's crash report (`Oops! Something went wrong!`). */
  crash: BlockReader;
  /**
   * Warnings fail a run only under --max-warnings: they wait for the summary line to say whether
   * this run had errors at all.
   */
  pendingWarnings: FailureDraft[];
  /** Inside a standard report: the problem lines that follow its headline. */
  standard: boolean;
  /** standard's problem being read: a parser crash adds lines under it before it is reported. */
  standardProblem: FailureDraft | undefined;
}

type EslintHandler = LineHandler<[scan: EslintScan, line: LogLine, ctx: DetectorContext]>;

function reportProblem(scan: EslintScan, ctx: DetectorContext, draft: FailureDraft): void {
  scan.problemsSeen++;
  if (draft.data?.severity === 'warning') scan.pendingWarnings.push(draft);
  else ctx.report(draft);
}

function flushWarnings(scan: EslintScan, ctx: DetectorContext, keep: boolean): void {
  if (keep) for (const warning of scan.pendingWarnings) ctx.report(warning);
  scan.pendingWarnings = [];
}

function problemDraft(scan: EslintScan, line: LogLine, problem: ParsedProblem): FailureDraft {
  const parsing = isParsingError(problem.message);
  const data: Record<string, unknown> = { severity: problem.severity };
  if (problem.rule !== undefined) data.rule = problem.rule;
  const draft: FailureDraft = {
    category: parsing ? 'syntax_error' : 'lint_format',
    tool: problem.stylelint ? 'stylelint' : 'eslint',
    message: clip(line.text),
    line: problem.line,
    column: problem.column,
    logLines: [scan.firstInRun && scan.headerLine !== undefined ? scan.headerLine : line.n, line.n],
    // ESLint exits 0 on warnings unless --max-warnings says otherwise.
    confidence: problem.severity === 'error' ? 0.95 : 0.5,
    data,
  };
  if (scan.currentFile !== undefined) draft.file = scan.currentFile;
  return draft;
}

/** ESLint's crash report: the lines up to its stack trace (the `ESLint: x.y.z` line is no message). */
function crashBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'lint_format',
    tool: 'eslint',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.8,
  };
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (text.trim() !== '' && !/^\s*at /.test(text)) {
        draft.logLines[1] = next.n;
        if (/^ESLint: /.test(draft.message) || draft.message.startsWith('Oops!')) draft.message = clip(text);
      }
      return /^\s*at /.test(text) || draft.logLines[1] - draft.logLines[0] > 6 ? 'end' : true;
    },
  };
}

/** A stylish `  12:5  error  msg  rule` line; the first of a run takes its file from the path line above. */
const problemLine: EslintHandler = (scan, line, ctx) => {
  const problem = parseProblem(line.text);
  if (!problem) return undefined;
  if (scan.firstInRun) {
    const previous = ctx.before(1)[0];
    const header = previous?.text.trim() ?? '';
    const isHeader = previous !== undefined && PATH_HEADER.test(header) && HAS_EXTENSION.test(header);
    scan.currentFile = isHeader ? header : undefined;
    scan.headerLine = isHeader ? previous.n : undefined;
  }
  releaseLast(scan, ctx);
  scan.last = problemDraft(scan, line, problem);
  scan.firstInRun = false;
  return true;
};

/** Reports the last problem read: stylelint's wrapped message lines, if any, are in it by now. */
function releaseLast(scan: EslintScan, ctx: DetectorContext): void {
  if (scan.last !== undefined) reportProblem(scan, ctx, scan.last);
  scan.last = undefined;
}

/** stylelint wraps long messages onto deeply indented lines under the problem. */
const wrappedMessage: EslintHandler = (scan, line) => {
  if (!scan.last || scan.firstInRun || !/^\s{6,}\S/.test(line.text)) return undefined;
  scan.last.logLines[1] = line.n;
  return true;
};

/** Any other line ends the run of problem lines; it is read on. */
const endOfRun: EslintHandler = (scan, _line, ctx) => {
  releaseLast(scan, ctx);
  scan.firstInRun = true;
  return undefined;
};

const oneLineProblem: EslintHandler = (scan, line, ctx) => {
  const text = line.text;
  const oneLine = ONE_LINE.exec(text) ?? COMPACT.exec(text) ?? UNIX.exec(text);
  if (!oneLine?.groups) return undefined;
  const groups = oneLine.groups;
  const severity = groups.severity === 'Warning' ? 'warning' : 'error';
  const data: Record<string, unknown> = { severity };
  if (groups.rule !== undefined) data.rule = groups.rule;
  const draft: FailureDraft = {
    category: isParsingError(groups.message ?? '') ? 'syntax_error' : 'lint_format',
    tool: 'eslint',
    message: clip(text),
    file: groups.file,
    line: Number(groups.line),
    logLines: [line.n, line.n],
    confidence: severity === 'error' ? 0.9 : 0.5,
    data,
  };
  if (groups.column !== undefined) draft.column = Number(groups.column);
  reportProblem(scan, ctx, draft);
  return false;
};

/** `✖ N problems (E errors, W warnings)`: keeps the warnings only if there were errors; stands alone when no problem line was read. */
const summary: EslintHandler = (scan, line, ctx) => {
  const match = SUMMARY.exec(line.text);
  if (!match?.groups) return undefined;
  const errors = Number(match.groups.errors);
  flushWarnings(scan, ctx, errors > 0);
  if (scan.problemsSeen === 0 && errors > 0) {
    ctx.report({ category: 'lint_format', tool: 'eslint', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.7 });
  }
  return false;
};

const crash: EslintHandler = (scan, line, ctx) => (CRASH.test(line.text) ? scan.crash.open(crashBlock(line), ctx) : undefined);

/** standard's headline and the problem lines under it; any other unindented line ends the report. */
/** Reports standard's problem being read, now that no more lines can belong to it. */
function flushStandard(scan: EslintScan, ctx: DetectorContext): void {
  if (scan.standardProblem !== undefined) reportProblem(scan, ctx, scan.standardProblem);
  scan.standardProblem = undefined;
}

const standardReport: EslintHandler = (scan, line, ctx) => {
  const text = line.text;
  if (STANDARD_HEADLINE.test(text)) {
    scan.standard = true;
    return true;
  }
  if (!scan.standard) return undefined;
  const problem = STANDARD_PROBLEM.exec(text);
  if (problem?.groups) {
    flushStandard(scan, ctx);
    scan.standardProblem = {
      category: isParsingError(problem.groups.message ?? '') ? 'syntax_error' : 'lint_format',
      tool: 'standard',
      message: clip(text.trim()),
      file: problem.groups.file,
      line: Number(problem.groups.line),
      column: Number(problem.groups.column),
      logLines: [line.n, line.n],
      confidence: 0.9,
    };
    return true;
  }
  // A parser crash (reported at 0:0) under a problem line: the source excerpt, the caret and the error.
  const pending = scan.standardProblem;
  if (pending?.line === 0 && text.trim() !== '' && line.n - pending.logLines[1] === 1 && line.n - pending.logLines[0] <= 3) {
    pending.logLines[1] = line.n;
    return true;
  }
  flushStandard(scan, ctx);
  scan.standard = false;
  return undefined;
};

/** What a line can be, in this order; a line of a crash report being read never reaches them. */
const LINE_HANDLERS: readonly EslintHandler[] = [standardReport, problemLine, wrappedMessage, endOfRun, oneLineProblem, summary, crash];

export const eslintDetector: Detector = {
  id: 'eslint',
  description: 'ESLint and stylelint problems (stylish, compact and one-line formats), one failure per problem with its rule.',
  categories: ['lint_format', 'syntax_error'],
  example: "  12:5  error  'foo' is assigned a value but never used  no-unused-vars",
  trigger:
    /^\s+\d+:\d+\s+(?:error|warning|✖|⚠)\s|\.(?:[cm]?[jt]sx?|vue|svelte|astro|json|md|mdx|css|scss|less|html):\d+(?::\d+)?:? \S.* \(@?[\w-]+(?:\/[\w.-]+)*\)$|: line \d+, col \d+, (?:Error|Warning) - |:\d+:\d+: .* \[(?:Error|Warning)(?:\/[^\]\s]+)?\]$|✖ \d+ problems? \(|^Oops! Something went wrong!|^(?:standard|semistandard|ts-standard|standardx|snazzy): /,
  start() {
    const scan: EslintScan = {
      currentFile: undefined,
      headerLine: undefined,
      firstInRun: true,
      last: undefined,
      problemsSeen: 0,
      crash: new BlockReader(),
      pendingWarnings: [],
      standard: false,
      standardProblem: undefined,
    };
    return {
      line: (line, ctx) => scan.crash.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        releaseLast(scan, ctx);
        flushStandard(scan, ctx);
        flushWarnings(scan, ctx, true);
        scan.crash.close(ctx);
      },
    };
  },
};
