import type { Detector, DetectorContext, FailureDraft } from '../types.js';

/**
 * ShellCheck, in its default format (`In deploy.sh line 3:`, the line, then carets with
 * `SC2086 (info): Double quote …`) and in `-f gcc` form (`deploy.sh:3:8: warning: … [SC2115]`).
 * One failure per reported line (the tty block) or per finding (gcc form), with the first code in
 * `data.code`.
 */

const TTY_HEADER_TAIL = / line (?<line>\d+):\s*$/;
const TTY_FINDING = /^\s*\^[-^]*\^?\s+SC(?<code>\d{4}) \((?<severity>error|warning|info|style)\): (?<message>.+)$/;
const GCC =
  /^(?<file>[^\s:]+):(?<line>\d+):(?<column>\d+): (?<severity>error|warning|note|style): (?<message>.+?) \[SC(?<code>\d{4})\]\s*$/;
/** Lines of one tty block kept (the source line, carets, a suggested fix). */
const MAX_BLOCK_LINES = 40;

/** `In deploy.sh line 3:` → file and line (the file may contain spaces; split at the last ` line `). */
function ttyHeader(text: string): { file: string; line: number } | undefined {
  if (!text.startsWith('In ')) return undefined;
  const tail = TTY_HEADER_TAIL.exec(text);
  if (tail?.groups?.line === undefined || tail.index <= 3) return undefined;
  return { file: text.slice(3, tail.index), line: Number(tail.groups.line) };
}

export const shellcheckDetector: Detector = {
  id: 'shellcheck',
  description: 'ShellCheck findings, in its default `In file line N:` blocks and in `-f gcc` form.',
  categories: ['lint_format'],
  example: 'deploy.sh:3:8: warning: Use "${var:?}" to ensure this never expands to /* . [SC2115]',
  trigger: /^In \S.* line \d+:\s*$| \[SC\d{4}\]\s*$/,
  start() {
    let open: { draft: FailureDraft; code?: string; blankAfterFinding: boolean } | undefined;
    const close = (ctx: DetectorContext) => {
      if (open?.code !== undefined) ctx.report(open.draft);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const header = ttyHeader(text);
        if (header) {
          close(ctx);
          open = {
            draft: {
              category: 'lint_format',
              tool: 'shellcheck',
              message: '',
              file: header.file,
              line: header.line,
              logLines: [line.n, line.n],
              confidence: 0.88,
            },
            blankAfterFinding: false,
          };
          return true;
        }
        const gcc = GCC.exec(text)?.groups;
        if (gcc) {
          close(ctx);
          ctx.report({
            category: 'lint_format',
            tool: 'shellcheck',
            message: `SC${gcc.code} (${gcc.severity}): ${gcc.message}`.slice(0, 500),
            file: gcc.file as string,
            line: Number(gcc.line),
            column: Number(gcc.column),
            logLines: [line.n, line.n],
            confidence: 0.88,
            data: { code: `SC${gcc.code}` },
          });
          return false;
        }
        if (open === undefined) return false;
        if (line.n - open.draft.logLines[0] > MAX_BLOCK_LINES || /^(?:For more information:|In \S)/.test(text)) {
          close(ctx);
          return false;
        }
        const finding = TTY_FINDING.exec(text)?.groups;
        if (finding) {
          if (open.code === undefined) {
            open.code = `SC${finding.code}`;
            open.draft.message = `SC${finding.code} (${finding.severity}): ${finding.message}`.slice(0, 500);
            open.draft.data = { code: open.code };
          }
          open.draft.logLines[1] = line.n;
          return true;
        }
        if (text.trim() === '') {
          // A blank line after the findings ends the block unless a suggested fix follows.
          if (open.code !== undefined) open.blankAfterFinding = true;
          return true;
        }
        if (open.blankAfterFinding && !/^Did you mean:/.test(text) && open.draft.logLines[1] < line.n - 2) {
          close(ctx);
          return false;
        }
        open.draft.logLines[1] = line.n;
        return true;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
