import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * ESLint and stylelint problems. The stylish format (a path line, then `  12:5  error  msg  rule`
 * lines, stylelint's with `✖`/`⚠` markers) gives one failure per problem, located by the path line
 * that heads the run; the one-line `file:12:5: msg (rule)` shapes (standard, eslint-plugin-prettier
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

export const eslintDetector: Detector = {
  id: 'eslint',
  description: 'ESLint and stylelint problems (stylish, compact and one-line formats), one failure per problem with its rule.',
  categories: ['lint_format', 'syntax_error'],
  example: "  12:5  error  'foo' is assigned a value but never used  no-unused-vars",
  trigger:
    /^\s+\d+:\d+\s+(?:error|warning|✖|⚠)\s|\.(?:[cm]?[jt]sx?|vue|svelte|astro|json|md|mdx|css|scss|less|html):\d+(?::\d+)?:? \S.* \(@?[\w-]+(?:\/[\w.-]+)*\)$|: line \d+, col \d+, (?:Error|Warning) - |:\d+:\d+: .* \[(?:Error|Warning)(?:\/[^\]\s]+)?\]$|✖ \d+ problems? \(|^Oops! Something went wrong!/,
  start() {
    let currentFile: string | undefined;
    let headerLine: number | undefined;
    let firstInRun = true;
    let last: FailureDraft | undefined;
    let problemsSeen = 0;
    let crash: FailureDraft | undefined;
    // Warnings fail a run only under --max-warnings: they wait for the summary line to say whether
    // this run had errors at all.
    let pendingWarnings: FailureDraft[] = [];

    const report = (ctx: DetectorContext, draft: FailureDraft) => {
      problemsSeen++;
      if (draft.data?.severity === 'warning') pendingWarnings.push(draft);
      else ctx.report(draft);
    };
    const flushWarnings = (ctx: DetectorContext, keep: boolean) => {
      if (keep) for (const warning of pendingWarnings) ctx.report(warning);
      pendingWarnings = [];
    };

    const problemDraft = (line: LogLine, problem: ParsedProblem): FailureDraft => {
      const parsing = isParsingError(problem.message);
      const data: Record<string, unknown> = { severity: problem.severity };
      if (problem.rule !== undefined) data.rule = problem.rule;
      const draft: FailureDraft = {
        category: parsing ? 'syntax_error' : 'lint_format',
        tool: problem.stylelint ? 'stylelint' : 'eslint',
        message: clip(line.text),
        line: problem.line,
        column: problem.column,
        logLines: [firstInRun && headerLine !== undefined ? headerLine : line.n, line.n],
        // ESLint exits 0 on warnings unless --max-warnings says otherwise.
        confidence: problem.severity === 'error' ? 0.95 : 0.5,
        data,
      };
      if (currentFile !== undefined) draft.file = currentFile;
      return draft;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (crash) {
          if (text.trim() !== '' && !/^\s*at /.test(text)) {
            crash.logLines[1] = line.n;
            if (/^ESLint: /.test(crash.message) || crash.message.startsWith('Oops!')) crash.message = clip(text);
          }
          if (/^\s*at /.test(text) || crash.logLines[1] - crash.logLines[0] > 6) {
            ctx.report(crash);
            crash = undefined;
            return false;
          }
          return true;
        }

        const problem = parseProblem(text);
        if (problem) {
          if (firstInRun) {
            const previous = ctx.before(1)[0];
            const header = previous?.text.trim() ?? '';
            if (previous && PATH_HEADER.test(header) && HAS_EXTENSION.test(header)) {
              currentFile = header;
              headerLine = previous.n;
            } else {
              currentFile = undefined;
              headerLine = undefined;
            }
          }
          last = problemDraft(line, problem);
          firstInRun = false;
          report(ctx, last);
          return true;
        }
        // stylelint wraps long messages onto deeply indented lines under the problem.
        if (last && !firstInRun && /^\s{6,}\S/.test(text)) {
          last.logLines[1] = line.n;
          return true;
        }
        firstInRun = true;
        last = undefined;

        const oneLine = ONE_LINE.exec(text) ?? COMPACT.exec(text) ?? UNIX.exec(text);
        if (oneLine?.groups) {
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
          report(ctx, draft);
          return false;
        }

        const summary = SUMMARY.exec(text);
        if (summary?.groups) {
          flushWarnings(ctx, Number(summary.groups.errors) > 0);
          if (problemsSeen === 0 && Number(summary.groups.errors) > 0) {
            ctx.report({
              category: 'lint_format',
              tool: 'eslint',
              message: clip(text),
              logLines: [line.n, line.n],
              confidence: 0.7,
            });
          }
          return false;
        }

        if (CRASH.test(text)) {
          crash = { category: 'lint_format', tool: 'eslint', message: clip(text), logLines: [line.n, line.n], confidence: 0.8 };
          return true;
        }
        return false;
      },
      end(ctx) {
        flushWarnings(ctx, true);
        if (crash) ctx.report(crash);
        crash = undefined;
      },
    };
  },
};
