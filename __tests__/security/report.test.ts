/**
 * Item 8: every run ends with a report. A refused pull request after the push, an expired job log,
 * or an error before the run is known still leave the job summary, the outputs and the JSON
 * report, saying what failed and what state was left; the working tree is put back.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { runAction, type Scenario } from '../../standin/scenario.js';
import { securityScenario } from './helpers.js';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function scenario(): Promise<Scenario> {
  const s = await securityScenario();
  open.push(s);
  return s;
}

async function status(s: Scenario): Promise<string> {
  return (await nodeExec('git', ['status', '--porcelain'], { cwd: s.workspace })).stdout;
}

describe('every run ends with a report', () => {
  it('a 403 on the pull request after the push: summary, outputs and JSON report say the branch was pushed and the PR not created', async () => {
    const s = await scenario();
    s.github.failNext(/^POST \/repos\/[^/]+\/[^/]+\/pulls$/, 403, 1, {
      body: {
        message: 'GitHub Actions is not permitted to create or approve pull requests.',
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      },
    });
    const run = await runAction(s, { 'fix-types': 'format' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^::error::publishing failed \(branch autofix\/feature\/greeting pushed/m);
    expect(run.outputs.branch).toBe('autofix/feature/greeting');
    expect(run.outputs['pull-request-number']).toBe('');
    expect(Number(run.outputs.failures)).toBeGreaterThanOrEqual(3);
    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as {
      errors: string[];
      publication: { error?: string };
    };
    expect(report.errors[0]).toContain('pull request not created or updated');
    expect(report.errors[0]).toContain('403');
    expect(report.publication.error).toBe(report.errors[0]);
    expect(run.summary).toContain('pull request not created or updated');
    expect(await status(s)).toBe('');
  });

  it('one expired job log (410) is "no longer available" for that job; the other jobs are analysed and fixed', async () => {
    const s = await scenario();
    s.github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/actions\/jobs\/\d+\/logs$/, 410, 1, {
      body: { message: 'Gone', documentation_url: 'https://docs.github.com/rest', status: '410' },
    });
    const run = await runAction(s, { 'fix-types': 'format', 'dry-run': 'true' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.summary).toContain('log no longer available');
    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as {
      jobs: { job: { jobName: string; unavailable?: string } }[];
      fixes: { status: string }[];
    };
    expect(report.jobs.filter((job) => job.job.unavailable !== undefined)).toHaveLength(1);
    expect(report.jobs).toHaveLength(3);
    expect(report.fixes.some((fix) => fix.status === 'verified')).toBe(true);
  });

  it('an error before the run is known still writes the summary, a JSON report and the outputs', async () => {
    const s = await scenario();
    const run = await runAction(s, { 'run-id': '987654' });
    expect(run.exitCode).toBe(1);
    expect(run.summary).toContain('does not exist');
    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as { version: number; error: string };
    expect(report.version).toBe(1);
    expect(report.error).toContain('workflow run 987654 does not exist');
    expect(run.outputs.failures).toBe('0');
  });
});
