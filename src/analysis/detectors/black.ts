import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * black --check: one failure per `would reformat <path>` line (the formatter fixer reformats that
 * file), `error: cannot format x.py: Cannot parse: 12:4: …` as a syntax error at that place, and
 * the `Oh no! 💥 💔 💥` banner alone (log cut before the file list) as a weaker pointer.
 */

const WOULD_REFORMAT = /^would reformat (?<file>.+)$/;
const CANNOT_FORMAT =
  /^error: cannot format (?<file>.+?): Cannot parse(?: for target version [^:]+)?: (?<line>\d+):(?<column>\d+): (?<message>.*)$/;
const OH_NO = /^Oh no! 💥 💔 💥/;

export const blackDetector: Detector = {
  id: 'black',
  description: 'black --check: one failure per `would reformat` file, and files black cannot parse.',
  categories: ['lint_format', 'syntax_error'],
  example: 'would reformat /home/runner/work/app/app/src/app/main.py',
  trigger: /^would reformat |^error: cannot format |^Oh no! 💥/,
  start() {
    let reported = false;
    let banner: LogLine | undefined;
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const file = WOULD_REFORMAT.exec(text)?.groups?.file;
        if (file !== undefined) {
          reported = true;
          ctx.report({
            category: 'lint_format',
            tool: 'black',
            message: clip(text),
            file: file.trim(),
            logLines: [line.n, line.n],
            confidence: 0.97,
            data: { formatter: 'black' },
          });
          return;
        }
        const parse = CANNOT_FORMAT.exec(text)?.groups;
        if (parse?.file !== undefined) {
          reported = true;
          const draft: FailureDraft = {
            category: 'syntax_error',
            tool: 'black',
            message: clip(text),
            file: parse.file,
            line: Number(parse.line),
            column: Number(parse.column),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          ctx.report(draft);
          return;
        }
        if (OH_NO.test(text)) banner = line;
      },
      end(ctx: DetectorContext) {
        if (!reported && banner) {
          ctx.report({
            category: 'lint_format',
            tool: 'black',
            message: banner.text.trim(),
            logLines: [banner.n, banner.n],
            confidence: 0.7,
            data: { formatter: 'black' },
          });
        }
      },
    };
  },
};
