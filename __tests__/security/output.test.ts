/**
 * Item 11: output never turns log text into workflow commands, in any mode (the CLI's text output
 * included), and the token is masked in every form it is sent.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { runAction, type Scenario } from '../../standin/scenario.js';
import { runCli, securityScenario } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

/** Lines the runner would read as a workflow command: `::name…` at the start, or `##[` anywhere. */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => /^\s*::[a-z-]+/i.test(line) || line.includes('##['));
}

const HOSTILE = [
  '2026-11-25T06:00:00.0000000Z ##[group]Run ruff check .',
  '2026-11-25T06:00:00.1000000Z ruff check .',
  '2026-11-25T06:00:00.2000000Z ##[endgroup]',
  '2026-11-25T06:00:00.3000000Z ::set-output name=evil::1',
  '2026-11-25T06:00:00.4000000Z ::add-mask::nothing',
  '2026-11-25T06:00:00.5000000Z src/a.py:1:1: F401 [*] `os` imported but unused ##[error]injected',
  '2026-11-25T06:00:00.6000000Z ##[warning]::stop-commands::token',
  '2026-11-25T06:00:00.7000000Z Found 1 error.',
  '2026-11-25T06:00:00.8000000Z ##[error]Process completed with exit code 1.',
  '',
].join('\n');

describe('no workflow command from log text', () => {
  it('`analyze` text and JSON output, and `fix` text output, carry none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'security-output-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const log = path.join(dir, 'hostile.log');
    await writeFile(log, HOSTILE);
    for (const args of [
      ['analyze', log],
      ['analyze', '--json', log],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain('F401');
      expect(commandLines(result.stdout + result.stderr)).toEqual([]);
    }
    const workspace = path.join(dir, 'ws');
    await nodeExec('mkdir', ['-p', path.join(workspace, 'src')], { cwd: dir });
    await writeFile(path.join(workspace, 'src', 'a.py'), 'import os\n');
    await nodeExec('git', ['init', '-q'], { cwd: workspace });
    const fix = await runCli(['fix', '--workspace', workspace, '--log', log], { cwd: dir });
    expect(fix.exitCode, fix.stderr).toBe(0);
    expect(fix.stdout).toContain('Needs a human');
    expect(commandLines(fix.stdout + fix.stderr)).toEqual([]);
  });
});

describe('the token is masked in every form it is sent', () => {
  it('asks the runner to mask the token and the Basic header git sends', async () => {
    const s: Scenario = await securityScenario();
    cleanup.push(() => s.close());
    const run = await runAction(s, { 'dry-run': 'true' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const basic = Buffer.from(`x-access-token:${s.token}`).toString('base64');
    expect(run.stdout).toContain(`::add-mask::${s.token}`);
    expect(run.stdout).toContain(`::add-mask::${basic}`);
    const printed = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(basic);
  });
});
