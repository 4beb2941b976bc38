import type { Detector } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * pylint: `x.py:12:4: C0114: Missing module docstring (missing-module-docstring)` (the default
 * template since 2.x; older ones print `x.py:12: [C0114(missing-module-docstring), ] msg`), one
 * failure per message, with `data.code` and `data.symbol`. E0001 is a file that does not parse.
 */

const MESSAGE =
  /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.py):(?<line>\d+):(?:(?<column>\d+):)? (?<code>[CRWEFI]\d{4}): (?<message>.*?)(?: \((?<symbol>[a-z][\w-]*)\))?$/;
const OLD_MESSAGE =
  /^(?<file>(?:[A-Za-z]:)?[^\s:][^:]*\.py):(?<line>\d+): \[(?<code>[CRWEFI]\d{4})\((?<symbol>[a-z][\w-]*)\)[^\]]*\] (?<message>.*)$/;

export const pylintDetector: Detector = {
  id: 'pylint',
  description: 'pylint messages (`file.py:12:4: C0114: message (symbol)`), one per message with code and symbol.',
  categories: ['lint_format', 'syntax_error'],
  example: 'src/app/main.py:1:0: C0114: Missing module docstring (missing-module-docstring)',
  trigger: /\.py:\d+:(?:\d+:)? [CRWEFI]\d{4}: |\.py:\d+: \[[CRWEFI]\d{4}\(/,
  start() {
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const found = (MESSAGE.exec(text) ?? OLD_MESSAGE.exec(text))?.groups;
        if (found?.file === undefined || found.code === undefined) return;
        const data: Record<string, unknown> = { code: found.code };
        if (found.symbol !== undefined) data.symbol = found.symbol;
        const draft = {
          category: found.code === 'E0001' ? ('syntax_error' as const) : ('lint_format' as const),
          tool: 'pylint',
          message: clip(text),
          file: found.file,
          line: Number(found.line),
          logLines: [line.n, line.n] as [number, number],
          confidence: 0.93,
          data,
        };
        ctx.report(found.column === undefined ? draft : { ...draft, column: Number(found.column) });
      },
    };
  },
};
