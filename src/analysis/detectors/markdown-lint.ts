import type { Detector } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Markdown linters that print one `file:line` problem per line: markdownlint-cli
 * (`README.md:12 MD013/line-length Line length [Expected: 80; Actual: 120]`, `README.md:12:81 MD013/…`),
 * markdownlint-cli2 (`README.md:12:81 error MD013/…`), mdl (`README.md:12: MD013 Line length`) and
 * small `file:line:message` checkers such as gomali (`README.md:2186:Line longer than 80 characters.`).
 */

const PROBLEM = /^\s*(?<file>[^\s:]+\.(?:md|markdown|mdx|mkd)):\s?(?<line>\d+)(?::(?<column>\d+))?(?::\s?|\s+)(?<message>[^\s\d].*)$/;

export const markdownLintDetector: Detector = {
  id: 'markdown-lint',
  description: 'Markdown linters (markdownlint, markdownlint-cli2, mdl, gomali-style `file:line:message`).',
  categories: ['lint_format'],
  example: 'README.md:12 MD013/line-length Line length [Expected: 80; Actual: 120]',
  trigger: /\.(?:md|markdown|mdx|mkd):\s?\d/,
  start() {
    return {
      line(line, ctx) {
        const match = PROBLEM.exec(line.text);
        if (!match?.groups) return false;
        const groups = match.groups;
        const rule = /^(?:error |warning )?(?<rule>MD\d{3})/.exec(groups.message!)?.groups?.rule;
        ctx.report({
          category: 'lint_format',
          tool: 'markdown-lint',
          message: clip(line.text),
          file: groups.file!,
          line: Number(groups.line),
          ...(groups.column ? { column: Number(groups.column) } : {}),
          logLines: [line.n, line.n],
          // A markdownlint/mdl rule id makes the line unambiguous; a bare `file:line:message` less so.
          confidence: rule ? 0.85 : 0.75,
          ...(rule ? { data: { rule } } : {}),
        });
        return false;
      },
    };
  },
};
