import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

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
const FRAME = /^\s+at (?:.*? \()?(?:file:\/\/)?(?<file>(?:[A-Za-z]:)?[^\s():]+\.\w+):(?<line>\d+):(?<column>\d+)\)?$/;

function isProjectFrame(file: string): boolean {
  return /[\\/]/.test(file) && !/node_modules|^node:|^internal\//.test(file);
}

interface OpenBlock {
  draft: FailureDraft;
  indent: number;
  titleDone: boolean;
  title: string[];
  framesSeen: number;
}

export const mochaDetector: Detector = {
  id: 'mocha',
  description: 'Mocha `N failing` sections: one failure per numbered block, with the error line and the first project stack frame.',
  categories: ['test_failure'],
  example: '  2 failing',
  trigger: /^\s*\d+ failing\s*$/,
  start() {
    let inFailures = false;
    let announced: number | undefined;
    let open: OpenBlock | undefined;
    let blankRun = 0;
    let blocks = 0;
    let summary: FailureDraft | undefined;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      const timedOut = open.draft.file === undefined ? TIMEOUT.exec(open.draft.message)?.groups?.file : undefined;
      if (timedOut !== undefined) open.draft.file = timedOut;
      open.draft.data = { ...open.draft.data, test: open.title.join(' ').replace(/:$/, '').trim() };
      ctx.report(open.draft);
      blocks++;
      open = undefined;
    };

    const begin = (line: LogLine, indent: number, title: string): void => {
      const draft: FailureDraft = {
        category: 'test_failure',
        tool: 'mocha',
        message: clip(line.text),
        logLines: [announced ?? line.n, line.n],
        confidence: 0.93,
      };
      announced = undefined;
      const trimmed = title.trim();
      open = { draft, indent, titleDone: trimmed.endsWith(':'), title: trimmed === '' ? [] : [trimmed], framesSeen: 0 };
    };

    return {
      line(line, ctx) {
        const text = line.text;
        const failing = FAILING.exec(text);
        if (failing) {
          close(ctx);
          inFailures = true;
          if (Number(failing.groups?.count) > 0 && summary === undefined) {
            summary = { category: 'test_failure', tool: 'mocha', message: clip(text), logLines: [line.n, line.n], confidence: 0.5 };
          }
          const previous = ctx.before(2).find((earlier) => PASSING.test(earlier.text));
          announced = previous?.n ?? line.n;
          blankRun = 0;
          return true;
        }
        if (!inFailures) return false;

        const block = BLOCK.exec(text)?.groups;
        if (block?.number !== undefined && (!open || (block.indent?.length ?? 0) <= open.indent)) {
          close(ctx);
          begin(line, block.indent?.length ?? 2, block.title ?? '');
          blankRun = 0;
          return true;
        }
        if (text.trim() === '') {
          blankRun++;
          // Blocks are separated by one blank line; a long gap means the section is over.
          if (blankRun > 3) {
            close(ctx);
            inFailures = false;
            return false;
          }
          return true;
        }
        blankRun = 0;
        const indent = text.length - text.trimStart().length;
        if (!open) {
          if (indent === 0) inFailures = false;
          return inFailures;
        }
        // Multi-line assertion messages (diffs) can print at column 0; the stack frames come last.
        if (
          indent === 0 &&
          (open.draft.file !== undefined || open.framesSeen > 0 || open.draft.logLines[1] - open.draft.logLines[0] > 60)
        ) {
          close(ctx);
          inFailures = false;
          return false;
        }
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
      },
      end(ctx) {
        close(ctx);
        // A truncated log or a reporter without details still says how many tests failed.
        if (blocks === 0 && summary) ctx.report(summary);
      },
    };
  },
};
