/**
 * Every registered detector (the others' too, as they land) against adversarial lines: its
 * trigger and its scan must take time linear in the line length. Each detector is timed on lines
 * of n and 4n characters; a ratio above 12 (linear is about 4, quadratic about 16) fails. Ratios,
 * not absolute times, so a slow or busy machine does not fail it.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/analysis/registry.js';
import { buildPrefilter } from '../../src/analysis/prefilter.js';
import { CONTEXT_LINES, MAX_LINE_CHARS, type Detector, type DetectorContext, type LogLine } from '../../src/analysis/types.js';

const SMALL = 1000;
const LARGE = 4 * SMALL;
const MAX_RATIO = 12;

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

describe('regular expressions stay linear on adversarial lines', () => {
  it('lines stay within MAX_LINE_CHARS at the large size', () => {
    expect(LARGE).toBeLessThanOrEqual(MAX_LINE_CHARS);
  });

  it.each(DETECTORS.map((d) => [d.id, d] as const))('%s', (_id, detector) => {
    exercise(detector, SMALL, 2); // warm up the JIT
    // Enough repeats that the small run takes a few milliseconds, so timer noise does not decide.
    let repeats = 1;
    while (repeats < 4096 && exercise(detector, SMALL, repeats) < 5) repeats *= 2;
    const small = bestOf(3, () => exercise(detector, SMALL, repeats));
    const large = bestOf(3, () => exercise(detector, LARGE, repeats));
    const ratio = large / Math.max(small, 0.001);
    expect(ratio, `${detector.id}: ${small.toFixed(2)} ms at ${SMALL} chars, ${large.toFixed(2)} ms at ${LARGE}`).toBeLessThan(MAX_RATIO);
  });

  it('the engine pre-filter is linear too', () => {
    const prefilter = buildPrefilter(DETECTORS.map((d) => d.trigger));
    const units = shapes(DETECTORS.map((d) => d.example).join(' '));
    const run = (length: number): number => {
      const texts = units.map((unit) => lineOf(unit, length));
      const started = performance.now();
      for (let r = 0; r < 20; r++) for (const text of texts) prefilter.scan(text);
      return performance.now() - started;
    };
    run(SMALL);
    const ratio =
      bestOf(3, () => run(LARGE)) /
      Math.max(
        bestOf(3, () => run(SMALL)),
        0.001,
      );
    expect(ratio).toBeLessThan(MAX_RATIO);
  });
});
