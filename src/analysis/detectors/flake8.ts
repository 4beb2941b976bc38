import type { Detector } from '../types.js';
import { CONCISE_PROBLEM, ruffRanBefore } from './ruff.js';
import { clip } from '../detector-helpers.js';

/**
 * flake8 and pycodestyle: `x.py:12:5: E501 line too long (88 > 79 characters)`, one failure per
 * problem, with the code in `data.code`. The same shape printed by ruff (with `[*]`, or after a
 * ruff command) is left to the ruff detector.
 */

const MENTIONS_PYCODESTYLE = /\bpycodestyle\b|\bpep8\b/;

export const flake8Detector: Detector = {
  id: 'flake8',
  description: 'flake8 and pycodestyle problems (`file:line:col: CODE message`), one per problem with its code.',
  categories: ['lint_format'],
  example: './thefuck/rules/terraform_init.py:8:9: E128 continuation line under-indented for visual indent',
  trigger: /^(?:[A-Za-z]:)?[^\s:][^:]*\.pyi?:\d+:\d+: [A-Z]{1,4}\d{1,4} /,
  start() {
    let run: { lastN: number; tool: 'flake8' | 'pycodestyle' | 'ruff' } | undefined;
    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const problem = CONCISE_PROBLEM.exec(text)?.groups;
        if (problem?.code === undefined || problem.fixable !== undefined) return;
        // Which tool printed a run of problems is read once per run, from the lines before it.
        if (run === undefined || line.n - run.lastN > 8) {
          const before = ctx.before(40);
          const tool = ruffRanBefore(line, ctx)
            ? 'ruff'
            : before.some((previous) => MENTIONS_PYCODESTYLE.test(previous.text)) || MENTIONS_PYCODESTYLE.test(line.step ?? '')
              ? 'pycodestyle'
              : 'flake8';
          run = { lastN: line.n, tool };
        }
        run.lastN = line.n;
        if (run.tool === 'ruff') return;
        ctx.report({
          category: 'lint_format',
          tool: run.tool,
          message: clip(text),
          file: problem.file,
          line: Number(problem.line),
          column: Number(problem.column),
          logLines: [line.n, line.n],
          confidence: 0.95,
          data: { code: problem.code },
        });
      },
    };
  },
};
