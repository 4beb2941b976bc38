import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * PHP: PHPUnit failure blocks (`There was 1 failure:` + `1) Class::test` … `/path/x.php:43`),
 * run-tests.php failures (`FAIL title [x.phpt]`, with the `========DIFF========` block before it),
 * PHPStan tables (`Line   src/x.php` + `1174   msg`), PHP parse and fatal errors, and Composer's
 * `Your requirements could not be resolved` problems.
 */

const PHPUNIT_SECTION = /^There (?:was|were) \d+ (?<kind>failure|error|risky test|warning)s?:$/;
const PHPUNIT_ITEM = /^(?<index>\d+)\) (?<test>\S+::\S+|\S+)(?: with data set .*)?$/;
const PHPUNIT_LOCATION = /^(?<file>(?:[A-Za-z]:)?\/?[^\s:]+\.php):(?<line>\d+)$/;
const PHPUNIT_SUMMARY = /^(?:FAILURES!|ERRORS!)$|^Tests: \d+, Assertions: \d+, (?:Failures|Errors): \d+/;

const PHPSTAN_HEADER = /^\s*Line\s+(?<file>\S+\.php)\s*$/;
const PHPSTAN_ROW = /^\s*(?<line>\d+)\s{2,}(?<message>\S.*?)\s*$/;
const PHPSTAN_CONTINUATION = /^\s{3,}\S.*$/;
const PHPSTAN_RULE = /^\s*-{3,}\s+-{3,}\s*$/;
const PHPSTAN_TOTAL = /^\s*\[ERROR\] Found \d+ errors?/;

const PHP_ERROR =
  /^(?:PHP )?(?<kind>Parse error|Fatal error|Warning|Catchable fatal error):\s+(?<message>.*?) in (?<file>\S+\.php)(?: on line |:)(?<line>\d+)/;

// run-tests.php (php-src and extensions): a failed test's `========DIFF========` … `========DONE========`
// block (shown with --show-diff), then `FAIL title [ext/x/tests/y.phpt]`.
const RUN_TESTS_DIFF = /^={8}DIFF={8}$/;
const RUN_TESTS_DONE = /^={8}DONE={8}$/;
const RUN_TESTS_FAIL = /^FAIL (?<title>.+?) \[(?<test>[^\]\s]+\.phpt)\]/;
const RUN_TESTS_WHERE = / in (?<file>\S+\.php) on line (?<line>\d+)/;

const COMPOSER_UNRESOLVABLE =
  /^Your requirements could not be resolved to an installable set of packages\.|^Your lock file does not contain a compatible set of packages/;
const COMPOSER_PROBLEM = /^\s+- (?<message>.+)$/;

interface PhpScan {
  blocks: BlockReader;
  /** The kind of the PHPUnit section being read (`There were 2 failures:` → 'failure'). */
  phpunitKind: string | undefined;
  sawTestFailure: boolean;
}

type PhpHandler = LineHandler<[scan: PhpScan, line: LogLine, ctx: DetectorContext]>;

/** A PHPUnit `1) Class::test` item: the message, then the stack of `file.php:line` lines and a blank line. */
function phpunitBlock(line: LogLine, item: RegExpExecArray): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'phpunit',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { test: item.groups?.test },
  };
  let blankRun = 0;
  return {
    draft,
    accepts(next) {
      // The block ends with the stack of `file.php:line` lines, then a blank line.
      if (PHPUNIT_ITEM.test(next.text) || PHPUNIT_SUMMARY.test(next.text) || next.n - draft.logLines[0] > 60) return false;
      const location = PHPUNIT_LOCATION.exec(next.text.trim());
      if (location) {
        if (draft.file === undefined) {
          draft.file = location.groups?.file;
          draft.line = Number(location.groups?.line);
        }
        draft.logLines[1] = next.n;
        blankRun = 0;
        return true;
      }
      if (next.text.trim() === '') {
        blankRun++;
        return draft.file === undefined && blankRun < 3;
      }
      if (draft.file !== undefined) return false;
      blankRun = 0;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** A PHPStan table for one file (`Line   src/x.php`): one failure per row, reported as the next row begins. */
function phpstanBlock(line: LogLine, header: RegExpExecArray): OpenBlock {
  const file = header.groups?.file;
  let current: FailureDraft | undefined;
  const draftFor = (n: number, row: RegExpExecArray): FailureDraft => ({
    category: 'type_check',
    tool: 'phpstan',
    message: clip(row.groups?.message ?? ''),
    file,
    line: Number(row.groups?.line),
    logLines: [n === line.n + 2 ? line.n : n, n],
    confidence: 0.9,
  });
  return {
    // A placeholder until the first row: replaced as rows arrive.
    draft: { category: 'type_check', tool: 'phpstan', message: clip(line.text), file, logLines: [line.n, line.n], confidence: 0.5 },
    accepts(next, ctx) {
      if (PHPSTAN_RULE.test(next.text)) return true;
      const row = PHPSTAN_ROW.exec(next.text);
      if (row) {
        if (current) ctx.report(current);
        current = draftFor(next.n, row);
        this.draft = current;
        return true;
      }
      if (current && PHPSTAN_CONTINUATION.test(next.text)) {
        current.message = clip(`${current.message} ${next.text.trim()}`);
        current.logLines[1] = next.n;
        return true;
      }
      return false;
    },
    // A table header that never got a row: nothing to report.
    finish: () => current !== undefined,
  };
}

/** Composer's `Your requirements could not be resolved`, and the problems it lists (the first is the message). */
function composerBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'dependency_resolution',
    tool: 'composer',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  return {
    draft,
    accepts(next) {
      if (next.n - draft.logLines[0] > 40) return false;
      if (/^\s*Problem \d+$/.test(next.text) || next.text.trim() === '') return true;
      const problem = COMPOSER_PROBLEM.exec(next.text);
      if (!problem) return false;
      // The first problem line is the one that names the conflict; use it as the message.
      if (draft.message.startsWith('Your ')) {
        draft.message = clip(`${problem.groups?.message ?? ''}`);
        draft.logLines[0] = next.n;
      }
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** php-src's run-tests.php rejects an option it does not know and prints its usage. */
/** run-tests.php's diff of a failed test, up to the `FAIL` line that names the test; a diff no `FAIL` follows is dropped. */
function runTestsBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'run-tests',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  let done = false;
  let failed = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (done) {
        const fail = RUN_TESTS_FAIL.exec(text);
        if (!fail) return false;
        failed = true;
        draft.message = clip(text);
        draft.data = { test: fail.groups?.test };
        draft.file ??= fail.groups?.test;
        draft.logLines[1] = next.n;
        return 'end';
      }
      if (next.n - draft.logLines[0] > 300) return false;
      if (RUN_TESTS_DONE.test(text)) done = true;
      const where = RUN_TESTS_WHERE.exec(text);
      if (where?.groups && draft.file === undefined) {
        draft.file = where.groups.file;
        draft.line = Number(where.groups.line);
      }
      draft.logLines[1] = next.n;
      return true;
    },
    finish: () => failed,
  };
}

const runTestsDiff: PhpHandler = (scan, line, ctx) =>
  RUN_TESTS_DIFF.test(line.text) ? scan.blocks.open(runTestsBlock(line), ctx) : undefined;

/** `FAIL title [x.phpt]` with no diff before it. */
const runTestsFail: PhpHandler = (_scan, line, ctx) => {
  const fail = RUN_TESTS_FAIL.exec(line.text);
  if (!fail?.groups) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'run-tests',
    message: clip(line.text),
    file: fail.groups.test,
    logLines: [line.n, line.n],
    confidence: 0.8,
    data: { test: fail.groups.test },
  });
  return false;
};

const illegalSwitch: PhpHandler = (_scan, line, ctx) => {
  if (!/^Illegal switch '[^']*' specified!$/.test(line.text)) return undefined;
  ctx.report({ category: 'other', tool: 'run-tests', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.7 });
  return false;
};

const phpunitSection: PhpHandler = (scan, line) => {
  const section = PHPUNIT_SECTION.exec(line.text);
  if (!section) return undefined;
  scan.phpunitKind = section.groups?.kind;
  return true;
};

const phpunitItem: PhpHandler = (scan, line, ctx) => {
  const kind = scan.phpunitKind;
  const item = kind && (kind === 'failure' || kind === 'error') ? PHPUNIT_ITEM.exec(line.text) : null;
  if (item) {
    scan.sawTestFailure = true;
    return scan.blocks.open(phpunitBlock(line, item), ctx);
  }
  return kind && line.text.trim() === '' ? true : undefined;
};

const phpunitSummary: PhpHandler = (scan, line, ctx) => {
  if (!PHPUNIT_SUMMARY.test(line.text)) return undefined;
  scan.phpunitKind = undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'phpunit',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawTestFailure ? 0.3 : 0.6,
  });
  return false;
};

const phpstanTable: PhpHandler = (scan, line, ctx) => {
  const header = PHPSTAN_HEADER.exec(line.text);
  if (header) return scan.blocks.open(phpstanBlock(line, header), ctx);
  return PHPSTAN_TOTAL.test(line.text) ? false : undefined;
};

const phpError: PhpHandler = (_scan, line, ctx) => {
  const match = PHP_ERROR.exec(line.text);
  if (!match) return undefined;
  const kind = match.groups?.kind ?? '';
  if (kind === 'Warning') return false;
  const isParse = kind === 'Parse error';
  ctx.report({
    category: isParse ? 'syntax_error' : 'compilation_error',
    tool: 'php',
    message: clip(line.text),
    file: match.groups?.file,
    line: Number(match.groups?.line),
    logLines: [line.n, line.n],
    confidence: isParse ? 0.95 : 0.7,
  });
  return false;
};

const composerUnresolvable: PhpHandler = (scan, line, ctx) =>
  COMPOSER_UNRESOLVABLE.test(line.text) ? scan.blocks.open(composerBlock(line), ctx) : undefined;

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly PhpHandler[] = [
  illegalSwitch,
  runTestsDiff,
  runTestsFail,
  phpunitSection,
  phpunitItem,
  phpunitSummary,
  phpstanTable,
  phpError,
  composerUnresolvable,
];

export const phpDetector: Detector = {
  id: 'php',
  description:
    'PHPUnit failures, run-tests.php FAIL lines with their diffs, PHPStan error tables, PHP parse/fatal errors and Composer resolution problems.',
  categories: ['test_failure', 'type_check', 'syntax_error', 'compilation_error', 'dependency_resolution', 'other'],
  example: 'PHP Parse error:  syntax error, unexpected end of file in /app/src/Kernel.php on line 42',
  trigger:
    /^There (?:was|were) \d+ |^\d+\) \S|^FAILURES!|^ERRORS!|^\s*Line\s+\S+\.php|error:|Fatal error|Your requirements could not be resolved|Your lock file does not contain|^Illegal switch '|^={8}DIFF={8}$|^FAIL .*\.phpt\]/,
  start() {
    const scan: PhpScan = { blocks: new BlockReader(), phpunitKind: undefined, sawTestFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
