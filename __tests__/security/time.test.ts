/**
 * Item 9: bounded time. A tool that hangs (and leaves a grandchild holding its output) is stopped
 * with its whole process group when the run's time budget runs out; no further fixer starts; the
 * report is still written. Process-group kills on a plain timeout are covered in exec.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, type Scenario } from '../../standin/scenario.js';
import { plantRepositoryTools, securityScenario, type Planted } from './helpers.js';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // This machine's PID 1 may not reap orphans: a zombie is dead too.
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

describe('bounded time', () => {
  it('timeout-minutes stops a hanging tool and its grandchild, starts no further fixer, and still writes the report', async () => {
    const s: Scenario & Planted = await securityScenario();
    open.push(s);
    const pids = path.join(s.dumps, 'pids');
    // black hangs: a grandchild holding stdout, and itself sleeping far beyond the budget.
    await plantRepositoryTools(s.workspace, s.dumps, `sleep 600 & echo $! >> "${pids}"; echo $$ >> "${pids}"; sleep 600`);
    const run = await runAction(s, { 'fix-types': 'format', 'timeout-minutes': '1' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as {
      fixes: { fixer: string; status: string; reason?: string }[];
    };
    expect(report.fixes.find((fix) => fix.fixer === 'black')?.status).not.toBe('verified');
    const prettier = report.fixes.find((fix) => fix.fixer === 'prettier');
    expect(prettier?.status).toBe('skipped');
    expect(prettier?.reason).toContain('time budget');
    expect(run.summary).toContain('CI Autofixer');
    expect(existsSync(pids)).toBe(true);
    const planted = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(planted.length).toBeGreaterThanOrEqual(2);
    for (const pid of planted) expect(isGone(pid), `pid ${pid}`).toBe(true);
  }, 150_000);
});
