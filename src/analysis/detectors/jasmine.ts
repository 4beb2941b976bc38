import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Jasmine's console reporter (the `jasmine` runner for Node): under `Failures:`, each failed spec as
 * `1) Suite does x`, `  Message:` with the expectation that failed, and `  Stack:` with the frames;
 * the first frame outside Jasmine and node_modules locates it. `N specs, M failures` closes the run
 * and stands alone when no spec was read.
 */

const FAILURES = /^Failures:$/;
// Jasmine does not indent the item (RSpec indents it by two).
const ITEM = /^(?<index>\d+)\) (?<name>\S.*)$/;
const SECTION = /^ {2}(?<section>Message|Stack):$/;
const FRAME = /^\s+at (?:.*? \()?(?<file>(?:[A-Za-z]:)?[^\s():]+\.[cm]?[jt]sx?):(?<line>\d+):(?<column>\d+)\)?\s*$/;
const SUMMARY = /^\d+ specs?, (?<failures>\d+) failures?/;
/** Lines one failure's block may hold (the message can print a whole file). */
const MAX_BLOCK = 400;

interface JasmineScan {
  blocks: BlockReader;
  /** After `Failures:`: unindented `N) name` lines are failed specs. */
  inFailures: boolean;
  itemsRead: number;
}

type JasmineHandler = LineHandler<[scan: JasmineScan, line: LogLine, ctx: DetectorContext]>;

function specBlock(line: LogLine, name: string): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'jasmine',
    message: clip(name),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  let section: string | undefined;
  let messageRead = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (next.n - draft.logLines[0] > MAX_BLOCK || ITEM.test(text) || SUMMARY.test(text)) return false;
      const heading = SECTION.exec(text);
      if (heading?.groups) section = heading.groups.section;
      else if (section === 'Message' && !messageRead && text.trim() !== '') {
        draft.message = clip(`${name}: ${text.trim()}`);
        messageRead = true;
      } else if (section === 'Stack' && draft.file === undefined) {
        const frame = FRAME.exec(text);
        if (frame?.groups && !/node_modules|<Jasmine>/.test(text)) {
          draft.file = frame.groups.file;
          draft.line = Number(frame.groups.line);
          draft.column = Number(frame.groups.column);
        }
      }
      if (text.trim() !== '') draft.logLines[1] = next.n;
      return true;
    },
    // Only a block with Jasmine's sections is Jasmine's (another runner's numbered list is not).
    finish: () => section !== undefined,
  };
}

const failuresHeader: JasmineHandler = (scan, line) => {
  if (!FAILURES.test(line.text)) return undefined;
  scan.inFailures = true;
  return true;
};

const specItem: JasmineHandler = (scan, line, ctx) => {
  if (!scan.inFailures) return undefined;
  const item = ITEM.exec(line.text);
  if (!item?.groups) return undefined;
  scan.itemsRead++;
  return scan.blocks.open(specBlock(line, item.groups.name ?? ''), ctx);
};

const summary: JasmineHandler = (scan, line, ctx) => {
  const match = SUMMARY.exec(line.text);
  if (!match?.groups) return undefined;
  scan.inFailures = false;
  if (scan.itemsRead === 0 && Number(match.groups.failures) > 0) {
    ctx.report({ category: 'test_failure', tool: 'jasmine', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.6 });
  }
  scan.itemsRead = 0;
  return false;
};

const LINE_HANDLERS: readonly JasmineHandler[] = [failuresHeader, specItem, summary];

export const jasmineDetector: Detector = {
  id: 'jasmine',
  description: "Jasmine's console reporter: each failed spec with its message, located by its first stack frame in the project.",
  categories: ['test_failure'],
  example: '4 specs, 1 failure',
  trigger: /^Failures:$|^\d+\) \S|^\d+ specs?, \d+ failures?/,
  start() {
    const scan: JasmineScan = { blocks: new BlockReader(), inFailures: false, itemsRead: 0 };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
