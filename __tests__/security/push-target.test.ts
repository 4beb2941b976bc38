/**
 * Items 5 and 6: the head branch never decides where we push, and nobody's commits are
 * overwritten. The configuration that names the push target is read from the default branch
 * through the API; a fix branch that would be the default branch, the head branch, or another
 * branch that is not ours is refused; a human commit on the fix branch survives the next run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, type Scenario, type ScenarioOptions } from '../../standin/scenario.js';
import { pushHumanCommit, pushOwnBranch, resetCheckout, securityScenario, type Planted } from './helpers.js';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function scenario(options: ScenarioOptions = {}): Promise<Scenario & Planted> {
  const s = await securityScenario(options);
  open.push(s);
  return s;
}

/** Refs the runs pushed: pushes after `from` (the test's own set-up pushes come before it). */
function refsPushed(s: Scenario, from: number): string[] {
  return s.gitServer.pushes.slice(from).flatMap((push) => push.updates.map((update) => update.ref));
}

describe('the head branch never decides where we push', () => {
  it("ignores the head's .github/ci-autofixer.yml: branch-prefix 'ma' on branch 'in' does not touch main", async () => {
    const s = await scenario({ headBranch: 'in', files: { '.github/ci-autofixer.yml': 'branch-prefix: ma\npush: branch\n' } });
    const main = await pushOwnBranch(s, 'main', 'README.md', 'the default branch\n');
    const from = s.gitServer.pushes.length;
    const run = await runAction(s, { 'fix-types': 'format' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const branches = await s.gitServer.branches(s.owner, s.repo);
    expect(branches.main).toBe(main);
    expect(refsPushed(s, from)).toEqual(['refs/heads/autofix/in']);
    // The default branch has no configuration file, so the default push mode (a PR) applies.
    expect(s.github.pulls.map((pull) => pull.head)).toEqual(['autofix/in']);
  });

  it('reads the configuration at the default branch, and refuses a fix branch that would be the default branch', async () => {
    const s = await scenario({ headBranch: 'in' });
    const main = await pushOwnBranch(s, 'main', 'README.md', 'the default branch\n');
    s.github.setFile({ owner: s.owner, repo: s.repo, path: '.github/ci-autofixer.yml', content: 'branch-prefix: ma\npush: branch\n' });
    const from = s.gitServer.pushes.length;
    const run = await runAction(s, { 'fix-types': 'format' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect((await s.gitServer.branches(s.owner, s.repo)).main).toBe(main);
    expect(refsPushed(s, from)).toEqual([]);
    expect(run.outputs.branch).toBe('');
    expect(run.summary).toContain('would be the default branch');
  });

  it('refuses a fix branch that is an existing branch of someone else (release/*), or that clashes with one', async () => {
    const s = await scenario({ headBranch: 'in' });
    const release = await pushOwnBranch(s, 'release/in', 'NOTES.md', 'release notes\n');
    s.github.setFile({
      owner: s.owner,
      repo: s.repo,
      path: '.github/ci-autofixer.yml',
      content: 'branch-prefix: release/\npush: branch\n',
    });
    const from = s.gitServer.pushes.length;
    const first = await runAction(s, { 'fix-types': 'format' });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect((await s.gitServer.branches(s.owner, s.repo))['release/in']).toBe(release);
    expect(first.summary).toContain('left alone');

    expect(refsPushed(s, from)).toEqual([]);

    await pushOwnBranch(s, 'autofix', 'x.md', 'a branch named like the prefix\n');
    s.github.setFile({ owner: s.owner, repo: s.repo, path: '.github/ci-autofixer.yml', content: 'push: branch\n' });
    await resetCheckout(s);
    const again = s.gitServer.pushes.length;
    const second = await runAction(s, { 'fix-types': 'format' });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.summary).toContain('would clash with the existing branch autofix');
    expect(refsPushed(s, again)).toEqual([]);
  });
});

describe("nobody's commits are overwritten", () => {
  it('a human commit on autofix/<branch> survives the next run, which says why it left the branch alone', async () => {
    const s = await scenario();
    const branch = `autofix/${s.headBranch}`;
    const first = await runAction(s, { 'fix-types': 'format' });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.outputs.branch).toBe(branch);

    const human = await pushHumanCommit(s, branch, 'app/config.py', 'def load_config(path="config.yml"):\n    return {}\n');
    await resetCheckout(s);
    const second = await runAction(s, { 'fix-types': 'format' });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect((await s.gitServer.branches(s.owner, s.repo))[branch]).toBe(human);
    expect(second.outputs.branch).toBe('');
    expect(second.summary).toContain('left alone');
    expect(second.summary).toContain('A human fixes it by hand');
    expect(s.github.pulls).toHaveLength(1);
  });

  it('its own earlier fix is replaced on the next run (only commits with the trailer)', async () => {
    const s = await scenario();
    const branch = `autofix/${s.headBranch}`;
    const first = await runAction(s, { 'fix-types': 'format' });
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const firstSha = (await s.gitServer.branches(s.owner, s.repo))[branch];
    await resetCheckout(s);
    const second = await runAction(s, { 'fix-types': 'format' });
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.outputs.branch).toBe(branch);
    expect((await s.gitServer.branches(s.owner, s.repo))[branch]).not.toBe(firstSha);
  });
});
