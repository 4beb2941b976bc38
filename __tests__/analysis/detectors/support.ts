/**
 * Fixture tables and contract checks for every detector, run through the real analysis: the
 * streaming reader, the normaliser and its step model, the engine with its pre-filter, and
 * classification (ranking, merging of repeats and nested reports). Only the detector under test is
 * switched on, so each `<case>.expected.json` shows what that detector makes a user see for
 * `<case>.log` — a merge that loses a file shows up here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { analyzeText } from '../../../src/analysis/index.js';
import type { Detector, DetectorContext, Failure } from '../../../src/analysis/types.js';

export const DETECTOR_FIXTURES = join(import.meta.dirname, '../../__fixtures__/analysis/detectors');

/** A failure as fixtures record it: the fingerprint (an opaque hash, tested in classify.test.ts) left out. */
export type FixtureFailure = Omit<Failure, 'fingerprint'>;

/**
 * The detector with every draft frozen once reported: the engine copies a draft when it is
 * reported, so a scan that changes it afterwards (extends its lines, fills in its file) changes
 * nothing a user sees. Frozen, such a change throws and shows up as a detector error.
 */
function freezingReports(detector: Detector): Detector {
  return {
    ...detector,
    start() {
      const scan = detector.start();
      const wrap = (ctx: DetectorContext): DetectorContext => ({
        before: (count) => ctx.before(count),
        report(failure) {
          ctx.report(failure);
          Object.freeze(failure.logLines);
          if (failure.data !== undefined) Object.freeze(failure.data);
          Object.freeze(failure);
        },
      });
      return {
        line: (line, ctx) => scan.line(line, wrap(ctx)),
        ...(scan.end !== undefined ? { end: (ctx: DetectorContext) => scan.end?.(wrap(ctx)) } : {}),
      };
    },
  };
}

/** What `detector` alone reports for `log`, after the engine and classification. */
export async function analyzeWith(detector: Detector, log: string): Promise<FixtureFailure[]> {
  const analysis = await analyzeText(log, { detectors: [freezingReports(detector)] });
  expect(analysis.detectorErrors ?? []).toEqual([]);
  return analysis.failures.map((failure) => {
    const copy: Partial<Failure> = { ...failure };
    delete copy.fingerprint;
    return copy as FixtureFailure;
  });
}

function readExpected(dir: string, logName: string): FixtureFailure[] {
  return JSON.parse(readFileSync(join(dir, logName.replace(/\.log$/, '.expected.json')), 'utf8')) as FixtureFailure[];
}

/** The `<case>.log` files of a detector's fixture folder, sorted. */
export function fixtureCases(folder: string): string[] {
  return readdirSync(join(DETECTOR_FIXTURES, folder))
    .filter((name) => name.endsWith('.log'))
    .sort();
}

/** One case per `<case>.log` in the detector's fixture folder; there must be valid and invalid ones. */
export function describeFixtureTable(detector: Detector, folder: string = detector.id): void {
  const dir = join(DETECTOR_FIXTURES, folder);
  const cases = fixtureCases(folder);
  it('has fixtures, valid and invalid', () => {
    expect(cases.length).toBeGreaterThan(1);
    const expectations = cases.map((name) => readExpected(dir, name));
    expect(expectations.some((e) => e.length === 0)).toBe(true);
    expect(expectations.some((e) => e.length > 0)).toBe(true);
  });
  for (const name of cases) {
    it(`fixture ${folder}/${name}`, async () => {
      const found = await analyzeWith(detector, readFileSync(join(dir, name), 'utf8'));
      expect(found).toEqual(readExpected(dir, name));
      for (const failure of found) expect(detector.categories).toContain(failure.category);
      // The trigger only saves time: fed every line, the scan finds the same (a header a handler
      // waits for but the trigger drops would be caught here).
      const everyLine: Detector = { ...detector, trigger: /[\s\S]?/ };
      expect(await analyzeWith(everyLine, readFileSync(join(dir, name), 'utf8'))).toEqual(found);
    });
  }
}

const GARBAGE = [
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
  '[ERROR] '.repeat(500),
  'FAIL '.repeat(800),
  'at ('.repeat(1000),
  'Error: '.repeat(580),
  "'a".repeat(2048),
  '  1) '.repeat(800),
];

/** The detector's own claims: its example is recognised, and long garbage lines are read to the end. */
export function describeDetectorContract(detector: Detector): void {
  it('recognises its documented example', async () => {
    expect(new RegExp(detector.trigger.source, detector.trigger.flags.replace(/[gy]/g, '')).test(detector.example)).toBe(true);
    const found = await analyzeWith(detector, `${detector.example}\n`);
    expect(found.length).toBeGreaterThan(0);
    for (const failure of found) expect(detector.categories).toContain(failure.category);
  });
  it('reads 4096-character garbage lines without failing', async () => {
    const log = GARBAGE.map((s) => `${s}\n${s}X\n  ${s}\n`)
      .join('')
      .repeat(15);
    // Speed is measured by `npm run bench`; here: garbage is read to the end without a detector
    // error and yields nothing outside the detector's declared categories.
    for (const failure of await analyzeWith(detector, log)) expect(detector.categories).toContain(failure.category);
  });
}
