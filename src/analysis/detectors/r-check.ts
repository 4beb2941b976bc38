import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * R package checks (`R CMD check`, testthat): failed test files (`Running the tests in
 * ‘tests/x.R’ failed.` with the output tail R prints under it), missing packages (`Package required
 * but not available: ‘x’`, `there is no package called ‘x’`), and other `* checking … ERROR` steps.
 */

const TESTS_FAILED = /^Running the tests in [‘'](?<file>[^’']+)[’'] failed\.$/;
const RUNNING_TEST_FILE = /^\s*Running [‘'][^’']+[’']/;
const MISSING_PACKAGE =
  /^(?:Packages? required but not available|Packages? required and available but unsuitable versions?): (?<pkgs>.+)$|there is no package called [‘'](?<pkg>[^’']+)[’']/;
const CHECK_ERROR = /^\* checking (?<what>.+?) \.\.\. ERROR$/;
const TESTTHAT_FAILURE = /^\s*(?:\d+\. )?(?:Failure|Error) \((?:@)?(?<file>[^#:)]+)[#:](?<line>\d+)/;

export const rCheckDetector: Detector = {
  id: 'r-check',
  description: 'R CMD check and testthat failures and missing R packages.',
  categories: ['test_failure', 'import_missing_module', 'other'],
  example: 'Package required but not available: ‘lubridate’',
  trigger: /^Running the tests in |required but not available|unsuitable version|there is no package called|^\* checking .* \.\.\. ERROR$/,
  start() {
    let open: { draft: FailureDraft; accepts(line: LogLine): boolean } | undefined;
    let pendingCheck: { what: string; n: number } | undefined;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open.draft);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.accepts(line)) return true;
          close(ctx);
        }

        const testsFailed = TESTS_FAILED.exec(text);
        if (testsFailed) {
          pendingCheck = undefined;
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
          open = {
            draft,
            accepts(next) {
              if (next.n - line.n > 60) return false;
              if (!/^Last \d+ lines of output:$|^\s{2}/.test(next.text)) return false;
              const located = TESTTHAT_FAILURE.exec(next.text);
              if (located) draft.message = clip(`${text} ${next.text.trim()}`);
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const missing = MISSING_PACKAGE.exec(text);
        if (missing) {
          pendingCheck = undefined;
          const packages = (missing.groups?.pkg ?? missing.groups?.pkgs ?? '')
            .split(/,\s*/)
            .map((name) => name.replace(/[‘’']/g, '').trim())
            .filter((name) => name !== '');
          ctx.report({
            category: 'import_missing_module',
            tool: 'R',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
            data: { packages },
          });
          return false;
        }

        const check = CHECK_ERROR.exec(text);
        if (check) {
          // Reported only if nothing more specific follows it.
          if (pendingCheck)
            ctx.report({
              category: 'other',
              tool: 'R CMD check',
              message: `* checking ${pendingCheck.what} ... ERROR`,
              logLines: [pendingCheck.n, pendingCheck.n],
              confidence: 0.4,
            });
          pendingCheck = { what: check.groups?.what ?? '', n: line.n };
        }
        return false;
      },
      end(ctx) {
        close(ctx);
        if (pendingCheck)
          ctx.report({
            category: 'other',
            tool: 'R CMD check',
            message: `* checking ${pendingCheck.what} ... ERROR`,
            logLines: [pendingCheck.n, pendingCheck.n],
            confidence: 0.4,
          });
      },
    };
  },
};
