/**
 * Linearity of every detector's regular expressions and of the engine's pre-filter on adversarial
 * lines: each detector (trigger and scan) is timed on lines of n and 4n characters built from
 * shapes that make backtracking regexes blow up (repeated colons, digits, prefixes of its own
 * example). Ratios, not absolute times, so a slow machine does not decide; `npm run bench` prints
 * them and fails above MAX_RATIO. A timing, so it lives in the bench, not in the unit tests.
 */
import { performance } from 'node:perf_hooks';
import { buildPrefilter } from '../src/analysis/prefilter.js';
import { DETECTORS } from '../src/analysis/registry.js';
import { CONTEXT_LINES, MAX_LINE_CHARS, type Detector, type DetectorContext, type LogLine } from '../src/analysis/types.js';

const SMALL = 1000;
const LARGE = 4 * SMALL;
/** Linear is about 4 (n → 4n), quadratic about 16. */
export const MAX_RATIO = 12;

function shapes(example: string): string[] {
  const units = [
    ' ',
    ':',
    '0',
    '9.',
    'a',
    'A',
    '/',
    '\\',
    '\t',
    'a:',
    ': ',
    '1:',
    'a ',
    '.',
    '-',
    '=',
    '(',
    ')',
    '[',
    ']',
    '"',
    "'",
    '> ',
    '| ',
    '* ',
    'at ',
    'E ',
    'error ',
    'Error: ',
    'FAIL ',
    'a/b',
    '../',
    '::',
    '##[',
    'File "',
    'x.py:',
    '\u00a0',
  ];
  const prefixes = [5, 10, 20, Math.ceil(example.length / 2), example.length - 1]
    .filter((k) => k > 0 && k <= example.length)
    .map((k) => example.slice(0, k));
  return [...units, ...prefixes, `${example} `, example.replace(/\d/g, '')].filter((unit) => unit.length > 0);
}

function lineOf(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** Runs the trigger and the scan (bypassing the trigger) over every shape at one length. */
function exercise(detector: Detector, length: number, repeats: number): number {
  const lines = shapes(detector.example).map((unit, index): LogLine => ({ n: index + 1, text: lineOf(unit, length) }));
  const context: DetectorContext = {
    before: (count) => lines.slice(0, Math.min(count, CONTEXT_LINES)),
    report: () => undefined,
  };
  const started = performance.now();
  for (let r = 0; r < repeats; r++) {
    const scan = detector.start();
    for (const line of lines) {
      detector.trigger.test(line.text);
      // Errors are the engine's business (it isolates them); here only time matters.
      try {
        scan.line(line, context);
      } catch {
        // ignored
      }
    }
    try {
      scan.end?.(context);
    } catch {
      // ignored
    }
  }
  return performance.now() - started;
}

function bestOf(runs: number, measure: () => number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) best = Math.min(best, measure());
  return best;
}

export interface Linearity {
  name: string;
  smallMs: number;
  largeMs: number;
  ratio: number;
}

function ratioOf(name: string, measure: (length: number, repeats: number) => number): Linearity {
  measure(SMALL, 2); // warm up the JIT
  // Enough repeats that the small run takes a few milliseconds, so timer noise does not decide.
  let repeats = 1;
  while (repeats < 4096 && measure(SMALL, repeats) < 5) repeats *= 2;
  const smallMs = bestOf(5, () => measure(SMALL, repeats));
  const largeMs = bestOf(5, () => measure(LARGE, repeats));
  return { name, smallMs, largeMs, ratio: largeMs / Math.max(smallMs, 0.001) };
}

/** n → 4n time ratios of every detector and of the pre-filter, worst first. */
export function linearity(): Linearity[] {
  if (LARGE > MAX_LINE_CHARS) throw new Error(`adversarial lines of ${LARGE} characters would be cut at ${MAX_LINE_CHARS}`);
  const results = DETECTORS.map((detector) => ratioOf(detector.id, (length, repeats) => exercise(detector, length, repeats)));
  const prefilter = buildPrefilter(DETECTORS.map((d) => d.trigger));
  const units = shapes(DETECTORS.map((d) => d.example).join(' '));
  results.push(
    ratioOf('(pre-filter)', (length, repeats) => {
      const texts = units.map((unit) => lineOf(unit, length));
      const started = performance.now();
      for (let r = 0; r < repeats; r++) for (const text of texts) prefilter.scan(text);
      return performance.now() - started;
    }),
  );
  return results.sort((a, b) => b.ratio - a.ratio);
}
