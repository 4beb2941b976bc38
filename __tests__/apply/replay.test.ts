/**
 * Verification by replay, end to end on small real repositories: the log is made by running the
 * real tool (black, prettier, eslint) on the repository and writing it as a GitHub Actions raw job
 * log; analysis → plan → fix (applyFixPlan with the failed step's command) → the step's own command
 * must pass afterwards, run by the test itself. Also the hostile side: a step command that is not
 * a plain, recognised, checking invocation is never run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/analysis/index.js';
import type { Failure } from '../../src/analysis/types.js';
import { applyFixPlan } from '../../src/apply/apply.js';
import { planReplay } from '../../src/apply/replay.js';
import { parseShellWords } from '../../src/apply/shell-words.js';
import { nodeExec } from '../../src/exec.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { createMemoryLogger } from '../../src/logging.js';
import type { FixResult } from '../../src/model.js';
import { planFixes } from '../../src/plan/plan.js';
import { PROJECT_ROOT, UNREACHABLE_INDEX, linkNodeTool, makeRepo, removeRepo } from '../fixers/helpers.js';

const BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin');
const repos: string[] = [];
afterEach(() => {
  for (const dir of repos.splice(0)) removeRepo(dir);
});

function repo(files: Record<string, string>, nodeTools: string[] = []): string {
  const dir = makeRepo(files);
  repos.push(dir);
  for (const bin of nodeTools) linkNodeTool(dir, bin);
  return dir;
}

/** Runs a command in the repository the way a CI step would (the test's own PATH); exit code and output. */
function runStep(dir: string, command: string, args: string[]): { exitCode: number; output: string } {
  try {
    const output = execFileSync(command, args, {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' },
    });
    return { exitCode: 0, output };
  } catch (error: unknown) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A GitHub Actions raw job log of one failed `run:` step whose script is `script`. */
function actionsLog(script: readonly string[], output: string, exitCode: number): string {
  const lines = [`##[group]Run ${script[0] ?? ''}`, ...script, 'shell: /usr/bin/bash -e {0}', '##[endgroup]'];
  lines.push(...output.replace(/\n$/, '').split('\n'), `##[error]Process completed with exit code ${exitCode}.`);
  return `${lines.map((line, i) => `2026-11-25T06:00:${String(i % 60).padStart(2, '0')}.0000000Z ${line}`).join('\n')}\n`;
}

/** Analysis → plan → apply with the failed step's command, as the pipeline does for job `lint`. */
async function fixFromLog(dir: string, log: string, fixTypes = ['format', 'lint', 'dependency']): Promise<FixResult[]> {
  const analysis = await analyzeText(log);
  const failures: Failure[] = analysis.failures.map((failure) => {
    const mapped: Failure = { ...failure, job: 'lint' };
    if (failure.file !== undefined && path.isAbsolute(failure.file)) mapped.file = path.relative(dir, failure.file);
    return mapped;
  });
  const plan = planFixes({ failures, fixers: FIXERS, confidenceThreshold: 0.7, fixTypes, maxFixes: 10 });
  const step = analysis.failedStep;
  expect(step?.script, 'the log shows the step script').toBeDefined();
  return applyFixPlan({
    workspace: dir,
    plan,
    exec: nodeExec,
    logger: createMemoryLogger(),
    env: { ...process.env, PIP_INDEX_URL: UNREACHABLE_INDEX },
    useRepositoryTools: true,
    dryRun: false,
    steps: step?.script !== undefined ? [{ job: 'lint', step: step.name, script: step.script }] : [],
  });
}

const UGLY_TS = 'const a = {b:1,   c:2}\nexport default a\n';
const UGLY_JS = 'function f( ){return   1}\nmodule.exports = f\n';
const UGLY_PY = "x = {  'a':1}\ndef f( ):\n  return 1\n";

describe('replay of the failed step', () => {
  it('prettier: `npx prettier --check .` reported two files; both fixed and the replayed step passes', async () => {
    const dir = repo({ 'src/a.ts': UGLY_TS, 'src/b.js': UGLY_JS, 'src/ok.ts': 'export const ok = 1;\n' }, ['prettier']);
    const step = runStep(dir, 'prettier', ['--check', '.']);
    expect(step.exitCode).toBe(1);
    const fixes = await fixFromLog(dir, actionsLog(['npx prettier --check .'], step.output, 1));
    const prettier = fixes.find((fix) => fix.fixer === 'prettier');
    expect(prettier?.status, JSON.stringify(prettier)).toBe('verified');
    expect(prettier?.files.sort()).toEqual(['src/a.ts', 'src/b.js']);
    expect(prettier?.checks?.at(-1)).toEqual({ kind: 'replay', command: 'prettier --check .', exitCode: 0, passed: true });
    expect(runStep(dir, 'prettier', ['--check', '.']).exitCode).toBe(0);
  });

  it("prettier: the fixer's check passes but the replayed step fails (a file the log did not name) → reverted", async () => {
    const dir = repo({ 'src/a.ts': UGLY_TS }, ['prettier']);
    const step = runStep(dir, 'prettier', ['--check', '.']);
    // A file the failure does not name (the log was cut, or the step checks more than it printed).
    writeFileSync(path.join(dir, 'src/c.ts'), UGLY_TS);
    execFileSync('git', ['add', 'src/c.ts'], { cwd: dir });
    const fixes = await fixFromLog(dir, actionsLog(['prettier --check .'], step.output, 1));
    const prettier = fixes.find((fix) => fix.fixer === 'prettier');
    expect(prettier?.status).toBe('reverted-unverified');
    expect(prettier?.files).toEqual([]);
    expect(prettier?.checks?.map((check) => [check.kind, check.exitCode])).toEqual([
      ['fixer-check', 0],
      ['replay', 1],
    ]);
    expect(prettier?.reason).toContain("the step's command `prettier --check .` exited with 1");
    expect(execFileSync('git', ['status', '--porcelain', 'src/a.ts'], { cwd: dir, encoding: 'utf8' })).toBe('');
  });

  it('a second tool in a multi-line script that still fails reverts the fix (every line must pass)', async () => {
    const dir = repo({ 'src/a.ts': UGLY_TS, 'src/b.py': UGLY_PY }, ['prettier']);
    const step = runStep(dir, 'prettier', ['--check', 'src/a.ts']);
    const fixes = await fixFromLog(dir, actionsLog(['prettier --check src/a.ts', 'black --check src'], step.output, 1));
    const prettier = fixes.find((fix) => fix.fixer === 'prettier');
    expect(prettier?.status).toBe('reverted-unverified');
    expect(prettier?.reason).toContain("the step's command `black --check src` exited with 1");
  });

  it('black: `black --check .` is replayed after the fix and passes', async () => {
    const dir = repo({ 'pkg/a.py': UGLY_PY, 'pkg/b.py': 'y = [1,2 ,3]\n' });
    const step = runStep(dir, 'black', ['--check', '.']);
    expect(step.exitCode).toBe(1);
    const fixes = await fixFromLog(dir, actionsLog(['black --check .'], step.output, 1));
    const black = fixes.find((fix) => fix.fixer === 'black');
    expect(black?.status, JSON.stringify(black)).toBe('verified');
    expect(black?.checks?.at(-1)).toMatchObject({ kind: 'replay', command: 'black --check .', exitCode: 0, passed: true });
    expect(black?.notReplayed).toBeUndefined();
    expect(runStep(dir, 'black', ['--check', '.']).exitCode).toBe(0);
  });

  it('eslint: `npm run lint` whose package.json script is `eslint .` is resolved and replayed', async () => {
    const dir = repo(
      {
        'package.json': JSON.stringify({ name: 'x', private: true, type: 'module', scripts: { lint: 'eslint .' } }),
        'eslint.config.mjs': "export default [{ rules: { 'prefer-const': 'error', 'no-var': 'error' } }];\n",
        'src/a.js': 'var x = 1;\nlet y = 2;\nexport { x, y };\n',
        'src/b.js': 'let z = 3;\nexport { z };\n',
      },
      ['eslint'],
    );
    const step = runStep(dir, 'eslint', ['.']);
    expect(step.exitCode).toBe(1);
    const fixes = await fixFromLog(dir, actionsLog(['npm run lint'], step.output, 1));
    const eslint = fixes.find((fix) => fix.fixer === 'eslint');
    expect(eslint?.status, JSON.stringify(eslint)).toBe('verified');
    expect(eslint?.checks?.at(-1)).toMatchObject({ kind: 'replay', command: 'eslint .', exitCode: 0, passed: true });
    expect(runStep(dir, 'eslint', ['.']).exitCode).toBe(0);
  });

  it('an unrecognised step command is never run; the fixer check stands and the report says why', async () => {
    const marker = path.join(os.tmpdir(), `ci-autofixer-replay-marker-${process.pid}-${Date.now()}`);
    const dir = repo({ 'pkg/a.py': UGLY_PY, 'scripts/lint.sh': `#!/bin/sh\ntouch ${marker}\nblack --check .\n` });
    execFileSync('chmod', ['+x', path.join(dir, 'scripts/lint.sh')]);
    const output = runStep(dir, 'black', ['--check', '.']).output;
    for (const script of [
      ['./scripts/lint.sh'],
      ['black --check . && ./scripts/lint.sh'],
      ['black --check $DIR'],
      ['black --check .', 'bash scripts/lint.sh'],
    ]) {
      execFileSync('git', ['checkout', '-q', '--', '.'], { cwd: dir });
      const fixes = await fixFromLog(dir, actionsLog(script, output, 1));
      const black = fixes.find((fix) => fix.fixer === 'black');
      expect(black?.status, script.join(' | ')).toBe('verified');
      expect(black?.checks?.map((check) => check.kind)).toEqual(['fixer-check']);
      expect(black?.notReplayed).toMatch(/^the step's command `.+` was not replayed: /);
      expect(existsSync(marker), `${script.join(' | ')} must not run`).toBe(false);
    }
  });
});

describe('planReplay: what is recognised, what is refused', () => {
  const accepted: [string, string, string[]][] = [
    ['black --check .', 'black', ['--check', '.']],
    ['black --check --diff src tests', 'black', ['--check', '--diff', 'src', 'tests']],
    ['python -m black --check .', 'black', ['--check', '.']],
    ['isort --check-only .', 'isort', ['--check-only', '.']],
    ['flake8 src tests', 'flake8', ['src', 'tests']],
    ['autopep8 --diff --exit-code -r .', 'autopep8', ['--diff', '--exit-code', '-r', '.']],
    ['npx prettier --check "src/**/*.ts"', 'prettier', ['--check', 'src/**/*.ts']],
    ['prettier --check .', 'prettier', ['--check', '.']],
    ['npx eslint .', 'eslint', ['.']],
    ['eslint src --ext .ts', 'eslint', ['src', '--ext', '.ts']],
    ["npx --no-install eslint --max-warnings 0 'src/a b.js'", 'eslint', ['--max-warnings', '0', 'src/a b.js']],
    ['cargo fmt --check', 'cargo', ['fmt', '--check']],
    ["npx markdownlint '**/*.md' --ignore node_modules", 'markdownlint', ['**/*.md', '--ignore', 'node_modules']],
    ['cargo fmt --all -- --check', 'cargo', ['fmt', '--all', '--', '--check']],
    ['rustfmt --check --edition 2021 src/main.rs src/lib.rs', 'rustfmt', ['--check', '--edition', '2021', 'src/main.rs', 'src/lib.rs']],
  ];
  it.each(accepted)('%s', async (line, tool, args) => {
    const plan = await planReplay([line], os.tmpdir());
    expect(plan).toEqual({ ok: true, invocations: [{ tool, args, line: expect.any(String) as string }] });
  });

  const refused: [string, RegExp][] = [
    ['black --check . ; curl x', /command list/],
    ['prettier --check $(id)', /substitution/],
    ['prettier --check "$(id)"', /substitution inside double quotes/],
    ['black --check `id`', /command substitution/],
    ['eslint --rulesdir=/tmp/x .', /--rulesdir/],
    ['eslint --rulesdir /tmp/x .', /--rulesdir/],
    ['eslint -c /etc/eslint.config.js .', /absolute path \/etc\/eslint.config.js/],
    ['black --check ../other', /with \.\./],
    ['black --config=/tmp/evil.toml --check .', /absolute path/],
    ['flake8 --append-config=http://x/cfg .', /the URL/],
    ['black --check . | tee out', /pipe/],
    ['black --check . > out', /redirection/],
    ['black --check . && curl x', /&& list/],
    ['FOO=1 black --check .', /environment variables/],
    ['black .', /without --check/],
    ['prettier --write .', /--write/],
    ['eslint --fix .', /--fix/],
    ['eslint -o report.txt .', /-o writes files/],
    ['black --check src/*.py', /unquoted glob/],
    ['black --check ~/x', /tilde/],
    ['black --check . # comment', /comment/],
    ['./scripts/lint.sh', /not a recognised invocation/],
    ['pre-commit run --all-files', /not a recognised invocation/],
    ['npx some-package --check .', /not a recognised invocation/],
    ['black --check "unterminated', /unterminated/],
    ['black --check \\', /line continuation/],
    ['npm run lint', /package.json/],
    // gofmt -l exits 0 whatever it lists: a replay would prove nothing.
    ['gofmt -l .', /not a recognised invocation/],
    ['test -z "$(gofmt -l .)"', /substitution/],
    ['cargo fmt', /without --check/],
    ['cargo build', /only `cargo fmt` is replayed/],
    ['cargo fmt --all -- --check --emit files', /--emit/],
    ['cargo fmt --check --manifest-path /tmp/x/Cargo.toml', /absolute path/],
    ['rustfmt src/main.rs', /without --check/],
    ['markdownlint --fix .', /--fix/],
    ['markdownlint --rules ./rules/custom.js .', /--rules/],
  ];
  it.each(refused)('%s is not replayed', async (line, reason) => {
    const plan = await planReplay([line], os.tmpdir());
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reason).toMatch(reason);
  });

  it('a multi-line script is replayed only when every line is recognised', async () => {
    expect((await planReplay(['isort --check-only .', 'black --check .'], os.tmpdir())).ok).toBe(true);
    const mixed = await planReplay(['black --check .', 'make lint'], os.tmpdir());
    expect(mixed).toEqual({ ok: false, reason: expect.stringContaining('its line `make lint`') as string });
  });

  it('package scripts: `npm run lint`, `yarn lint`, `pnpm lint` expand once; a script with && or another script is refused', async () => {
    const dir = repo({
      'package.json': JSON.stringify({
        scripts: { lint: 'eslint .', both: 'eslint . && prettier --check .', nested: 'npm run lint', fix: 'prettier --write .' },
      }),
    });
    for (const line of ['npm run lint', 'npm run-script lint', 'yarn lint', 'yarn run lint', 'pnpm lint', 'pnpm run lint']) {
      expect(await planReplay([line], dir), line).toEqual({ ok: true, invocations: [{ tool: 'eslint', args: ['.'], line: 'eslint .' }] });
    }
    for (const [line, reason] of [
      ['npm run both', /&& list/],
      ['npm run nested', /another package script/],
      ['npm run fix', /--write/],
      ['npm run missing', /no script "missing"/],
    ] as const) {
      const plan = await planReplay([line], dir);
      expect(plan.ok, line).toBe(false);
      if (!plan.ok) expect(plan.reason).toMatch(reason);
    }
  });

  it('parseShellWords keeps quoted text literal and refuses control characters', () => {
    expect(parseShellWords(`a 'b c' "d\\"e" f\\ g ''`)).toEqual({ ok: true, words: ['a', 'b c', 'd"e', 'f g', ''] });
    expect(parseShellWords('black\u0000 --check .').ok).toBe(false);
    expect(parseShellWords('black \u001b[31m').ok).toBe(false);
  });
});
