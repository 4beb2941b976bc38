import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Jest: each `● Suite › test` block under a `FAIL path` header is one failure, located by the first
 * stack frame in the project (else the suite file). `● Test suite failed to run` blocks are
 * classified by what they hold (a missing module, a syntax error, ts-jest type errors); a syntax
 * error with no project frame is located by Babel's `SyntaxError: /abs/file.js: msg (line:col)`
 * (its column counted from 0). The `Tests: N failed` summary is reported only when no block was
 * read, and the repeated "Summary of all failing tests" section is skipped.
 */

const FAIL_HEADER = /^\s*FAIL\s+(?<file>[^\s>]+\.[A-Za-z0-9]+)(?:\s+\([\d.]+ ?m?s\))?\s*$/;
const BULLET = /^\s{0,4}● (?<title>\S.*)$/;
const NOT_A_FAILURE = /^(?:Console|Deprecation Warning|Validation (?:Warning|Error))\b/;
const FRAME = /^\s+at (?:.*? \()?(?<file>(?:[A-Za-z]:)?[^\s():]+):(?<line>\d+):(?<column>\d+)\)?$/;
const SUMMARY = /^Tests:\s+(?<failed>\d+) failed/;
const REPEATED_SUMMARY = /^Summary of all failing tests/;
const MISSING_MODULE = /Cannot find module '(?<module>[^']+)'(?: from '(?<from>[^']+)')?/;
const SYNTAX = /SyntaxError|Jest encountered an unexpected token|Unexpected token/;
const TYPE_ERROR = /error TS\d+:|TS\d{4,5}:/;
// Jest fails a run that matched no test file unless `--passWithNoTests` is given.
const NO_TESTS = /^No tests found, exiting with code 1\s*$/;
const NO_TESTS_DETAIL = /^Run with `--passWithNoTests`|^In \S|^\s{2,}\S/;
const BABEL_SYNTAX = /^\s*SyntaxError: (?<file>(?:[A-Za-z]:)?[^\s:]+): .*\((?<line>\d+):(?<column>\d+)\)$/;

function isProjectFrame(file: string): boolean {
  return !/node_modules|^node:|^internal\/|^\/?<anonymous>/.test(file);
}

function isRelativeSpecifier(module: string): boolean {
  return module.startsWith('.') || module.startsWith('/');
}

interface JestScan {
  blocks: BlockReader;
  /** `No tests found, exiting with code 1` and Jest's explanation under it. */
  noTests: BlockReader;
  /** The `FAIL path` header above the blocks being read. */
  suite: { file: string; n: number; used: boolean } | undefined;
  blocksReported: number;
  inRepeatedSummary: boolean;
  summaryReported: boolean;
}

type JestHandler = LineHandler<[scan: JestScan, line: LogLine, ctx: DetectorContext]>;

/**
 * What a `● Test suite failed to run` block holds: a missing module, ts-jest type errors, or a
 * syntax error (located by Babel's `SyntaxError: /abs/file.js: msg (line:col)` when no frame is).
 */
function suiteFailureCategory(draft: FailureDraft, body: readonly string[], text: string): Category {
  const missing = MISSING_MODULE.exec(text)?.groups;
  if (missing?.module !== undefined) {
    if (isRelativeSpecifier(missing.module)) {
      draft.data = { ...draft.data, path: missing.module };
      return 'missing_file';
    }
    draft.data = { ...draft.data, ecosystem: 'node', module: missing.module };
    return 'import_missing_module';
  }
  if (TYPE_ERROR.test(text)) return 'type_check';
  if (!SYNTAX.test(text)) return 'test_failure';
  const at = draft.line === undefined ? body.map((line) => BABEL_SYNTAX.exec(line)?.groups).find((g) => g !== undefined) : undefined;
  if (at?.file !== undefined) {
    // Babel names the file by its absolute path: keep the suite's relative name when it is that file.
    if (draft.file === undefined || !at.file.endsWith(`/${draft.file}`)) draft.file = at.file;
    draft.line = Number(at.line);
    draft.column = Number(at.column) + 1; // Babel counts columns from 0
  }
  return 'syntax_error';
}

/** A `● Suite › test` block: the lines indented under the bullet, located by the first project frame. */
function failureBlock(scan: JestScan, line: LogLine, title: string, indent: number): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'jest',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { test: title },
  };
  const suite = scan.suite;
  // The first block under a FAIL header starts at the header: it names the suite that failed.
  if (suite && !suite.used) {
    draft.logLines[0] = suite.n;
    suite.used = true;
  }
  if (suite) {
    draft.file = suite.file;
    draft.data = { ...draft.data, suite: suite.file };
  }
  const suiteFailedToRun = /^Test suite failed to run/.test(title);
  const body: string[] = [];
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (BULLET.test(text)) return false;
      if (text.trim() !== '' && text.length - text.trimStart().length <= indent) return false;
      if (text.trim() !== '') {
        draft.logLines[1] = next.n;
        body.push(text);
        const frame = FRAME.exec(text)?.groups;
        if (frame?.file !== undefined && isProjectFrame(frame.file) && draft.line === undefined) {
          draft.file = frame.file;
          draft.line = Number(frame.line);
          draft.column = Number(frame.column);
        }
      }
      return body.length < 400 || 'end';
    },
    finish() {
      const text = body.join('\n');
      draft.category = suiteFailedToRun ? suiteFailureCategory(draft, body, text) : 'test_failure';
      if (/toMatch(?:Inline)?Snapshot|Snapshot name: /.test(text)) draft.data = { ...draft.data, snapshot: true };
      const firstError = body.find((bodyLine) => bodyLine.trim() !== '');
      if (firstError !== undefined) draft.data = { ...draft.data, error: clip(firstError) };
      scan.blocksReported++;
      return true;
    },
  };
}

/** `No tests found, exiting with code 1`, with Jest's explanation (`Run with --passWithNoTests`, the roots and testMatch it tried). */
function noTestsBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'jest',
    message: line.text.trim(),
    logLines: [line.n, line.n],
    confidence: 0.85,
    data: { noTests: true },
  };
  return {
    draft,
    accepts(next) {
      if (!NO_TESTS_DETAIL.test(next.text) || next.n - draft.logLines[0] >= 30) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

const noTests: JestHandler = (scan, line, ctx) => (NO_TESTS.test(line.text) ? scan.noTests.open(noTestsBlock(line), ctx) : undefined);

const repeatedSummary: JestHandler = (scan, line) => {
  if (!REPEATED_SUMMARY.test(line.text)) return undefined;
  scan.inRepeatedSummary = true;
  return false;
};

const failHeader: JestHandler = (scan, line) => {
  const header = FAIL_HEADER.exec(line.text);
  if (header?.groups?.file === undefined) return undefined;
  scan.suite = { file: header.groups.file, n: line.n, used: false };
  return false;
};

const bullet: JestHandler = (scan, line, ctx) => {
  const text = line.text;
  const match = BULLET.exec(text);
  if (match?.groups?.title === undefined) return undefined;
  const title = match.groups.title.trim();
  if (NOT_A_FAILURE.test(title) || scan.inRepeatedSummary) return false;
  return scan.blocks.open(failureBlock(scan, line, title, text.length - text.trimStart().length), ctx);
};

/** `Tests: N failed`, reported only when no block was read. */
const summary: JestHandler = (scan, line, ctx) => {
  if (!SUMMARY.test(line.text) || scan.blocksReported > 0 || scan.summaryReported) return undefined;
  scan.summaryReported = true;
  ctx.report({ category: 'test_failure', tool: 'jest', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.5 });
  return false;
};

/** What a line can start, in this order; a line an open block takes never reaches them. */
const LINE_HANDLERS: readonly JestHandler[] = [noTests, repeatedSummary, failHeader, bullet, summary];

export const jestDetector: Detector = {
  id: 'jest',
  description: 'Jest `● Suite › test` failure blocks (assertions, snapshots, suites that failed to run) and the `Tests: N failed` summary.',
  categories: ['test_failure', 'import_missing_module', 'missing_file', 'syntax_error', 'type_check'],
  example: '  ● Button › renders the label',
  trigger: /FAIL\s|● |^Tests:\s+\d+ failed|^Summary of all failing tests|^No tests found, exiting with code 1/,
  start() {
    const scan: JestScan = {
      blocks: new BlockReader(),
      noTests: new BlockReader(),
      suite: undefined,
      blocksReported: 0,
      inRepeatedSummary: false,
      summaryReported: false,
    };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? scan.noTests.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        scan.blocks.close(ctx);
        scan.noTests.close(ctx);
      },
    };
  },
};
