import { describe, expect, it } from 'vitest';
import type { Failure } from '../../src/analysis/types.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { DEFAULT_FIX_TYPES, FIX_TYPES, planFixes } from '../../src/plan/plan.js';
import { failure } from '../fixers/helpers.js';

const black = (file: string, confidence = 0.9): Failure =>
  failure({ category: 'lint_format', tool: 'black', message: `would reformat ${file}`, file, confidence, data: { formatter: 'black' } });
const prettier = (file: string): Failure =>
  failure({ category: 'lint_format', tool: 'prettier', message: `[warn] ${file}`, file, data: { formatter: 'prettier' } });
const yaml = (): Failure =>
  failure({
    category: 'import_missing_module',
    tool: 'python',
    message: "No module named 'yaml'",
    data: { ecosystem: 'python', module: 'yaml' },
  });
const pytest = (): Failure =>
  failure({ category: 'test_failure', tool: 'pytest', message: 'FAILED tests/test_a.py::test_x', file: 'tests/test_a.py' });

const base = { fixers: FIXERS, confidenceThreshold: 0.8, fixTypes: DEFAULT_FIX_TYPES, maxFixes: 10 };

describe('planFixes', () => {
  it('gives each fixer the failures it handles; failures no fixer handles are in neither list', () => {
    const failures = [black('a.py'), prettier('x.ts'), black('b.py'), pytest()];
    const plan = planFixes({ ...base, failures });
    expect(plan.planned.map((p) => [p.fixer.id, p.failures.map((f) => f.file)])).toEqual([
      ['black', ['a.py', 'b.py']],
      ['prettier', ['x.ts']],
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it('requires both the failure and the fixer confidence to reach the threshold', () => {
    const sure = black('a.py', 0.9);
    const unsure = black('b.py', 0.5);
    const plan = planFixes({ ...base, failures: [sure, unsure] });
    expect(plan.planned[0]?.failures).toEqual([sure]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        fixer: 'black',
        status: 'skipped',
        failures: [unsure.fingerprint],
        reason: expect.stringContaining('below the threshold 0.8 (lowest 0.5)'),
      }),
    ]);
    // black's own confidence is 0.95: a threshold above it skips the fixer whatever the failures say.
    const strict = planFixes({ ...base, confidenceThreshold: 0.99, failures: [black('c.py', 1)] });
    expect(strict.planned).toEqual([]);
    expect(strict.skipped[0]?.reason).toBe('fixer confidence 0.95 is below the confidence threshold 0.99');
  });

  it('runs only the enabled fix types; dependency fixes are not in the default safe set', () => {
    const failure = yaml();
    const byDefault = planFixes({ ...base, failures: [failure] });
    expect(byDefault.planned).toEqual([]);
    expect(byDefault.skipped[0]).toMatchObject({
      fixer: 'python-requirement',
      failures: [failure.fingerprint],
      reason: expect.stringContaining("fix type 'dependency' is not enabled"),
    });
    const enabled = planFixes({ ...base, fixTypes: ['dependency'], failures: [failure] });
    expect(enabled.planned.map((p) => p.fixer.id)).toEqual(['python-requirement']);
  });

  it('never plans a fix of a file under .github/workflows/', () => {
    const workflow = prettier('.github/workflows/ci.yml');
    const plan = planFixes({ ...base, failures: [workflow, prettier('docs/a.md')] });
    expect(plan.planned[0]?.failures.map((f) => f.file)).toEqual(['docs/a.md']);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        fixer: 'prettier',
        failures: [workflow.fingerprint],
        reason: expect.stringContaining('.github/workflows/'),
      }),
    ]);
  });

  it('applies at most maxFixes fixers, in registry order', () => {
    const failures = [prettier('x.ts'), black('a.py')];
    const plan = planFixes({ ...base, maxFixes: 1, failures });
    expect(plan.planned.map((p) => p.fixer.id)).toEqual(['black']);
    expect(plan.skipped).toEqual([expect.objectContaining({ fixer: 'prettier', reason: 'max-fixes (1) reached' })]);
    expect(planFixes({ ...base, maxFixes: 0, failures }).planned).toEqual([]);
  });

  it('exports the fix types of the registry; the default set is those of the safe fixers', () => {
    expect(FIX_TYPES).toEqual(['format', 'lint', 'dependency', 'missing-file']);
    expect(DEFAULT_FIX_TYPES).toEqual(['format', 'lint']);
    for (const fixer of FIXERS) expect(FIX_TYPES).toContain(fixer.fixType);
  });
});
