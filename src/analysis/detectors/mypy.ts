import type { Detector, DetectorContext, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * mypy: `x.py:12: error: msg  [code]` (column optional: `x.py:12:5: error:`), one failure per
 * error with the `note:` lines that follow it; `[syntax]` errors are syntax errors. With
 * `--pretty` mypy wraps a long message onto following unindented lines (the `[code]` often alone on
 * the last one) and prints the source line (indented) and a `^~~` marker under it: those belong to
 * the error, and the wrapped text is joined into its message. `Found N errors in M files` without
 * any error line (a cut log) is a weaker pointer.
 */

const ERROR =
  /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?:(?<column>\d+):)? error: (?<message>.*?)(?: {2}\[(?<code>[a-z][\w-]*)\])?$/;
const NOTE = /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:\d+:(?:\d+:)? note: /;
const FOUND = /^Found \d+ errors? in \d+ files? \(checked \d+ source files?\)/;
const ANY_DIAGNOSTIC = /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:(?:\d+:)?(?:\d+:)? (?:error|note|warning): |^(?:Found \d+ errors?|Success:) /;
/** The tail of a message that `--pretty` wrapped: `expected "int")  [return-value]`, or `[code]` alone. */
const CODE_TAIL = /(?:^|\s)\[(?<code>[a-z][\w-]*)\]$/;
/** `--pretty`'s marker under the source line. */
const CARET = /^\s+\^~*$/;
const MAX_WRAPPED = 3;

export const mypyDetector: Detector = {
  id: 'mypy',
  description: 'mypy errors (`file.py:12: error: message  [code]`) with their notes; `[syntax]` errors as syntax errors.',
  categories: ['type_check', 'syntax_error'],
  example: 'src/app/main.py:12: error: Incompatible return value type (got "str", expected "int")  [return-value]',
  trigger: /\.pyi?:\d+:(?:\d+:)? error: |^Found \d+ errors? in \d+ files? \(checked/,
  start() {
    let open: FailureDraft | undefined;
    let reported = false;
    /** `--pretty` lines read after the open error and not yet known to be its own. */
    let wrapped: string[] = [];
    let sourceSeen = false;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
      wrapped = [];
      sourceSeen = false;
    };
    /** The pending lines up to `n` belong to the open error: its wrapped text joins the message. */
    const commit = (n: number) => {
      if (!open) return;
      open.logLines[1] = n;
      if (wrapped.length > 0) {
        const joined = [open.message, ...wrapped].join(' ');
        const code = CODE_TAIL.exec(joined)?.groups?.code;
        open.message = (code === undefined ? joined : joined.replace(/\s*\[[a-z][\w-]*\]$/, `  [${code}]`)).slice(0, 500);
        if (code !== undefined && open.data === undefined) {
          open.data = { code };
          if (code === 'syntax') open.category = 'syntax_error';
        }
        wrapped = [];
      }
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
            message: clip(text),
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
          commit(line.n);
          return true;
        }
        if (open && text !== '' && line.command === undefined && !ANY_DIAGNOSTIC.test(text)) {
          if (!sourceSeen && open.data === undefined && !/^\s/.test(line.text) && wrapped.length < MAX_WRAPPED) {
            wrapped.push(text);
            if (CODE_TAIL.test(text)) commit(line.n);
            return true;
          }
          if (!sourceSeen && /^\s/.test(line.text) && !CARET.test(line.text)) {
            sourceSeen = true;
            return true;
          }
          if (sourceSeen && CARET.test(line.text)) {
            commit(line.n);
            return true;
          }
        }
        close(ctx);
        if (!reported && FOUND.test(text)) {
          reported = true;
          ctx.report({ category: 'type_check', tool: 'mypy', message: clip(text), logLines: [line.n, line.n], confidence: 0.7 });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
