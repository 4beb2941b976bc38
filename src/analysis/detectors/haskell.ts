import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Haskell: GHC error blocks (`src/X.hs:12:5: error:` followed by the indented explanation),
 * missing modules (`Could not find module`), cabal/stack resolution failures, and hspec failures
 * (`1) Module.fn does x` + `# PENDING`/`expected:`/`but got:`, `N examples, M failures`).
 */

const GHC_ERROR =
  /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.(?:hs|lhs|hsc|hs-boot)):(?:(?<line>\d+):(?<column>\d+)(?:-\d+)?|\((?<line2>\d+),(?<column2>\d+)\)-\(\d+,\d+\)):\s*error(?:: \[(?<code>[^\]]+)\])?:?\s*(?<message>.*)$/;
const GHC_BODY = /^\s+\S|^\s*\d*\s*\|/;
const MISSING_MODULE = /Could not (?:find|load) module [‘'`](?<module>[^’'`]+)[’'`]/;
const RESOLUTION =
  /^(?:Error: )?(?:cabal(?:\.exe)?: )?Could not resolve dependencies:|^Error: \[S-4804\]|^Error: While constructing the build plan|^\s*In the dependencies for |^cabal: Unknown package/;
const HSPEC_ITEM = /^\s*(?<index>\d+)\) (?<description>\S.*)$/;
const HSPEC_LOCATION = /^\s*(?<file>[^\s:]+\.hs):(?<line>\d+):(?<column>\d+):\s*$/;
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
const LINE_HANDLERS: readonly HaskellHandler[] = [failuresHeader, ghcError, resolution, hspecItem, hspecSummary];

export const haskellDetector: Detector = {
  id: 'haskell',
  description: 'GHC errors and missing modules, cabal/stack dependency resolution failures, and hspec failures.',
  categories: ['compilation_error', 'import_missing_module', 'dependency_resolution', 'test_failure'],
  example: 'src/ShellCheck/Checker.hs:12:5: error:',
  trigger:
    /\.l?hs(?:c|-boot)?:(?:\d|\()|Could not (?:find|load) module|Could not resolve dependencies|build plan|Error: \[S-|In the dependencies for|Unknown package|^\s*\d+\) \S|examples?, \d+ failures?/,
  start() {
    const scan: HaskellScan = { blocks: new BlockReader(), failuresSection: false, sawSpecificFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
