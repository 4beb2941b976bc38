import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * The Go toolchain: compiler and `go vet` diagnostics (`./x.go:12:5: undefined: foo`), linters in
 * the golangci-lint / gometalinter shape (`x.go:12:5: msg (linter)`), `go test` failures
 * (`--- FAIL: TestX (0.00s)` with its indented output, or under `go test -v` the output printed
 * between `=== RUN   TestX` and the `--- FAIL`; panics, including a test's `[recovered]` re-panic;
 * Ginkgo `[FAILED]` specs) and module resolution errors (`missing go.sum entry`, `no required
 * module provides package`), and gofmt's verdicts: the files `gofmt -l` lists in a step that ran it
 * (a check script fails on a non-empty list; gofmt itself exits 0) and the `diff x.go.orig x.go`
 * headers of `gofmt -d`, one failure per file, with `data.formatter` 'gofmt' (and `data.simplify`
 * when the command ran `gofmt -s`).
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

/** A command line that runs gofmt listing (`gofmt -l .`, `gofmt -s -l ./...`, in `$(...)` too). */
const GOFMT_COMMAND = /\bgofmt(?<options>(?:\s+-[a-z]+)+)/;
/** A bare Go file name as `gofmt -l` prints it: no spaces, no colon. */
const GOFMT_LISTED = /^(?<file>(?:\.\/)?[\w.@+/-]+\.go)$/;
/**
 * `gofmt -d`: `diff x.go.orig x.go` (Go 1.16+), `diff -u x.go.orig x.go` (older); behind a `+` when
 * the check is the `diff -u <(echo -n) <(gofmt -d .)` idiom, which prints gofmt's output as added lines.
 */
const GOFMT_DIFF = /^\+?diff (?:-u )?(?<orig>\S+\.go)\.orig (?<file>\S+\.go)$/;

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

interface GoScan {
  blocks: BlockReader;
  reportedTestFailure: boolean;
  reportedBuildFailure: boolean;
  /** Line of the last compiler diagnostic: the next line's may lack a column. */
  lastDiagnosticLine: number;
  /** Steps (by index) that ran gofmt, and whether with `-s`; their listed files are its verdict. */
  gofmtSteps: Map<number, { list: boolean; simplify: boolean }>;
}

type GoHandler = LineHandler<[scan: GoScan, line: LogLine, ctx: DetectorContext]>;

/** Reads `text` as test output naming a `file.go:12:` location, into `draft` unless it has one. */
function locateInTestOutput(draft: FailureDraft, text: string): void {
  const location = TEST_LOCATION.exec(text);
  if (location && draft.file === undefined) {
    draft.file = location.groups?.file;
    draft.line = Number(location.groups?.line);
  }
}

/**
 * `go test -v` prints a test's output after its `=== RUN` line, before the verdict: reads the
 * output of `test` among the `earlier` lines into `draft` (its location; the block starts at
 * `=== RUN` when the output runs into the `--- FAIL` line). Returns whether it had any.
 */
function readRunOutput(draft: FailureDraft, earlier: readonly LogLine[], test: string | undefined, line: LogLine): boolean {
  let runIndex = -1;
  for (let i = earlier.length - 1; i >= 0; i--) {
    if (TEST_RUN.exec(earlier[i]?.text ?? '')?.groups?.test === test) {
      runIndex = i;
      break;
    }
  }
  if (runIndex < 0) return false;
  let outputBefore = false;
  let end = runIndex + 1;
  while (end < earlier.length && !TEST_EVENT.test(earlier[end]?.text ?? '')) {
    const text = earlier[end]?.text ?? '';
    locateInTestOutput(draft, text);
    if (text.trim() !== '') outputBefore = true;
    end++;
  }
  if (outputBefore && end === earlier.length) draft.logLines[0] = earlier[runIndex]?.n ?? line.n;
  return outputBefore;
}

/** A `--- FAIL: TestX` block with the indented output under it (or, under `go test -v`, before it). */
function testFailBlock(line: LogLine, ctx: DetectorContext, match: RegExpExecArray): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'go test',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { test: match.groups?.test },
  };
  const indent = match.groups?.indent?.length ?? 0;
  // A Ginkgo suite's wrapper test follows the suite's own `Summarizing N Failures:` list.
  const summary = ctx.before(GINKGO_SUMMARY_WINDOW).find((earlier) => GINKGO_SUMMARY.test(earlier.text));
  if (summary !== undefined) draft.logLines[0] = summary.n;
  const outputBefore = summary === undefined && readRunOutput(draft, ctx.before(RUN_WINDOW), match.groups?.test, line);
  return {
    draft,
    accepts(next) {
      if (next.text.trim() === '' || TEST_FAIL.test(next.text) || !TEST_OUTPUT.test(next.text)) return false;
      // Subtests print their own `--- FAIL` lines; their output is deeper than ours.
      if (indent > 0 && next.text.length - next.text.trimStart().length <= indent) return false;
      locateInTestOutput(draft, next.text);
      draft.logLines[1] = next.n;
      return true;
    },
    finish() {
      // A `--- FAIL` without output of its own is a parent of failed subtests or a wrapper around a
      // Ginkgo suite: the failure that explains it is reported separately.
      if (draft.logLines[1] === line.n && !outputBefore) draft.confidence = 0.6;
      return true;
    },
  };
}

/** `panic: msg` and its goroutine trace, located by the first frame outside the runtime. */
function panicBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'go',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  let framesSeen = 0;
  return {
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
}

/** A Ginkgo `• [FAILED]` spec, up to its `In [It] at:` line. */
function ginkgoBlock(line: LogLine): OpenBlock {
  const text = line.text;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'ginkgo',
    message: clip(text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  let described = false;
  return {
    draft,
    accepts(next) {
      if (/^\s*In \[\w+\] at: /.test(next.text)) {
        draft.logLines[1] = next.n;
        return 'end';
      }
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
}

const testFail: GoHandler = (scan, line, ctx) => {
  const match = TEST_FAIL.exec(line.text);
  if (!match) return undefined;
  scan.reportedTestFailure = true;
  return scan.blocks.open(testFailBlock(line, ctx, match), ctx);
};

const panic: GoHandler = (scan, line, ctx) => (PANIC.test(line.text) ? scan.blocks.open(panicBlock(line), ctx) : undefined);

const ginkgoFailed: GoHandler = (scan, line, ctx) => {
  if (!GINKGO_FAILED.test(line.text)) return undefined;
  scan.reportedTestFailure = true;
  return scan.blocks.open(ginkgoBlock(line), ctx);
};

const moduleProblem: GoHandler = (_scan, line, ctx) => {
  const text = line.text;
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
  return undefined;
};

const diagnostic: GoHandler = (scan, line, ctx) => {
  const match = DIAGNOSTIC.exec(line.text);
  if (!match) return undefined;
  const draft = diagnosticDraft(line, ctx, match, scan.lastDiagnosticLine === line.n - 1);
  if (!draft) return false;
  if (draft.category === 'compilation_error') {
    scan.lastDiagnosticLine = line.n;
    scan.reportedBuildFailure = true;
  }
  ctx.report(draft);
  return false;
};

const packageFail: GoHandler = (scan, line, ctx) => {
  const match = PACKAGE_FAIL.exec(line.text);
  if (!match) return undefined;
  const buildFailed = /\[(?:build|setup) failed\]/.test(match.groups?.rest ?? '');
  // The package summary repeats what a `--- FAIL` or compiler line already said.
  const alreadyExplained = buildFailed ? scan.reportedBuildFailure : scan.reportedTestFailure;
  ctx.report({
    category: buildFailed ? 'compilation_error' : 'test_failure',
    tool: 'go test',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: alreadyExplained ? 0.3 : 0.6,
    data: { package: match.groups?.pkg },
  });
  return false;
};

/**
 * Remembers a step's gofmt command line (the step's script, a Travis `$ gofmt -l .`); never takes
 * the line, so the other handlers still read it.
 */
const gofmtCommand: GoHandler = (scan, line) => {
  const match = GOFMT_COMMAND.exec(line.text);
  if (!match) return undefined;
  const options = match.groups?.options ?? '';
  const known = scan.gofmtSteps.get(line.stepIndex ?? 0);
  scan.gofmtSteps.set(line.stepIndex ?? 0, {
    list: (known?.list ?? false) || /-[a-z]*l/.test(options),
    simplify: (known?.simplify ?? false) || /-[a-z]*s/.test(options),
  });
  return undefined;
};

function gofmtDraft(line: LogLine, file: string, how: string, simplify: boolean): FailureDraft {
  return {
    category: 'lint_format',
    tool: 'gofmt',
    message: clip(`${file}: not gofmt-formatted (${how})`),
    file,
    logLines: [line.n, line.n],
    confidence: 0.9,
    data: { formatter: 'gofmt', simplify },
  };
}

/** A file `gofmt -l` listed, in a step that ran it; a `gofmt -d` diff header anywhere. */
const gofmtVerdict: GoHandler = (scan, line, ctx) => {
  const step = scan.gofmtSteps.get(line.stepIndex ?? 0);
  const diff = GOFMT_DIFF.exec(line.text);
  const diffFile = diff?.groups?.file;
  if (diffFile !== undefined && diff?.groups?.orig === diffFile) {
    ctx.report(gofmtDraft(line, diffFile, 'gofmt -d', step?.simplify ?? false));
    return false;
  }
  const listed = step?.list === true ? GOFMT_LISTED.exec(line.text) : null;
  if (!listed?.groups?.file || step === undefined) return undefined;
  ctx.report(gofmtDraft(line, listed.groups.file, 'listed by gofmt -l', step.simplify));
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly GoHandler[] = [
  gofmtVerdict,
  gofmtCommand,
  testFail,
  panic,
  ginkgoFailed,
  moduleProblem,
  diagnostic,
  packageFail,
];

export const goDetector: Detector = {
  id: 'go',
  description:
    'Go compiler, go vet, golangci-lint style linters, gofmt -l / gofmt -d verdicts, go test failures and panics, Ginkgo specs and Go module errors.',
  categories: ['compilation_error', 'lint_format', 'test_failure', 'dependency_resolution', 'import_missing_module'],
  example: '--- FAIL: TestClientNotificationStorm (2.63s)',
  trigger:
    /\.go:\d|\.go$|gofmt|--- FAIL|^panic: |^FAIL\s|\[FAILED\]|\[PANICKED\]|\[TIMEDOUT\]|go\.sum|required module|cannot find (?:package|module)|is not in (?:GOROOT|std)|^go: /,
  start() {
    const scan: GoScan = {
      blocks: new BlockReader(),
      reportedTestFailure: false,
      reportedBuildFailure: false,
      lastDiagnosticLine: -1,
      gofmtSteps: new Map(),
    };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
