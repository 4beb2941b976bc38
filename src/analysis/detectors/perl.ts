import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Perl tests, as Test::More and Test::Harness (`prove`, `make test`) print them: a `#   Failed test
 * 'name'` diagnostic with its `#   at t/x.t line 17.` location and `got`/`expected` lines, a test
 * script that died (`t/x.t ....... Can't connect at t/x.t line 17.`), and the harness verdict on a
 * script (`t/x.t ..... Dubious, test returned 2`, `Failed 2/9 subtests`). The summary that restates
 * them (`Test Summary Report`, `Result: FAIL`) is left to the generic finder.
 */

// `#   Failed test 'name'`, `#   Failed test at t/x.t line 17.`, `#   Failed (TODO) test …`, and the
// old Test::Builder `#     Failed test (t/x.t at line 17)`; nothing else may follow.
const FAILED_TEST =
  /^\s*#\s+Failed (?:\(TODO\) )?test(?<rest>\s+'[^']*'|\s+"[^"]*"|\s+at \S+ line \d+\.?|\s+\(\S+ at line \d+\)|\s+\d+)?\s*$/;
const AT_LINE = / at (?<file>\S+?) line (?<line>\d+)\.?\s*$/;
const DIAGNOSTIC = /^\s*#\s/;
// The harness prefixes a script's own output with its name and a run of dots.
const HARNESS_PREFIX = /^\s*(?<script>[\w./-]+\.t) \.{2,} ?(?<rest>.*)$/;
const DIED = /^(?<message>\S.*?) at (?<file>\S+\.(?:t|pm|pl)) line (?<line>\d+)\.$/;
const VERDICT = /^(?:Dubious, test returned (?<code>\d+)|Failed (?<failed>\d+)\/(?<total>\d+) subtests)/;
const LOOKS_LIKE = /^\s*# Looks like (?:you failed \d+ tests? of \d+|your test exited with \d+|you planned \d+ tests? but ran \d+)/;

interface PerlScan {
  blocks: BlockReader;
  /** A failed test or a script that died was read: `# Looks like …` then only restates it. */
  sawFailure: boolean;
}

type PerlHandler = LineHandler<[scan: PerlScan, line: LogLine, ctx: DetectorContext]>;

/** A failure of one test script, extended by the diagnostics and the harness lines that follow it. */
function testBlock(draft: FailureDraft, script: string | undefined): OpenBlock {
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (next.n - draft.logLines[0] > 40) return false;
      const prefixed = HARNESS_PREFIX.exec(text);
      const own = prefixed !== null && (script === undefined || prefixed.groups?.script === script);
      const isDiagnostic = DIAGNOSTIC.test(text) && !FAILED_TEST.test(text);
      // The harness's verdict on the same script restates the failure: taken, not part of the cause.
      if (!isDiagnostic) return (own && VERDICT.test(prefixed?.groups?.rest ?? '')) || /^\s*Failed \d+\/\d+ subtests/.test(text);
      const at = AT_LINE.exec(text);
      if (at?.groups && draft.file === undefined) {
        draft.file = at.groups.file;
        draft.line = Number(at.groups.line);
      }
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

const failedTest: PerlHandler = (scan, line, ctx) => {
  const match = FAILED_TEST.exec(line.text);
  if (!match) return undefined;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'test-more',
    message: clip(line.text.replace(/^\s*#\s+/, '')),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  scan.sawFailure = true;
  const at = AT_LINE.exec(match.groups?.rest ?? '');
  if (at?.groups) {
    draft.file = at.groups.file;
    draft.line = Number(at.groups.line);
  }
  return scan.blocks.open(testBlock(draft, undefined), ctx);
};

/** A line the harness prefixed with the script's name: the script died, or the harness's verdict on it. */
const harnessLine: PerlHandler = (scan, line, ctx) => {
  const prefixed = HARNESS_PREFIX.exec(line.text);
  if (!prefixed?.groups) return undefined;
  const { script, rest } = prefixed.groups as { script: string; rest: string };
  const died = DIED.exec(rest);
  const verdict = VERDICT.exec(rest);
  if (!died && !verdict) return undefined;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'test-harness',
    message: clip(`${script}: ${rest}`),
    file: died?.groups?.file ?? script,
    logLines: [line.n, line.n],
    // A script that died names the cause; the verdict only says the script failed.
    confidence: died ? 0.85 : 0.7,
  };
  if (died?.groups) draft.line = Number(died.groups.line);
  scan.sawFailure = true;
  return scan.blocks.open(testBlock(draft, script), ctx);
};

/** `# Looks like you failed 2 tests of 9.` outside a failure's diagnostics: weak, weaker still after a failure was read. */
const looksLike: PerlHandler = (scan, line, ctx) => {
  if (!LOOKS_LIKE.test(line.text)) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'test-more',
    message: clip(line.text.replace(/^\s*#\s+/, '')),
    logLines: [line.n, line.n],
    confidence: scan.sawFailure ? 0.3 : 0.6,
  });
  return false;
};

const LINE_HANDLERS: readonly PerlHandler[] = [failedTest, harnessLine, looksLike];

export const perlDetector: Detector = {
  id: 'perl',
  description: 'Perl test failures: Test::More `Failed test` diagnostics, test scripts that died, and Test::Harness verdicts.',
  categories: ['test_failure'],
  example: "#   Failed test 'parses the header'\n#   at t/parse.t line 17.",
  trigger: /^\s*#\s+Failed test\b|\.t \.\.|^\s*# Looks like (?:you|your)/,
  start() {
    const scan: PerlScan = { blocks: new BlockReader(), sawFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
