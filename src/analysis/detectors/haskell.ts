import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Haskell: GHC error blocks (`src/X.hs:12:5: error:` followed by the indented explanation),
 * missing modules (`Could not find module`), cabal/stack resolution failures, and hspec failures
 * (`1) Module.fn does x` + `# PENDING`/`expected:`/`but got:`, `N examples, M failures`), and
 * PureScript compiler errors (`Error found:` … `at src/X.purs:6:1`, categorised by the documented
 * error name its `See …/errors/ModuleNotFound.md` link gives).
 */

const GHC_ERROR =
  /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.(?:hs|lhs|hsc|hs-boot)):(?:(?<line>\d+):(?<column>\d+)(?:-\d+)?|\((?<line2>\d+),(?<column2>\d+)\)-\(\d+,\d+\)):\s*error(?:: \[(?<code>[^\]]+)\])?:?\s*(?<message>.*)$/;
const GHC_BODY = /^\s+\S|^\s*\d*\s*\|/;
const MISSING_MODULE = /Could not (?:find|load) module [‘'`](?<module>[^’'`]+)[’'`]/;
const RESOLUTION =
  /^(?:Error: )?(?:cabal(?:\.exe)?: )?Could not resolve dependencies:|^Error: \[S-4804\]|^Error: While constructing the build plan|^\s*In the dependencies for |^cabal: Unknown package/;
const HSPEC_ITEM = /^\s*(?<index>\d+)\) (?<description>\S.*)$/;
const HSPEC_LOCATION = /^\s*(?<file>[^\s:]+\.hs):(?<line>\d+):(?<column>\d+):\s*$/;
// The PureScript compiler: `Error found:` / `Error 2 of 5:`, `in module X`, `at src/X.purs:6:1 - 6:28 …`,
// the explanation, and `See https://github.com/purescript/documentation/blob/master/errors/<Name>.md`.
const PURS_HEADER = /^\s*Error (?:found|\d+ of \d+):$/;
const PURS_AT = /^\s*at (?<file>\S+\.purs):(?<line>\d+):(?<column>\d+)\b/;
const PURS_SEE = /\/errors\/(?<name>\w+)\.md\b/;
const HSPEC_SUMMARY = /^\d+ examples?, (?<failures>\d+) failures?/;

interface HaskellScan {
  blocks: BlockReader;
  /** After hspec's `Failures:` line: numbered items are failures. */
  failuresSection: boolean;
  sawSpecificFailure: boolean;
}

type HaskellHandler = LineHandler<[scan: HaskellScan, line: LogLine, ctx: DetectorContext]>;

/** A GHC error: `src/X.hs:12:5: error:` and the indented explanation under it. */
function ghcBlock(line: LogLine, ghc: RegExpExecArray): OpenBlock {
  const text = line.text;
  const groups = ghc.groups ?? {};
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'ghc',
    message: clip(groups.message || text),
    file: groups.file,
    line: Number(groups.line ?? groups.line2),
    column: Number(groups.column ?? groups.column2),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  if (groups.code) draft.data = { code: groups.code };
  return {
    draft,
    accepts(next) {
      if (!GHC_BODY.test(next.text) || next.n - draft.logLines[0] > 25) return false;
      // GHC ≥ 8 puts the message on the indented lines under `error:`.
      if (!groups.message && draft.message === text.trim()) draft.message = clip(next.text);
      const missing = MISSING_MODULE.exec(next.text);
      if (missing) {
        draft.category = 'import_missing_module';
        draft.data = { ...draft.data, module: missing.groups?.module };
      }
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** cabal's or stack's resolution failure and the solver's explanation under it. */
function resolutionBlock(line: LogLine): OpenBlock {
  const text = line.text;
  const draft: FailureDraft = {
    category: 'dependency_resolution',
    tool: /cabal/.test(text) ? 'cabal' : 'stack',
    message: clip(text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  return {
    draft,
    accepts(next) {
      if (
        !/^\s*(?:\[__\d+\]|\S.*(?:rejecting|conflict|fail|backjump|needed|requires|constraint)|\s+\S)/i.test(next.text) ||
        next.n - draft.logLines[0] > 30
      )
        return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** An hspec failure `1) Module.fn does x`, located by the `file.hs:12:5:` line above it. */
function hspecBlock(line: LogLine, ctx: DetectorContext): OpenBlock {
  const previous = ctx.before(1)[0];
  const location = previous ? HSPEC_LOCATION.exec(previous.text) : null;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'hspec',
    message: clip(line.text),
    logLines: [location && previous ? previous.n : line.n, line.n],
    confidence: 0.9,
  };
  if (location) {
    draft.file = location.groups?.file;
    draft.line = Number(location.groups?.line);
    draft.column = Number(location.groups?.column);
  }
  return {
    draft,
    accepts(next) {
      if (!/^\s{2,}\S/.test(next.text) || next.n - draft.logLines[1] > 1 || HSPEC_LOCATION.test(next.text)) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** hspec's `Failures:` line opens its list of failures; the line itself starts none. */
const failuresHeader: HaskellHandler = (scan, line) => {
  if (/^Failures:$/.test(line.text)) scan.failuresSection = true;
  return undefined;
};

const ghcError: HaskellHandler = (scan, line, ctx) => {
  const ghc = GHC_ERROR.exec(line.text);
  if (!ghc) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(ghcBlock(line, ghc), ctx);
};

const resolution: HaskellHandler = (scan, line, ctx) => {
  if (!RESOLUTION.test(line.text)) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(resolutionBlock(line), ctx);
};

const hspecItem: HaskellHandler = (scan, line, ctx) => {
  if (!scan.failuresSection || !HSPEC_ITEM.test(line.text)) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(hspecBlock(line, ctx), ctx);
};

const hspecSummary: HaskellHandler = (scan, line, ctx) => {
  const summary = HSPEC_SUMMARY.exec(line.text);
  if (!summary || !(Number(summary.groups?.failures) > 0)) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'hspec',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawSpecificFailure ? 0.3 : 0.6,
  });
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
/** The category a PureScript error's documented name stands for. */
function pursCategory(name: string): FailureDraft['category'] {
  if (/^Module(?:NotFound|Not found)$|^UnknownImport/.test(name)) return 'import_missing_module';
  if (/^ErrorParsingModule$|^Parse/.test(name)) return 'syntax_error';
  if (/Type|Unify|Kind|Instance|Constraint|Infer|Skolem|Escaped/.test(name)) return 'type_check';
  return 'compilation_error';
}

/** A PureScript compiler error, up to the link to its documentation, which names its kind. */
function pursBlock(line: LogLine): OpenBlock {
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'purs',
    message: clip(line.text.trim()),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  let explained = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (next.n - draft.logLines[0] > 40 || PURS_HEADER.test(text)) return false;
      draft.logLines[1] = next.n;
      const at = PURS_AT.exec(text);
      if (at?.groups && draft.file === undefined) {
        draft.file = at.groups.file;
        draft.line = Number(at.groups.line);
        draft.column = Number(at.groups.column);
        return true;
      }
      const see = PURS_SEE.exec(text);
      if (see?.groups) {
        draft.category = pursCategory(see.groups.name ?? '');
        draft.data = { error: see.groups.name };
        return 'end';
      }
      // The first line of the explanation (after `in module`/`at`) is the message.
      if (!explained && draft.file !== undefined && text.trim() !== '') {
        draft.message = clip(text.trim());
        explained = true;
      }
      return true;
    },
  };
}

const pursError: HaskellHandler = (scan, line, ctx) => (PURS_HEADER.test(line.text) ? scan.blocks.open(pursBlock(line), ctx) : undefined);

const LINE_HANDLERS: readonly HaskellHandler[] = [failuresHeader, ghcError, pursError, resolution, hspecItem, hspecSummary];

export const haskellDetector: Detector = {
  id: 'haskell',
  description:
    'GHC errors and missing modules, cabal/stack dependency resolution failures, hspec failures, and PureScript compiler errors.',
  categories: ['compilation_error', 'import_missing_module', 'dependency_resolution', 'test_failure', 'syntax_error', 'type_check'],
  example: 'src/ShellCheck/Checker.hs:12:5: error:',
  trigger:
    /\.l?hs(?:c|-boot)?:(?:\d|\()|Could not (?:find|load) module|Could not resolve dependencies|build plan|Error: \[S-|In the dependencies for|Unknown package|^\s*\d+\) \S|examples?, \d+ failures?|^\s*Error (?:found|\d+ of \d+):$/,
  start() {
    const scan: HaskellScan = { blocks: new BlockReader(), failuresSection: false, sawSpecificFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
