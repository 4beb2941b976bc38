import type { Detector, DetectorContext, FailureDraft } from '../types.js';

/**
 * mypy: `x.py:12: error: msg  [code]` (column optional: `x.py:12:5: error:`), one failure per
 * error with the `note:` lines that follow it; `[syntax]` errors are syntax errors. `Found N errors
 * in M files` without any error line (a cut log) is a weaker pointer.
 */

const ERROR = /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?:(?<column>\d+):)? error: (?<message>.*?)(?: {2}\[(?<code>[a-z][\w-]*)\])?$/;
const NOTE = /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:\d+:(?:\d+:)? note: /;
const FOUND = /^Found \d+ errors? in \d+ files? \(checked \d+ source files?\)/;

export const mypyDetector: Detector = {
  id: 'mypy',
  description: 'mypy errors (`file.py:12: error: message  [code]`) with their notes; `[syntax]` errors as syntax errors.',
  categories: ['type_check', 'syntax_error'],
  example: 'src/app/main.py:12: error: Incompatible return value type (got "str", expected "int")  [return-value]',
  trigger: /\.pyi?:\d+:(?:\d+:)? error: |^Found \d+ errors? in \d+ files? \(checked/,
  start() {
    let open: FailureDraft | undefined;
    let reported = false;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const error = ERROR.exec(text)?.groups;
        if (error?.file !== undefined) {
          close(ctx);
          reported = true;
          open = {
            category: error.code === 'syntax' ? 'syntax_error' : 'type_check',
            tool: 'mypy',
            message: text.slice(0, 500),
            file: error.file,
            line: Number(error.line),
            logLines: [line.n, line.n],
            confidence: 0.95,
          };
          if (error.column !== undefined) open.column = Number(error.column);
          if (error.code !== undefined) open.data = { code: error.code };
          return true;
        }
        if (open && NOTE.test(text)) {
          open.logLines[1] = line.n;
          return true;
        }
        close(ctx);
        if (!reported && FOUND.test(text)) {
          reported = true;
          ctx.report({ category: 'type_check', tool: 'mypy', message: text.slice(0, 500), logLines: [line.n, line.n], confidence: 0.7 });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
