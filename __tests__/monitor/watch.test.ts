/**
 * `ci-autofixer watch` against the GitHub stand-in: each failed run goes through the `run`
 * pipeline once, handled runs (id and attempt) are kept in the state file across cycles and
 * invocations. The working directory is not a checkout of the runs' heads, so each run is
 * analysed and reported only, which is what the pipeline does with such a run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readWatchState } from '../../src/monitor/watch.js';
import { createScenario } from '../../standin/scenario.js';
import { blackJob, cli, minutesAgo, monitorRepo, OWNER, REPO, type MonitorRepo } from './helpers.js';

let m: MonitorRepo;
beforeEach(async () => {
  m = await monitorRepo();
});
afterEach(async () => {
  expect(m.gh.violations).toEqual([]);
  await m.close();
});

const watchArgs = (...args: string[]) => ['watch', '--repo', `${OWNER}/${REPO}`, '--api-url', m.gh.url, '--interval', '1', ...args];

/** How many times the pipeline read each run (GET …/actions/runs/{id}: resolveTarget, once per handled run). */
function runReads(): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const request of m.gh.requests) {
    const match = /^\/repos\/octo\/app\/actions\/runs\/(\d+)$/.exec(request.path);
    if (match) counts[Number(match[1])] = (counts[Number(match[1])] ?? 0) + 1;
  }
  return counts;
}

describe('ci-autofixer watch', () => {
  it('handles each failed run once across cycles and invocations, and keeps them in the state file', async () => {
    const first = await cli(m, watchArgs('--max-cycles', '2', '--dry-run'));
    expect(first.exitCode, first.stderr).toBe(0);
    expect(runReads()).toEqual({ [m.lintRun]: 1, [m.testsRun]: 1 });
    // Oldest first within a cycle; the second cycle finds nothing new.
    expect(first.stdout.indexOf(`CI run #${m.lintRun}`)).toBeGreaterThanOrEqual(0);
    expect(first.stdout.indexOf(`CI run #${m.lintRun}`)).toBeLessThan(first.stdout.indexOf(`Tests run #${m.testsRun}`));
    expect(first.stderr).toContain('cycle 2 of 2');
    expect(first.stderr).toContain('2 failed run(s) in the window, 0 not handled yet');
    expect(first.stderr).toContain('watch: 2 cycle(s), 2 run(s) handled');
    const stateFile = path.join(m.dir, '.ci-autofixer-watch.json');
    const state = await readWatchState(stateFile, `${OWNER}/${REPO}`);
    expect(state.handled.map((entry) => [entry.runId, entry.attempt, entry.outcome])).toEqual([
      [m.lintRun, 1, 'report'],
      [m.testsRun, 1, 'report'],
    ]);
    expect(state.handled[0]).toMatchObject({ workflow: 'CI', branch: 'feature/a' });

    // A new failed run, and a run re-run as attempt 2: a later invocation handles just those.
    const newRun = m.gh.addRun({
      owner: OWNER,
      repo: REPO,
      name: 'CI',
      headSha: '1'.repeat(40),
      headBranch: 'feature/b',
      conclusion: 'failure',
      createdAt: minutesAgo(2),
      jobs: [blackJob()],
    });
    const second = await cli(m, watchArgs('--max-cycles', '1'));
    expect(second.exitCode, second.stderr).toBe(0);
    expect(runReads()).toEqual({ [m.lintRun]: 1, [m.testsRun]: 1, [newRun]: 1 });
    const after = await readWatchState(stateFile, `${OWNER}/${REPO}`);
    expect(after.handled.map((entry) => entry.runId)).toEqual([m.lintRun, m.testsRun, newRun]);
  });

  it('stops between runs at an interrupt: the current run finishes, the state is saved, exit 130', async () => {
    const controller = new AbortController();
    const result = await cli(m, watchArgs('--max-cycles', '3', '--state', 'state/watch.json'), {
      interrupt: controller.signal,
      // The first run's report reaching stdout is "Ctrl-C while the first run is being handled".
      onStdout: (text) => {
        if (text.includes('CI Autofixer')) controller.abort();
      },
    });
    expect(result.exitCode, result.stderr).toBe(130);
    expect(result.stderr).toContain('1 run(s) handled');
    expect(result.stderr).toContain('interrupted');
    const state = JSON.parse(await readFile(path.join(m.dir, 'state', 'watch.json'), 'utf8')) as { handled: { runId: number }[] };
    expect(state.handled.map((entry) => entry.runId)).toEqual([m.lintRun]);
    expect(Object.keys(runReads())).toHaveLength(1);
  });

  it('a state file that is not one is a one-line error naming it; nothing is run', async () => {
    await writeFile(path.join(m.dir, 'broken.json'), '{"version":1,"handled":');
    const result = await cli(m, watchArgs('--max-cycles', '1', '--state', 'broken.json'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`--state "${path.join(m.dir, 'broken.json')}": not a CI Autofixer watch state file`);
    expect(result.stderr).toContain('fix or delete it');
    expect(runReads()).toEqual({});

    await writeFile(path.join(m.dir, 'other.json'), JSON.stringify({ version: 1, repository: 'someone/else', handled: [] }));
    const other = await cli(m, watchArgs('--max-cycles', '1', '--state', 'other.json'));
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('records runs of someone/else, not octo/app');
  });

  it.each([
    [['--interval', '0'], "--interval: expected a whole number of seconds (1–86400), got '0'"],
    [['--max-cycles', 'many'], "--max-cycles: expected a whole number (1–1000000), got 'many'"],
    [['--lookback', 'abc'], "--lookback: expected a whole number of minutes (1–10080), got 'abc'"],
    [['--push', 'everywhere'], "Input 'push' must be one of"],
  ])('%j fails with one line and exit 2', async (args, message) => {
    const result = await cli(m, watchArgs(...args));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(m.gh.requests).toEqual([]);
  });

  it('a 403 listing the runs stops the watch with the API error (exit 1)', async () => {
    m.gh.failNext(/^GET \/repos\/octo\/app\/actions\/runs$/, 403, 1);
    const result = await cli(m, watchArgs('--max-cycles', '2'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the token needs 'actions: read'");
  });
});

describe('ci-autofixer watch on a real failed run', () => {
  it('passes --dry-run to each run, and without it opens the fix PR once across 3 cycles', async () => {
    const s = await createScenario({ createdAt: minutesAgo(5) });
    try {
      const args = ['watch', '--repo', `${s.owner}/${s.repo}`, '--api-url', s.github.url, '--interval', '1', '--fix-types', 'format'];
      const io = { dir: s.dir };
      const env = { GITHUB_TOKEN: s.token, PIP_INDEX_URL: 'http://127.0.0.1:9/simple/' };
      const workspaceArgs = ['--workspace', s.workspace];
      const dry = await cli(io, [...args, ...workspaceArgs, '--dry-run', '--max-cycles', '1', '--state', 'dry.json'], { env });
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('dry run');
      expect(s.github.pulls).toHaveLength(0);

      const real = await cli(io, [...args, ...workspaceArgs, '--max-cycles', '3', '--state', 'real.json'], { env });
      expect(real.exitCode, real.stderr).toBe(0);
      expect(real.stderr).toContain('watch: 3 cycle(s), 1 run(s) handled');
      expect(s.github.pulls).toHaveLength(1);
      expect(s.github.pulls[0]).toMatchObject({ head: `autofix/${s.headBranch}`, base: s.headBranch });
      const state = await readWatchState(path.join(s.dir, 'real.json'), `${s.owner}/${s.repo}`);
      expect(state.handled).toMatchObject([{ runId: s.runId, attempt: 1, outcome: 'report' }]);
      expect(s.github.violations).toEqual([]);
      expect(dry.stdout + dry.stderr + real.stdout + real.stderr).not.toContain(s.token);
    } finally {
      await s.close();
    }
  });
});
