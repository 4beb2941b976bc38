import type { Detector, DetectorContext, FailureDraft } from '../types.js';

/**
 * The standard-library doctest report (`python -m doctest`, `unittest` doctest suites, Sphinx
 * `make doctest`): a `File "x.py", line 12, in mod.func` line, `Failed example:`, the example and
 * `Expected:`/`Got:` (or `Exception raised:`), up to the next `*****` rule. pytest's own
 * `[doctest]` blocks are read by the pytest detector.
 */

const LOCATION = /^File "(?<file>[^"]+)", line (?<line>\d+), in (?<name>\S+)/;
const RULE = /^\*{20,}$/;
const SPHINX_LOCATION = /^File "(?<file>[^"]+)", line (?<line>\d+)/;

export const doctestDetector: Detector = {
  id: 'doctest',
  description: 'doctest `Failed example:` blocks with the File/line of the example and its Expected/Got output.',
  categories: ['test_failure'],
  example: 'Failed example:',
  trigger: /^Failed example:$/,
  start() {
    let open: FailureDraft | undefined;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        if (text === 'Failed example:') {
          close(ctx);
          open = { category: 'test_failure', tool: 'doctest', message: text, logLines: [line.n, line.n], confidence: 0.9 };
          const previous = ctx.before(1)[0];
          const location = previous ? (LOCATION.exec(previous.text) ?? SPHINX_LOCATION.exec(previous.text))?.groups : undefined;
          if (previous && location?.file !== undefined) {
            open.file = location.file;
            open.line = Number(location.line);
            open.logLines[0] = previous.n;
            open.message = `${previous.text.trim()}: Failed example`.slice(0, 500);
            if (location.name !== undefined) open.data = { test: location.name };
          }
          return true;
        }
        if (!open) return false;
        if (RULE.test(text) || line.n - open.logLines[0] > 80) {
          close(ctx);
          return false;
        }
        if (text.trim() !== '') open.logLines[1] = line.n;
        return true;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
