import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * R package checks (`R CMD check`, testthat): failed test files (`Running the tests in
 * ‘tests/x.R’ failed.` with the output tail R prints under it, located by the first testthat failure
 * or parse error in that tail), missing packages (`Package required
 * but not available: ‘x’`, `there is no package called ‘x’`), and other `* checking … ERROR` steps.
 */

const TESTS_FAILED = /^Running the tests in [‘'](?<file>[^’']+)[’'] failed\.$/;
const RUNNING_TEST_FILE = /^\s*Running [‘'][^’']+[’']/;
const MISSING_PACKAGE =
  /^(?:Packages? required but not available|Packages? required and available but unsuitable versions?): (?<pkgs>.+)$|there is no package called [‘'](?<pkg>[^’']+)[’']/;
const CHECK_ERROR = /^\* checking (?<what>.+?) \.\.\. ERROR$/;
const TESTTHAT_FAILURE = /^\s*(?:\d+\. )?(?:Failure|Error) \((?:@|at )?(?<file>[^#:)]+)[#:](?<line>\d+)/;
// testthat 2+: `── 1. Error: what it tests (@test-app.R#41)  ───…`.
const TESTTHAT_RULED = /^\s*── \d+\. (?:Failure|Error|Skip)[^(]*\(@(?<file>[^#)\s]+)#(?<line>\d+)\)/;
const TESTTHAT_RULED_CUT = /^\s*── (?<index>\d+)\. (?:Failure|Error)\b/;
const TESTTHAT_LISTED = /^\s*(?<index>\d+)\. (?:Failure|Error)[^(]*\(@(?<file>[^#)\s]+)#(?<line>\d+)\)/;
// R's parser: `test-ts.R:4:1: unexpected '<'`.
const R_PARSE_ERROR = /^\s*(?<file>[^\s:]+\.[Rr]):(?<line>\d+):(?<column>\d+): unexpected /;

interface RCheckScan {
  blocks: BlockReader;
  /** A `* checking … ERROR` step, reported only if nothing more specific follows it. */
  pendingCheck: { what: string; n: number } | undefined;
}

type RCheckHandler = LineHandler<[scan: RCheckScan, line: LogLine, ctx: DetectorContext]>;

/** Where the output tail says the failure is, read one line at a time. */
interface TailState {
  /** The number of a ruled testthat report whose line was cut before its `(@file#line)`. */
  cutIndex: string | undefined;
}

/**
 * A line of the output tail under `Running the tests in … failed.`: the first testthat failure
 * (`1. Failure (at test-x.R#29)`, `── 1. Error: … (@test-x.R#41)`) or R parse error
 * (`test-x.R:4:1: unexpected '<'`) locates the failure in the test file; a parse error is a syntax
 * error. R cuts long lines: a ruled report cut before its location is found again, by its number,
 * in testthat's closing list (`2. Failure: … (@test-x.R#43)`).
 */
function readTail(draft: FailureDraft, headline: string, text: string, state: TailState): void {
  if (draft.line !== undefined) return;
  const parse = R_PARSE_ERROR.exec(text);
  let located = parse ?? TESTTHAT_FAILURE.exec(text) ?? TESTTHAT_RULED.exec(text);
  if (!located) {
    const cut = TESTTHAT_RULED_CUT.exec(text);
    if (cut?.groups && state.cutIndex === undefined) state.cutIndex = cut.groups.index;
    const listed = TESTTHAT_LISTED.exec(text);
    if (listed?.groups && listed.groups.index === state.cutIndex) located = listed;
  }
  if (!located?.groups) return;
  draft.message = clip(`${headline} ${text.trim()}`);
  draft.file = located.groups.file;
  draft.line = Number(located.groups.line);
  if (parse) draft.category = 'syntax_error';
}

/** A test file that failed, with the tail of its output R prints under it. */
function testsFailedBlock(line: LogLine, ctx: DetectorContext, testsFailed: RegExpExecArray): OpenBlock {
  const text = line.text;
  // R prints `Running ‘x.R’` and ` ERROR` just above; they name the file that failed.
  const previous = ctx.before(3);
  const runningLine = previous.find((candidate) => RUNNING_TEST_FILE.test(candidate.text));
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'R CMD check',
    message: clip(text),
    file: testsFailed.groups?.file,
    logLines: [runningLine ? runningLine.n : line.n, line.n],
    confidence: 0.9,
  };
  const tail: TailState = { cutIndex: undefined };
  return {
    draft,
    accepts(next) {
      if (next.n - line.n > 60) return false;
      if (!/^Last \d+ lines of output:$|^\s{2}/.test(next.text)) return false;
      readTail(draft, text, next.text, tail);
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

function reportPendingCheck(scan: RCheckScan, ctx: DetectorContext): void {
  const pending = scan.pendingCheck;
  if (!pending) return;
  ctx.report({
    category: 'other',
    tool: 'R CMD check',
    message: `* checking ${pending.what} ... ERROR`,
    logLines: [pending.n, pending.n],
    confidence: 0.4,
  });
}

const testsFailed: RCheckHandler = (scan, line, ctx) => {
  const match = TESTS_FAILED.exec(line.text);
  if (!match) return undefined;
  scan.pendingCheck = undefined;
  return scan.blocks.open(testsFailedBlock(line, ctx, match), ctx);
};

const missingPackage: RCheckHandler = (scan, line, ctx) => {
  const missing = MISSING_PACKAGE.exec(line.text);
  if (!missing) return undefined;
  scan.pendingCheck = undefined;
  const packages = (missing.groups?.pkg ?? missing.groups?.pkgs ?? '')
    .split(/,\s*/)
    .map((name) => name.replace(/[‘’']/g, '').trim())
    .filter((name) => name !== '');
  ctx.report({
    category: 'import_missing_module',
    tool: 'R',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.9,
    data: { packages },
  });
  return false;
};

const checkError: RCheckHandler = (scan, line, ctx) => {
  const check = CHECK_ERROR.exec(line.text);
  if (!check) return undefined;
  reportPendingCheck(scan, ctx);
  scan.pendingCheck = { what: check.groups?.what ?? '', n: line.n };
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly RCheckHandler[] = [testsFailed, missingPackage, checkError];

export const rCheckDetector: Detector = {
  id: 'r-check',
  description: 'R CMD check and testthat failures and missing R packages.',
  categories: ['test_failure', 'syntax_error', 'import_missing_module', 'other'],
  example: 'Package required but not available: ‘lubridate’',
  trigger: /^Running the tests in |required but not available|unsuitable version|there is no package called|^\* checking .* \.\.\. ERROR$/,
  start() {
    const scan: RCheckScan = { blocks: new BlockReader(), pendingCheck: undefined };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        scan.blocks.close(ctx);
        reportPendingCheck(scan, ctx);
      },
    };
  },
};
