import type { Detector, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Sass compilers. Ruby Sass and node-sass (libsass) print `Error: msg` (or `Syntax error: msg`)
 * followed by `        on line 7 of sass/x.scss`; Dart Sass prints `Error: msg`, a source
 * excerpt drawn with box characters, then `  sass/x.scss 7:10  root stylesheet`.
 */

const HEADER = /^\s*(?:Error|Syntax error|SassError): (?<message>.+)$/;
const RUBY_LOCATION = /^\s+on line (?<line>\d+)(?: of (?<file>\S+\.(?:sass|scss|css)))?/;
const DART_LOCATION = /^\s+(?<file>\S+\.(?:sass|scss|css)) (?<line>\d+):(?<column>\d+)\s/;
// Dart Sass puts at most a few excerpt lines between the message and the location.
const LOOKBACK = 12;

export const sassDetector: Detector = {
  id: 'sass',
  description: 'Sass compile errors (Ruby Sass, node-sass/libsass, Dart Sass) with file and line.',
  categories: ['syntax_error'],
  example: '        on line 7 of sass/main.sass',
  trigger: /^\s+on line \d+|\.(?:sass|scss|css) \d+:\d+\s/,
  start() {
    let lastReported = 0;
    return {
      line(line, ctx) {
        const location = RUBY_LOCATION.exec(line.text) ?? DART_LOCATION.exec(line.text);
        if (!location) return false;
        const previous = ctx.before(LOOKBACK).filter((candidate) => candidate.n > lastReported);
        let header: { n: number; message: string } | undefined;
        for (let i = previous.length - 1; i >= 0; i--) {
          const candidate = previous[i]!;
          const match = HEADER.exec(candidate.text);
          if (match) {
            header = { n: candidate.n, message: match.groups!.message! };
            break;
          }
        }
        // Ruby Sass's location line follows the message at once; only Dart Sass draws an excerpt.
        if (header && RUBY_LOCATION.test(line.text) && line.n - header.n > 2) header = undefined;
        const groups = location.groups!;
        // Without its message, a location line counts only when it names a stylesheet.
        if (!header && !groups.file) return false;
        const draft: FailureDraft = {
          category: 'syntax_error',
          tool: 'sass',
          message: clip(header ? header.message : line.text),
          logLines: [header ? header.n : line.n, line.n],
          confidence: header ? 0.85 : 0.6,
        };
        if (groups.file) draft.file = groups.file;
        draft.line = Number(groups.line);
        if (groups.column) draft.column = Number(groups.column);
        lastReported = line.n;
        ctx.report(draft);
        return true;
      },
    };
  },
};
