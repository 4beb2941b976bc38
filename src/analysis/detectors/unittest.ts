import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { classifyPythonException, EXCEPTION_LINE, FRAME, isLibraryPath, isTestPath, type PythonFrame } from './python-traceback.js';
import { clip } from '../detector-helpers.js';

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

export const unittestDetector: Detector = {
  id: 'unittest',
  description: 'Python unittest FAIL:/ERROR: blocks with their traceback, and the `FAILED (failures=N)` summary as a fallback.',
  categories: ['test_failure', 'import_missing_module', 'syntax_error'],
  example: 'FAIL: test_equal (tests.test_unit.MathTest.test_equal)',
  trigger: /^(?:FAIL|ERROR)(?: \[[\d.]+m?s\])?: \S+ \(|^FAILED \((?:failures|errors)=/,
  start() {
    let block: UnittestBlock | undefined;
    let reported = false;
    let summary: LogLine | undefined;

    const close = (ctx: DetectorContext) => {
      if (block) {
        ctx.report(draftFrom(block));
        reported = true;
      }
      block = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const opening = BLOCK.exec(text)?.groups;
        if (opening?.test !== undefined) {
          close(ctx);
          // unittest opens each block with a rule of '=' just above the FAIL:/ERROR: line.
          const above = ctx.before(1)[0];
          const ruled = above !== undefined && above.n === line.n - 1 && /^={20,}$/.test(above.text.trim());
          block = {
            kind: opening.kind ?? 'FAIL',
            test: opening.test,
            where: opening.where ?? '',
            start: ruled ? above.n : line.n,
            last: line.n,
            frames: [],
            afterException: false,
          };
          return true;
        }
        if (SUMMARY.test(text)) {
          close(ctx);
          summary = line;
          return false;
        }
        if (!block) return false;
        if (RULE.test(text)) {
          // The dashes under the FAIL: line belong to the block; later rules end it.
          if (block.frames.length === 0 && !block.afterException) return true;
          close(ctx);
          return false;
        }
        if (block.afterException) {
          // A long assertion diff is still the message, but a block that never ends is not one.
          if (text.trim() === '' || line.n - block.last > 1 || line.n - block.start > 60) {
            close(ctx);
            return false;
          }
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
          block.last = line.n;
          return true;
        }
        block.last = line.n;
        return true;
      },
      end(ctx) {
        close(ctx);
        if (!reported && summary) {
          ctx.report({
            category: 'test_failure',
            tool: 'unittest',
            message: clip(summary.text),
            logLines: [summary.n, summary.n],
            confidence: 0.7,
          });
        }
      },
    };
  },
};
