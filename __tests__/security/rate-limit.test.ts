/**
 * Item 10: rate limits. A plain 429 with Retry-After is retried after that delay and the wait is
 * reported; a wait beyond the cap is not sat through: the run stops that step at once, says why,
 * and still writes its report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, type Scenario } from '../../standin/scenario.js';
import { securityScenario } from './helpers.js';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

const JOBS = /^GET \/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/attempts\/\d+\/jobs$/;
const BODY = { message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest', status: '429' };

describe('rate limits', () => {
  it('retries a plain 429 after its Retry-After and reports the wait', async () => {
    const s = await securityScenario();
    open.push(s);
    s.github.failNext(JOBS, 429, 1, { headers: { 'retry-after': '1' }, body: BODY });
    const run = await runAction(s, { 'dry-run': 'true' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(Number(run.outputs.failures)).toBeGreaterThanOrEqual(3);
    expect(s.github.requests.filter((request) => request.status === 429)).toHaveLength(1);
    expect(run.summary).toMatch(/rate limit \(429\), waited 1 s/);
  });

  it('does not sit through a Retry-After beyond the cap: it says so and still reports', async () => {
    const s = await securityScenario();
    open.push(s);
    s.github.failNext(JOBS, 429, 1, { headers: { 'retry-after': '3600' }, body: BODY });
    const run = await runAction(s, { 'dry-run': 'true' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::.*GitHub asked to wait 3600 s, which is more than the cap of 60 s/);
    expect(run.summary).toContain('asked to wait 3600 s');
    expect(run.outputs['report-path']).not.toBe('');
  });
});
