/**
 * Item 4: trust is decided by repository ids, never by absence. A run whose head repository is
 * null (GitHub sends null once a fork is deleted), has no id, or has another id under the same
 * name is analysed and reported only: no fixer runs, nothing is pushed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, workflowRunEvent, type Scenario } from '../../standin/scenario.js';
import { plantRepositoryTools, readRecorded, securityScenario, type Planted } from './helpers.js';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

type Run = Record<string, unknown> & { head_repository: Record<string, unknown> | null; repository: Record<string, unknown> };

const CASES: { name: string; edit: (run: Run) => void; says: string }[] = [
  { name: 'a null head repository (a deleted fork)', edit: (run) => (run.head_repository = null), says: 'head repository is unknown' },
  {
    name: 'a head repository without an id',
    edit: (run) => {
      delete (run.head_repository as Record<string, unknown>).id;
    },
    says: 'does not say which repository holds its head commit',
  },
  {
    name: 'a head repository with the same name but another id',
    edit: (run) => ((run.head_repository as Record<string, unknown>).id = Number(run.repository.id) + 1),
    says: 'another repository',
  },
  {
    name: 'a run without its repository',
    edit: (run) => {
      delete (run as Record<string, unknown>).repository;
    },
    says: 'does not say which repository it belongs to',
  },
];

describe('trust by ids', () => {
  it.each(CASES)('$name is report only', async ({ edit, says }) => {
    const s: Scenario & Planted = await securityScenario();
    open.push(s);
    await plantRepositoryTools(s.workspace, s.dumps);
    const event = await workflowRunEvent(s);
    edit(event.workflow_run as Run);
    const run = await runAction(s, { 'fix-types': 'format' }, { event });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(Number(run.outputs.failures)).toBeGreaterThanOrEqual(3);
    expect(run.outputs.fixed).toBe('0');
    expect(run.outputs.branch).toBe('');
    expect(run.summary).toContain(says);
    expect(await readRecorded(s.dumps, 'black')).toEqual([]);
    expect(s.gitServer.pushes).toEqual([]);
    expect(s.github.pulls).toEqual([]);
  });
});
