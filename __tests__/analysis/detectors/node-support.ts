/**
 * Fixture tables and contract checks for the JavaScript/TypeScript, shell and infrastructure
 * detectors: each `<case>.log` is compared with `<case>.expected.json`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Detector, FailureDraft } from '../../../src/analysis/types.js';
import { runDetector } from './node-driver.js';

const FIXTURES = join(import.meta.dirname, '../../__fixtures__/analysis/detectors');

function readExpected(dir: string, logName: string): FailureDraft[] {
  return JSON.parse(readFileSync(join(dir, logName.replace(/\.log$/, '.expected.json')), 'utf8')) as FailureDraft[];
}

/** One case per `<case>.log` in the detector's fixture folder; there must be valid and invalid ones. */
export function describeFixtureTable(detector: Detector): void {
  const dir = join(FIXTURES, detector.id);
  const cases = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort();
  it('has valid and invalid fixtures', () => {
    const expectations = cases.map((name) => readExpected(dir, name));
    expect(expectations.some((e) => e.length === 0)).toBe(true);
    expect(expectations.some((e) => e.length > 0)).toBe(true);
  });
  for (const name of cases) {
    it(`fixture ${detector.id}/${name}`, () => {
      const found = runDetector(detector, readFileSync(join(dir, name), 'utf8'));
      expect(found).toEqual(readExpected(dir, name));
      for (const failure of found) expect(detector.categories).toContain(failure.category);
    });
  }
}

/** The detector's own claims: its example is recognised, and long garbage lines stay cheap. */
export function describeDetectorContract(detector: Detector): void {
  it('recognises its documented example', () => {
    detector.trigger.lastIndex = 0;
    expect(detector.trigger.test(detector.example)).toBe(true);
    const found = runDetector(detector, `${detector.example}\n`);
    expect(found.length).toBeGreaterThan(0);
    for (const failure of found) expect(detector.categories).toContain(failure.category);
  });
  it('reads 4096-character garbage lines without failing', () => {
    const shapes = [
      'a:'.repeat(2048),
      ' '.repeat(4096),
      'error '.repeat(680),
      '/x'.repeat(2048),
      '1:'.repeat(2048),
      'npm ERR! '.repeat(450),
      '  ● '.repeat(1000),
      '(1,'.repeat(1300),
      'x.ts:'.repeat(800),
      '[warn] '.repeat(580),
      'at ('.repeat(1000),
      'Error: '.repeat(580),
      "'a".repeat(2048),
      '  1) '.repeat(800),
    ];
    const log = shapes
      .map((s) => `${s}\n${s}X\n  ${s}\n`)
      .join('')
      .repeat(15);
    // Speed is measured by `npm run bench` and regex-safety.test.ts; here: garbage is read to the
    // end without an error and yields nothing outside the detector's declared categories.
    for (const failure of runDetector(detector, log)) expect(detector.categories).toContain(failure.category);
  });
}
