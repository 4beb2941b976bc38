/**
 * `npm run demo`: the whole job end to end on this machine. An example repository with a failed CI
 * run (black and prettier formatting, a missing Python dependency) lives on a local git remote
 * (git http-backend) and a local GitHub API stand-in; the bundled action (dist/index.js) runs as
 * the runner would run it, analyses the logs, fixes, verifies, pushes the fix branch and opens the
 * pull request. Prints each stage. `--keep` leaves the scratch directory for a look around.
 */
import { nodeExec } from '../src/exec.js';
import { authEnv, createScenario, runAction } from '../standin/scenario.js';

const keep = process.argv.includes('--keep');
const rule = (title: string): void => {
  process.stdout.write(`\n\u2501\u2501\u2501 ${title} ${'\u2501'.repeat(Math.max(3, 70 - title.length))}\n`);
};

async function main(): Promise<number> {
  rule('1. The failed run');
  const scenario = await createScenario();
  try {
    process.stdout.write(
      `Repository ${scenario.owner}/${scenario.repo} on the local git remote ${scenario.gitServer.url}\n` +
        `Run #${scenario.runId} of workflow "CI" on ${scenario.headBranch} @ ${scenario.headSha.slice(0, 12)}: failure\n` +
        `GitHub API stand-in: ${scenario.github.url} (every request and response checked against @octokit/openapi)\n`,
    );
    for (const job of scenario.jobs) {
      for (const step of job.steps.filter((s) => s.exitCode !== 0)) {
        process.stdout.write(`\n  job "${job.name}", step "Run ${step.shown}" (exit ${step.exitCode}):\n`);
        for (const line of step.output.trimEnd().split('\n').slice(-8)) process.stdout.write(`    | ${line}\n`);
      }
    }

    rule('2. The action runs (dist/index.js, as the runner runs it)');
    const run = await runAction(scenario, { 'fix-types': 'format, lint, dependency' });
    // The runner hides ::debug:: lines unless step debug logging is on; so does the demo.
    const lines = run.stdout.split('\n');
    const debug = lines.filter((line) => line.startsWith('::debug::')).length;
    process.stdout.write(lines.filter((line) => !line.startsWith('::debug::')).join('\n'));
    process.stdout.write(`(${debug} ::debug:: lines hidden, as the runner hides them without ACTIONS_STEP_DEBUG)\n`);
    if (run.stderr.trim() !== '') process.stdout.write(run.stderr);
    process.stdout.write(`\nexit code ${run.exitCode}\noutputs:\n`);
    for (const [name, value] of Object.entries(run.outputs)) process.stdout.write(`  ${name} = ${value}\n`);

    rule('3. The pushed fix branch');
    const branch = run.outputs.branch ?? '';
    if (branch !== '') {
      const remote = scenario.gitServer.repoUrl(scenario.owner, scenario.repo);
      const env = authEnv(remote, scenario.token);
      await nodeExec('git', ['fetch', '-q', 'origin', `refs/heads/${branch}:refs/remotes/origin/${branch}`], {
        cwd: scenario.workspace,
        env,
      });
      const show = await nodeExec('git', ['log', '-1', '--stat', '--format=commit %H%nAuthor: %an <%ae>%n%n%B', `origin/${branch}`], {
        cwd: scenario.workspace,
      });
      process.stdout.write(`${remote} ${branch}\n\n${show.stdout}`);
      const diff = await nodeExec('git', ['diff', `${scenario.headSha}..origin/${branch}`], { cwd: scenario.workspace });
      process.stdout.write(`\n${diff.stdout}`);
    } else {
      process.stdout.write('No branch was pushed.\n');
    }

    rule('4. The pull request (on the GitHub stand-in)');
    for (const pull of scenario.github.pulls) {
      process.stdout.write(`#${pull.number} ${pull.title}\n${pull.html_url}\n${pull.head} → ${pull.base}\n\n${pull.body}\n`);
    }
    if (scenario.github.pulls.length === 0) process.stdout.write('No pull request was opened.\n');

    rule('5. The job summary ($GITHUB_STEP_SUMMARY)');
    process.stdout.write(`${run.summary}\n`);

    if (scenario.github.violations.length > 0) {
      rule('OpenAPI violations');
      for (const violation of scenario.github.violations) process.stdout.write(`${violation}\n`);
    }
    const ok = run.exitCode === 0 && branch !== '' && scenario.github.pulls.length > 0 && scenario.github.violations.length === 0;
    rule(ok ? 'Demo complete' : 'Demo FAILED');
    if (keep) process.stdout.write(`Scratch directory kept: ${scenario.dir}\n`);
    return ok ? 0 : 1;
  } finally {
    if (!keep) await scenario.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
