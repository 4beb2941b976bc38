import { describe, expect, it } from 'vitest';
import {
  EXIT_TAIL_LINES,
  REPEAT_GAP_LINES,
  classifyDrafts,
  fingerprintOf,
  normalizePathForFingerprint,
  mergeJobAnalyses,
  normalizeForFingerprint,
  primaryCategory,
} from '../../src/analysis/classify.js';
import type { EngineDraft } from '../../src/analysis/engine.js';
import type { Step, StepModel } from '../../src/analysis/steps.js';
import type { Category, Failure } from '../../src/analysis/types.js';

let order = 0;
function draft(
  detector: string,
  category: Category,
  line: number,
  confidence: number,
  message = `${detector} at ${line}`,
  extra: Partial<EngineDraft['draft']> = {},
): EngineDraft {
  return { detector, order: order++, draft: { category, tool: detector, message, logLines: [line, line], confidence, ...extra } };
}

describe('fingerprints', () => {
  it('ignore numbers, hashes, temp paths, timestamps and runner prefixes', () => {
    const a = fingerprintOf({
      tool: 'pytest',
      message: 'AssertionError at 0x7f0c5be9cf28 in /tmp/pytest-of-runner/pytest-3/t0 after 12.5s (2026-07-30T13:21:30Z)',
      file: '/home/runner/work/app/app/tests/test_a.py',
    });
    const b = fingerprintOf({
      tool: 'pytest',
      message: 'AssertionError at 0x55d1e2a3b4c0 in /tmp/pytest-of-runner/pytest-9/t1 after 3.1s (2027-01-02T01:02:03Z)',
      file: 'D:\\a\\app\\app\\tests\\test_a.py'.replace(/\\/g, '/'),
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differ by tool, file and message words', () => {
    const base = { tool: 'tsc', message: "Type 'string' is not assignable", file: 'src/a.ts' };
    const fingerprints = new Set([
      fingerprintOf(base),
      fingerprintOf({ ...base, tool: 'eslint' }),
      fingerprintOf({ ...base, file: 'src/b.ts' }),
      fingerprintOf({ ...base, message: "Type 'number' is not assignable" }),
    ]);
    expect(fingerprints.size).toBe(4);
  });

  it('keep two files apart: under one temporary directory, or named by numbers', () => {
    const would = (file: string) => fingerprintOf({ tool: 'black', message: `would reformat ${file}`, file });
    expect(would('/tmp/pyfx/pkg/__init__.py')).not.toBe(would('/tmp/pyfx/pkg/sorted_bad.py'));
    expect(would('tests/test_1.py')).not.toBe(would('tests/test_2.py'));
    // ...while the random temporary directory itself still does not matter.
    expect(would('/tmp/tmpa81kx2/pkg/a.py')).toBe(would('/tmp/tmpzz0q1w/pkg/a.py'));
    expect(normalizePathForFingerprint('/private/var/folders/x1/abc123/T/tmpq9/run.sh')).toBe('<tmp>/run.sh');
    expect(normalizePathForFingerprint('C:\\Users\\me\\AppData\\Local\\Temp\\tmp42\\a.py')).toBe('<tmp>/a.py');
    // A repository's own tmp/ directory is not a temporary directory; a date is not a hash.
    expect(would('src/tmp/a.py')).not.toBe(would('src/tmp/b.py'));
    expect(would('changelog/20240101.md')).not.toBe(would('changelog/20240215.md'));
    expect(normalizePathForFingerprint('dist/assets/index-4f3a2b1c.js')).toBe('dist/assets/index-<hex>.js');
  });

  it('normalises commit hashes but keeps plain words', () => {
    expect(normalizeForFingerprint('commit 3cad9e8e4278e0eea38551b4f71cc1cf08bd9d14 failed in facade')).toBe(
      'commit <hex> failed in facade',
    );
  });
});

/** A step model whose failed step is the first one that failed. */
function steps(list: Step[]): StepModel {
  return { steps: list, failed: list.find((step) => step.outcome === 'failed') };
}

describe('classifyDrafts', () => {
  it('collapses the same unlocated error about different quoted things into one with a count', () => {
    const enoent = (line: number, path: string) =>
      draft('node', 'missing_file', line, 0.7, `Failed to load test output Error: ENOENT: no such file or directory, open '${path}'`);
    const command = (line: number, cut: string) => draft('shell', 'other', line, 0.6, `The command "make test-${cut}`);
    const failures = classifyDrafts([
      enoent(10, 'examples/a/index.test.tsx.results.json'),
      enoent(11, 'examples/b/page.test.tsx.results.json'),
      enoent(12, 'examples/c/add.test.ts.results.json'),
      command(40, 'unit --coverage --reporter=dot'),
      command(90, 'unit --cov'),
    ]);
    expect(failures.map((f) => [f.message.slice(0, 26), f.occurrences, f.logLines])).toEqual([
      ['Failed to load test output', 3, [10, 12]],
      ['The command "make test-uni', 2, [40, 40]],
    ]);
  });

  it('keeps located problems apart even when only a quoted name differs', () => {
    const unused = (line: number, name: string) =>
      draft('ruff', 'lint_format', line, 0.9, `F841 Local variable \`${name}\` is assigned to but never used`, {
        file: 'src/app/models.py',
        line,
      });
    expect(classifyDrafts([unused(25, 'total'), unused(31, 'l')]).map((f) => f.occurrences)).toEqual([1, 1]);
  });

  it("keeps one detector's failures on different files apart even when their lines nest", () => {
    const first = draft('prettier', 'lint_format', 6, 0.95, '[warn] bad.js', { file: 'bad.js' });
    first.draft.logLines = [6, 8];
    const second = draft('prettier', 'lint_format', 7, 0.95, '[warn] src2.ts', { file: 'src2.ts' });
    expect(classifyDrafts([first, second]).map((f) => [f.file, f.occurrences])).toEqual([
      ['bad.js', 1],
      ['src2.ts', 1],
    ]);
  });

  it('collapses a runner block and the traceback nested in it into the more specific failure', () => {
    const block = draft(
      'unittest',
      'import_missing_module',
      10,
      0.93,
      'ERROR: tests.test_config: ImportError: Failed to import test module',
    );
    block.draft.logLines = [10, 24];
    const wrapper = draft(
      'python-traceback',
      'import_missing_module',
      12,
      0.85,
      'ImportError: Failed to import test module: tests.test_config',
    );
    wrapper.draft.logLines = [12, 13];
    const cause = draft('python-traceback', 'import_missing_module', 22, 0.85, "ModuleNotFoundError: No module named 'yaml'", {
      file: 'app/config.py',
      line: 2,
      data: { ecosystem: 'python', module: 'yaml' },
    });
    cause.draft.logLines = [20, 22];
    const elsewhere = draft('black', 'lint_format', 15, 0.95, 'would reformat a.py', { file: 'a.py', data: { formatter: 'black' } });
    const failures = classifyDrafts([block, wrapper, cause, elsewhere]);
    const missing = failures.filter((f) => f.category === 'import_missing_module');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({
      message: "ModuleNotFoundError: No module named 'yaml'",
      logLines: [10, 24],
      confidence: 0.93,
      occurrences: 3,
    });
    expect(missing[0]?.data).toMatchObject({ module: 'yaml' });
    expect(failures.map((f) => f.tool)).toContain('black');
  });

  it('ranks a specific hit above later generic and exit-code lines, and drops exit-code when explained', () => {
    const failures = classifyDrafts([
      draft('github-error', 'other', 50, 0.25, 'Error: something'),
      draft('tsc', 'type_check', 40, 0.75),
      draft('exit-code', 'other', 51, 0.1, 'Process completed with exit code 2.'),
    ]);
    expect(failures.map((f) => f.detector)).toEqual(['tsc', 'github-error']);
    expect(primaryCategory(failures)).toBe('type_check');
  });

  it('keeps the exit-code line when nothing else explains the failure', () => {
    const failures = classifyDrafts([draft('exit-code', 'other', 9, 0.1, 'Process completed with exit code 1.')]);
    expect(failures.map((f) => f.detector)).toEqual(['exit-code']);
    expect(primaryCategory([])).toBe('other');
  });

  it('puts the first confident error before later confident ones (root cause before cascade)', () => {
    const failures = classifyDrafts([
      draft('pytest', 'test_failure', 300, 0.9),
      draft('python-traceback', 'import_missing_module', 120, 0.9),
      draft('cmake', 'compilation_error', 310, 0.5),
    ]);
    expect(failures.map((f) => f.logLines[0])).toEqual([120, 300, 310]);
  });

  it('puts a confident hit before an earlier low-confidence symptom', () => {
    const failures = classifyDrafts([draft('infrastructure', 'network_infra_timeout', 10, 0.4), draft('jest', 'test_failure', 900, 0.75)]);
    expect(failures.map((f) => f.detector)).toEqual(['jest', 'infrastructure']);
  });

  it('drops weak symptoms when the first failure is sure, keeps them otherwise', () => {
    const symptom = draft('make', 'compilation_error', 60, 0.2, 'make: *** [all] Error 2');
    const second = draft('eslint', 'lint_format', 70, 0.55);
    expect(classifyDrafts([draft('gcc', 'compilation_error', 50, 0.95), symptom, second]).map((f) => f.detector)).toEqual([
      'gcc',
      'eslint',
    ]);
    expect(classifyDrafts([draft('gcc', 'compilation_error', 50, 0.7), symptom, second]).map((f) => f.detector)).toEqual([
      'gcc',
      'eslint',
      'make',
    ]);
  });

  it('widens a confident failure over its back-to-back repeats only', () => {
    const repeats = [10, 14, 18, 18 + REPEAT_GAP_LINES + 1].map((line) =>
      draft('swift', 'compilation_error', line, 0.9, 'thrown expression type is not Error', { file: 'a.swift' }),
    );
    const failures = classifyDrafts(repeats);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ logLines: [10, 18], occurrences: 4 });
    const weak = [10, 14].map((line) => draft('shell', 'missing_file', line, 0.4, 'cat: x: No such file or directory'));
    expect(classifyDrafts(weak)[0]).toMatchObject({ logLines: [10, 10], occurrences: 2 });
  });

  it('drops generic annotations that restate a specific hit', () => {
    const failures = classifyDrafts([
      draft('eslint', 'lint_format', 20, 0.9, "'x' is defined but never used"),
      draft('github-error', 'other', 35, 0.25, "'x' is defined but never used"),
      draft('github-error', 'other', 20, 0.25, 'same line'),
    ]);
    expect(failures.map((f) => f.detector)).toEqual(['eslint']);
  });

  it('collapses repeats into one failure with occurrences, at the first place', () => {
    const failures = classifyDrafts([
      draft('pytest', 'test_failure', 10, 0.9, 'assert 1 == 2 (run 1)', { file: 'tests/t.py' }),
      draft('pytest', 'test_failure', 90, 0.9, 'assert 1 == 2 (run 2)', { file: 'tests/t.py' }),
      draft('pytest', 'test_failure', 50, 0.9, 'other failure', { file: 'tests/t.py' }),
    ]);
    expect(failures.map((f) => [f.logLines[0], f.occurrences])).toEqual([
      [10, 2],
      [50, 1],
    ]);
  });

  it("extends the step's last confident failure to the runner's exit line that closes the step", () => {
    const first = draft('tsc', 'type_check', 10, 0.95);
    const last = draft('tsc', 'type_check', 14, 0.95, 'second error');
    const weak = draft('shell', 'missing_file', 16, 0.4);
    const far = draft('jest', 'test_failure', 40, 0.9);
    const laterExit = 40 + EXIT_TAIL_LINES + 1;
    const model = steps([
      {
        index: 1,
        name: 'Run tsc',
        lines: [5, 20],
        outcome: 'failed',
        exitCode: 2,
        outcomeLine: 20,
        outcomeSource: 'ci',
        outcomeSystem: 'github',
        system: 'github',
      },
      {
        index: 2,
        name: 'Run jest',
        lines: [21, laterExit],
        outcome: 'failed',
        exitCode: 1,
        outcomeLine: laterExit,
        outcomeSource: 'ci',
        system: 'github',
      },
    ]);
    const failures = classifyDrafts([first, last, weak, far], model);
    expect(failures.map((f) => f.logLines)).toEqual([
      [10, 10],
      [14, 20],
      [40, 40],
    ]);
  });

  it('merges a weak uncategorised wrapper into the specific errors printed inside it', () => {
    const git = draft('infrastructure', 'network_infra_timeout', 1004, 0.95, 'remote: Permission to o/r.git denied to bot.');
    const sameInside = draft('infrastructure', 'network_infra_timeout', 1006, 0.95, 'all: remote: Permission to o/r.git denied to bot.');
    const wrapper = draft('node', 'other', 995, 0.45, 'Error: Command failed with exit code 128', {
      file: 'scripts/sync.js',
      line: 645,
      column: 5,
    });
    wrapper.draft.logLines = [995, 1013];
    const elsewhere = draft('jest', 'test_failure', 2000, 0.9);
    const failures = classifyDrafts([git, sameInside, wrapper, elsewhere]);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      category: 'network_infra_timeout',
      message: git.draft.message,
      logLines: [995, 1013],
      file: 'scripts/sync.js',
      line: 645,
      occurrences: 3,
    });
    expect(failures[1]?.detector).toBe('jest');
  });

  it('keeps a weak wrapper that holds no confident hit', () => {
    const wrapper = draft('node', 'other', 10, 0.45, 'Error: boom');
    wrapper.draft.logLines = [10, 20];
    const weak = draft('shell', 'missing_file', 12, 0.4);
    expect(
      classifyDrafts([wrapper, weak])
        .map((f) => f.detector)
        .sort(),
    ).toEqual(['node', 'shell']);
  });

  it('ranks errors of a step the log shows passed below those of the failed step, and a runner timeout as inside it', () => {
    const tolerated = { ...draft('jvm', 'compilation_error', 600, 0.95, 'cannot find symbol'), stepIndex: 1 };
    const real = { ...draft('jvm', 'compilation_error', 1896, 0.95, 'cannot access EclipseCompiler'), stepIndex: 2 };
    const after = { ...draft('infrastructure', 'network_infra_timeout', 2100, 0.95, 'Unable to upload artifact'), stepIndex: 3 };
    const timeout = {
      ...draft('infrastructure', 'network_infra_timeout', 2500, 0.95, 'The action has timed out.', { tool: 'runner' }),
      stepIndex: 4,
    };
    const model = steps([
      { index: 1, name: 'Run mvn --fail-never test', lines: [500, 1800], outcome: 'passed', system: 'github' },
      {
        index: 2,
        name: 'Run mvn verify',
        lines: [1801, 1993],
        outcome: 'failed',
        exitCode: 1,
        outcomeLine: 1993,
        outcomeSource: 'ci',
        system: 'github',
      },
      { index: 3, name: 'Run actions/upload-artifact@v4', lines: [1994, 2200], outcome: 'unknown', system: 'github' },
      { index: 4, name: 'Run slow', lines: [2201, 2500], outcome: 'unknown', system: 'github' },
    ]);
    // The failed step first; the runner's own timeout ends a step its own way and ranks as inside
    // one; a later step's hit next; the step that passed last.
    expect(classifyDrafts([tolerated, real, after, timeout], model).map((f) => f.logLines[0])).toEqual([1896, 2500, 2100, 600]);
    // Without a failed step nothing is known about steps: confidence, then position decides.
    expect(classifyDrafts([tolerated, real]).map((f) => f.logLines[0])).toEqual([600, 1896]);
  });

  it('settles close calls by which category explains the other, then by position', () => {
    const network = draft('infrastructure', 'network_infra_timeout', 10, 0.9, 'fatal: unable to access');
    const missing = draft('node', 'import_missing_module', 50, 0.92, "Cannot find module 'x'");
    const tests = draft('jest', 'test_failure', 5, 0.95);
    expect(classifyDrafts([network, missing, tests]).map((f) => f.detector)).toEqual(['node', 'infrastructure', 'jest']);
    // Past the close-call margin (0.15) confidence decides.
    const weakerNetwork = draft('infrastructure', 'network_infra_timeout', 10, 0.7, 'Connection reset by peer');
    expect(classifyDrafts([weakerNetwork, tests]).map((f) => f.detector)).toEqual(['jest', 'infrastructure']);
  });

  it('copies step and job from the draft', () => {
    const entry = { ...draft('tsc', 'type_check', 4, 0.9), step: 'Run tsc', job: 'build' };
    expect(classifyDrafts([entry])[0]).toMatchObject({ step: 'Run tsc', job: 'build', detector: 'tsc', occurrences: 1 });
  });
});

describe('mergeJobAnalyses', () => {
  const failure = (message: string, line: number): Failure => ({
    category: 'test_failure',
    tool: 'pytest',
    message,
    logLines: [line, line],
    confidence: 0.9,
    detector: 'pytest',
    fingerprint: fingerprintOf({ tool: 'pytest', message }),
    occurrences: 1,
  });

  it('collapses the same fingerprint across matrix jobs and sums occurrences', () => {
    const merged = mergeJobAnalyses([
      [failure('test_a failed', 10), failure('test_b failed', 20)],
      [failure('test_a failed', 11), failure('only on 3.12', 30)],
    ]);
    expect(merged.map((f) => [f.message, f.occurrences])).toEqual([
      ['test_a failed', 2],
      ['test_b failed', 1],
      ['only on 3.12', 1],
    ]);
  });

  it('does not mutate its input', () => {
    const jobs = [[failure('x', 1)], [failure('x', 2)]];
    mergeJobAnalyses(jobs);
    expect(jobs[0]?.[0]?.occurrences).toBe(1);
  });
});
