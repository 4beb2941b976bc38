import type { Detector } from '../types.js';

/**
 * pyright / basedpyright: `  /path/x.py:12:5 - error: msg (reportXxx)`, one failure per error
 * (warnings do not fail the run), with the rule in `data.rule`.
 */

const ERROR = /^\s*(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?):(?<line>\d+):(?<column>\d+) - error: (?<message>.*?)(?: \((?<rule>report\w+)\))?$/;

export const pyrightDetector: Detector = {
  id: 'pyright',
  description: 'pyright/basedpyright errors (`file.py:12:5 - error: message (reportRule)`).',
  categories: ['type_check', 'syntax_error'],
  example: '  /home/runner/work/app/app/src/app/main.py:12:5 - error: "foo" is not a known attribute of module "app" (reportAttributeAccessIssue)',
  trigger: /\.pyi?:\d+:\d+ - error: /,
  start() {
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const error = ERROR.exec(text)?.groups;
        if (error?.file === undefined) return;
        const message = error.message ?? '';
        ctx.report({
          // pyright has no rule for parse errors; their messages say what the parser expected.
          category: error.rule === undefined && /^(?:Expected |Unexpected indentation|Unindent not expected|Invalid character)/.test(message) ? 'syntax_error' : 'type_check',
          tool: 'pyright',
          message: text.slice(0, 500),
          file: error.file,
          line: Number(error.line),
          column: Number(error.column),
          logLines: [line.n, line.n],
          confidence: 0.95,
          data: error.rule === undefined ? {} : { rule: error.rule },
        });
      },
    };
  },
};
