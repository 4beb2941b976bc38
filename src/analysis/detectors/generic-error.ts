/**
 * The error finder that needs no tool knowledge. When the CI system says a step failed (or, for a
 * plain log, at its end) it reads the step's last output lines and picks the error block nearest
 * the end: lines with a broad, language-neutral error vocabulary and `file:line` shapes, with the
 * indented and continuation lines that belong to them (a stack trace, an indented diff, a caret
 * line). The category comes from the step's command and the block's words together: a failing
 * block in a step that ran a test runner is a test failure, in an installer a dependency problem,
 * in a compiler a compilation error; words such as `SyntaxError` or `command not found` say more
 * than the command. Specific detectors know more; this one is for the tools they do not know, and
 * ranks below them.
 */
import { ciExitLine } from '../steps.js';
import { categoryOfCommand, categoryOfWords, DECISIVE } from '../vocabulary.js';
import { CONTEXT_LINES, type Category, type Detector, type DetectorContext, type FailureDraft, type LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/** Output lines of the failed step read back from its end: the last ones first, then further back. */
export const NEAR_LINES = 200;
export const WINDOW_LINES = CONTEXT_LINES;
/** Longest block reported. */
const MAX_BLOCK_LINES = 40;

// Weight 3: a line that says an error happened. Weight 2: words that usually do.
const STRONG =
  /\b(?:error|ERROR|Error)(?:\[[\w-]+\])?:|^\s*(?:error|ERROR)\b|\berror [A-Z]{1,4}\d{2,5}\b|\bFAIL(?:ED|URE)?\b|\bTraceback\b|\bfatal\b|\bFATAL\b|\bpanic(?:ked)?\b|\b\w*(?:Exception|Error)\b(?::|$| in | at )|\bnot ok\b|[✗✖✘]|^\s*\*\* \(|\bSegmentation fault\b|\bcore dumped\b|\b[Aa]borted\b|\bpanicked at\b/;
const WEAK =
  /\bfail(?:s|ed|ure|ures|ing)?\b|\bcannot\b|\bcan't\b|\bcould not\b|\bunable to\b|\bnot found\b|\bNo such file\b|\bundefined\b|\bdenied\b|\binvalid\b|\bunexpected\b|\brefused\b|\btimed out\b|\bmissing\b|\bexpected\b|\bmismatch\b|\bdoes not\b|\bdid not\b|\bnot in order\b|^E {2,}|^\s*>\s|\bassert|\bno \S+(?: \S+)? found\b/i;
/** A line that only says how a run ended, or that nothing went wrong. */
const BENIGN =
  /\b0 (?:errors?|failures?|failed)\b|\bno errors?\b|\bwarn(?:ing)?s?\b|\bdeprecat|^\s*\[?(?:debug|info|notice)\]?\b|\bsuccess|\bpassed\b|^\s*ok\b|\bDownloading\b|\bInstalling\b|\bCollecting\b|\bRequirement already\b|^\s*(?:travis_|\$ |#+\s)/i;
/** Lines that only restate that the run failed: the cause is in an earlier block. */
const EPILOGUE =
  /^(?:npm (?:ERR!|error)|yarn run v|error Command failed|info Visit|make(?:\[\d+\])?: \*\*\*|ninja: build stopped|Error: Process completed|ERROR: Job failed|Exited with code|Build step .* failed|\[(?:error|ERROR)\] (?:Total time|Finished at|Failed to execute goal|-> \[Help|Re-run Maven|For more information|To see the full stack trace|$)|error: (?:could not compile|aborting due to)|FAILURE: Build failed|\* What went wrong|BUILD FAILED|Tests? (?:run|failed)|Ran \d+ tests?|\d+ (?:tests?|examples?|specs?)(?: run)?, \d+ (?:failures?|failed)|FAILED \(|=+ .*(?:failed|error).* =+$|Failed examples:|rspec \.\/|Summary of failures|ERROR: .*(?:returned|exited|exit code)|The command ".*" exited|\*\* [A-Z ]*FAILED \*\*|Failing tests:|Executed \d+ tests?, with \d+ failures?|[^:]{0,80}: Executed \d+ of \d+\b|TOTAL: \d+ FAILED|.*failed due to previous errors|Error: Command failed|error: command .* failed with exit status|Test failed\. See above|Tests? failed\.?$|\d+ failing$|\d+ out of \d+ tests? failed|Test suite .{0,80}failed|Test suite failure|exited with: ExitFailure|[✖✗×]? ?\d+ problems? \(|Found \d+ (?:errors?|problems?|issues?)|\d+ files? inspected|Total: \d+|\d+ (?:errors?|warnings?|hints?|issues?|problems?|offenses?)(?: (?:found|detected|generated))?\.?$|exit status \d+$|(?:error|warning): build failed|\(See full trace by running|note: Run with `RUST_BACKTRACE)/i;
const FRAME = /^\s+(?:at |File "|from |in |\.\.\.|\(|#\d+ )|^\s*at [\w$.<>]+[ (]|^\t/;
const CARET = /^\s*[~^]+\s*$|^\s*\^/;
const CODE_EXCERPT = /^\s*\d+\s*\|/;

const LOCATIONS: readonly RegExp[] = [
  /File "([^"\n]{1,300})", line (\d{1,7})/,
  /(?:^|[\s('"[])((?:[A-Za-z]:)?[\w./\\@+-]{0,300}[\w-]\.[A-Za-z][\w]{0,7}):(\d{1,7})(?::(\d{1,5}))?/,
  /(?:^|[\s('"[])((?:[A-Za-z]:)?[\w./\\@+-]{0,300}[\w-]\.[A-Za-z][\w]{0,7})\((\d{1,7})(?:,(\d{1,5}))?\)/,
  / at ((?:[A-Za-z]:)?[\w./\\@+-]{1,300}\.[A-Za-z]\w{0,7}) line (\d{1,7})/,
];
/** Locations in libraries and runtimes rather than in the project. */
const LIBRARY_PATH =
  /(?:^|[/\\])(?:node_modules|site-packages|dist-packages|vendor|\.cargo|\.rustup|\.m2|\.gradle|\.ivy2|\.stack|\.cabal|lib\/ruby|gems|usr\/(?:lib|local|share|include)|internal|jdk|lib\/python\d)(?:[/\\]|$)|^\((?:elixir|stdlib|kernel|erts)\)|^(?:node|internal)[:/]|^<|^\w+\.(?:java|scala):/;

/** A line that starts with a source location (`src/a.rb:3:5:`, `Main.hs:4:14-26:`): a tool reporting a problem. */
const LOCATED = /^\s*(?:[A-Za-z]:)?[\w./\\@+-]{0,300}[\w-]\.[A-Za-z]\w{0,7}:\d{1,7}(?::\d{1,5})?(?:-\d{1,5})?:\s/;

function weightOf(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 2000) return 0;
  if (STRONG.test(trimmed)) return BENIGN.test(trimmed) && !/\berror\b/i.test(trimmed) ? 1 : 3;
  // A located report counts whatever its severity word: in a failed step, that is what failed it.
  if (LOCATED.test(text)) return 2;
  if (WEAK.test(trimmed)) return BENIGN.test(trimmed) ? 0 : 2;
  return 0;
}

function indentOf(text: string): number {
  let n = 0;
  while (n < text.length && (text[n] === ' ' || text[n] === '\t')) n++;
  return n;
}

/** A line that continues the block above it: a frame, a caret, an excerpt, or deeper indentation. */
function continues(line: LogLine, blockIndent: number): boolean {
  const text = line.text;
  if (text.trim() === '') return false;
  if (FRAME.test(text) || CARET.test(text) || CODE_EXCERPT.test(text)) return true;
  return indentOf(text) > blockIndent;
}

interface Block {
  lines: LogLine[];
  weight: number;
  /** Lines in it that carry error words. */
  hits: number;
  epilogue: boolean;
}

/** Error blocks of the window, in order. */
export function findBlocks(window: readonly LogLine[]): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let indent = 0;
  for (let i = 0; i < window.length; i++) {
    const line = window[i] as LogLine;
    const weight = weightOf(line.text);
    // One blank line inside a block is kept when the block goes on after it (a list under its header).
    const bridged =
      line.text.trim() === '' && current !== undefined && window[i + 1] !== undefined && continues(window[i + 1] as LogLine, indent);
    if (current !== undefined && current.lines.length < MAX_BLOCK_LINES && (weight >= 2 || bridged || continues(line, indent))) {
      current.lines.push(line);
      if (weight >= 2) {
        current.hits += 1;
        current.weight = Math.max(current.weight, weight);
        if (!EPILOGUE.test(line.text.trim())) current.epilogue = false;
      }
      continue;
    }
    current = undefined;
    if (weight < 2) continue;
    current = { lines: [line], weight, hits: 1, epilogue: EPILOGUE.test(line.text.trim()) };
    indent = indentOf(line.text);
    blocks.push(current);
  }
  for (const block of blocks) {
    // Trailing blank or continuation-only tails do not explain anything.
    while (block.lines.length > 1 && (block.lines.at(-1) as LogLine).text.trim() === '') block.lines.pop();
  }
  return blocks;
}

/** The block that explains the step: the strongest one nearest the end that is not only its epilogue. */
export function pickBlock(blocks: readonly Block[], causesOnly = false): Block | undefined {
  const causes = blocks.filter((block) => !block.epilogue);
  if (causesOnly && causes.length === 0) return undefined;
  const pool = causes.length > 0 ? causes : blocks;
  const strongest = Math.max(0, ...pool.map((block) => block.weight));
  for (let i = pool.length - 1; i >= 0; i--) {
    const block = pool[i] as Block;
    if (block.weight === strongest) return block;
  }
  return undefined;
}

/** A `  3:11  ✖  message` row of a "stylish" report (eslint, stylelint): its file is the header line above. */
const STYLISH_ROW = /^\s+(\d{1,7}):(\d{1,5})\s/;
const STYLISH_HEADER = /^((?:[A-Za-z]:)?[\w./\\@+-]{0,300}[\w-]\.[A-Za-z]\w{0,7})\s*$/;

function stylishLocation(
  block: readonly LogLine[],
  before: readonly LogLine[],
): { file: string; line: number; column?: number } | undefined {
  const row = STYLISH_ROW.exec((block[0] as LogLine).text);
  if (!row) return undefined;
  for (let i = before.length - 1; i >= 0 && i >= before.length - 50; i--) {
    const header = STYLISH_HEADER.exec((before[i] as LogLine).text.trim());
    if (header) return { file: (header[1] as string).replace(/^\.\//, ''), line: Number(row[1]), column: Number(row[2]) };
  }
  return undefined;
}

export function locationIn(
  lines: readonly LogLine[],
  before: readonly LogLine[] = [],
): { file: string; line: number; column?: number } | undefined {
  const stylish = stylishLocation(lines, before);
  if (stylish !== undefined) return stylish;
  let fallback: { file: string; line: number; column?: number } | undefined;
  for (const line of lines) {
    for (const pattern of LOCATIONS) {
      const match = pattern.exec(line.text);
      if (!match) continue;
      const file = (match[1] as string).replace(/^\.\//, '');
      if (/^https?:|^\/\//.test(file) || /^\d+(?:\.\d+)+$/.test(file)) continue;
      const found = { file, line: Number(match[2]), ...(match[3] !== undefined ? { column: Number(match[3]) } : {}) };
      if (!LIBRARY_PATH.test(file) && !/^\s*\((?:elixir|stdlib|kernel)\)/.test(line.text)) return found;
      fallback ??= found;
    }
  }
  return fallback;
}

interface Verdict {
  category: Category;
  confidence: number;
}

/** The block's category and how sure that is: decisive words, then the command, then the words alone. */
export function judge(blockText: string, command: string): Verdict {
  for (const { pattern, category } of DECISIVE) if (pattern.test(blockText)) return { category, confidence: 0.6 };
  const byCommand = categoryOfCommand(command);
  const byWords = categoryOfWords(blockText);
  if (byCommand !== undefined && byWords === byCommand) return { category: byCommand, confidence: 0.65 };
  if (byCommand !== undefined) return { category: byCommand, confidence: 0.55 };
  if (byWords !== undefined) return { category: byWords, confidence: 0.45 };
  return { category: 'other', confidence: 0.35 };
}

function commandOf(step: string | undefined): string {
  if (step === undefined) return '';
  return step.startsWith('Run ') ? step.slice(4) : step;
}

function messageOf(block: Block): string {
  const first = block.lines.find((line) => weightOf(line.text) >= 2) ?? (block.lines[0] as LogLine);
  return clip(first.text);
}

/** Reports the block that explains the step that ended at `end` (its window: the step's last lines). */
function reportStep(ctx: DetectorContext, window: readonly LogLine[], step: string | undefined): boolean {
  // The cause is nearly always near the step's end; a long tail of output (a test runner's progress,
  // a summary) can push it further back.
  const near = window.slice(-NEAR_LINES);
  const block = pickBlock(findBlocks(near), true) ?? pickBlock(findBlocks(window));
  if (block === undefined) return false;
  const text = block.lines.map((line) => line.text).join('\n');
  const verdict = judge(text, commandOf(step));
  const first = (block.lines[0] as LogLine).n;
  const location = locationIn(
    block.lines,
    window.filter((line) => line.n < first),
  );
  const draft: FailureDraft = {
    category: verdict.category,
    tool: 'generic',
    message: messageOf(block),
    logLines: [(block.lines[0] as LogLine).n, (block.lines.at(-1) as LogLine).n],
    confidence: verdict.confidence,
    data: { finder: 'generic', ...(step !== undefined ? { command: commandOf(step).slice(0, 200) } : {}) },
  };
  if (location !== undefined) {
    draft.file = location.file;
    draft.line = location.line;
    if (location.column !== undefined) draft.column = location.column;
  }
  ctx.report(draft);
  return true;
}

/** The trailing lines of `earlier` that belong to the step numbered `stepIndex`. */
function stepWindow(earlier: readonly LogLine[], stepIndex: number | undefined): LogLine[] {
  let start = earlier.length;
  while (start > 0 && (earlier[start - 1] as LogLine).stepIndex === stepIndex) start--;
  return earlier.slice(start).filter((line) => line.command !== 'group' && line.command !== 'endgroup' && line.command !== 'command');
}

export const genericErrorDetector: Detector = {
  id: 'generic-error',
  description:
    "The error finder that needs no tool knowledge: in the step the CI system says failed (or at the end of a plain log), the error block nearest the end, categorised from the step's command and the block's words; ranks below specific detectors.",
  categories: [
    'test_failure',
    'compilation_error',
    'lint_format',
    'dependency_resolution',
    'syntax_error',
    'import_missing_module',
    'missing_file',
    'network_infra_timeout',
    'type_check',
    'other',
  ],
  example: '** (throw) "Words not in order \\"thumbor_client\\" and \\"thumbnex\\""',
  trigger: /^Process completed with exit code [1-9]|^The command ".*" (?:failed and )?exited with [1-9]|^ERROR: Job failed: /,
  start() {
    let reported = false;
    return {
      line(line: LogLine, ctx) {
        const exit = ciExitLine(line.text);
        if (exit === undefined || exit.code === 0) return;
        if (reportStep(ctx, stepWindow(ctx.before(WINDOW_LINES), line.stepIndex), line.step)) reported = true;
      },
      end(ctx) {
        // A plain log (no CI system's failure line): its last lines are the failed step.
        if (reported) return;
        const tail = ctx.before(WINDOW_LINES);
        const last = tail.at(-1);
        if (last === undefined) return;
        reportStep(ctx, stepWindow(tail, last.stepIndex), last.step);
      },
    };
  },
};
