import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

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

export const haskellDetector: Detector = {
  id: 'haskell',
  description: 'GHC errors and missing modules, cabal/stack dependency resolution failures, and hspec failures.',
  categories: ['compilation_error', 'import_missing_module', 'dependency_resolution', 'test_failure'],
  example: 'src/ShellCheck/Checker.hs:12:5: error:',
  trigger:
    /\.l?hs(?:c|-boot)?:(?:\d|\()|Could not (?:find|load) module|Could not resolve dependencies|build plan|Error: \[S-|In the dependencies for|Unknown package|^\s*\d+\) \S|examples?, \d+ failures?/,
  start() {
    let open: { draft: FailureDraft; accepts(line: LogLine): boolean } | undefined;
    let failuresSection = false;
    let sawSpecificFailure = false;
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
        if (/^Failures:$/.test(text)) failuresSection = true;

        const ghc = GHC_ERROR.exec(text);
        if (ghc) {
          sawSpecificFailure = true;
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
          open = {
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
          return true;
        }

        if (RESOLUTION.test(text)) {
          sawSpecificFailure = true;
          const draft: FailureDraft = {
            category: 'dependency_resolution',
            tool: /cabal/.test(text) ? 'cabal' : 'stack',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          open = {
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
          return true;
        }

        const item = failuresSection ? HSPEC_ITEM.exec(text) : null;
        if (item) {
          sawSpecificFailure = true;
          const previous = ctx.before(1)[0];
          const location = previous ? HSPEC_LOCATION.exec(previous.text) : null;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'hspec',
            message: clip(text),
            logLines: [location && previous ? previous.n : line.n, line.n],
            confidence: 0.9,
          };
          if (location) {
            draft.file = location.groups?.file;
            draft.line = Number(location.groups?.line);
            draft.column = Number(location.groups?.column);
          }
          open = {
            draft,
            accepts(next) {
              if (!/^\s{2,}\S/.test(next.text) || next.n - draft.logLines[1] > 1 || HSPEC_LOCATION.test(next.text)) return false;
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const summary = HSPEC_SUMMARY.exec(text);
        if (summary && Number(summary.groups?.failures) > 0) {
          ctx.report({
            category: 'test_failure',
            tool: 'hspec',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: sawSpecificFailure ? 0.3 : 0.6,
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
