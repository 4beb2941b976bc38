/**
 * Items 1 and 2 of the hardening issue: no child process (the repository's own tools, fixers,
 * git) ever sees a credential, and the repository's tools run only when trusted.
 *
 * The bundled action and CLI run as a user runs them, with secrets planted in their environment
 * and the head's own `.venv/bin/black` and `node_modules/.bin/prettier`, which record what they
 * see, planted in the checkout. A recording `git` first on PATH does the same for git.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, toActionsLog, workflowRunEvent, type Scenario } from '../../standin/scenario.js';
import {
  plantGitRecorder,
  plantRepositoryTools,
  plantedSecrets,
  readRecorded,
  RUNNER_FILE_VARIABLES,
  runCli,
  securityScenario,
  PROJECT_BIN,
  type Planted,
  type Recorded,
} from './helpers.js';

const open: Scenario[] = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function scenario(): Promise<Scenario & Planted> {
  const s = await securityScenario();
  open.push(s);
  return s;
}

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY|WEBHOOK|CREDENTIAL/i;

/** Every way a recorded environment could carry a credential. */
function leaks(recorded: readonly Recorded[], secrets: readonly string[], token: string): string[] {
  const found: string[] = [];
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  for (const entry of recorded) {
    for (const name of Object.keys(entry.env)) {
      if (SECRET_NAME.test(name) && !/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(name)) found.push(`${name} is set`);
      if (name.startsWith('INPUT_')) found.push(`${name} is set`);
      if (RUNNER_FILE_VARIABLES.includes(name)) found.push(`${name} is set`);
      if (name.startsWith('ACTIONS_')) found.push(`${name} is set`);
    }
    for (const secret of secrets)
      if (entry.text.includes(secret)) found.push(`a planted secret (${secret.slice(0, 12)}…) in: ${entry.args}`);
    if (entry.text.includes(basic) && !/\b(ls-remote|push|fetch)\b/.test(entry.args))
      found.push(`the auth header in a local command: ${entry.args}`);
  }
  return found;
}

describe('credential-free children (action)', () => {
  it("the head's own black and prettier, and every git command, run without any token, secret or runner file", async () => {
    const s = await scenario();
    await plantRepositoryTools(s.workspace, s.dumps);
    const gitBin = await plantGitRecorder(s.dumps);
    const secrets = plantedSecrets(s.token);
    const run = await runAction(
      s,
      { 'fix-types': 'format' },
      {
        env: { ...secrets, PATH: `${gitBin}${path.delimiter}${PROJECT_BIN}${path.delimiter}${process.env.PATH ?? ''}` },
      },
    );
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);

    const black = await readRecorded(s.dumps, 'black');
    const prettier = await readRecorded(s.dumps, 'prettier');
    const git = await readRecorded(s.dumps, 'git');
    // The planted tools really ran: the test would prove nothing otherwise.
    expect(black.length).toBeGreaterThan(0);
    expect(prettier.length).toBeGreaterThan(0);
    expect(git.length).toBeGreaterThan(5);
    const values = [...Object.values(secrets), s.token, run.outputs['report-path'] ?? 'unused'];
    expect(
      leaks(
        [...black, ...prettier, ...git],
        values.filter((v) => v !== 'unused'),
        s.token,
      ),
    ).toEqual([]);

    // Private HOME and TMPDIR: not the runner's.
    for (const entry of [...black, ...prettier]) {
      expect(entry.env.HOME).toBeDefined();
      expect(entry.env.HOME).not.toBe(process.env.HOME ?? os.homedir());
      expect(entry.env.TMPDIR).toBeDefined();
      expect(entry.env.TMPDIR?.startsWith(s.workspace)).toBe(false);
    }
    // The token reaches git only in the network commands, never in argv.
    const withHeader = git.filter((entry) => entry.text.includes(Buffer.from(`x-access-token:${s.token}`).toString('base64')));
    expect(withHeader.length).toBeGreaterThan(0);
    for (const entry of withHeader) expect(entry.args).toMatch(/\b(ls-remote|push|fetch)\b/);
    for (const entry of git) expect(entry.args).not.toContain(s.token);
    for (const entry of git) expect(entry.args).toMatch(/-c core\.hooksPath=\S+ -c core\.fsmonitor=false -c credential\.helper= /);
  });
});

describe('credential-free children (CLI)', () => {
  it('`fix` runs the repository tools without the secrets of its own environment', async () => {
    const s = await scenario();
    await plantRepositoryTools(s.workspace, s.dumps);
    const secrets = plantedSecrets(s.token);
    const logs: string[] = [];
    for (const job of s.jobs) {
      const file = path.join(s.dir, `${job.name.replace(/\W+/g, '-')}.log`);
      await writeFile(file, toActionsLog(job.name, job.steps));
      logs.push(file);
    }
    const result = await runCli(['fix', '--workspace', s.workspace, ...logs.flatMap((log) => ['--log', log]), '--json'], {
      cwd: s.dir,
      env: secrets,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const recorded = [...(await readRecorded(s.dumps, 'black')), ...(await readRecorded(s.dumps, 'prettier'))];
    expect(recorded.length).toBeGreaterThan(1);
    expect(leaks(recorded, Object.values(secrets), s.token)).toEqual([]);
  });

  it('`run` keeps GITHUB_TOKEN from the repository tools and from local git commands', async () => {
    const s = await scenario();
    await plantRepositoryTools(s.workspace, s.dumps);
    const gitBin = await plantGitRecorder(s.dumps);
    const secrets = plantedSecrets(s.token);
    const result = await runCli(
      [
        'run',
        '--repo',
        `${s.owner}/${s.repo}`,
        '--run-id',
        String(s.runId),
        '--workspace',
        s.workspace,
        '--api-url',
        s.github.url,
        '--push',
        'branch',
      ],
      { cwd: s.dir, env: { ...secrets, PATH: `${gitBin}${path.delimiter}${PROJECT_BIN}${path.delimiter}${process.env.PATH ?? ''}` } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const black = await readRecorded(s.dumps, 'black');
    const git = await readRecorded(s.dumps, 'git');
    expect(black.length).toBeGreaterThan(0);
    expect(git.some((entry) => /\bpush\b/.test(entry.args))).toBe(true);
    expect(leaks([...black, ...(await readRecorded(s.dumps, 'prettier')), ...git], Object.values(secrets), s.token)).toEqual([]);
  });
});

describe("the repository's own tools are used only when trusted", () => {
  it('use-repository-tools: false runs the tools on PATH, never the planted ones', async () => {
    const s = await scenario();
    await plantRepositoryTools(s.workspace, s.dumps);
    const run = await runAction(s, { 'fix-types': 'format', 'use-repository-tools': 'false', 'dry-run': 'true' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await readRecorded(s.dumps, 'black')).toEqual([]);
    expect(await readRecorded(s.dumps, 'prettier')).toEqual([]);
    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as { fixes: { fixer: string; status: string }[] };
    expect(report.fixes.find((fix) => fix.fixer === 'black')?.status).toBe('verified');
  });

  it('a run whose head is in a fork never runs the planted tools, whatever the input says', async () => {
    const s = await securityScenario({ forkOf: 'mallory/demo-app' });
    open.push(s);
    await plantRepositoryTools(s.workspace, s.dumps);
    const run = await runAction(s, { 'fix-types': 'format', 'use-repository-tools': 'true' }, { event: await workflowRunEvent(s) });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await readRecorded(s.dumps, 'black')).toEqual([]);
    expect(await readRecorded(s.dumps, 'prettier')).toEqual([]);
    expect(run.summary).toContain('fork');
  });
});
