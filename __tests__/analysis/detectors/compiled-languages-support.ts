/** Fixture tables and contract checks shared by the compiled-language detector tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Detector, FailureDraft } from '../../../src/analysis/types.js';
import { runDetector } from './compiled-languages-driver.js';

const FIXTURES = join(import.meta.dirname, '../../__fixtures__/analysis/detectors');

/** One vitest case per `<case>.log` in the detector's fixture folder, compared with `<case>.expected.json`. */
export function describeFixtureTable(detector: Detector, folder: string = detector.id): void {
  const dir = join(FIXTURES, folder);
  const cases = readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort();
  it('has fixtures, valid and invalid', () => {
    expect(cases.length).toBeGreaterThan(1);
    const expectations = cases.map((name) => readExpected(dir, name));
    expect(expectations.some((e) => e.length === 0)).toBe(true);
    expect(expectations.some((e) => e.length > 0)).toBe(true);
  });
  for (const name of cases) {
    it(`fixture ${folder}/${name}`, () => {
      const log = readFileSync(join(dir, name), 'utf8');
      const found = runDetector(detector, log);
      expect(found).toEqual(readExpected(dir, name));
      for (const failure of found) expect(detector.categories).toContain(failure.category);
    });
  }
}

function readExpected(dir: string, logName: string): FailureDraft[] {
  const path = join(dir, logName.replace(/\.log$/, '.expected.json'));
  return JSON.parse(readFileSync(path, 'utf8')) as FailureDraft[];
}

/** Checks the detector's own claims: categories it reports are declared, its example is recognised, long garbage is cheap. */
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
      'error'.repeat(800),
      '/x'.repeat(2048),
      '1:'.repeat(2048),
      '[ERROR] '.repeat(500),
      'FAIL '.repeat(800),
      '(1,'.repeat(1300),
    ];
    const log = shapes
      .map((s) => `${s}\n${s}X\n`)
      .join('')
      .repeat(20);
    // Speed is measured by `npm run bench` and regex-safety.test.ts; here: garbage is read to the
    // end without an error and yields nothing outside the detector's declared categories.
    for (const failure of runDetector(detector, log)) expect(detector.categories).toContain(failure.category);
  });
}
