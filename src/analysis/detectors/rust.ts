import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Rust: rustc/clippy diagnostics (`error[E0425]: msg` + ` --> src/x.rs:12:5`), rustfmt
 * `--check` diffs, `cargo test` / nextest failures and panics, trybuild mismatches, and cargo's
 * dependency resolution errors.
 */

// Column 0: rustc output quoted inside test output (trybuild, nextest) is indented.
const DIAGNOSTIC = /^error(?:\[(?<code>E\d{4})\])?: (?<message>.+)$/;
const NOT_A_DIAGNOSTIC =
  /^(?:aborting due to|could not compile|failed to run custom build command|build failed|Could not compile|failed to select a version|no matching package|failed to load source|failed to get `|test failed|\d+ targets? failed)/;
const ARROW = /^\s*--> (?<file>[^\s:]+):(?<line>\d+):(?<column>\d+)/;
const BLOCK_LINE = /^\s*(?:\d+\s*)?\|(?:\s|$)|^\s*(?:= (?:note|help)|-->|\.\.\.|::: )|^\s*\d+\s+\|/;
const CLIPPY_HINT = /`-D (?:clippy::|warnings)|#\[deny\(clippy::|rust-clippy\/master\/index\.html|`#\[deny\(clippy/;
const BLOCK_HINT = /^(?:note|help): /;

const COULD_NOT_COMPILE = /^error: (?:could not compile|failed to run custom build command for) `(?<crate>[^`]+)`/;

const DEPENDENCY_PROBLEM =
  /^(?:error: )?(?:failed to select a version for (?:the requirement )?`(?<crate>[^`]+)`|no matching package named `(?<crate2>[^`]+)` found|failed to load source for dependency `(?<crate3>[^`]+)`|the lock file \S+ needs to be updated but --locked was passed)/;
const DEPENDENCY_CONTINUATION =
  /^\s*(?:candidate versions found|location searched|required by package|\.\.\. which satisfies|versions that meet the requirements|perhaps you meant|the package `|all possible versions conflict|previously selected|failed to select a version|\S.*conflicts with)|^\s*$/;

const RUSTFMT_DIFF = /^Diff in (?<file>\S+?)(?: at line (?<line>\d+)|:(?<line2>\d+)):?\s*$/;
const DIFF_BODY = /^[+\- ]|^\s*$/;

const TEST_FAILED_LINE = /^test (?<name>\S+) \.\.\. FAILED$/;
const TEST_STDOUT_HEADER = /^---- (?<name>\S+) stdout ----$/;
const PANIC =
  /^thread '(?<thread>[^']*)'(?: \(\d+\))? panicked at (?:(?<file>[^\s:']+):(?<line>\d+):(?<column>\d+):$|'(?<old>.*)', (?<oldFile>[^\s:]+):(?<oldLine>\d+):(?<oldColumn>\d+)$|(?<other>.*)$)/;
const PANIC_TRAILER = /^note: run with `RUST_BACKTRACE=1`|^note: Run with `RUST_BACKTRACE=1`/;
const TEST_RESULT_FAILED = /^test result: FAILED\. /;

const NEXTEST_FAIL = /^\s*(?:FAIL|SIGSEGV|SIGABRT|TIMEOUT|LEAK-FAIL) \[\s*[\d.]+s\] (?:\(\d+\/\d+\) )?(?<test>\S+(?: \S+)?)$/;
const TRYBUILD_MISMATCH = /^\s*test (?<file>\S+\.rs) \[should (?:fail to compile|pass)\] \.\.\. (?:mismatch|error)$/;

interface RustScan {
  blocks: BlockReader;
  /** The `---- name stdout ----` header of the test whose output is being printed. */
  currentTestOutput: { name: string; n: number } | undefined;
  sawTestFailure: boolean;
  sawCompileError: boolean;
}

type RustHandler = LineHandler<[scan: RustScan, line: LogLine, ctx: DetectorContext]>;

/** A rustc diagnostic: `error[E0425]: msg`, its ` --> file:line:col` and the excerpt and notes under it. */
function diagnosticBlock(line: LogLine, match: RegExpExecArray): OpenBlock {
  const code = match.groups?.code;
  const message = clip(match.groups?.message ?? '');
  const category: Category = code === 'E0463' || /^can't find crate for/.test(message) ? 'import_missing_module' : 'compilation_error';
  const draft: FailureDraft = {
    category,
    tool: 'rustc',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  if (code) draft.data = { code };
  let clippy = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (text.trim() === '') return true;
      if (!BLOCK_LINE.test(text) && !BLOCK_HINT.test(text)) return false;
      const arrow = ARROW.exec(text);
      if (arrow && draft.file === undefined) {
        draft.file = arrow.groups?.file;
        draft.line = Number(arrow.groups?.line);
        draft.column = Number(arrow.groups?.column);
      }
      if (CLIPPY_HINT.test(text)) clippy = true;
      draft.logLines[1] = next.n;
      return true;
    },
    finish() {
      if (clippy) {
        draft.category = 'lint_format';
        draft.tool = 'clippy';
      }
      // Many tools print `error: ...`; rustc's own diagnostics carry a code or a ` --> ` location.
      return !(code === undefined && draft.file === undefined);
    },
  };
}

/** cargo's resolver: the headline and the candidates, requirements and conflicts it lists under it. */
function dependencyBlock(line: LogLine, match: RegExpExecArray): OpenBlock {
  const crate = match.groups?.crate ?? match.groups?.crate2 ?? match.groups?.crate3;
  const draft: FailureDraft = {
    category: 'dependency_resolution',
    tool: 'cargo',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  if (crate) draft.data = { crate };
  return {
    draft,
    accepts(next) {
      if (!DEPENDENCY_CONTINUATION.test(next.text) || next.n - draft.logLines[0] > 15) return false;
      if (next.text.trim() !== '') draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** `rustfmt --check`: `Diff in file at line N:` and the diff lines under it. */
function rustfmtBlock(line: LogLine, match: RegExpExecArray): OpenBlock {
  const draft: FailureDraft = {
    category: 'lint_format',
    tool: 'rustfmt',
    message: clip(line.text),
    file: match.groups?.file,
    line: Number(match.groups?.line ?? match.groups?.line2),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  return {
    draft,
    accepts(next) {
      if (RUSTFMT_DIFF.test(next.text) || !DIFF_BODY.test(next.text) || next.n - draft.logLines[0] > 30) return false;
      if (next.text.trim() !== '') draft.logLines[1] = next.n;
      return true;
    },
  };
}

/**
 * A panic. In a test's output (after its `---- name stdout ----` header) it is the test failure;
 * outside a test it is a Rust program (a build script, a CI tool) that crashed: its message says
 * why, but rarely in terms of a category, so it stays a weak 'other'.
 */
function panicBlock(scan: RustScan, line: LogLine, match: RegExpExecArray): OpenBlock {
  const text = line.text;
  const groups = match.groups ?? {};
  const file = groups.file ?? groups.oldFile;
  const testOutput = scan.currentTestOutput;
  const inTest = testOutput !== undefined && line.n - testOutput.n <= 60;
  const missingFile = /No such file or directory|os error 2\b/.test(text);
  const draft: FailureDraft = {
    category: inTest ? 'test_failure' : missingFile ? 'missing_file' : 'other',
    tool: inTest ? 'cargo test' : 'rust',
    message: clip(text),
    logLines: [inTest && testOutput ? testOutput.n : line.n, line.n],
    confidence: inTest ? 0.95 : missingFile ? 0.6 : 0.5,
  };
  if (file) {
    draft.file = file;
    draft.line = Number(groups.line ?? groups.oldLine);
    draft.column = Number(groups.column ?? groups.oldColumn);
  }
  if (inTest && testOutput) draft.data = { test: testOutput.name };
  return {
    draft,
    accepts(next) {
      // New-style panics print the message on the lines after `panicked at file:line:col:`.
      if (PANIC_TRAILER.test(next.text)) {
        draft.logLines[1] = next.n;
        return false;
      }
      if (next.text.trim() === '' || /^(?:----|test |failures:|thread '|stack backtrace:)/.test(next.text) || next.n - line.n > 12)
        return false;
      // New-style panics print the message on the next line; it says more than the location does.
      if (groups.file && draft.logLines[1] === line.n) draft.message = clip(`${text} ${next.text}`);
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** A nextest `FAIL [ 0.1s] crate test` line and the output it prints under it. */
function nextestBlock(line: LogLine, match: RegExpExecArray): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'cargo nextest',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.9,
    data: { test: match.groups?.test },
  };
  return {
    draft,
    accepts(next) {
      if (next.n - line.n > 10 || NEXTEST_FAIL.test(next.text)) return false;
      if (next.text.trim() !== '') draft.logLines[1] = next.n;
      // The harness's own `test x ... FAILED` line closes the part worth reading.
      return !/^\s*test \S+ \.\.\. FAILED$/.test(next.text);
    },
  };
}

/** A trybuild case whose compiler output differs from the expected one. */
function trybuildBlock(line: LogLine, match: RegExpExecArray): OpenBlock {
  const file = match.groups?.file ?? '';
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'trybuild',
    message: clip(line.text),
    file,
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  return {
    draft,
    accepts(next) {
      if (next.n - line.n > 20) return false;
      // The expected compiler output names the line the case is about.
      const arrow = ARROW.exec(next.text);
      if (arrow && arrow.groups?.file === file) {
        draft.line = Number(arrow.groups.line);
        draft.logLines[1] = next.n;
        return false;
      }
      return true;
    },
  };
}

const dependencyProblem: RustHandler = (scan, line, ctx) => {
  const dependency = DEPENDENCY_PROBLEM.exec(line.text);
  return dependency ? scan.blocks.open(dependencyBlock(line, dependency), ctx) : undefined;
};

/** cargo's summary of errors reported above; worth little on its own. */
const couldNotCompile: RustHandler = (scan, line, ctx) => {
  const match = COULD_NOT_COMPILE.exec(line.text);
  if (!match) return undefined;
  ctx.report({
    category: 'compilation_error',
    tool: 'cargo',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawCompileError || line.text.includes('custom build command') ? 0.3 : 0.6,
    data: { crate: match.groups?.crate },
  });
  return false;
};

const diagnostic: RustHandler = (scan, line, ctx) => {
  const match = DIAGNOSTIC.exec(line.text);
  if (!match || NOT_A_DIAGNOSTIC.test(match.groups?.message ?? '')) return undefined;
  scan.sawCompileError = true;
  return scan.blocks.open(diagnosticBlock(line, match), ctx);
};

const rustfmtDiff: RustHandler = (scan, line, ctx) => {
  const rustfmt = RUSTFMT_DIFF.exec(line.text);
  return rustfmt ? scan.blocks.open(rustfmtBlock(line, rustfmt), ctx) : undefined;
};

const testStdoutHeader: RustHandler = (scan, line) => {
  const header = TEST_STDOUT_HEADER.exec(line.text);
  if (!header) return undefined;
  scan.currentTestOutput = { name: header.groups?.name ?? '', n: line.n };
  return false;
};

const panic: RustHandler = (scan, line, ctx) => {
  const match = PANIC.exec(line.text);
  if (!match) return undefined;
  const block = panicBlock(scan, line, match);
  scan.currentTestOutput = undefined;
  scan.sawTestFailure = true;
  return scan.blocks.open(block, ctx);
};

const nextestFailure: RustHandler = (scan, line, ctx) => {
  const nextest = NEXTEST_FAIL.exec(line.text);
  if (!nextest) return undefined;
  scan.sawTestFailure = true;
  return scan.blocks.open(nextestBlock(line, nextest), ctx);
};

const trybuildMismatch: RustHandler = (scan, line, ctx) => {
  const trybuild = TRYBUILD_MISMATCH.exec(line.text);
  if (!trybuild) return undefined;
  scan.sawTestFailure = true;
  return scan.blocks.open(trybuildBlock(line, trybuild), ctx);
};

const testFailedLine: RustHandler = (_scan, line, ctx) => {
  const testFailed = TEST_FAILED_LINE.exec(line.text);
  if (!testFailed) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'cargo test',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.7,
    data: { test: testFailed.groups?.name },
  });
  return false;
};

const testResultFailed: RustHandler = (scan, line, ctx) => {
  if (!TEST_RESULT_FAILED.test(line.text)) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'cargo test',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawTestFailure ? 0.3 : 0.6,
  });
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly RustHandler[] = [
  dependencyProblem,
  couldNotCompile,
  diagnostic,
  rustfmtDiff,
  testStdoutHeader,
  panic,
  nextestFailure,
  trybuildMismatch,
  testFailedLine,
  testResultFailed,
];

export const rustDetector: Detector = {
  id: 'rust',
  description:
    'rustc and clippy errors, rustfmt --check diffs, cargo test/nextest failures and panics, trybuild mismatches, cargo resolution errors.',
  categories: [
    'compilation_error',
    'lint_format',
    'import_missing_module',
    'test_failure',
    'dependency_resolution',
    'missing_file',
    'other',
  ],
  example: 'error[E0425]: cannot find value `foo` in this scope',
  trigger:
    /^error|^Diff in |^test \S+ \.\.\. FAILED|^---- \S+ stdout ----|panicked at|^test result: FAILED|(?:FAIL|SIGSEGV|SIGABRT|TIMEOUT|LEAK-FAIL) \[|should (?:fail to compile|pass)\] \.\.\. |failed to select a version|no matching package named|failed to load source for dependency|needs to be updated but --locked/,
  start() {
    const scan: RustScan = { blocks: new BlockReader(), currentTestOutput: undefined, sawTestFailure: false, sawCompileError: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
