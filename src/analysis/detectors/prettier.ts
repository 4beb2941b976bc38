import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * `prettier --check`: one failure per unformatted file (`[warn] src/x.ts` in Prettier 2/3, bare
 * paths before `Code style issues found in the above file(s)` in Prettier 1), files listed under a
 * project script's "prettier … files listed below" hint, and `[error] x.ts: SyntaxError: …` parse
 * failures with their code frame.
 */

const PATH = /^(?:[A-Za-z]:)?[^\s:*?"<>|[\]]+\.[A-Za-z0-9]+$/;
const WARN_LINE = /^\[warn\] (?<path>\S+)$/;
const SUMMARY = /Code style issues (?:found in|were found in) (?:the above file|\d+ files?)|Forgot to run Prettier\?/;
const SYNTAX = /^\[error\] (?<file>[^\s:]+): (?<message>(?:SyntaxError|Error): .*?)(?: \((?<line>\d+):(?<column>\d+)\))?$/;
const FRAME = /^\[error\] (?:\s|>)/;
const HINT = /prettier.*(?:listed below|following files?)|(?:listed below|following files?).*prettier/i;

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

export const prettierDetector: Detector = {
  id: 'prettier',
  description: 'Prettier --check: one failure per unformatted file, and files it could not parse.',
  categories: ['lint_format', 'syntax_error'],
  example: '[warn] src/components/Button.tsx',
  trigger: /^\[warn\] \S+$|^\[error\] \S+: |Code style issues |Forgot to run Prettier|prettier|listed below/i,
  start() {
    let pending: FailureDraft[] = [];
    let syntax: FailureDraft | undefined;
    let hint: { n: number; blanks: number } | undefined;

    const flush = (ctx: DetectorContext, summaryLine?: number) => {
      const first = pending[0];
      if (first && summaryLine !== undefined) first.logLines[1] = summaryLine;
      for (const draft of pending) ctx.report(draft);
      pending = [];
    };
    const closeSyntax = (ctx: DetectorContext) => {
      if (syntax) ctx.report(syntax);
      syntax = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (syntax) {
          if (FRAME.test(text)) {
            syntax.logLines[1] = line.n;
            return true;
          }
          closeSyntax(ctx);
        }

        if (hint) {
          const trimmed = text.trim();
          if (trimmed === '' && pending.length === 0 && hint.blanks < 3) {
            hint.blanks++;
            return true;
          }
          if (PATH.test(trimmed)) {
            const draft = fileDraft(line, trimmed);
            if (pending.length === 0) draft.logLines[0] = hint.n;
            pending.push(draft);
            return true;
          }
          hint = undefined;
          flush(ctx, pending.length > 0 ? line.n - 1 : undefined);
        }

        const warn = WARN_LINE.exec(text);
        if (warn?.groups?.path !== undefined && PATH.test(warn.groups.path)) {
          pending.push(fileDraft(line, warn.groups.path));
          return false;
        }

        const syntaxMatch = SYNTAX.exec(text);
        if (syntaxMatch?.groups) {
          flush(ctx);
          syntax = {
            category: 'syntax_error',
            tool: 'prettier',
            message: clip(text.replace(/^\[error\] /, '')),
            file: syntaxMatch.groups.file,
            logLines: [line.n, line.n],
            confidence: 0.9,
            data: { formatter: 'prettier' },
          };
          if (syntaxMatch.groups.line !== undefined) {
            syntax.line = Number(syntaxMatch.groups.line);
            syntax.column = Number(syntaxMatch.groups.column);
          }
          return true;
        }

        if (SUMMARY.test(text)) {
          if (pending.length === 0) {
            // Prettier 1 printed bare paths, and other output can interleave before them.
            const earlier = ctx.before(200);
            const found: FailureDraft[] = [];
            for (let i = earlier.length - 1; i >= 0; i--) {
              const candidate = earlier[i];
              if (!candidate) break;
              const trimmed = candidate.text.trim();
              if (!PATH.test(trimmed)) break;
              found.unshift(fileDraft(candidate, trimmed));
            }
            pending = found;
          }
          if (pending.length === 0) {
            ctx.report({
              category: 'lint_format',
              tool: 'prettier',
              message: clip(text),
              logLines: [line.n, line.n],
              confidence: 0.75,
              data: { formatter: 'prettier' },
            });
          }
          flush(ctx, line.n);
          return false;
        }

        if (HINT.test(text)) {
          flush(ctx);
          // Such scripts often spread their hint over two lines; both explain the list.
          const previous = ctx.before(1)[0];
          hint = { n: previous && /prettier/i.test(previous.text) ? previous.n : line.n, blanks: 0 };
          return true;
        }
        return false;
      },
      end(ctx) {
        closeSyntax(ctx);
        flush(ctx);
      },
    };
  },
};
