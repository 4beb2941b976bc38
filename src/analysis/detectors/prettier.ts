import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * `prettier --check`: one failure per unformatted file (`[warn] src/x.ts` in Prettier 2/3, bare
 * paths before `Code style issues found in the above file(s)` in Prettier 1), files listed under a
 * project script's "prettier … files listed below" hint, the bare paths `prettier --list-different` prints
 * under its echoed command, and `[error] x.ts: SyntaxError: …` parse
 * failures with their code frame.
 */

const PATH = /^(?:[A-Za-z]:)?[^\s:*?"<>|[\]]+\.[A-Za-z0-9]+$/;
const WARN_LINE = /^\[warn\] (?<path>\S+)$/;
const SUMMARY = /Code style issues (?:found in|were found in) (?:the above file|\d+ files?)|Forgot to run Prettier\?/;
const SYNTAX = /^\[error\] (?<file>[^\s:]+): (?<message>(?:SyntaxError|Error): .*?)(?: \((?<line>\d+):(?<column>\d+)\))?$/;
const FRAME = /^\[error\] (?:\s|>)/;
const HINT = /prettier.*(?:listed below|following files?)|(?:listed below|following files?).*prettier/i;
// `prettier --list-different` (`-l`) prints the paths of unformatted files, one a line, and nothing else.
const LIST_DIFFERENT = /\bprettier(?:\.js)?\s.*(?:--list-different|\s-l)(?:\s|$)/;

function fileDraft(line: LogLine, path: string): FailureDraft {
  return {
    category: 'lint_format',
    tool: 'prettier',
    message: clip(line.text),
    file: path,
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { formatter: 'prettier' },
  };
}

interface PrettierScan {
  /** A parse failure and its `[error]` code frame. */
  syntax: BlockReader;
  /** Unformatted files, reported together when their list ends (the first spans the list). */
  pending: FailureDraft[];
  /** A script's "prettier … files listed below" hint: the paths after it are the files. */
  hint: { n: number; blanks: number; fromHint: boolean } | undefined;
}

type PrettierHandler = LineHandler<[scan: PrettierScan, line: LogLine, ctx: DetectorContext]>;

/** Reports the pending files; the first one's block runs to `summaryLine` when a list ended there. */
function flush(scan: PrettierScan, ctx: DetectorContext, summaryLine?: number): void {
  const first = scan.pending[0];
  if (first && summaryLine !== undefined) first.logLines[1] = summaryLine;
  for (const draft of scan.pending) ctx.report(draft);
  scan.pending = [];
}

/** `[error] x.ts: SyntaxError: … (3:5)` and its code frame. */
function syntaxBlock(line: LogLine, match: RegExpExecArray): OpenBlock {
  const groups = match.groups ?? {};
  const draft: FailureDraft = {
    category: 'syntax_error',
    tool: 'prettier',
    message: clip(line.text.replace(/^\[error\] /, '')),
    file: groups.file,
    logLines: [line.n, line.n],
    confidence: 0.9,
    data: { formatter: 'prettier' },
  };
  if (groups.line !== undefined) {
    draft.line = Number(groups.line);
    draft.column = Number(groups.column);
  }
  return {
    draft,
    accepts(next) {
      if (!FRAME.test(next.text)) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** The paths listed under a hint (after at most three blank lines); the first line that is not one ends the list. */
const hintedPath: PrettierHandler = (scan, line, ctx) => {
  const hint = scan.hint;
  if (!hint) return undefined;
  const trimmed = line.text.trim();
  if (trimmed === '' && scan.pending.length === 0 && hint.blanks < 3) {
    hint.blanks++;
    return true;
  }
  if (PATH.test(trimmed)) {
    const draft = fileDraft(line, trimmed);
    if (scan.pending.length === 0 && hint.fromHint) draft.logLines[0] = hint.n;
    scan.pending.push(draft);
    return true;
  }
  scan.hint = undefined;
  flush(scan, ctx, scan.pending.length > 0 ? line.n - 1 : undefined);
  return undefined;
};

const warnLine: PrettierHandler = (scan, line) => {
  const warn = WARN_LINE.exec(line.text);
  if (warn?.groups?.path === undefined || !PATH.test(warn.groups.path)) return undefined;
  scan.pending.push(fileDraft(line, warn.groups.path));
  return false;
};

const syntaxError: PrettierHandler = (scan, line, ctx) => {
  const match = SYNTAX.exec(line.text);
  if (!match?.groups) return undefined;
  flush(scan, ctx);
  return scan.syntax.open(syntaxBlock(line, match), ctx);
};

/** Prettier 1 printed bare paths, and other output can interleave before them: the paths just above, if any. */
function pathsAbove(ctx: DetectorContext): FailureDraft[] {
  const earlier = ctx.before(200);
  const found: FailureDraft[] = [];
  for (let i = earlier.length - 1; i >= 0; i--) {
    const candidate = earlier[i];
    if (!candidate) break;
    const trimmed = candidate.text.trim();
    if (!PATH.test(trimmed)) break;
    found.unshift(fileDraft(candidate, trimmed));
  }
  return found;
}

const summary: PrettierHandler = (scan, line, ctx) => {
  if (!SUMMARY.test(line.text)) return undefined;
  if (scan.pending.length === 0) scan.pending = pathsAbove(ctx);
  if (scan.pending.length === 0) {
    ctx.report({
      category: 'lint_format',
      tool: 'prettier',
      message: clip(line.text),
      logLines: [line.n, line.n],
      confidence: 0.75,
      data: { formatter: 'prettier' },
    });
  }
  flush(scan, ctx, line.n);
  return false;
};

const hintLine: PrettierHandler = (scan, line, ctx) => {
  if (!HINT.test(line.text)) return undefined;
  flush(scan, ctx);
  // Such scripts often spread their hint over two lines; both explain the list.
  const previous = ctx.before(1)[0];
  scan.hint = { n: previous && /prettier/i.test(previous.text) ? previous.n : line.n, blanks: 0, fromHint: true };
  return true;
};

/** The echoed `prettier --list-different …` command: the bare paths right under it are the files. */
const listDifferent: PrettierHandler = (scan, line, ctx) => {
  if (!LIST_DIFFERENT.test(line.text)) return undefined;
  flush(scan, ctx);
  scan.hint = { n: line.n, blanks: 3, fromHint: false };
  return true;
};

/** What a line can start, in this order; a line of the code frame being read never reaches them. */
const LINE_HANDLERS: readonly PrettierHandler[] = [hintedPath, warnLine, syntaxError, summary, hintLine, listDifferent];

export const prettierDetector: Detector = {
  id: 'prettier',
  description: 'Prettier --check: one failure per unformatted file, and files it could not parse.',
  categories: ['lint_format', 'syntax_error'],
  example: '[warn] src/components/Button.tsx',
  trigger: /^\[warn\] \S+$|^\[error\] \S+: |Code style issues |Forgot to run Prettier|prettier|listed below/i,
  start() {
    const scan: PrettierScan = { syntax: new BlockReader(), pending: [], hint: undefined };
    return {
      line: (line, ctx) => scan.syntax.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        scan.syntax.close(ctx);
        flush(scan, ctx);
      },
    };
  },
};
