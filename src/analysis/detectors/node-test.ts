import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * The Node.js test runner and other TAP producers: `not ok N - name` with its YAML diagnostics
 * (`location`, `error`, `failureType`), and the spec reporter's `✖ name (2.1ms)` with the indented
 * error under it. A suite whose only fault is its failed subtests (`failureType: 'subtestsFailed'`,
 * or a `✖` with nothing under it) is a wrapper. The spec reporter's closing "failing tests" list
 * (`test at file:line:col`, the `✖` line, the error) repeats what was already read, except where the
 * `✖` line had nothing under it: Node 24 prints a failure's error only there, so a `✖` without a
 * body waits for its block in that list, which then stands for it (located by the first project
 * frame, else by `test at`); what the list does not explain is reported at the end as a wrapper.
 */

const TAP_NOT_OK = /^(?<indent>\s*)not ok \d+(?: -)? ?(?<name>.*)$/;
const TAP_DIRECTIVE = /#\s*(?:TODO|SKIP)\b/i;
const YAML_LOCATION = /^\s*location: '(?:file:\/\/)?(?<file>[^']+?):(?<line>\d+):(?<column>\d+)'/;
const YAML_ERROR_INLINE = /^\s*error: ['"]?(?<error>[^|>].*?)['"]?$/;
const YAML_ERROR_BLOCK = /^\s*error: [|>]-?$/;
const YAML_STACK = /^\s*stack: /;
const YAML_END = /^\s*\.\.\.$/;
const SPEC_FAIL = /^(?<indent>\s*)✖ (?<name>.+?) \((?<ms>\d+(?:\.\d+)?)m?s\)$/;
const SPEC_SUMMARY = /^✖ failing tests:/;
const SUMMARY_TEST_AT = /^test at (?<file>(?:[A-Za-z]:)?[^\s:]+):(?<line>\d+):(?<column>\d+)$/;
const FRAME = /^\s+at (?:.*? \()?(?:file:\/\/)?(?<file>(?:[A-Za-z]:)?\/[^\s():]+\.\w+):(?<line>\d+):(?<column>\d+)\)?(?: \{)?$/;

interface NodeTestScan {
  blocks: BlockReader;
  /** After the spec reporter's `✖ failing tests:` line. */
  inSummary: boolean;
  /** Spec `✖` lines with nothing under them, waiting for the "failing tests" list. */
  bodiless: FailureDraft[];
  /** The `test at file:line:col` line heading a block of the "failing tests" list. */
  testAt: { n: number; file: string; line: number; column: number } | undefined;
}

type NodeTestHandler = LineHandler<[scan: NodeTestScan, line: LogLine, ctx: DetectorContext]>;

function failureDraft(line: LogLine, name: string, kind: 'tap' | 'spec'): FailureDraft {
  return {
    category: 'test_failure',
    tool: kind === 'spec' ? 'node:test' : 'tap',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.92,
    data: { test: name.trim() },
  };
}

/** A new failure's own line (`not ok N`, `✖ name (1ms)`) ends the block before it. */
function startsFailure(text: string): boolean {
  return TAP_NOT_OK.test(text) || SPEC_FAIL.test(text);
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

/** A TAP `not ok N - name` and its YAML diagnostics (`location`, `error`, `failureType`), up to `...`. */
function tapBlock(line: LogLine, indent: number, name: string): OpenBlock {
  const draft = failureDraft(line, name, 'tap');
  let wantErrorLine = false;
  let inStack = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (startsFailure(text)) return false;
      const blank = text.trim() === '';
      if (YAML_END.test(text)) {
        if (!inStack) draft.logLines[1] = next.n;
        return 'end';
      }
      if (!blank && indentOf(text) <= indent) return 'end';
      if (YAML_STACK.test(text)) inStack = true;
      if (!inStack && !blank) draft.logLines[1] = next.n;
      const location = YAML_LOCATION.exec(text)?.groups;
      if (location?.file !== undefined) {
        draft.file = location.file;
        draft.line = Number(location.line);
        draft.column = Number(location.column);
      }
      if (/failureType: 'subtestsFailed'/.test(text)) draft.confidence = 0.4;
      if (/failureType: '\w+'/.test(text)) draft.tool = 'node:test';
      if (wantErrorLine && !blank) {
        draft.data = { ...draft.data, error: clip(text) };
        wantErrorLine = false;
      } else if (YAML_ERROR_BLOCK.test(text)) {
        wantErrorLine = true;
      } else {
        const inline = YAML_ERROR_INLINE.exec(text)?.groups?.error;
        if (inline !== undefined && draft.data?.error === undefined) draft.data = { ...draft.data, error: clip(inline) };
      }
      return draft.logLines[1] - draft.logLines[0] < 200 || 'end';
    },
  };
}

/**
 * A spec reporter `✖ name (2.1ms)` and the indented error under it. One without a body waits in
 * `scan.bodiless` for the closing "failing tests" list; a block of that list stands for the `✖`
 * it explains (and is dropped when it explains none).
 */
function specBlock(scan: NodeTestScan, line: LogLine, indent: number, name: string): OpenBlock {
  const draft = failureDraft(line, name, 'spec');
  let inStack = false;
  let bodyLines = 0;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (startsFailure(text)) return false;
      const blank = text.trim() === '';
      if (!blank && indentOf(text) <= indent) return false;
      if (blank) return true;
      bodyLines++;
      const frame = FRAME.exec(text)?.groups;
      if (/^\s+at /.test(text)) inStack = true;
      if (!inStack) draft.logLines[1] = next.n;
      if (draft.data?.error === undefined) draft.data = { ...draft.data, error: clip(text) };
      if (frame?.file !== undefined && draft.file === undefined && !/node_modules|\/node:/.test(frame.file)) {
        draft.file = frame.file;
        draft.line = Number(frame.line);
        draft.column = Number(frame.column);
        draft.logLines[1] = next.n;
      }
      return bodyLines < 200 || 'end';
    },
    finish() {
      if (scan.inSummary) return explainsBodiless(scan, draft, bodyLines);
      if (bodyLines > 0) return true;
      draft.confidence = 0.4;
      scan.bodiless.push(draft);
      return false;
    },
  };
}

/** A block of the closing list: it explains a `✖` that had nothing under it (reported), or repeats one (dropped). */
function explainsBodiless(scan: NodeTestScan, draft: FailureDraft, bodyLines: number): boolean {
  const waiting = scan.bodiless.findIndex((earlier) => earlier.data?.test === draft.data?.test);
  const testAt = scan.testAt;
  if (draft.file === undefined && testAt !== undefined) {
    draft.file = testAt.file;
    draft.line = testAt.line;
    draft.column = testAt.column;
  }
  scan.testAt = undefined;
  if (waiting < 0 || bodyLines === 0) return false;
  scan.bodiless.splice(waiting, 1);
  return true;
}

/** The `✖ failing tests:` line and the `test at file:line:col` lines of its list; they end any open block. */
function summaryMarker(scan: NodeTestScan, line: LogLine, ctx: DetectorContext): boolean | undefined {
  if (SPEC_SUMMARY.test(line.text)) {
    scan.blocks.close(ctx);
    scan.inSummary = true;
    return scan.bodiless.length > 0;
  }
  if (!scan.inSummary) return undefined;
  const at = SUMMARY_TEST_AT.exec(line.text)?.groups;
  if (at?.file === undefined) return undefined;
  scan.blocks.close(ctx);
  scan.testAt = { n: line.n, file: at.file, line: Number(at.line), column: Number(at.column) };
  return scan.bodiless.length > 0;
}

/** In the closing list, a `✖` line is read only while some bodiless failure waits for it. */
const summaryEntry: NodeTestHandler = (scan, line, ctx) => {
  if (!scan.inSummary) return undefined;
  const spec = TAP_NOT_OK.test(line.text) ? undefined : SPEC_FAIL.exec(line.text)?.groups;
  if (!spec || scan.bodiless.length === 0) return scan.bodiless.length > 0;
  const block = specBlock(scan, line, spec.indent?.length ?? 0, spec.name ?? '');
  const testAt = scan.testAt;
  if (testAt && testAt.n >= line.n - 1) block.draft.logLines[0] = testAt.n;
  else scan.testAt = undefined;
  return scan.blocks.open(block, ctx);
};

const tapNotOk: NodeTestHandler = (scan, line, ctx) => {
  const tap = TAP_NOT_OK.exec(line.text)?.groups;
  if (!tap || TAP_DIRECTIVE.test(tap.name ?? '')) return undefined;
  return scan.blocks.open(tapBlock(line, tap.indent?.length ?? 0, tap.name ?? ''), ctx);
};

const specFailure: NodeTestHandler = (scan, line, ctx) => {
  if (TAP_NOT_OK.test(line.text)) return undefined;
  const spec = SPEC_FAIL.exec(line.text)?.groups;
  if (!spec) return undefined;
  return scan.blocks.open(specBlock(scan, line, spec.indent?.length ?? 0, spec.name ?? ''), ctx);
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly NodeTestHandler[] = [summaryEntry, tapNotOk, specFailure];

function readLine(scan: NodeTestScan, line: LogLine, ctx: DetectorContext): boolean {
  return summaryMarker(scan, line, ctx) ?? scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx);
}

export const nodeTestDetector: Detector = {
  id: 'node-test',
  description:
    'node:test and TAP failures (`not ok N - name` with YAML diagnostics, spec reporter `✖ name`), located by the test location.',
  categories: ['test_failure'],
  example: 'not ok 1 - adds two numbers',
  trigger: /not ok \d|✖ .+\(\d+(?:\.\d+)?m?s\)$|^✖ failing tests:/,
  start() {
    const scan: NodeTestScan = { blocks: new BlockReader(), inSummary: false, bodiless: [], testAt: undefined };
    return {
      line: (line, ctx) => readLine(scan, line, ctx),
      end(ctx) {
        scan.blocks.close(ctx);
        for (const draft of scan.bodiless) ctx.report(draft);
        scan.bodiless.length = 0;
      },
    };
  },
};
