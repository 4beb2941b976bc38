/**
 * The bundled action (dist/index.js) run as the runner runs it, against the local GitHub API
 * stand-in (OpenAPI-validated) and a real git remote served by git http-backend.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import {
  authEnv,
  capture,
  createScenario,
  makeDemoJobs,
  PROJECT_ROOT,
  runAction,
  workflowRunEvent,
  type Scenario,
} from '../../standin/scenario.js';

const open: Scenario[] = [];
/** The demo's fixes include adding PyYAML to requirements.txt, which is off by default. */
const ALL_FIXES = { 'fix-types': 'format, lint, dependency' };
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function scenario(options: Parameters<typeof createScenario>[0] = {}): Promise<Scenario> {
  const s = await createScenario(options);
  open.push(s);
  return s;
}

async function remoteBranches(s: Scenario): Promise<Record<string, string>> {
  const url = s.gitServer.repoUrl(s.owner, s.repo);
  const result = await nodeExec('git', ['ls-remote', '--heads', url], { cwd: s.workspace, env: authEnv(url, s.token) });
  expect(result.exitCode, result.stderr).toBe(0);
  const heads: Record<string, string> = {};
  for (const line of result.stdout.trim().split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t');
    heads[(ref ?? '').replace('refs/heads/', '')] = sha ?? '';
  }
  return heads;
}

async function fileOnBranch(s: Scenario, branch: string, file: string): Promise<string> {
  const url = s.gitServer.repoUrl(s.owner, s.repo);
  const fetched = await nodeExec('git', ['fetch', '-q', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`], {
    cwd: s.workspace,
    env: authEnv(url, s.token),
  });
  expect(fetched.exitCode, fetched.stderr).toBe(0);
  const shown = await nodeExec('git', ['show', `origin/${branch}:${file}`], { cwd: s.workspace });
  expect(shown.exitCode, shown.stderr).toBe(0);
  return shown.stdout;
}

describe('action end to end', () => {
  it('fixes, verifies, pushes the fix branch and opens a PR; a second run updates the same PR', async () => {
    const s = await scenario();
    const first = await runAction(s, ALL_FIXES);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(s.github.violations).toEqual([]);

    const branch = `autofix/${s.headBranch}`;
    expect(first.outputs.branch).toBe(branch);
    expect(Number(first.outputs.failures)).toBeGreaterThanOrEqual(3);
    expect((first.outputs.categories ?? '').split(',')).toEqual(expect.arrayContaining(['lint_format', 'import_missing_module']));
    // black's and prettier's failures; the missing PyYAML is applied, not verified (no package index), so not counted.
    expect(Number(first.outputs.fixed)).toBeGreaterThanOrEqual(2);
    expect(first.outputs['pull-request-number']).toMatch(/^\d+$/);
    expect(first.outputs['pull-request-url']).toContain(`/pull/${first.outputs['pull-request-number']}`);

    const heads = await remoteBranches(s);
    expect(Object.keys(heads)).toContain(branch);
    const config = await fileOnBranch(s, branch, 'app/config.py');
    expect(config).toContain('def load_config(path="config.yml"):');
    expect(await fileOnBranch(s, branch, 'web/format.js')).toContain('export function formatDuration(ms) {');
    expect(await fileOnBranch(s, branch, 'requirements.txt')).toMatch(/^PyYAML\b/m);
    const log = await nodeExec('git', ['log', '-1', '--format=%an <%ae>%n%B', `origin/${branch}`], { cwd: s.workspace });
    expect(log.stdout).toContain('github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');
    expect(log.stdout).toMatch(/^CI-Autofixer: /m);

    expect(s.github.pulls).toHaveLength(1);
    expect(s.github.pulls[0]?.head).toBe(branch);
    expect(s.github.pulls[0]?.base).toBe(s.headBranch);

    const report = JSON.parse(await readFile(first.outputs['report-path'] ?? '', 'utf8')) as {
      fixes: { fixer: string; status: string; checks?: { kind: string; command: string; exitCode?: number }[] }[];
    };
    expect(report.fixes.filter((fix) => fix.status === 'verified').length).toBeGreaterThanOrEqual(2);
    // black's fix is verified by its own check and by replaying the failed step's `black --check .`.
    expect(report.fixes.find((fix) => fix.fixer === 'black')?.checks).toContainEqual({
      kind: 'replay',
      command: 'black --check .',
      exitCode: 0,
      passed: true,
    });
    // No index is reachable in the test: the dependency fix is pushed, but as applied, not verified.
    expect(report.fixes.find((fix) => fix.fixer === 'python-requirement')?.status).toBe('applied-unverified');
    expect(s.github.pulls[0]?.body).toContain('### Applied, not verified');
    expect(s.github.pulls[0]?.body).not.toContain('re-running the failing check');
    expect(first.summary).toContain('CI Autofixer');
    expect(first.summary).toContain(branch);
    // Actions cannot nest log groups: each fixer's group is a top-level one holding its result.
    let depth = 0;
    for (const line of first.stdout.split('\n')) {
      if (line.startsWith('::group::')) expect(++depth, `nested group: ${line}`).toBe(1);
      if (line.startsWith('::endgroup::')) depth--;
    }
    // The group holds black's own commands with their output, then its result, then closes.
    expect(first.stdout).toMatch(
      /^::group::Fix: black\n\$ black --quiet -- \S+ \(exit 0\)\n(?:.*\n)*?\$ black --check -- \S+ \(exit 0\)\n(?: {2}\| .*\n)*black: verified \[.*\n::endgroup::$/m,
    );
    // The token never reaches the log or the checkout's git config.
    // (The one `::add-mask::` line asks the runner to mask it; nothing else may carry it.)
    const printed = (first.stdout + first.stderr).split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(first.stdout).toContain(`::add-mask::${s.token}`);
    expect(printed.join('\n')).not.toContain(s.token);
    expect(await readFile(`${s.workspace}/.git/config`, 'utf8')).not.toContain(s.token);

    // Second run on the same failing commit: the branch is force-pushed with a lease, the PR updated.
    await nodeExec('git', ['checkout', '-q', '--detach', s.headSha], { cwd: s.workspace });
    await nodeExec('git', ['reset', '-q', '--hard', s.headSha], { cwd: s.workspace });
    const second = await runAction(s, ALL_FIXES);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.outputs['pull-request-number']).toBe(first.outputs['pull-request-number']);
    expect(s.github.pulls).toHaveLength(1);
    expect(s.github.requests.filter((r) => r.method === 'PATCH' && /\/pulls\/\d+$/.test(r.path))).toHaveLength(1);
    expect(s.github.violations).toEqual([]);
  });

  it('dry run analyses and verifies but pushes nothing and leaves the checkout unchanged', async () => {
    const s = await scenario();
    const run = await runAction(s, { 'dry-run': 'true' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(Number(run.outputs.failures)).toBeGreaterThanOrEqual(3);
    expect(run.outputs.branch).toBe('');
    expect(Object.keys(await remoteBranches(s))).toEqual([s.headBranch]);
    expect(s.github.pulls).toHaveLength(0);
    const status = await nodeExec('git', ['status', '--porcelain'], { cwd: s.workspace });
    expect(status.stdout).toBe('');
    expect(run.summary.toLowerCase()).toContain('dry run');
  });

  it('a run whose head is in a fork is analysed and reported, never changed or pushed', async () => {
    const s = await scenario({ forkOf: 'someone/demo-app' });
    const run = await runAction(s);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(Number(run.outputs.failures)).toBeGreaterThanOrEqual(3);
    expect(run.outputs.fixed).toBe('0');
    expect(run.outputs.branch).toBe('');
    expect(Object.keys(await remoteBranches(s))).toEqual([s.headBranch]);
    expect((await nodeExec('git', ['status', '--porcelain'], { cwd: s.workspace })).stdout).toBe('');
    expect(run.summary).toContain('fork');
  });

  it('a commit made by the autofixer only reports (loop protection)', async () => {
    const s = await scenario({ commitMessage: 'style: apply CI Autofixer fixes\n\nCI-Autofixer: run 41\n' });
    const run = await runAction(s);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.branch).toBe('');
    expect(s.github.pulls).toHaveLength(0);
    expect(run.summary).toContain('loop protection');
  });

  it('fails before any work with one line per bad input', async () => {
    const s = await scenario();
    const event = await workflowRunEvent(s);
    const requestsBefore = s.github.requests.length;
    const run = await runAction(s, { 'confidence-threshold': '1.5', push: 'sometimes', 'max-fixes': 'ten' }, { event });
    expect(run.exitCode).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    const message = decodeURIComponent((errors[0] ?? '').slice('::error::'.length).replace(/%0A/g, '\n'));
    expect(message.split('\n')).toHaveLength(3);
    expect(message).toContain("'confidence-threshold' must be a number from 0 to 1");
    expect(message).toContain("'push' must be one of: pull-request, branch, none");
    expect(message).toContain("'max-fixes' must be a whole number");
    expect(s.github.requests).toHaveLength(requestsBefore);
  });

  it('retries GitHub API 5xx answers and still completes', async () => {
    const s = await scenario();
    s.github.failNext(/^GET \/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/attempts\/\d+\/jobs/, 502, 2);
    const run = await runAction(s, { 'dry-run': 'true' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(Number(run.outputs.failures)).toBeGreaterThanOrEqual(3);
    expect(s.github.requests.filter((r) => r.status === 502)).toHaveLength(2);
  });

  it('notices a run that did not fail, without failing', async () => {
    const s = await scenario();
    const event = await workflowRunEvent(s);
    (event.workflow_run as Record<string, unknown>).conclusion = 'success';
    const run = await runAction(s, {}, { event });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('::notice');
    expect(run.outputs.failures).toBe('0');
  });

  it('reverts a fix that does not verify and publishes only the verified ones', async () => {
    // eslint --fix can fix prefer-const but not no-undef: the file changes, the re-run still fails.
    const s = await scenario({
      files: {
        'eslint.config.mjs':
          "export default [{ files: ['**/*.js'], languageOptions: { sourceType: 'module', globals: { console: 'readonly' } }, rules: { 'prefer-const': 'error', 'no-undef': 'error' } }];\n",
        'web/lint.js': 'let total = 1;\nconsole.log(total + missingName);\n',
      },
      jobs: async (repoDir, runnerPath) => {
        const eslint = await capture(`${PROJECT_ROOT}/node_modules/.bin/eslint`, ['web/lint.js'], repoDir);
        expect(eslint.exitCode).toBe(1);
        const jobs = await makeDemoJobs(repoDir, runnerPath);
        return [
          ...jobs,
          {
            name: 'eslint',
            steps: [
              { name: 'eslint', shown: 'npx eslint web/lint.js', output: eslint.output.split(repoDir).join(runnerPath), exitCode: 1 },
            ],
          },
        ];
      },
    });
    const run = await runAction(s, { push: 'branch' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as {
      fixes: { fixer: string; status: string; files: string[] }[];
    };
    const eslintFix = report.fixes.find((fix) => fix.fixer === 'eslint');
    expect(eslintFix?.status).toBe('reverted-unverified');
    expect(await readFile(`${s.workspace}/web/lint.js`, 'utf8')).toBe('let total = 1;\nconsole.log(total + missingName);\n');
    expect(report.fixes.find((fix) => fix.fixer === 'black')?.status).toBe('verified');
    expect(run.stdout).toMatch(/eslint: reverted/);

    // push: branch — the branch carries only the verified fixes, and no pull request is opened.
    const branch = `autofix/${s.headBranch}`;
    expect(run.outputs.branch).toBe(branch);
    expect(run.outputs['pull-request-number']).toBe('');
    expect(s.github.pulls).toHaveLength(0);
    expect(await fileOnBranch(s, branch, 'web/lint.js')).toBe('let total = 1;\nconsole.log(total + missingName);\n');
    expect(await fileOnBranch(s, branch, 'app/config.py')).toContain('def load_config(path="config.yml"):');
  });
});
