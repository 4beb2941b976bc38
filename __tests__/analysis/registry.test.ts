import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/analysis/registry.js';
import { CATEGORIES } from '../../src/analysis/types.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { renderDetectorsDoc, renderFixersDoc } from '../../scripts/gen-docs.js';

const root = join(import.meta.dirname, '../..');
const detectorFiles = readdirSync(join(root, 'src/analysis/detectors'))
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
  .map((name) => name.replace(/\.ts$/, ''));

describe('detector registry', () => {
  it('registers every file in src/analysis/detectors/', () => {
    const registered = new Set(DETECTORS.map((d) => d.id));
    expect(detectorFiles.filter((file) => !registered.has(file))).toEqual([]);
  });

  it('has unique ids, each equal to a file name', () => {
    const ids = DETECTORS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !detectorFiles.includes(id))).toEqual([]);
  });

  it.each(DETECTORS.map((d) => [d.id, d] as const))(
    '%s has a description, known categories, an example and a stateless trigger',
    (_id, detector) => {
      expect(detector.description.trim().length).toBeGreaterThan(10);
      expect(detector.example.trim().length).toBeGreaterThan(0);
      expect(detector.categories.length).toBeGreaterThan(0);
      for (const category of detector.categories) expect(CATEGORIES).toContain(category);
      // g and y make test() depend on lastIndex: a trigger must answer the same for the same line.
      expect(detector.trigger.flags).not.toMatch(/[gy]/);
    },
  );
});

describe('generated docs', () => {
  const detectorsDoc = readFileSync(join(root, 'docs/detectors.md'), 'utf8');

  it('docs/detectors.md lists every detector', () => {
    const missing = DETECTORS.filter((d) => !detectorsDoc.includes(`| \`${d.id}\` |`)).map((d) => d.id);
    expect(missing).toEqual([]);
  });

  it('docs/detectors.md and docs/fixers.md are up to date (run `npm run docs`)', () => {
    expect(detectorsDoc).toBe(renderDetectorsDoc(DETECTORS));
    expect(readFileSync(join(root, 'docs/fixers.md'), 'utf8')).toBe(renderFixersDoc(FIXERS));
  });
});
