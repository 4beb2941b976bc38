/**
 * Item 12: the example workflow is safe by default, and the README says what the action trusts.
 * The example and the README's workflow are parsed as YAML: every checkout keeps the token out of
 * .git/config, and no step runs the head's install scripts in the job that holds the token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../standin/scenario.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

function steps(workflow: unknown): Step[] {
  const jobs = (workflow as { jobs?: Record<string, { steps?: Step[] }> }).jobs ?? {};
  return Object.values(jobs).flatMap((job) => job.steps ?? []);
}

/** Steps that would run the checked-out head's own scripts. */
function runsHeadScripts(step: Step): boolean {
  const command = step.run ?? '';
  if (/\bnpm (ci|install|i)\b|\byarn( install)?\s*$|\bpnpm (install|i)\b/m.test(command)) return !/--ignore-scripts/.test(command);
  return /\bpip install\b.*(-e\b|\.\s*$)|\bpython -m pip install\b.*(-e\b|\.\s*$)|\bmake\b|\bnpm run\b|\bbash\s+\S+\.sh/m.test(command);
}

function checkWorkflow(text: string): void {
  const workflow = parse(text) as unknown;
  const all = steps(workflow);
  const checkouts = all.filter((step) => (step.uses ?? '').startsWith('actions/checkout@'));
  expect(checkouts.length).toBeGreaterThan(0);
  for (const checkout of checkouts) expect(checkout.with?.['persist-credentials']).toBe(false);
  expect(all.filter(runsHeadScripts)).toEqual([]);
  expect(all.some((step) => (step.uses ?? '').startsWith('ci-autofixer/ci-autofixer@'))).toBe(true);
}

describe('safe by default', () => {
  it('the example workflow checks out without persisted credentials and installs nothing from the head', () => {
    checkWorkflow(readFileSync(path.join(PROJECT_ROOT, 'examples', 'ci_autofixer.yml'), 'utf8'));
  });

  it("the README's workflow does the same, and its Security model says what is trusted and why", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const block = /```yaml\n(name: CI Autofixer[\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    checkWorkflow(block?.[1] ?? '');
    const section = /## Security model\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    for (const topic of [
      'trusts',
      'ids',
      'allow-list',
      'hooksPath',
      'default branch',
      'trailer',
      'persist-credentials: false',
      'use-repository-tools',
      'pull_request_target',
    ]) {
      expect(section, topic).toContain(topic);
    }
  });
});
