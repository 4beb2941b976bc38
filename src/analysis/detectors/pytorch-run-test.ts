import type { Detector, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * PyTorch's test driver (`test/run_test.py`), which runs each test file in its own process and
 * sums up in its own words: `test_cuda 1/1 failed!`, `nn/test_pruning 1/1 failed! Received
 * signal: SIGBUS`, then, unless `--keep-going`, its traceback ending in `RuntimeError: test_cuda
 * 1/1 failed!`. A file's `failed!` line and that `RuntimeError` are one failure (its lines run from
 * the first to the second). Its retry summaries (`The following tests failed consistently: […]`,
 * `FAILED CONSISTENTLY: test_x`) and its check that a test class extends `TestCase` are test
 * failures too. A file the driver killed for running too long (`Command took >30min, returning
 * 124`, `TIMED OUT: test_x`) is a timeout, not a failed test. When the driver printed the file's
 * own log first (`PRINTING LOG FILE of test_x 1/1 (…)`), the failure starts there, so the error in
 * that log (an AssertionError at import, a crash) is part of it. Projects built on PyTorch's
 * tooling print the same lines.
 */

const FILE_FAILED =
  /^(?<runtime>RuntimeError: )?(?<test>\S*test\S*?)(?: (?<shard>\d+\/\d+))? failed!(?: [Rr]eceived [Ss]ignal: (?<signal>SIG\w+))?\s*$/;
const CONSISTENTLY = /^(?:The following tests failed consistently: \[.+\]|FAILED CONSISTENTLY: \S.*)\s*$/;
const PRINTING = /^PRINTING LOG FILE of (?<test>\S+)(?: (?<shard>\d+\/\d+))? \(/;
/** Lines between the start of a file's printed log and the driver's `failed!` line about it. */
const PRINTED_LOG_WINDOW = 200;
const TIMEOUT = /^(?:Command took >\d+min, returning 124\b|TIMED OUT: \S)/;
const NOT_TESTCASE = /^(?<test>\S+) - failed\. This test class should extend from \S*TestCase but it doesn't\.\s*$/;

/** Lines between a file's `failed!` line and the driver's `RuntimeError` about it. */
const RUNTIME_ERROR_WINDOW = 60;

/** `test_x` or `test_x 1/2`: how the driver names one run of a test file. */
function fileKey(test: string | undefined, shard: string | undefined): string {
  return `${test ?? ''}${shard ? ` ${shard}` : ''}`;
}

export const pytorchRunTestDetector: Detector = {
  id: 'pytorch-run-test',
  description:
    "PyTorch's test driver run_test.py: a test file that failed or crashed on a signal (`test_x 1/1 failed!`, `RuntimeError: test_x 1/1 failed!`), tests that failed consistently across retries, test classes that do not extend TestCase.",
  categories: ['test_failure', 'network_infra_timeout'],
  example: 'RuntimeError: test_cuda 1/1 failed!',
  trigger:
    /^PRINTING LOG FILE of |failed!|^Command took >\d+min, returning 124|^TIMED OUT: |failed consistently: \[|^FAILED CONSISTENTLY: | - failed\. This test class should extend/,
  start() {
    const open = new Map<string, FailureDraft>();
    let timeout: { n: number; text: string } | undefined;
    let printing: { key: string; n: number } | undefined;
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const printed = PRINTING.exec(text)?.groups;
        if (printed) {
          printing = { key: fileKey(printed.test, printed.shard), n: line.n };
          return false;
        }
        if (TIMEOUT.test(text)) {
          timeout = { n: line.n, text: text.slice(0, 300) };
          return false;
        }
        const failed = FILE_FAILED.exec(text);
        if (failed?.groups) {
          const { test, shard, signal, runtime } = failed.groups;
          const key = fileKey(test, shard);
          const earlier = open.get(key);
          if (earlier !== undefined) {
            open.delete(key);
            // The driver's traceback about a file it already reported: the same failure, told again.
            const toldAgain = runtime !== undefined && line.n - earlier.logLines[1] <= RUNTIME_ERROR_WINDOW;
            if (toldAgain) earlier.logLines[1] = line.n;
            ctx.report(earlier);
            if (toldAgain) return false;
          }
          const timedOut = timeout !== undefined && line.n - timeout.n <= RUNTIME_ERROR_WINDOW ? timeout : undefined;
          timeout = undefined;
          const draft: FailureDraft = {
            category: timedOut ? 'network_infra_timeout' : 'test_failure',
            tool: 'run_test.py',
            message:
              signal !== undefined
                ? `${key} failed! Received signal: ${signal}`
                : timedOut
                  ? `${key} failed! ${timedOut.text}`
                  : `${key} failed!`,
            logLines: [timedOut?.n ?? line.n, line.n],
            confidence: 0.9,
            data: signal !== undefined ? { test: test as string, signal } : { test: test as string },
          };
          if (printing?.key === key && line.n - printing.n <= PRINTED_LOG_WINDOW)
            draft.logLines[0] = Math.min(draft.logLines[0], printing.n);
          if (runtime !== undefined) ctx.report(draft);
          else open.set(key, draft);
          return false;
        }
        const notTestCase = NOT_TESTCASE.exec(text)?.groups;
        if (CONSISTENTLY.test(text) || notTestCase) {
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'run_test.py',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          if (notTestCase?.test !== undefined) draft.data = { test: notTestCase.test };
          ctx.report(draft);
        }
        return false;
      },
      end(ctx) {
        for (const draft of open.values()) ctx.report(draft);
      },
    };
  },
};
