import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * The Go toolchain: compiler and `go vet` diagnostics (`./x.go:12:5: undefined: foo`), linters in
 * the golangci-lint / gometalinter shape (`x.go:12:5: msg (linter)`), `go test` failures
 * (`--- FAIL: TestX (0.00s)` with its indented output, or under `go test -v` the output printed
 * between `=== RUN   TestX` and the `--- FAIL`; panics, including a test's `[recovered]` re-panic;
 * Ginkgo `[FAILED]` specs) and module resolution errors (`missing go.sum entry`, `no required
 * module provides package`).
 */

// Column 0 only: the same shape indented under `--- FAIL:` is test output, not a diagnostic.
const DIAGNOSTIC = /^(?<vet>vet: )?(?<file>(?:[A-Za-z]:)?[^\s:]*\.go):(?<line>\d+):(?:(?<column>\d*):)?\s?(?<message>\S.*)$/;
// gcc reports cgo diagnostics (`x.go:12:10: fatal error: ...`); they are not Go's own.
const C_DIAGNOSTIC = /^(?:fatal error|error|warning|note):/;
const LINTER_SUFFIX = /\((?<linter>[a-zA-Z][\w-]*)\)$/;
const LINT_SEVERITY = /^(?:warning|error|info): /;

const GINKGO_SUMMARY = /^\s*Summarizing \d+ Failures?:/;
/** Lines between Ginkgo's failure summary and the `--- FAIL` of the test that ran the suite. */
const GINKGO_SUMMARY_WINDOW = 15;
const TEST_FAIL = /^(?<indent>\s*)--- FAIL: (?<test>\S+)(?: \([\d.]+m?s\))?/;
const TEST_OUTPUT = /^(?:\s{4}|\t)/;
const TEST_LOCATION = /^\s+(?<file>[^\s:]+\.go):(?<line>\d+): /;
/** `go test -v` prints a test's output after its `=== RUN` line, before the verdict. */
const TEST_RUN = /^\s*=== RUN\s+(?<test>\S+)\s*$/;
const TEST_EVENT = /^\s*(?:=== (?:RUN|PAUSE|CONT|NAME)\b|--- (?:FAIL|PASS|SKIP):)/;
const RUN_WINDOW = 200;

const PANIC = /^panic: (?<message>.+)$/;
const PANIC_FRAME = /^\s+(?<file>(?:[A-Za-z]:)?\/?[^\s:]+\.go):(?<line>\d+)(?: \+0x[0-9a-f]+)?$/;
const PANIC_TRAILER = /^(?:\s+panic: |goroutine \d+ \[|\S.*\(.*\)$|\s+\S+\.go:\d+|\[recovered\]|created by |exit status \d+|FAIL\s)/;

const PACKAGE_FAIL = /^FAIL\s+(?<pkg>\S+)\s+(?<rest>[\d.]+s|\[build failed\]|\[setup failed\])/;

const GINKGO_FAILED = /^\s*•\s*\[(?:FAILED|PANICKED|TIMEDOUT)\]/;
const GINKGO_LOCATION = /^\s*(?<file>\/?[^\s:]+_test\.go):(?<line>\d+)\s*$/;
const GINKGO_END = /^\s*(?:-{10,}|In \[\w+\] at: )/;

const MODULE_PROBLEMS: ReadonlyArray<{ pattern: RegExp; category: Category }> = [
  { pattern: /missing go\.sum entry for module/, category: 'dependency_resolution' },
  {
    pattern:
      /^go: (?:[^\s:]+: )?(?:module \S+: )?(?:reading|verifying|finding) \S+.*: (?:404 Not Found|410 Gone|unknown revision|invalid version)/,
    category: 'dependency_resolution',
  },
  { pattern: /^go: \S+@\S+: (?:invalid version|unknown revision|reading .*: 4\d\d )/, category: 'dependency_resolution' },
  {
    pattern: /^go: updates to go\.mod needed|^go: inconsistent vendoring|go\.mod file indicates go \S+, but maximum supported version is/,
    category: 'dependency_resolution',
  },
  { pattern: /no required module provides package (?<module>\S+?);?(?:\s|$)/, category: 'import_missing_module' },
  { pattern: /cannot find package "(?<module>[^"]+)"|package (?<module2>\S+) is not in (?:GOROOT|std)/, category: 'import_missing_module' },
  { pattern: /cannot find module providing package (?<module3>\S+)/, category: 'import_missing_module' },
];

interface OpenBlock {
  draft: FailureDraft;
  accepts(line: LogLine): boolean;
  /** Set by `accepts`: this line ends the block (include it, then close). */
  closesOn?(line: LogLine): boolean;
  /** The `--- FAIL` line of a Go test block (to tell a wrapper without output of its own). */
  header?: number;
  /** `go test -v` output of the test, printed before its `--- FAIL` line. */
  outputBefore?: boolean;
}

function diagnosticDraft(
  line: LogLine,
  ctx: DetectorContext,
  match: RegExpExecArray,
  followsDiagnostic: boolean,
): FailureDraft | undefined {
  const groups = match.groups ?? {};
  const message = clip(groups.message ?? '');
  const linter = LINTER_SUFFIX.exec(message)?.groups?.linter;
  if ((C_DIAGNOSTIC.test(message) && linter === undefined) || /^exit status \d+$/.test(message)) return undefined;
  const previous = ctx.before(1)[0];
  const afterPackageHeader = previous !== undefined && /^# \S+/.test(previous.text);
  // `log.Fatal` with Lshortfile prints `util.go:45: msg` too; compilers print a column, or at least
  // follow a `# pkg` header or another diagnostic.
  if (!groups.column && linter === undefined && !afterPackageHeader && !followsDiagnostic) return undefined;
  // Modern `go vet` prints plain compiler-shaped lines; the step that ran it is the only hint.
  const vetStep = line.step !== undefined && /\bvet\b|lint/i.test(line.step);
  const isLint = Boolean(groups.vet) || vetStep || (linter !== undefined && (LINT_SEVERITY.test(message) || groups.column !== undefined));
  // `# example.com/pkg` names the package the compiler was building; it belongs to the first error.
  const first = afterPackageHeader && previous ? previous.n : line.n;
  const draft: FailureDraft = {
    category: isLint ? 'lint_format' : 'compilation_error',
    tool: groups.vet || (vetStep && !linter) ? 'go vet' : isLint ? (linter ?? 'golangci-lint') : 'go',
    message,
    file: groups.file,
    line: Number(groups.line),
    logLines: [first, line.n],
    confidence: isLint ? 0.85 : 0.9,
  };
  if (groups.column) draft.column = Number(groups.column);
  if (linter && isLint) draft.data = { linter };
  return draft;
}

export const goDetector: Detector = {
  id: 'go',
  description: 'Go compiler, go vet, golangci-lint style linters, go test failures and panics, Ginkgo specs and Go module errors.',
  categories: ['compilation_error', 'lint_format', 'test_failure', 'dependency_resolution', 'import_missing_module'],
  example: '--- FAIL: TestClientNotificationStorm (2.63s)',
  trigger:
    /\.go:\d|--- FAIL|^panic: |^FAIL\s|\[FAILED\]|\[PANICKED\]|\[TIMEDOUT\]|go\.sum|required module|cannot find (?:package|module)|is not in (?:GOROOT|std)|^go: /,
  start() {
    let open: OpenBlock | undefined;
    let reportedTestFailure = false;
    let reportedBuildFailure = false;
    let lastDiagnosticLine = -1;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      // A `--- FAIL` without output of its own is a parent of failed subtests or a wrapper around a
      // Ginkgo suite: the failure that explains it is reported separately.
      if (open.draft.tool === 'go test' && open.header === open.draft.logLines[1] && !open.outputBefore) open.draft.confidence = 0.6;
      ctx.report(open.draft);
      open = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.closesOn?.(line)) {
            open.draft.logLines[1] = line.n;
            close(ctx);
            return false;
          }
          if (open.accepts(line)) return true;
          close(ctx);
        }

        const testFail = TEST_FAIL.exec(text);
        if (testFail) {
          reportedTestFailure = true;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'go test',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { test: testFail.groups?.test },
          };
          const indent = testFail.groups?.indent?.length ?? 0;
          // A Ginkgo suite's wrapper test follows the suite's own `Summarizing N Failures:` list.
          const summary = ctx.before(GINKGO_SUMMARY_WINDOW).find((earlier) => GINKGO_SUMMARY.test(earlier.text));
          if (summary !== undefined) draft.logLines[0] = summary.n;
          // `go test -v`: the output between this test's `=== RUN` line and the next test event.
          let outputBefore = false;
          const earlier = ctx.before(RUN_WINDOW);
          let runIndex = -1;
          for (let i = earlier.length - 1; i >= 0; i--) {
            if (TEST_RUN.exec(earlier[i]?.text ?? '')?.groups?.test === testFail.groups?.test) {
              runIndex = i;
              break;
            }
          }
          if (runIndex >= 0 && summary === undefined) {
            let end = runIndex + 1;
            while (end < earlier.length && !TEST_EVENT.test(earlier[end]?.text ?? '')) {
              const text = earlier[end]?.text ?? '';
              const location = TEST_LOCATION.exec(text);
              if (location && draft.file === undefined) {
                draft.file = location.groups?.file;
                draft.line = Number(location.groups?.line);
              }
              if (text.trim() !== '') outputBefore = true;
              end++;
            }
            // The output runs into this `--- FAIL` line: the block starts at `=== RUN`.
            if (outputBefore && end === earlier.length) draft.logLines[0] = earlier[runIndex]?.n ?? line.n;
          }
          open = {
            header: line.n,
            outputBefore,
            draft,
            accepts(next) {
              if (next.text.trim() === '' || TEST_FAIL.test(next.text) || !TEST_OUTPUT.test(next.text)) return false;
              // Subtests print their own `--- FAIL` lines; their output is deeper than ours.
              if (indent > 0 && next.text.length - next.text.trimStart().length <= indent) return false;
              const location = TEST_LOCATION.exec(next.text);
              if (location && draft.file === undefined) {
                draft.file = location.groups?.file;
                draft.line = Number(location.groups?.line);
              }
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const panic = PANIC.exec(text);
        if (panic) {
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'go',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.85,
          };
          let framesSeen = 0;
          open = {
            draft,
            accepts(next) {
              if (next.text.trim() === '' && framesSeen === 0) return true;
              if (!PANIC_TRAILER.test(next.text)) return false;
              const frame = PANIC_FRAME.exec(next.text);
              if (frame) {
                framesSeen++;
                const file = frame.groups?.file ?? '';
                // The first frame outside the runtime and the testing package is where the code panicked.
                if (draft.file === undefined && !/\/(?:runtime|testing|reflect)\/|\/src\/(?:runtime|testing)\//.test(file)) {
                  draft.file = file;
                  draft.line = Number(frame.groups?.line);
                  draft.logLines[1] = next.n;
                  return false;
                }
              }
              if (draft.file === undefined) draft.logLines[1] = next.n;
              return framesSeen < 40;
            },
          };
          return true;
        }

        if (GINKGO_FAILED.test(text)) {
          reportedTestFailure = true;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'ginkgo',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          let described = false;
          open = {
            draft,
            closesOn: (next) => /^\s*In \[\w+\] at: /.test(next.text),
            accepts(next) {
              if (GINKGO_END.test(next.text) || GINKGO_FAILED.test(next.text)) return false;
              const location = GINKGO_LOCATION.exec(next.text);
              if (location && draft.file === undefined) {
                draft.file = location.groups?.file;
                draft.line = Number(location.groups?.line);
              } else if (!described && next.text.trim() !== '') {
                described = true;
                draft.message = clip(`${text.trim()} ${next.text.trim()}`);
              }
              draft.logLines[1] = next.n;
              return draft.logLines[1] - draft.logLines[0] < 40;
            },
          };
          return true;
        }

        for (const problem of MODULE_PROBLEMS) {
          const match = problem.pattern.exec(text);
          if (!match) continue;
          const module = match.groups?.module ?? match.groups?.module2 ?? match.groups?.module3;
          const draft: FailureDraft = {
            category: problem.category,
            tool: 'go',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          const located = /^(?<file>[^\s:]+\.go):(?<line>\d+):(?:(?<column>\d+):)?/.exec(text);
          if (located) {
            draft.file = located.groups?.file;
            draft.line = Number(located.groups?.line);
            if (located.groups?.column) draft.column = Number(located.groups.column);
          }
          if (module) draft.data = { module };
          ctx.report(draft);
          return false;
        }

        const diagnostic = DIAGNOSTIC.exec(text);
        if (diagnostic) {
          const draft = diagnosticDraft(line, ctx, diagnostic, lastDiagnosticLine === line.n - 1);
          if (!draft) return false;
          if (draft.category === 'compilation_error') lastDiagnosticLine = line.n;
          if (draft.category === 'compilation_error') reportedBuildFailure = true;
          ctx.report(draft);
          return false;
        }

        const packageFail = PACKAGE_FAIL.exec(text);
        if (packageFail) {
          const buildFailed = /\[(?:build|setup) failed\]/.test(packageFail.groups?.rest ?? '');
          // The package summary repeats what a `--- FAIL` or compiler line already said.
          const alreadyExplained = buildFailed ? reportedBuildFailure : reportedTestFailure;
          ctx.report({
            category: buildFailed ? 'compilation_error' : 'test_failure',
            tool: 'go test',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: alreadyExplained ? 0.3 : 0.6,
            data: { package: packageFail.groups?.pkg },
          });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
