import type { Detector, DetectorContext, FailureDraft } from '../types.js';

/**
 * lintrunner (the linter runner of PyTorch and other projects): one block per file,
 * `>>> Lint for path/to/file.py:` followed by indented messages `Error (FLAKE8) E501`,
 * `Warning (RUFF) S101`, `Advice (PYFMT) format`, each with its explanation and a code excerpt
 * whose offending line is marked `>>> 85  |`. A linter that could not run prints
 * `Error (LINTER) Linter failed`. One failure per file block, at the first marked line: the first
 * message's linter in `data.linter`, its rule in `data.code`, all the block's rules in `data.codes`.
 */

const LINT_FOR = /^>>> Lint for (?<file>\S.*?):\s*$/;
const MESSAGE = /^\s+(?<severity>Error|Warning|Advice|Disabled) \((?<linter>[\w-]+)\) (?<code>\S.*?)\s*$/;
const MARKED_LINE = /^\s*>>>\s+(?<line>\d+)\s+\|/;
const LINTER_FAILED = /^\s*Error \((?<linter>[\w-]+)\) Linter failed\s*$/;
/** Lines of one block a scan reads before it gives up (a huge patch excerpt). */
const MAX_BLOCK_LINES = 2000;

interface Block {
  draft: FailureDraft;
  /** Rule names of the block's messages (`S101`, `format`). */
  codes: string[];
  severity?: string;
  linter?: string;
}

function confidenceOf(severity: string | undefined): number {
  if (severity === 'Error' || severity === 'Warning') return 0.92;
  return 0.6;
}

export const lintrunnerDetector: Detector = {
  id: 'lintrunner',
  description:
    'lintrunner file blocks (`>>> Lint for file:` with `Error|Warning|Advice (CODE) name` messages) and linters that failed to run (`Error (CODE) Linter failed`).',
  categories: ['lint_format'],
  example: '  Error (MYPY) Linter failed',
  trigger: /^>>> Lint for |^\s*Error \([\w-]+\) Linter failed/,
  start() {
    let block: Block | undefined;
    const close = (ctx: DetectorContext) => {
      if (block === undefined) return;
      const { draft, codes, severity, linter } = block;
      if (codes.length > 0) {
        draft.message = `${severity} (${linter}) ${codes[0]}`;
        draft.confidence = confidenceOf(severity);
        draft.data = { linter, code: codes[0], codes: [...new Set(codes)] };
        ctx.report(draft);
      }
      block = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text;
        const failedLinter = LINTER_FAILED.exec(text);
        if (failedLinter?.groups && block === undefined) {
          ctx.report({
            category: 'lint_format',
            tool: 'lintrunner',
            message: text.trim(),
            logLines: [line.n, line.n],
            confidence: 0.85,
            data: { linter: failedLinter.groups.linter as string },
          });
          return false;
        }
        const header = LINT_FOR.exec(text);
        if (header?.groups) {
          close(ctx);
          block = {
            draft: {
              category: 'lint_format',
              tool: 'lintrunner',
              message: '',
              file: header.groups.file as string,
              logLines: [line.n, line.n],
              confidence: 0.9,
            },
            codes: [],
          };
          return true;
        }
        if (block === undefined) return false;
        // The block is indented under its header (patch excerpts are cut by a rule of dashes);
        // anything else flush left ends it.
        if (text.trim() !== '' && !/^\s/.test(text) && !/^-{8,}\s*$/.test(text)) {
          close(ctx);
          return false;
        }
        if (line.n - block.draft.logLines[0] > MAX_BLOCK_LINES) {
          close(ctx);
          return false;
        }
        if (text.trim() !== '') block.draft.logLines[1] = line.n;
        const message = MESSAGE.exec(text);
        if (message?.groups) {
          block.codes.push(message.groups.code as string);
          if (block.severity === undefined) {
            block.severity = message.groups.severity as string;
            block.linter = message.groups.linter as string;
          }
          return true;
        }
        const marked = MARKED_LINE.exec(text);
        if (marked?.groups && block.draft.line === undefined) block.draft.line = Number(marked.groups.line);
        return true;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
