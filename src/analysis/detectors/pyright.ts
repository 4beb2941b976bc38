import type { Detector, DetectorContext, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * pyright / basedpyright: `  /path/x.py:12:5 - error: msg (reportXxx)`, one failure per error
 * (warnings do not fail the run), with the rule in `data.rule`. A message pyright prints on several
 * lines goes on indented deeper than the diagnostic, partly with no-break spaces (`  \u00a0 \u00a0 "str"
 * is not assignable to "int" (reportReturnType)`): those lines belong to the error, join its
 * message and end with its rule.
 */

const ERROR =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?<column>\d+) - error: (?<message>.*?)(?: \((?<rule>report\w+)\))?$/;
const DIAGNOSTIC = /\.pyi?:\d+:\d+ - (?:error|warning|information): /;
const RULE_TAIL = / \((?<rule>report\w+)\)$/;
/** A message's further lines: three blanks or more, no-break spaces too (the diagnostic has two). */
const CONTINUATION = /^\s{3,}\S/;
const MAX_CONTINUATION = 20;

export const pyrightDetector: Detector = {
  id: 'pyright',
  description: 'pyright/basedpyright errors (`file.py:12:5 - error: message (reportRule)`).',
  categories: ['type_check', 'syntax_error'],
  example:
    '  /home/runner/work/app/app/src/app/main.py:12:5 - error: "foo" is not a known attribute of module "app" (reportAttributeAccessIssue)',
  trigger: /\.pyi?:\d+:\d+ - error: /,
  start() {
    let open: FailureDraft | undefined;
    let lines = 0;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const error = ERROR.exec(text)?.groups;
        if (error?.file === undefined) {
          if (open && lines < MAX_CONTINUATION && CONTINUATION.test(line.text) && !DIAGNOSTIC.test(text)) {
            lines += 1;
            open.logLines[1] = line.n;
            open.message = `${open.message} ${text}`.slice(0, 500);
            const rule = RULE_TAIL.exec(text)?.groups?.rule;
            if (rule !== undefined) {
              open.data = { rule };
              close(ctx);
              return false;
            }
            return true;
          }
          close(ctx);
          return false;
        }
        close(ctx);
        const message = error.message ?? '';
        open = {
          // pyright has no rule for parse errors; their messages say what the parser expected.
          category:
            error.rule === undefined && /^(?:Expected |Unexpected indentation|Unindent not expected|Invalid character)/.test(message)
              ? 'syntax_error'
              : 'type_check',
          tool: 'pyright',
          message: clip(text),
          file: error.file,
          line: Number(error.line),
          column: Number(error.column),
          logLines: [line.n, line.n],
          confidence: 0.95,
          data: error.rule === undefined ? {} : { rule: error.rule },
        };
        lines = 0;
        if (error.rule !== undefined) {
          close(ctx);
          return false;
        }
        return true;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
