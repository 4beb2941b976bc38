import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * The BEAM languages. Elixir: `** (CompileError) lib/x.ex:12: msg`, `error:` blocks with a
 * `└─ lib/x.ex:12:5` pointer, ExUnit `1) test does x (Mod)` blocks with their `test/x_test.exs:12`
 * line, `mix format --check-formatted`, Hex resolution failures. Erlang: erlc/rebar3
 * `src/x.erl:12: msg` (optionally `:col:`), EUnit/Common Test failures (ct_run's `*** FAILED test
 * case` line with the framed report above it) and `{error,enoent}` exits.
 */

const ELIXIR_EXCEPTION = /^\*\* \((?<kind>\w+(?:\.\w+)*)\) (?:(?<file>[^\s:]+\.exs?):(?<line>\d+)(?::(?<column>\d+))?:? )?(?<message>.*)$/;
const ELIXIR_ERROR_POINTER = /^\s*└─ (?<file>[^\s:]+\.exs?):(?<line>\d+)(?::(?<column>\d+))?/;
const ELIXIR_ERROR_HEAD = /^error: (?<message>.+)$/;
const EXUNIT_ITEM = /^\s+(?<index>\d+)\) (?<test>(?:test|doctest|property) .+) \((?<module>[\w.]+)\)$/;
const EXUNIT_LOCATION = /^\s+(?<file>[^\s:]+\.exs?):(?<line>\d+)$/;
// A frame of the failure's `stacktrace:` (`test/x_test.exs:408: (test)`).
const EXUNIT_FRAME = /^\s+(?<file>[^\s:]+\.exs?):(?<line>\d+): /;
const MIX_FORMAT = /^\*\* \(Mix\) mix format failed due to --check-formatted/;
const HEX_RESOLUTION =
  /^(?:\*\* \(Mix\) )?Hex dependency resolution failed|^Failed to use "(?<pkg>[^"]+)"|^Unchecked dependencies for environment|^\*\* \(Mix\) Could not find an SCM for dependency/;

const ERLANG_DIAGNOSTIC = /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.[eh]rl):(?<line>\d+):(?:(?<column>\d+):)? (?<message>.*)$/;
const EUNIT_FAILURE = /^\s*(?<module>\w+):(?<test>\w+)\.\.\.\*failed\*$|^\s*(?<module2>\w+): (?<test2>\w+)\.\.\.\*failed\*$/;
const CT_FAILED = /^Test run failed! Reason:$|^%%% (?<suite>\w+) ==> (?<case>\w+): FAILED$/;
// ct_run's console: `Testing suite: *** FAILED test case 2 of 4 ***`, under the failure's
// `- - - -`-framed report (`mod:fun failed on line 12`, `Reason: …`).
const CT_CASE_FAILED = /^Testing \S+: \*\*\* FAILED (?:test case \d+(?: of \d+)?|\{)/;
const CT_FRAME = /^(?:- ){20,}-?\s*$/;
const ENOENT = /\{'?EXIT'?,\{error,\{enoent,"(?<path>[^"]+)"\}\}\}|\{error,\{enoent,"?(?<path2>[^"}]+)"?\}\}/;

/** `mix format --check-formatted` failed: the files it lists under the headline. */
function mixFormatBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'lint_format',
    tool: 'mix format',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  const files: string[] = [];
  return {
    draft,
    accepts(next) {
      if (next.n - draft.logLines[0] > 40) return false;
      const listed = /^\s+\* (?<file>\S+)$/.exec(next.text);
      if (listed?.groups?.file) {
        files.push(listed.groups.file);
        draft.file ??= listed.groups.file;
        draft.data = { files: [...files] };
        draft.logLines[1] = next.n;
        return true;
      }
      if (/^The following files were not formatted:$|^\s*$/.test(next.text)) {
        if (next.text.trim() !== '') draft.logLines[1] = next.n;
        return true;
      }
      return false;
    },
  };
}

/** Elixir ≥ 1.15 prints `error: msg`, the snippet, then `└─ lib/x.ex:12:5: Mod.fun/1`. */
function elixirErrorBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'elixirc',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  let located = false;
  return {
    draft,
    // An `error:` line that never reached Elixir's `└─` pointer is another tool's.
    finish: () => located,
    accepts(next) {
      if (located || next.n - draft.logLines[0] > 15) return false;
      const pointer = ELIXIR_ERROR_POINTER.exec(next.text);
      if (pointer) {
        located = true;
        draft.file = pointer.groups?.file;
        draft.line = Number(pointer.groups?.line);
        if (pointer.groups?.column) draft.column = Number(pointer.groups.column);
      }
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/**
 * An ExUnit `1) test does x (Mod)` block. Its `test/x_test.exs:12` line is where the test is
 * defined; the first `stacktrace:` frame in that file is the line that failed, and wins.
 */
function exunitBlock(line: LogLine, item: RegExpExecArray): OpenBlock {
  let failingLineFound = false;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'exunit',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { test: item.groups?.test, module: item.groups?.module },
  };
  return {
    draft,
    accepts(next) {
      if (next.text.trim() === '' && draft.file === undefined) return true;
      if (next.text.trim() === '' || EXUNIT_ITEM.test(next.text) || next.n - draft.logLines[0] > 40) return false;
      const location = EXUNIT_LOCATION.exec(next.text);
      if (location && draft.file === undefined) {
        draft.file = location.groups?.file;
        draft.line = Number(location.groups?.line);
      }
      const frame = failingLineFound ? null : EXUNIT_FRAME.exec(next.text);
      if (frame && draft.file !== undefined && frame.groups?.file === draft.file) {
        failingLineFound = true;
        draft.data = { ...draft.data, testLine: draft.line };
        draft.line = Number(frame.groups.line);
      }
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

type BeamHandler = LineHandler<[blocks: BlockReader, line: LogLine, ctx: DetectorContext]>;

const mixFormat: BeamHandler = (blocks, line, ctx) => (MIX_FORMAT.test(line.text) ? blocks.open(mixFormatBlock(line), ctx) : undefined);

const hexResolution: BeamHandler = (_blocks, line, ctx) => {
  const hex = HEX_RESOLUTION.exec(line.text);
  if (!hex) return undefined;
  const draft: FailureDraft = {
    category: 'dependency_resolution',
    tool: 'mix',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  if (hex.groups?.pkg) draft.data = { package: hex.groups.pkg };
  ctx.report(draft);
  return false;
};

const elixirException: BeamHandler = (_blocks, line, ctx) => {
  const exception = ELIXIR_EXCEPTION.exec(line.text);
  if (!exception || !/Error$/.test(exception.groups?.kind ?? '')) return undefined;
  const kind = exception.groups?.kind ?? '';
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'elixirc',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: /Compile|Syntax|TokenMissing|Mismatched/.test(kind) ? 0.9 : 0.6,
  };
  if (exception.groups?.file) {
    draft.file = exception.groups.file;
    draft.line = Number(exception.groups.line);
    if (exception.groups.column) draft.column = Number(exception.groups.column);
  }
  ctx.report(draft);
  return false;
};

const elixirErrorHead: BeamHandler = (blocks, line, ctx) =>
  ELIXIR_ERROR_HEAD.test(line.text) ? blocks.open(elixirErrorBlock(line), ctx) : undefined;

const exunitItem: BeamHandler = (blocks, line, ctx) => {
  const item = EXUNIT_ITEM.exec(line.text);
  return item ? blocks.open(exunitBlock(line, item), ctx) : undefined;
};

const erlangDiagnostic: BeamHandler = (_blocks, line, ctx) => {
  const erlang = ERLANG_DIAGNOSTIC.exec(line.text);
  if (!erlang) return undefined;
  const message = clip(erlang.groups?.message ?? '');
  if (/^[Ww]arning: /.test(message)) return false;
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'erlc',
    message,
    file: erlang.groups?.file,
    line: Number(erlang.groups?.line),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  if (erlang.groups?.column) draft.column = Number(erlang.groups.column);
  ctx.report(draft);
  return false;
};

const eunitFailure: BeamHandler = (_blocks, line, ctx) => {
  if (!EUNIT_FAILURE.test(line.text)) return undefined;
  ctx.report({ category: 'test_failure', tool: 'eunit', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.9 });
  return false;
};

const enoent: BeamHandler = (_blocks, line, ctx) => {
  const match = ENOENT.exec(line.text);
  if (!match) return undefined;
  const path = match.groups?.path ?? match.groups?.path2;
  ctx.report({
    category: 'missing_file',
    tool: 'erlang',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.75,
    ...(path ? { data: { path } } : {}),
  });
  return false;
};

const commonTestFailed: BeamHandler = (_blocks, line, ctx) => {
  if (!CT_FAILED.test(line.text)) return undefined;
  ctx.report({ category: 'test_failure', tool: 'common_test', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.4 });
  return false;
};

/** The `- - -`-framed report just above a line (blank lines between allowed), as [first, last] content lines. */
function framedReportAbove(ctx: DetectorContext): LogLine[] {
  const before = ctx.before(60);
  const text = (i: number): string => before[i]?.text ?? '';
  let end = before.length - 1;
  while (end >= 0 && text(end).trim() === '') end--;
  if (end < 0 || !CT_FRAME.test(text(end))) return [];
  let start = end - 1;
  while (start >= 0 && !CT_FRAME.test(text(start))) start--;
  return start < 0 ? [] : before.slice(start + 1, end).filter((line) => line.text.trim() !== '');
}

/** A Common Test case that failed: the framed report above it is the cause. */
const commonTestCase: BeamHandler = (_blocks, line, ctx) => {
  if (!CT_CASE_FAILED.test(line.text)) return undefined;
  const report = framedReportAbove(ctx);
  const first = report[0];
  const last = report[report.length - 1];
  ctx.report({
    category: 'test_failure',
    tool: 'common_test',
    message: clip(first !== undefined ? `${line.text}: ${first.text.trim()}` : line.text),
    logLines: first !== undefined && last !== undefined ? [first.n, last.n] : [line.n, line.n],
    confidence: 0.85,
  });
  return false;
};

/** What a line can start, most specific first; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly BeamHandler[] = [
  mixFormat,
  hexResolution,
  elixirException,
  elixirErrorHead,
  exunitItem,
  erlangDiagnostic,
  eunitFailure,
  commonTestCase,
  enoent,
  commonTestFailed,
];

export const beamDetector: Detector = {
  id: 'beam',
  description: 'Elixir (compiler, ExUnit, mix format, Hex) and Erlang (erlc/rebar3, EUnit, Common Test) failures.',
  categories: ['compilation_error', 'test_failure', 'lint_format', 'dependency_resolution', 'missing_file'],
  example: 'src/rabbit_vhost.erl:91: field description undefined in record vhost',
  trigger:
    /^\*\* \(|└─ |^error: |^\s+\d+\) (?:test|doctest|property) |\.[eh]rl:\d|\*failed\*|^Test run failed|\*\*\* FAILED |==> \w+: FAILED|enoent|Hex dependency resolution|^Failed to use "|^Unchecked dependencies/,
  start() {
    const blocks = new BlockReader();
    return {
      line: (line, ctx) => blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, blocks, line, ctx),
      end: (ctx) => blocks.close(ctx),
    };
  },
};
