import type { Detector, FailureDraft } from '../types.js';

/**
 * GoogleTest, the C++ test framework (CTest's own summary is the cmake detector's). It prints each test between
 * `[ RUN      ] Suite.Test` and `[  FAILED  ] Suite.Test (12 ms)`, its assertion as
 * `path/file.cc:42: Failure` (MSVC builds: `file.cc(42): error: …`) followed by the expected and
 * actual values; one failure per failed test, located at its first assertion. The closing list
 * (`[  FAILED  ] Suite.Test` without a time) repeats them and is used only for tests whose block was
 * not in the log.
 */

const RUN = /^\[ RUN {6}\] (?<test>\S+)/;
const FAILED_TIMED = /^\[ {2}FAILED {2}\] (?<test>\S+?)(?:, where .*)? \(\d+ ms\)\s*$/;
const FAILED_LISTED = /^\[ {2}FAILED {2}\] (?<test>[^\s,]+)(?:, where .*)?\s*$/;
const GNU_TAIL = /^:(?<line>\d+): /;
const MSVC_TAIL = /^\((?<line>\d+)\): error: /;
/** Lines of one test's output kept in its failure. */
const MAX_TEST_LINES = 200;

/** `path/file.cc:42: Failure` or `file.cc(42): error: …` → file and line (parsed by hand: no backtracking on long lines). */
function assertionAt(text: string): { file: string; line: number } | undefined {
  const drive = /^[A-Za-z]:[\\/]/.test(text) ? 2 : 0;
  let end = drive;
  while (end < text.length && text[end] !== ':' && text[end] !== '(') end++;
  const file = text.slice(0, end);
  if (end === text.length || /^\s/.test(file) || !/\.\w+$/.test(file)) return undefined;
  const tail = text.slice(end);
  const line = GNU_TAIL.exec(tail)?.groups?.line ?? MSVC_TAIL.exec(tail)?.groups?.line;
  return line === undefined ? undefined : { file, line: Number(line) };
}

export const gtestDetector: Detector = {
  id: 'gtest',
  description:
    'GoogleTest failed tests (`[ RUN ]` … `file.cc:42: Failure` … `[  FAILED  ] Suite.Test (12 ms)`), located at their first assertion.',
  categories: ['test_failure'],
  example: '[  FAILED  ] MathTest.AddsTwo (0 ms)',
  trigger: /^\[ RUN {6}\] |^\[ {2}FAILED {2}\] /,
  start() {
    let running:
      { test: string; start: number; location?: { file: string; line: number }; detail?: string; awaitingDetail: boolean } | undefined;
    const reported = new Set<string>();

    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const run = RUN.exec(text)?.groups?.test;
        if (run !== undefined) {
          running = { test: run, start: line.n, awaitingDetail: false };
          return true;
        }
        const timed = FAILED_TIMED.exec(text)?.groups?.test;
        if (timed !== undefined) {
          const block = running?.test === timed && line.n - running.start <= MAX_TEST_LINES ? running : undefined;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'gtest',
            message: `${timed} failed${block?.detail ? `: ${block.detail}` : ''}`.slice(0, 500),
            logLines: [block?.start ?? line.n, line.n],
            confidence: 0.95,
            data: { test: timed },
          };
          if (block?.location) {
            draft.file = block.location.file;
            draft.line = block.location.line;
          }
          reported.add(timed);
          ctx.report(draft);
          running = undefined;
          return false;
        }
        const listed = FAILED_LISTED.exec(text)?.groups?.test;
        if (listed !== undefined) {
          if (!reported.has(listed)) {
            reported.add(listed);
            ctx.report({
              category: 'test_failure',
              tool: 'gtest',
              message: `${listed} failed`,
              logLines: [line.n, line.n],
              confidence: 0.85,
              data: { test: listed },
            });
          }
          return false;
        }
        if (running !== undefined) {
          if (line.n - running.start > MAX_TEST_LINES) {
            running = undefined;
            return false;
          }
          const assertion = assertionAt(text);
          if (assertion !== undefined || /^unknown file: /.test(text)) {
            if (assertion !== undefined && running.location === undefined) running.location = assertion;
            if (running.detail === undefined) running.awaitingDetail = true;
          } else if (running.awaitingDetail && text.trim() !== '') {
            running.detail = text.trim();
            running.awaitingDetail = false;
          }
          return true;
        }
        return false;
      },
    };
  },
};
