import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip, firstAnswer, type LineHandler } from '../detector-helpers.js';

/**
 * Mocha (and reporters in its shape, e.g. Karma's mocha reporter): after `N failing`, each
 * `  1) suite test:` block is one failure whose title may run over several indented lines up to
 * the one ending with `:`, followed by the error and its stack, located by the first frame in the
 * project; a timeout (`Error: Timeout of 2000ms exceeded. ... (/abs/test/file.spec.js)`), whose stack
 * is only Node's timers, is located at the test file it names. The first block starts at the
 * `N passing` / `N failing` lines that announce it.
 */

const FAILING = /^\s*(?<count>\d+) failing\s*$/;
const PASSING = /^\s*\d+ passing\b/;
const BLOCK = /^(?<indent>\s{1,4})(?<number>\d+)\) (?<title>.*)$/;
const TIMEOUT = /^Error: Timeout of \d+ms exceeded\..*\((?<file>(?:[A-Za-z]:)?[^\s()]+\.\w+)\)$/;
// `at fn (src/a.js:1:2)`, `at src/a.js:1:2`, `at file:///src/a.mjs:1:2`, and a source-mapped frame
// that prefixes the original path with the compiled one (`at out/vs/x/file:/home/u/src/x.ts:86:11`).
const FRAME = /^\s+at (?:.*? \()?(?:[^\s():]*file:(?:\/\/)?)?(?<file>(?:[A-Za-z]:)?[^\s():]+\.\w+):(?<line>\d+):(?<column>\d+)\)?$/;

function isProjectFrame(file: string): boolean {
  return /[\\/]/.test(file) && !/node_modules|^node:|^internal\//.test(file);
}

/** A numbered failure block: its title may run over several lines, up to the one ending with `:`. */
interface MochaBlock {
  draft: FailureDraft;
  indent: number;
  titleDone: boolean;
  title: string[];
  framesSeen: number;
}

interface MochaScan {
  /** Inside the section after `N failing`. */
  inFailures: boolean;
  /** The `N passing` / `N failing` line that announces the next block, which starts there. */
  announced: number | undefined;
  open: MochaBlock | undefined;
  blankRun: number;
  blocks: number;
  /** `N failing` itself, reported only when no block was read. */
  summary: FailureDraft | undefined;
}

type MochaHandler = LineHandler<[scan: MochaScan, line: LogLine, ctx: DetectorContext]>;

/** Reports the open block; a timeout without a project frame is located at the test file it names. */
function closeBlock(scan: MochaScan, ctx: DetectorContext): void {
  const open = scan.open;
  if (!open) return;
  const timedOut = open.draft.file === undefined ? TIMEOUT.exec(open.draft.message)?.groups?.file : undefined;
  if (timedOut !== undefined) open.draft.file = timedOut;
  open.draft.data = { ...open.draft.data, test: open.title.join(' ').replace(/:$/, '').trim() };
  ctx.report(open.draft);
  scan.blocks++;
  scan.open = undefined;
}

function beginBlock(scan: MochaScan, line: LogLine, indent: number, title: string): void {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'mocha',
    message: clip(line.text),
    logLines: [scan.announced ?? line.n, line.n],
    confidence: 0.93,
  };
  scan.announced = undefined;
  const trimmed = title.trim();
  scan.open = { draft, indent, titleDone: trimmed.endsWith(':'), title: trimmed === '' ? [] : [trimmed], framesSeen: 0 };
}

/** The section ends: the open block is reported, later lines are not read. */
function endSection(scan: MochaScan, ctx: DetectorContext): false {
  closeBlock(scan, ctx);
  scan.inFailures = false;
  return false;
}

/** A line of the open block: the rest of its title, then the error (the message) and its stack. */
function extendBlock(open: MochaBlock, line: LogLine): true {
  const text = line.text;
  open.draft.logLines[1] = line.n;
  if (!open.titleDone) {
    open.title.push(text.trim());
    open.titleDone = text.trimEnd().endsWith(':');
    return true;
  }
  if (open.draft.data?.error === undefined && !FRAME.test(text)) {
    open.draft.data = { ...open.draft.data, error: clip(text) };
    open.draft.message = clip(text);
  }
  const frame = FRAME.exec(text)?.groups;
  if (/^\s+at /.test(text)) open.framesSeen++;
  if (frame?.file !== undefined && open.draft.file === undefined && isProjectFrame(frame.file)) {
    open.draft.file = frame.file;
    open.draft.line = Number(frame.line);
    open.draft.column = Number(frame.column);
  }
  return true;
}

const failingLine: MochaHandler = (scan, line, ctx) => {
  const failing = FAILING.exec(line.text);
  if (!failing) return undefined;
  closeBlock(scan, ctx);
  scan.inFailures = true;
  if (Number(failing.groups?.count) > 0 && scan.summary === undefined) {
    scan.summary = { category: 'test_failure', tool: 'mocha', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.5 };
  }
  const previous = ctx.before(2).find((earlier) => PASSING.test(earlier.text));
  scan.announced = previous?.n ?? line.n;
  scan.blankRun = 0;
  return true;
};

const outsideSection: MochaHandler = (scan) => (scan.inFailures ? undefined : false);

/** `  1) suite test:` starts a block unless it is nested deeper than the open one's title. */
const blockHeader: MochaHandler = (scan, line, ctx) => {
  const block = BLOCK.exec(line.text)?.groups;
  if (block?.number === undefined || (scan.open && (block.indent?.length ?? 0) > scan.open.indent)) return undefined;
  closeBlock(scan, ctx);
  beginBlock(scan, line, block.indent?.length ?? 2, block.title ?? '');
  scan.blankRun = 0;
  return true;
};

/** Blocks are separated by one blank line; a long gap means the section is over. */
const blankLine: MochaHandler = (scan, line, ctx) => {
  if (line.text.trim() !== '') return undefined;
  scan.blankRun++;
  return scan.blankRun > 3 ? endSection(scan, ctx) : true;
};

const bodyLine: MochaHandler = (scan, line, ctx) => {
  const text = line.text;
  scan.blankRun = 0;
  const indent = text.length - text.trimStart().length;
  const open = scan.open;
  if (!open) {
    if (indent === 0) scan.inFailures = false;
    return scan.inFailures;
  }
  // Multi-line assertion messages (diffs) can print at column 0; the stack frames come last.
  if (indent === 0 && (open.draft.file !== undefined || open.framesSeen > 0 || open.draft.logLines[1] - open.draft.logLines[0] > 60)) {
    return endSection(scan, ctx);
  }
  return extendBlock(open, line);
};

/** What a line is, in this order. */
const LINE_HANDLERS: readonly MochaHandler[] = [failingLine, outsideSection, blockHeader, blankLine, bodyLine];

export const mochaDetector: Detector = {
  id: 'mocha',
  description: 'Mocha `N failing` sections: one failure per numbered block, with the error line and the first project stack frame.',
  categories: ['test_failure'],
  example: '  2 failing',
  trigger: /^\s*\d+ failing\s*$/,
  start() {
    const scan: MochaScan = { inFailures: false, announced: undefined, open: undefined, blankRun: 0, blocks: 0, summary: undefined };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        closeBlock(scan, ctx);
        // A truncated log or a reporter without details still says how many tests failed.
        if (scan.blocks === 0 && scan.summary) ctx.report(scan.summary);
      },
    };
  },
};
