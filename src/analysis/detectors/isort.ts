import type { Detector } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * isort --check-only: `ERROR: /path/x.py Imports are incorrectly sorted and/or formatted.`, one
 * failure per file (the formatter fixer re-sorts that file).
 */

const UNSORTED = /^ERROR: (?<file>.+?) Imports are incorrectly sorted and\/or formatted\.?$/;

export const isortDetector: Detector = {
  id: 'isort',
  description: 'isort --check-only: one failure per file whose imports are not sorted.',
  categories: ['lint_format'],
  example: 'ERROR: /home/runner/work/app/app/src/app/main.py Imports are incorrectly sorted and/or formatted.',
  trigger: /^ERROR: .* Imports are incorrectly sorted/,
  start() {
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const file = UNSORTED.exec(text)?.groups?.file;
        if (file === undefined) return;
        ctx.report({
          category: 'lint_format',
          tool: 'isort',
          message: clip(text),
          file,
          logLines: [line.n, line.n],
          confidence: 0.97,
          data: { formatter: 'isort' },
        });
      },
    };
  },
};
