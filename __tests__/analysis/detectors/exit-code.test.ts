import { describe, expect, it } from 'vitest';
import { EXIT_CONTEXT_LINES, exitCodeDetector } from '../../../src/analysis/detectors/exit-code.js';
import { analyzeText } from '../../../src/analysis/index.js';

async function run(log: string) {
  return (await analyzeText(log, { detectors: [exitCodeDetector] })).failures.map((f) => ({
    category: f.category,
    tool: f.tool,
    logLines: f.logLines,
    data: f.data,
  }));
}

describe('exit-code', () => {
  it.each([
    [
      '2026-01-01T00:00:00.0000000Z ##[error]Process completed with exit code 2.',
      { category: 'other', tool: 'github-actions', data: { exitCode: 2 } },
    ],
    [
      '##[error]Process completed with exit code 137.',
      { category: 'network_infra_timeout', tool: 'github-actions', data: { exitCode: 137 } },
    ],
    ['The command "py.test -q" exited with 1.\r', { category: 'other', tool: 'travis', data: { exitCode: 1 } }],
    ['The command "npm test" failed and exited with 2 during .', { category: 'other', tool: 'travis', data: { exitCode: 2 } }],
    ['ERROR: Job failed: exit code 1', { category: 'other', tool: 'gitlab', data: { exitCode: 1 } }],
  ])('%s', async (line, expected) => {
    // The step's last output line (`x`) comes with the exit line.
    expect(await run(`x\n${line}\n`)).toEqual([{ ...expected, logLines: [1, 2] }]);
  });

  it(`spans at most ${EXIT_CONTEXT_LINES} output lines of the failed step, skipping blanks, never the step header`, async () => {
    const log = [
      '##[group]Run ./check.sh',
      'set -e',
      '##[endgroup]',
      'one',
      'two',
      '',
      'three',
      'four',
      '##[error]Process completed with exit code 1.',
    ].join('\n');
    expect((await run(`${log}\n`))[0]?.logLines).toEqual([5, 9]);
    const short = ['##[group]Run ./check.sh', '##[endgroup]', 'refusing to run CI', '##[error]Process completed with exit code 1.'].join(
      '\n',
    );
    expect((await run(`${short}\n`))[0]?.logLines).toEqual([3, 4]);
  });

  it('ignores exit code 0 and look-alikes', async () => {
    expect(
      await run('The command "true" exited with 0.\nProcess completed with exit code 0.\nthe process completed with exit code 1\n'),
    ).toEqual([]);
  });
});
