import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Swift and Xcode: swiftc diagnostics (`x.swift:12:5: error: msg`), the same through xcpretty
 * (`❌  /path/x.swift:12:5: msg`), missing build inputs, XCTest assertion failures, xcpretty's summary
 * of failed tests (`  test_name, reason` over `  /path/Spec.swift:30`) and the
 * `** BUILD FAILED **` / `** TEST FAILED **` trailers.
 */

const SWIFTC = /^(?<file>(?:[A-Za-z]:)?\/?[^\s:]+\.swift):(?<line>\d+):(?<column>\d+): (?<severity>error|warning): (?<message>.*)$/;
// xcpretty drops the severity word; Travis progress output can leave a few characters before the mark.
const XCPRETTY = /❌\s+(?<file>\/?[^\s:]+\.(?:swift|m|mm|h|c|cpp)):(?<line>\d+):(?<column>\d+): (?<message>.*)$/;
// Other tools print ❌ too; only xcpretty's own error lines carry a compiler/linker prefix.
const XCPRETTY_PLAIN = /❌\s+(?<message>(?:error|ld|clang|fatal error): .*)$/;
const MISSING_INPUT = /Build input file cannot be found: '(?<file>[^']+)'/;
const XCTEST = /^(?<file>\/?[^\s:]+\.swift):(?<line>\d+): error: -\[(?<test>[^\]]+)\] : (?<message>.*)$/;
// xcpretty's failure summary: `Module.Spec`, `  test_name, reason`, `  /path/Spec.swift:30`, then the
// failing source between ``` fences.
const XCPRETTY_FAILURE_AT = /^ {2}(?<file>\/[^\s:]+\.(?:swift|m|mm)):(?<line>\d+)$/;
const XCPRETTY_FAILURE_TEST = /^ {2}(?<test>[^\s,]+), (?<reason>\S.*)$/;
const TRAILER = /^\*\* (?<what>BUILD|TEST|TEST BUILD|ARCHIVE) FAILED \*\*$/;
const SWIFTLINT = /^(?<file>\/?[^\s:]+\.swift):(?<line>\d+):(?:(?<column>\d+):)? (?:error|warning): .*\((?<rule>[a-z_]+)\)$/;

interface SwiftScan {
  blocks: BlockReader;
  sawSpecificFailure: boolean;
}

type SwiftHandler = LineHandler<[scan: SwiftScan, line: LogLine, ctx: DetectorContext]>;

/** A compiler diagnostic and the snippet and caret lines that follow it. */
function diagnosticBlock(draft: FailureDraft): OpenBlock {
  return {
    draft,
    // Snippet and caret lines follow a diagnostic, with blank or progress lines in between under xcpretty.
    accepts(next) {
      if (next.n - draft.logLines[1] > 6) return false;
      if (/^\s*[~^][~^\s]*$/.test(next.text) || /^\S{0,3}\s+\S/.test(next.text)) {
        draft.logLines[1] = next.n;
        return true;
      }
      return next.text.trim() === '' || /^\S{0,3}$/.test(next.text.trim()) || /^\S{0,3}\s+\S/.test(next.text);
    },
  };
}

const missingInput: SwiftHandler = (scan, line, ctx) => {
  const missing = MISSING_INPUT.exec(line.text);
  if (!missing) return undefined;
  scan.sawSpecificFailure = true;
  ctx.report({
    category: 'missing_file',
    tool: 'xcodebuild',
    message: clip(line.text.replace(/^.*?❌\s+/, '')),
    file: missing.groups?.file,
    logLines: [line.n, line.n],
    confidence: 0.9,
  });
  return false;
};

const swiftlint: SwiftHandler = (scan, line, ctx) => {
  const text = line.text;
  const lint = SWIFTLINT.exec(text);
  if (!lint) return undefined;
  scan.sawSpecificFailure = true;
  const draft: FailureDraft = {
    category: 'lint_format',
    tool: 'swiftlint',
    message: clip(text.slice(text.indexOf(': ') + 2)),
    file: lint.groups?.file,
    line: Number(lint.groups?.line),
    logLines: [line.n, line.n],
    confidence: 0.85,
    data: { rule: lint.groups?.rule },
  };
  if (lint.groups?.column) draft.column = Number(lint.groups.column);
  ctx.report(draft);
  return false;
};

const xctestFailure: SwiftHandler = (scan, line, ctx) => {
  const xctest = XCTEST.exec(line.text);
  if (!xctest) return undefined;
  scan.sawSpecificFailure = true;
  ctx.report({
    category: 'test_failure',
    tool: 'xctest',
    message: clip(xctest.groups?.message ?? line.text),
    file: xctest.groups?.file,
    line: Number(xctest.groups?.line),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { test: xctest.groups?.test },
  });
  return false;
};

const compilerDiagnostic: SwiftHandler = (scan, line, ctx) => {
  const diagnostic = SWIFTC.exec(line.text) ?? XCPRETTY.exec(line.text);
  if (!diagnostic) return undefined;
  if (diagnostic.groups?.severity === 'warning') return false;
  scan.sawSpecificFailure = true;
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'swiftc',
    message: clip(diagnostic.groups?.message ?? ''),
    file: diagnostic.groups?.file,
    line: Number(diagnostic.groups?.line),
    column: Number(diagnostic.groups?.column),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  return scan.blocks.open(diagnosticBlock(draft), ctx);
};

const failedTrailer: SwiftHandler = (scan, line, ctx) => {
  const trailer = TRAILER.exec(line.text);
  if (!trailer) return undefined;
  const isTest = trailer.groups?.what === 'TEST';
  ctx.report({
    category: isTest ? 'test_failure' : 'compilation_error',
    tool: 'xcodebuild',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawSpecificFailure ? 0.25 : 0.5,
  });
  return false;
};

const xcprettyPlain: SwiftHandler = (_scan, line, ctx) => {
  const plain = XCPRETTY_PLAIN.exec(line.text);
  if (!plain || (plain.groups?.message ?? '').trim() === '') return undefined;
  ctx.report({
    category: 'compilation_error',
    tool: 'xcodebuild',
    message: clip(plain.groups?.message ?? ''),
    logLines: [line.n, line.n],
    confidence: 0.6,
  });
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
/** The source excerpt xcpretty prints between ``` fences under a failure's location. */
function fencedExcerpt(draft: FailureDraft): OpenBlock {
  let opened = false;
  return {
    draft,
    accepts(next) {
      const fence = /^ {2}```\s*$/.test(next.text);
      if (!opened && !fence) return false;
      draft.logLines[1] = next.n;
      if (fence && opened) return 'end';
      opened = true;
      return next.n - draft.logLines[0] > 30 ? 'end' : true;
    },
  };
}

/** xcpretty's summary of a failed test: the test and reason above its `  /path/x.swift:30` line. */
const xcprettyFailure: SwiftHandler = (scan, line, ctx) => {
  const at = XCPRETTY_FAILURE_AT.exec(line.text);
  if (!at?.groups) return undefined;
  const [spec, previous] = ctx.before(2);
  const test = previous === undefined ? null : XCPRETTY_FAILURE_TEST.exec(previous.text);
  if (!test?.groups || previous === undefined) return undefined;
  scan.sawSpecificFailure = true;
  const start = spec !== undefined && /^\S+\.\S+$/.test(spec.text.trim()) ? spec.n : previous.n;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'xcpretty',
    message: clip(`${test.groups.test}: ${test.groups.reason}`),
    file: at.groups.file,
    line: Number(at.groups.line),
    logLines: [start, line.n],
    confidence: 0.9,
  };
  return scan.blocks.open(fencedExcerpt(draft), ctx);
};

const LINE_HANDLERS: readonly SwiftHandler[] = [
  xcprettyFailure,
  missingInput,
  swiftlint,
  xctestFailure,
  compilerDiagnostic,
  failedTrailer,
  xcprettyPlain,
];

export const swiftDetector: Detector = {
  id: 'swift',
  description: 'swiftc and xcodebuild/xcpretty errors, missing build inputs, XCTest failures, SwiftLint and BUILD/TEST FAILED trailers.',
  categories: ['compilation_error', 'missing_file', 'test_failure', 'lint_format'],
  example: "/Users/runner/work/App/Sources/App/View.swift:47:19: error: 'value' is inaccessible due to 'internal' protection level",
  trigger: /\.swift:\d|❌|Build input file cannot be found|^\*\* [A-Z ]+ FAILED \*\*/,
  start() {
    const scan: SwiftScan = { blocks: new BlockReader(), sawSpecificFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
