import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { classifyPythonException, EXCEPTION_LINE, FRAME, isLibraryPath, isTestPath, type PythonFrame } from './python-traceback.js';
import { clip, firstAnswer, type LineHandler } from '../detector-helpers.js';

/**
 * Python unittest (and runners that print its report: Django, CPython's regrtest, nose2): a
 * `FAIL: test_x (mod.Class)` / `ERROR: test_x (mod.Class)` block with its traceback, read up to the
 * exception line and the lines that continue its message; one failure per block, located at the
 * deepest frame in test code. `FAILED (failures=1, errors=2)` after `Ran N tests` is the fallback
 * when the log holds no block.
 */

// unittest-xml-reporting and PyTorch's runner add the duration: `FAIL [0.123s]: test_x (m.C)`.
const BLOCK = /^(?<kind>FAIL|ERROR)(?: \[[\d.]+m?s\])?: (?<test>\S+) \((?<where>[^)]*)\)/;
const RULE = /^(?:={20,}|-{20,})$/;
const SUMMARY = /^FAILED \((?:failures|errors)=\d+/;

interface UnittestBlock {
  kind: string;
  test: string;
  where: string;
  start: number;
  last: number;
  frames: PythonFrame[];
  exception?: { type: string; message: string };
  /** true after the exception line: message continuation lines may follow. */
  afterException: boolean;
}

function draftFrom(block: UnittestBlock): FailureDraft {
  const inTestFrames = block.frames.filter((frame) => isTestPath(frame.file));
  const frame = inTestFrames[inTestFrames.length - 1] ?? [...block.frames].reverse().find((f) => !isLibraryPath(f.file)) ?? block.frames[0];
  const facts = block.exception ? classifyPythonException(block.exception.type, block.exception.message, true) : undefined;
  const category = facts?.category === 'import_missing_module' || facts?.category === 'syntax_error' ? facts.category : 'test_failure';
  const summary = block.exception ? `${block.exception.type}:${block.exception.message}`.replace(/:$/, '') : block.kind;
  const draft: FailureDraft = {
    category,
    tool: 'unittest',
    message: `${block.kind}: ${block.test} (${block.where}): ${summary}`.slice(0, 500),
    logLines: [block.start, block.last],
    confidence: 0.93,
    data: {
      ...(category === 'test_failure' ? {} : facts?.data),
      test: block.where.endsWith(`.${block.test}`) ? block.where : `${block.where}.${block.test}`,
    },
  };
  if (frame) {
    draft.file = frame.file;
    draft.line = frame.line;
  }
  return draft;
}

interface UnittestScan {
  block: UnittestBlock | undefined;
  reported: boolean;
  /** The `FAILED (failures=N)` line: the fallback when no block was read. */
  summary: LogLine | undefined;
}

/** Handlers get the line's text without trailing space, and the line. */
type UnittestHandler = LineHandler<[scan: UnittestScan, text: string, line: LogLine, ctx: DetectorContext]>;

function close(scan: UnittestScan, ctx: DetectorContext): void {
  if (scan.block) {
    ctx.report(draftFrom(scan.block));
    scan.reported = true;
  }
  scan.block = undefined;
}

/** Ends the block before this line, which is then not read. */
function closeBefore(scan: UnittestScan, ctx: DetectorContext): false {
  close(scan, ctx);
  return false;
}

const blockOpening: UnittestHandler = (scan, text, line, ctx) => {
  const opening = BLOCK.exec(text)?.groups;
  if (opening?.test === undefined) return undefined;
  close(scan, ctx);
  // unittest opens each block with a rule of '=' just above the FAIL:/ERROR: line.
  const above = ctx.before(1)[0];
  const ruled = above !== undefined && above.n === line.n - 1 && /^={20,}$/.test(above.text.trim());
  scan.block = {
    kind: opening.kind ?? 'FAIL',
    test: opening.test,
    where: opening.where ?? '',
    start: ruled ? above.n : line.n,
    last: line.n,
    frames: [],
    afterException: false,
  };
  return true;
};

const summaryLine: UnittestHandler = (scan, text, line, ctx) => {
  if (!SUMMARY.test(text)) return undefined;
  close(scan, ctx);
  scan.summary = line;
  return false;
};

/** A line of the open block: its traceback, then the exception line and the lines that continue its message. */
function readBlockLine(scan: UnittestScan, block: UnittestBlock, text: string, line: LogLine, ctx: DetectorContext): boolean {
  if (RULE.test(text)) {
    // The dashes under the FAIL: line belong to the block; later rules end it.
    return block.frames.length === 0 && !block.afterException ? true : closeBefore(scan, ctx);
  }
  if (block.afterException) {
    // A long assertion diff is still the message, but a block that never ends is not one.
    if (text.trim() === '' || line.n - block.last > 1 || line.n - block.start > 60) return closeBefore(scan, ctx);
    block.last = line.n;
    return true;
  }
  const frame = FRAME.exec(text)?.groups;
  if (frame?.file !== undefined) {
    block.frames.push({ file: frame.file, line: Number(frame.line), n: line.n });
    block.last = line.n;
    return true;
  }
  if (/^\s/.test(text) || /^Traceback /.test(text) || text === '') return true;
  const exception = EXCEPTION_LINE.exec(text.trim());
  if (exception?.groups?.type !== undefined) {
    block.exception = { type: exception.groups.type, message: exception.groups.message ?? '' };
    block.afterException = true;
  }
  block.last = line.n;
  return true;
}

const blockLine: UnittestHandler = (scan, text, line, ctx) => (scan.block ? readBlockLine(scan, scan.block, text, line, ctx) : false);

/** What a line is, in this order. */
const LINE_HANDLERS: readonly UnittestHandler[] = [blockOpening, summaryLine, blockLine];

function reportAtEnd(scan: UnittestScan, ctx: DetectorContext): void {
  close(scan, ctx);
  const summary = scan.summary;
  if (!scan.reported && summary) {
    ctx.report({
      category: 'test_failure',
      tool: 'unittest',
      message: clip(summary.text),
      logLines: [summary.n, summary.n],
      confidence: 0.7,
    });
  }
}

export const unittestDetector: Detector = {
  id: 'unittest',
  description: 'Python unittest FAIL:/ERROR: blocks with their traceback, and the `FAILED (failures=N)` summary as a fallback.',
  categories: ['test_failure', 'import_missing_module', 'syntax_error'],
  example: 'FAIL: test_equal (tests.test_unit.MathTest.test_equal)',
  trigger: /^(?:FAIL|ERROR)(?: \[[\d.]+m?s\])?: \S+ \(|^FAILED \((?:failures|errors)=/,
  start() {
    const scan: UnittestScan = { block: undefined, reported: false, summary: undefined };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line.text.trimEnd(), line, ctx),
      end: (ctx) => reportAtEnd(scan, ctx),
    };
  },
};
