import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

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

interface OpenBlock {
  draft: FailureDraft;
  /** Set when the block turned out not to be what it looked like (e.g. another tool's `error:` line). */
  discard?: boolean;
  /** Returns true to keep the line in the block. */
  accepts(line: LogLine): boolean;
  finish?(): void;
}

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
    let open: OpenBlock | undefined;
    let currentTestOutput: { name: string; n: number } | undefined;
    let sawTestFailure = false;
    let sawCompileError = false;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      open.finish?.();
      if (!open.discard) ctx.report(open.draft);
      open = undefined;
    };

    const diagnosticBlock = (line: LogLine, match: RegExpExecArray): OpenBlock => {
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
      const block: OpenBlock = {
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
          // Many tools print `error: ...`; rustc's own diagnostics carry a code or a ` --> ` location.
          if (code === undefined && draft.file === undefined) block.discard = true;
          if (clippy) {
            draft.category = 'lint_format';
            draft.tool = 'clippy';
          }
        },
      };
      return block;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.accepts(line)) return true;
          close(ctx);
        }

        const dependency = DEPENDENCY_PROBLEM.exec(text);
        if (dependency) {
          const crate = dependency.groups?.crate ?? dependency.groups?.crate2 ?? dependency.groups?.crate3;
          const draft: FailureDraft = {
            category: 'dependency_resolution',
            tool: 'cargo',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          if (crate) draft.data = { crate };
          open = {
            draft,
            accepts(next) {
              if (!DEPENDENCY_CONTINUATION.test(next.text) || next.n - draft.logLines[0] > 15) return false;
              if (next.text.trim() !== '') draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const couldNotCompile = COULD_NOT_COMPILE.exec(text);
        if (couldNotCompile) {
          // cargo's summary of errors reported above; worth little on its own.
          ctx.report({
            category: 'compilation_error',
            tool: 'cargo',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: sawCompileError || text.includes('custom build command') ? 0.3 : 0.6,
            data: { crate: couldNotCompile.groups?.crate },
          });
          return false;
        }

        const diagnostic = DIAGNOSTIC.exec(text);
        if (diagnostic && !NOT_A_DIAGNOSTIC.test(diagnostic.groups?.message ?? '')) {
          sawCompileError = true;
          open = diagnosticBlock(line, diagnostic);
          return true;
        }

        const rustfmt = RUSTFMT_DIFF.exec(text);
        if (rustfmt) {
          const draft: FailureDraft = {
            category: 'lint_format',
            tool: 'rustfmt',
            message: clip(text),
            file: rustfmt.groups?.file,
            line: Number(rustfmt.groups?.line ?? rustfmt.groups?.line2),
            logLines: [line.n, line.n],
            confidence: 0.95,
          };
          open = {
            draft,
            accepts(next) {
              if (RUSTFMT_DIFF.test(next.text) || !DIFF_BODY.test(next.text) || next.n - draft.logLines[0] > 30) return false;
              if (next.text.trim() !== '') draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const stdoutHeader = TEST_STDOUT_HEADER.exec(text);
        if (stdoutHeader) {
          currentTestOutput = { name: stdoutHeader.groups?.name ?? '', n: line.n };
          return false;
        }

        const panic = PANIC.exec(text);
        if (panic) {
          const groups = panic.groups ?? {};
          const file = groups.file ?? groups.oldFile;
          const inTest = currentTestOutput !== undefined && line.n - currentTestOutput.n <= 60;
          const missingFile = /No such file or directory|os error 2\b/.test(text);
          // Outside a test, a panic is a Rust program (a build script, a CI tool) that crashed: its
          // message says why, but rarely in terms of a category, so it stays a weak 'other'.
          const draft: FailureDraft = {
            category: inTest ? 'test_failure' : missingFile ? 'missing_file' : 'other',
            tool: inTest ? 'cargo test' : 'rust',
            message: clip(text),
            logLines: [inTest && currentTestOutput ? currentTestOutput.n : line.n, line.n],
            confidence: inTest ? 0.95 : missingFile ? 0.6 : 0.5,
          };
          if (file) {
            draft.file = file;
            draft.line = Number(groups.line ?? groups.oldLine);
            draft.column = Number(groups.column ?? groups.oldColumn);
          }
          if (inTest && currentTestOutput) draft.data = { test: currentTestOutput.name };
          currentTestOutput = undefined;
          sawTestFailure = true;
          open = {
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
          return true;
        }

        const nextest = NEXTEST_FAIL.exec(text);
        if (nextest) {
          sawTestFailure = true;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'cargo nextest',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
            data: { test: nextest.groups?.test },
          };
          open = {
            draft,
            accepts(next) {
              if (next.n - line.n > 10 || NEXTEST_FAIL.test(next.text)) return false;
              if (next.text.trim() !== '') draft.logLines[1] = next.n;
              // The harness's own `test x ... FAILED` line closes the part worth reading.
              return !/^\s*test \S+ \.\.\. FAILED$/.test(next.text);
            },
          };
          return true;
        }

        const trybuild = TRYBUILD_MISMATCH.exec(text);
        if (trybuild) {
          sawTestFailure = true;
          const file = trybuild.groups?.file ?? '';
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'trybuild',
            message: clip(text),
            file,
            logLines: [line.n, line.n],
            confidence: 0.85,
          };
          open = {
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
          return true;
        }

        const testFailed = TEST_FAILED_LINE.exec(text);
        if (testFailed) {
          ctx.report({
            category: 'test_failure',
            tool: 'cargo test',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.7,
            data: { test: testFailed.groups?.name },
          });
          return false;
        }

        if (TEST_RESULT_FAILED.test(text)) {
          ctx.report({
            category: 'test_failure',
            tool: 'cargo test',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: sawTestFailure ? 0.3 : 0.6,
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
