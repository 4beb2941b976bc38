/** The failed-step model: each CI format's steps, their ranges and outcomes, and the failed step. */
import { describe, expect, it } from 'vitest';
import { createNormalizer } from '../../src/analysis/normalize.js';
import { splitText } from '../../src/analysis/reader.js';
import { StepTracker, type StepModel } from '../../src/analysis/steps.js';

function model(text: string): StepModel {
  const normalize = createNormalizer();
  const tracker = new StepTracker();
  splitText(text, (raw, n) => tracker.observe(normalize(raw, n)));
  return tracker.finish();
}

function summary(m: StepModel): { name: string; lines: [number, number]; outcome: string; exitCode?: number }[] {
  return m.steps.map((step) => ({
    name: step.name,
    lines: step.lines,
    outcome: step.outcome,
    ...(step.exitCode !== undefined ? { exitCode: step.exitCode } : {}),
  }));
}

const T = '2026-11-25T06:00:00.0000000Z ';

describe('failed-step model', () => {
  it.each([
    {
      name: 'GitHub Actions: a step that passed, then the failing one and a post-step',
      log: [
        `${T}##[group]Run npm ci`,
        `${T}npm ci`,
        `${T}##[endgroup]`,
        `${T}added 12 packages`,
        `${T}##[group]Run npm test`,
        `${T}##[endgroup]`,
        `${T}FAIL src/a.test.ts`,
        `${T}##[error]Process completed with exit code 1.`,
        `${T}##[group]Run actions/upload-artifact@v4`,
        `${T}##[endgroup]`,
        `${T}Uploaded`,
      ],
      failed: { name: 'Run npm test', lines: [5, 8], exitCode: 1 },
      outcomes: { 'Run npm ci': 'passed', 'Run npm test': 'failed', 'Run actions/upload-artifact@v4': 'unknown' },
    },
    {
      name: 'Travis: exit lines give each script command its outcome',
      log: [
        'travis_time:start:1\r\x1b[0K$ flake8\r',
        'travis_time:end:1:start=1,finish=2,duration=1\r\x1b[0K\x1b[32;1mThe command "flake8" exited with 0.\x1b[0m\r',
        'travis_time:start:2\r\x1b[0K$ pytest -q\r',
        'E   assert 1 == 2\r',
        'travis_time:end:2:start=1,finish=2,duration=1\r\x1b[0K\x1b[31;1mThe command "pytest -q" exited with 1.\x1b[0m\r',
        'Done. Your build exited with 1.',
      ],
      failed: { name: 'pytest -q', lines: [3, 6], exitCode: 1 },
      outcomes: { flake8: 'passed', 'pytest -q': 'failed' },
    },
    {
      name: 'Travis: an install command that failed',
      log: [
        'travis_fold:start:install\r\x1b[0Ktravis_time:start:1\r\x1b[0K$ npm install\r',
        'npm ERR! 404 Not Found\r',
        'travis_time:end:1\r\x1b[0K\x1b[31;1mThe command "npm install" failed and exited with 1 during .\x1b[0m\r',
      ],
      failed: { name: 'npm install', lines: [1, 3], exitCode: 1 },
      outcomes: { 'npm install': 'failed' },
    },
    {
      name: "Travis: its own set-up commands it ran past passed; the project's install script stays unknown",
      log: [
        'travis_fold:start:rvm\r\x1b[0Ktravis_time:start:1\r\x1b[0K$ rvm use 2.4 --install --binary --fuzzy\r',
        'curl: (22) The requested URL returned error: 404 Not Found\r',
        'travis_time:end:1\r\x1b[0Ktravis_fold:end:rvm\r',
        'travis_fold:start:install\r\x1b[0Ktravis_time:start:2\r\x1b[0K$ ./install.sh\r',
        'fatal: unable to access the repository\r',
        'travis_time:end:2\r\x1b[0Ktravis_fold:end:install\r',
        'travis_time:start:3\r\x1b[0K$ make test\r',
        'travis_time:end:3\r\x1b[0K\x1b[31;1mThe command "make test" exited with 2.\x1b[0m\r',
      ],
      failed: { name: 'make test', lines: [7, 8], exitCode: 2 },
      outcomes: { 'rvm use 2.4 --install --binary --fuzzy': 'passed', './install.sh': 'unknown', 'make test': 'failed' },
    },
    {
      name: 'a plain log: a tool line ends it',
      log: ['cc -c a.c', "a.c:1:1: error: unknown type name 'x'", 'make: *** [Makefile:2: a.o] Error 1'],
      failed: { name: '', lines: [1, 3], exitCode: 1 },
      outcomes: { '': 'failed' },
    },
    {
      name: 'GitHub Actions: a cancelled step',
      log: [`${T}##[group]Run sleep 999`, `${T}##[endgroup]`, `${T}##[error]The operation was canceled.`],
      failed: { name: 'Run sleep 999', lines: [1, 3], exitCode: 143 },
      outcomes: { 'Run sleep 999': 'failed' },
    },
    {
      name: 'Travis: no output for too long',
      log: [
        'travis_time:start:1\r\x1b[0K$ ./slow.sh\r',
        'working',
        '',
        'No output has been received in the last 10m0s, this potentially indicates a stalled build or something wrong with the build itself.',
      ],
      failed: { name: './slow.sh', lines: [1, 4], exitCode: 124 },
      outcomes: { './slow.sh': 'failed' },
    },
    {
      name: 'gh run view --log: the step column names the step',
      log: [
        `build\tSet up job\t${T}Runner`,
        `build\tRun make\t${T}gcc -c x.c`,
        `build\tRun make\t${T}##[error]Process completed with exit code 2.`,
      ],
      failed: { name: 'Run make', lines: [2, 3], exitCode: 2 },
      outcomes: { 'Set up job': 'passed', 'Run make': 'failed' },
    },
  ])('$name', ({ log, failed, outcomes }) => {
    const m = model(`${log.join('\n')}\n`);
    expect(m.failed === undefined ? undefined : { name: m.failed.name, lines: m.failed.lines, exitCode: m.failed.exitCode }).toEqual(
      failed,
    );
    const byName = Object.fromEntries(m.steps.filter((step) => step.name in outcomes).map((step) => [step.name, step.outcome]));
    expect(byName).toEqual(outcomes);
  });

  it('a log that says nothing has no failed step', () => {
    const m = model(`${T}##[group]Run echo hi\n${T}hi\n${T}##[group]Run echo bye\n${T}bye\n`);
    expect(m.failed).toBeUndefined();
    expect(summary(m).map((step) => [step.name, step.outcome])).toEqual([
      ['Run echo hi', 'passed'],
      ['Run echo bye', 'unknown'],
    ]);
  });

  it('two runs of the same command are two steps', () => {
    const log = [
      'travis_time:start:1\r\x1b[0K$ make\r',
      'travis_time:end:1\r\x1b[0K\x1b[32;1mThe command "make" exited with 0.\x1b[0m\r',
      'travis_time:start:2\r\x1b[0K$ make\r',
      'travis_time:end:2\r\x1b[0K\x1b[31;1mThe command "make" exited with 2.\x1b[0m\r',
    ];
    const m = model(`${log.join('\n')}\n`);
    expect(summary(m).map((step) => [step.name, step.outcome, step.lines])).toEqual([
      ['make', 'passed', [1, 2]],
      ['make', 'failed', [3, 4]],
    ]);
  });
});

describe("the failed step's script", () => {
  it('GitHub: the lines inside the Run group before shell:/env:, colours removed', () => {
    const log = [
      '2026-11-25T06:00:00.0000000Z ##[group]Run isort --check-only .',
      '2026-11-25T06:00:00.1000000Z \u001b[36;1misort --check-only .\u001b[0m',
      '2026-11-25T06:00:00.2000000Z \u001b[36;1m\u001b[0m',
      '2026-11-25T06:00:00.3000000Z \u001b[36;1mblack --check .\u001b[0m',
      '2026-11-25T06:00:00.4000000Z shell: /usr/bin/bash -e {0}',
      '2026-11-25T06:00:00.5000000Z env:',
      '2026-11-25T06:00:00.6000000Z   pythonLocation: /opt/hostedtoolcache/Python/3.12.0/x64',
      '2026-11-25T06:00:00.7000000Z ##[endgroup]',
      '2026-11-25T06:00:00.8000000Z would reformat x.py',
      '2026-11-25T06:00:00.9000000Z ##[error]Process completed with exit code 1.',
    ].join('\n');
    expect(model(log).failed?.script).toEqual(['isort --check-only .', 'black --check .']);
  });

  it('Travis: the `$` command; a script longer than the bound is not kept at all', () => {
    const travis = 'travis_time:start:1\r\n$ flake8 src tests\nsrc/a.py:1:1: F401 unused\nThe command "flake8 src tests" exited with 1.\n';
    expect(model(travis).failed?.script).toEqual(['flake8 src tests']);
    const long = [
      '##[group]Run echo 0',
      ...Array.from({ length: 60 }, (_, i) => `echo ${i}`),
      'shell: /usr/bin/bash -e {0}',
      '##[endgroup]',
      '##[error]Process completed with exit code 1.',
    ].join('\n');
    expect(model(long).failed?.script).toBeUndefined();
  });
});
