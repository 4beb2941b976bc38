import { readdirSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { FIXERS } from '../../src/fixers/registry.js';
import { CATEGORIES } from '../../src/analysis/types.js';
import { PROJECT_ROOT } from './helpers.js';

/** Files of src/fixers/ that are not fixers. */
const NOT_FIXERS = new Set(['registry.ts', 'types.ts', 'tools.ts']);

describe('fixer registry', () => {
  it('registers every fixer file of src/fixers/, with the file name as id', () => {
    const files = readdirSync(path.join(PROJECT_ROOT, 'src', 'fixers'), { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !NOT_FIXERS.has(entry.name))
      .map((entry) => entry.name.replace(/\.ts$/, ''))
      .sort();
    expect(FIXERS.map((fixer) => fixer.id).sort()).toEqual(files);
  });

  it.each(FIXERS.map((fixer) => [fixer.id, fixer] as const))('%s declares what it may touch and how sure it is', (_id, fixer) => {
    expect(fixer.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(fixer.description.length).toBeGreaterThan(20);
    expect(fixer.touches.length).toBeGreaterThan(0);
    expect(fixer.confidence).toBeGreaterThan(0);
    expect(fixer.confidence).toBeLessThanOrEqual(1);
    expect(fixer.toolHint).toBeTruthy();
    for (const category of fixer.categories) expect(CATEGORIES).toContain(category);
    // Globs are relative and never reach into .git.
    const matches = picomatch([...fixer.touches], { dot: true });
    for (const glob of fixer.touches) expect(glob.startsWith('/') || glob.includes('..')).toBe(false);
    expect(matches('.git/config')).toBe(false);
  });

  it('keeps formatters above the dependency guess in confidence', () => {
    const byId = new Map(FIXERS.map((fixer) => [fixer.id, fixer]));
    expect(byId.get('black')?.confidence).toBe(0.95);
    expect(byId.get('python-requirement')?.confidence).toBe(0.85);
  });
});
