import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { classifyPythonException, EXCEPTION_LINE, FRAME, isLibraryPath, isTestPath } from './python-traceback.js';
import { clip, firstAnswer, type LineHandler } from '../detector-helpers.js';

/**
 * pytest: the `FAILURES` / `ERRORS` sections (one failure per `____ test_name ____` block, from the
 * header to its last explaining line: `E   …` lines and `path.py:12: AssertionError` locations;
 * captured output is left out), collection errors (`ERROR collecting x.py`, categorised by the
 * exception: a missing module is import_missing_module), doctest blocks (`[doctest] name`), and the
 * `short test summary info` lines (`FAILED x.py::test - msg`, `ERROR x.py`), which stand alone when
 * the log holds no section for that test. A final `N failed` line is the last resort.
 */

const SECTION = /^=+ (?<name>FAILURES|ERRORS) =+$/;
const SUMMARY_RULE = /^=+ short test summary info =+$/;
const ANY_RULE = /^=+ .*=+$|^=+$/;
const BLOCK_HEADER = /^_{3,} (?<name>.+?) _{3,}$/;
const CAPTURED = /^-+ (?:Captured |generated xml file)|^- generated xml file/;
// `path.py:12: AssertionError`, `path.py:12: in test_x`, `path.py:12: ` (long tracebacks), Windows drives included.
const LOCATION = /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*):(?<line>\d+): ?(?<rest>.*)$/;
// A fixture error ends with the bare location of the test that asked for it (`tests/test_x.py:21`).
const BARE_LOCATION = /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.py):(?<line>\d+)$/;
const E_LINE = /^E {2,}(?<text>.*)$/;
const SUMMARY = /^(?<kind>FAILED|ERROR) (?:\[[\d.]+m?s\] )?(?<id>[^\s[]+(?:\[[^\]]*\])?)(?: - (?<message>.*))?$/;
const FINAL = /^=+ .*\d (?:failed|errors?)\b/;
const COLLECTING = /^ERROR collecting (?<path>.+)$/;

interface Block {
  name: string;
  start: number;
  last: number;
  /** true once captured output began: later lines do not explain the failure. */
  closedForLines: boolean;
  eLines: string[];
  locations: { file: string; line: number; n: number; rest: string }[];
  /** Exception line of a native (`--tb=native`) traceback. */
  nativeException?: { type: string; message: string };
  /** Path named by the header (`ERROR collecting x.py`, `[doctest] x.rst`). */
  headerPath?: string;
}

function testKey(id: string): string {
  const parts = id.split('::');
  return parts.length > 1 ? parts.slice(1).join('.') : (parts[0] ?? id);
}

function headerKey(name: string): string {
  const collecting = COLLECTING.exec(name)?.groups?.path;
  if (collecting !== undefined) return collecting;
  return name.replace(/^ERROR at (?:setup|teardown) of /, '');
}

/** The exception a block ends with: the first `E   Type: msg` line, or a native traceback's last line. */
function exceptionOf(block: Block): { type: string; message: string } | undefined {
  for (const text of block.eLines) {
    const match = EXCEPTION_LINE.exec(text.trim());
    if (match?.groups?.type !== undefined && match.groups.message !== undefined)
      return { type: match.groups.type, message: match.groups.message };
  }
  if (block.nativeException) return block.nativeException;
  const final = block.locations[block.locations.length - 1];
  if (final && /^[A-Z]\w*(?:Error|Exception|Failure)$/.test(final.rest.trim())) return { type: final.rest.trim(), message: '' };
  return undefined;
}

function categoryFor(
  block: Block,
  exception: { type: string; message: string } | undefined,
): { category: Category; data?: Record<string, unknown> } {
  if (!exception) return { category: 'test_failure' };
  const facts = classifyPythonException(exception.type, exception.message, true);
  // A missing module or a file that does not parse stops the test before it runs: that is the failure to fix.
  if (facts.category === 'import_missing_module' || facts.category === 'syntax_error') {
    return facts.data ? { category: facts.category, data: facts.data } : { category: facts.category };
  }
  return { category: 'test_failure' };
}

function draftFromBlock(block: Block, summaryPath: string | undefined): FailureDraft {
  const exception = exceptionOf(block);
  const { category, data } = categoryFor(block, exception);
  const testLocations = block.locations.filter(
    (location) => isTestPath(location.file) || (block.headerPath !== undefined && location.file.endsWith(block.headerPath)),
  );
  const ownLocations = block.locations.filter((location) => !isLibraryPath(location.file));
  // The test function's own frame, unless the failure happened while importing the module (`in <module>`): then the deepest.
  const location =
    testLocations.find((candidate) => !/^in <module>$/.test(candidate.rest.trim())) ??
    testLocations[testLocations.length - 1] ??
    ownLocations[0] ??
    (summaryPath === undefined ? block.locations[0] : undefined);
  const firstE = block.eLines[0]?.trim();
  const detail = firstE ?? (exception ? `${exception.type}: ${exception.message.trim()}` : undefined);
  const draft: FailureDraft = {
    category,
    tool: 'pytest',
    message: (detail === undefined ? block.name : `${block.name}: ${detail}`).slice(0, 500),
    logLines: [block.start, Math.max(block.start, block.last)],
    confidence: 0.95,
    data: { ...data, test: block.name },
  };
  if (location) {
    draft.file = location.file;
    draft.line = location.line;
  } else if (block.headerPath !== undefined || summaryPath !== undefined) {
    draft.file = block.headerPath ?? summaryPath;
  }
  return draft;
}

interface PytestScan {
  inSection: boolean;
  /** The `=== FAILURES ===` / `=== short test summary info ===` rule just read: the first entry under it starts there. */
  sectionRule: number | undefined;
  summaryRule: number | undefined;
  block: Block | undefined;
  /** Blocks are reported at the end, so a summary line can name the file of a block whose frames are all library code. */
  blocks: Block[];
  blockCategories: Map<string, { category: Category; data?: Record<string, unknown> }>;
  summaryPaths: Map<string, string>;
  reportedAny: boolean;
  finalLine: LogLine | undefined;
}

/** Handlers get the line's text without trailing space, and the line. */
type PytestHandler = LineHandler<[scan: PytestScan, text: string, line: LogLine, ctx: DetectorContext]>;

function closeBlock(scan: PytestScan): void {
  const block = scan.block;
  if (block) {
    scan.blocks.push(block);
    scan.blockCategories.set(headerKey(block.name), categoryFor(block, exceptionOf(block)));
  }
  scan.block = undefined;
}

/** A `FAILED x.py::test - msg` / `ERROR x.py` line of the short summary; the block for that test, if read, decides its category. */
function reportSummaryLine(scan: PytestScan, line: LogLine, ctx: DetectorContext): void {
  const groups = SUMMARY.exec(line.text.trim())?.groups;
  if (groups?.id === undefined) return;
  const id = groups.id;
  if (!id.includes('::') && !/\.(?:py|rst|md|txt)$/.test(id)) return;
  const message = groups.message?.trim() ?? '';
  const exception = EXCEPTION_LINE.exec(message);
  const facts =
    exception?.groups?.type !== undefined && exception.groups.message !== undefined
      ? classifyPythonException(exception.groups.type, exception.groups.message, true)
      : undefined;
  const path = id.split('::')[0] ?? id;
  const fromBlock = scan.blockCategories.get(testKey(id)) ?? scan.blockCategories.get(path);
  let category: Category =
    facts?.category === 'import_missing_module' || facts?.category === 'syntax_error' ? facts.category : 'test_failure';
  let data = category === 'test_failure' ? undefined : facts?.data;
  if (fromBlock) {
    category = fromBlock.category;
    data = fromBlock.data;
  }
  scan.summaryPaths.set(testKey(id), path);
  ctx.report({
    category,
    tool: 'pytest',
    message: clip(line.text),
    file: path,
    logLines: [scan.summaryRule === line.n - 1 ? scan.summaryRule : line.n, line.n],
    // The block already explains this test; the summary line is a second, shorter pointer.
    confidence: fromBlock ? 0.85 : 0.93,
    data: { ...data, test: testKey(id) },
  });
  scan.reportedAny = true;
}

/** A line of a block that explains the failure: `E   …`, a location, a native traceback's frame or exception. */
function readExplainingLine(block: Block, text: string, line: LogLine): void {
  block.last = line.n;
  const e = E_LINE.exec(text)?.groups?.text;
  if (e !== undefined) {
    block.eLines.push(e);
    return;
  }
  const location = (LOCATION.exec(text) ?? BARE_LOCATION.exec(text))?.groups;
  if (location?.file !== undefined && !/^\s/.test(text)) {
    block.locations.push({ file: location.file, line: Number(location.line), n: line.n, rest: location.rest ?? '' });
    return;
  }
  const frame = FRAME.exec(text)?.groups;
  if (frame?.file !== undefined) {
    block.locations.push({ file: frame.file, line: Number(frame.line), n: line.n, rest: '' });
    return;
  }
  const native = /^\S/.test(text) ? EXCEPTION_LINE.exec(text) : null;
  if (native?.groups?.type !== undefined && native.groups.message !== undefined && block.locations.length > 0) {
    block.nativeException = { type: native.groups.type, message: native.groups.message };
  }
}

/** `____ test_name ____` starts a block; `ERROR collecting x.py` and `[doctest] x.rst` name its file. */
const blockHeader: PytestHandler = (scan, text, line) => {
  const header = BLOCK_HEADER.exec(text)?.groups?.name;
  if (header === undefined) return undefined;
  closeBlock(scan);
  const start = scan.sectionRule === line.n - 1 ? scan.sectionRule : line.n;
  const block: Block = { name: header, start, last: line.n, closedForLines: false, eLines: [], locations: [] };
  const collecting = COLLECTING.exec(header)?.groups?.path;
  const doctest = /^\[doctest\] (?<name>\S+)$/.exec(header)?.groups?.name;
  if (collecting !== undefined) block.headerPath = collecting;
  else if (doctest !== undefined && /\.(?:rst|md|txt|py)$/.test(doctest)) block.headerPath = doctest;
  scan.block = block;
  return true;
};

/** Any other `=== … ===` rule ends the section. */
const sectionEnd: PytestHandler = (scan, text, line) => {
  if (!ANY_RULE.test(text)) return undefined;
  closeBlock(scan);
  scan.inSection = false;
  if (FINAL.test(text)) scan.finalLine = line;
  return false;
};

/** A line of the current block; captured output after it explains nothing. */
const blockLine: PytestHandler = (scan, text, line) => {
  const block = scan.block;
  if (!block) return true;
  if (CAPTURED.test(text)) {
    block.closedForLines = true;
    return true;
  }
  if (block.closedForLines || text.trim() === '') return true;
  readExplainingLine(block, text, line);
  return true;
};

const SECTION_HANDLERS: readonly PytestHandler[] = [blockHeader, sectionEnd, blockLine];

const sectionRule: PytestHandler = (scan, text, line) => {
  if (!SECTION.test(text)) return undefined;
  closeBlock(scan);
  scan.inSection = true;
  scan.sectionRule = line.n;
  return true;
};

const summaryRule: PytestHandler = (scan, text, line) => {
  if (!SUMMARY_RULE.test(text)) return undefined;
  closeBlock(scan);
  scan.inSection = false;
  scan.summaryRule = line.n;
  return true;
};

const sectionLine: PytestHandler = (scan, text, line, ctx) =>
  scan.inSection ? firstAnswer(SECTION_HANDLERS, scan, text, line, ctx) : undefined;

const finalLine: PytestHandler = (scan, text, line) => {
  if (!FINAL.test(text)) return undefined;
  scan.finalLine = line;
  return false;
};

const summaryLine: PytestHandler = (scan, _text, line, ctx) => {
  reportSummaryLine(scan, line, ctx);
  return false;
};

/** What a line is, in this order. */
const LINE_HANDLERS: readonly PytestHandler[] = [sectionRule, summaryRule, sectionLine, finalLine, summaryLine];

/** The blocks read, then the final `N failed` line when nothing else was found. */
function reportAtEnd(scan: PytestScan, ctx: DetectorContext): void {
  closeBlock(scan);
  for (const finished of scan.blocks) ctx.report(draftFromBlock(finished, scan.summaryPaths.get(headerKey(finished.name))));
  const final = scan.finalLine;
  if (!scan.reportedAny && scan.blocks.length === 0 && final) {
    ctx.report({
      category: 'test_failure',
      tool: 'pytest',
      message: final.text.replace(/^=+\s*|\s*=+$/g, '').slice(0, 500),
      logLines: [final.n, final.n],
      confidence: 0.6,
    });
  }
}

export const pytestDetector: Detector = {
  id: 'pytest',
  description:
    'pytest FAILURES/ERRORS blocks, collection errors, doctest blocks and short-summary FAILED/ERROR lines, located at the failing test line.',
  categories: ['test_failure', 'import_missing_module', 'syntax_error'],
  example: 'FAILED tests/test_math.py::test_add - assert 3 == 4',
  trigger:
    /^=+ (?:FAILURES|ERRORS|short test summary info) =+$|^(?:FAILED|ERROR) (?:\[[\d.]+m?s\] )?\S+(?:\.py|::)|^=+ .*\d (?:failed|errors?)\b/,
  start() {
    const scan: PytestScan = {
      inSection: false,
      sectionRule: undefined,
      summaryRule: undefined,
      block: undefined,
      blocks: [],
      blockCategories: new Map(),
      summaryPaths: new Map(),
      reportedAny: false,
      finalLine: undefined,
    };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line.text.trimEnd(), line, ctx),
      end: (ctx) => reportAtEnd(scan, ctx),
    };
  },
};
