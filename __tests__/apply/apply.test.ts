/**
 * The guard and applyFixPlan with test-only fixers (real objects implementing Fixer, writing real
 * files) on temporary git repositories, plus a dry run with the real black.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Failure } from '../../src/analysis/types.js';
import { applyFixPlan } from '../../src/apply/apply.js';
import { WorkspaceGuard } from '../../src/apply/guard.js';
import { ConfigurationError } from '../../src/errors.js';
import { nodeExec } from '../../src/exec.js';
import { blackFixer } from '../../src/fixers/black.js';
import { prettierFixer } from '../../src/fixers/prettier.js';
import type { FixContext, Fixer } from '../../src/fixers/types.js';
import { createMemoryLogger } from '../../src/logging.js';
import { failure, git, hashTree, makeRepo, removeRepo } from '../fixers/helpers.js';

const repos: string[] = [];
function repo(files: Record<string, string>): string {
  const dir = makeRepo(files);
  repos.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of repos.splice(0)) removeRepo(dir);
});

/** A fixer that runs `write` as its fix and reports `verifies` from its check. */
function testFixer(options: {
  touches: string[];
  write: (ctx: FixContext) => Promise<void>;
  verifies?: boolean;
  id?: string;
  /** The files the fixer says it changed (default: a.py). */
  names?: string[];
  creates?: string[];
}): Fixer {
  return {
    id: options.id ?? 'test-writer',
    description: 'test-only fixer',
    fixType: 'format',
    safeByDefault: true,
    categories: ['lint_format'],
    confidence: 1,
    touches: options.touches,
    ...(options.creates !== undefined ? { creates: options.creates } : {}),
    handles: () => true,
    resolveTool: async () => ({ command: 'true', prefixArgs: [], source: 'system' }),
    async apply(ctx) {
      await options.write(ctx);
      return { changed: true, description: 'wrote test files', files: options.names ?? ['a.py'] };
    },
    verify: async () =>
      (options.verifies ?? true)
        ? { ok: true, command: 'test-check', exitCode: 0, strength: 'check' }
        : { ok: false, command: 'test-check', exitCode: 1, strength: 'check', detail: 'still failing' },
  };
}

const lintFailure = (): Failure => failure({ category: 'lint_format', tool: 'test', message: 'bad format', file: 'a.py' });

async function run(workspace: string, fixer: Fixer, extra: { dryRun?: boolean; limits?: { maxFiles: number; maxBytes: number } } = {}) {
  const logger = createMemoryLogger();
  const results = await applyFixPlan({
    workspace,
    plan: { planned: [{ fixer, failures: [lintFailure()] }] },
    exec: nodeExec,
    logger,
    env: process.env,
    useRepositoryTools: true,
    dryRun: extra.dryRun ?? false,
    ...(extra.limits ? { limits: extra.limits } : {}),
  });
  return { result: results[0], logger };
}

function expectUntouched(dir: string, before: Record<string, string>, status = ''): void {
  expect(hashTree(dir)).toEqual(before);
  expect(git(dir, ['status', '--porcelain'])).toBe(status);
}

describe('guard', () => {
  it('reverts a fixer that writes a path outside its touches, and keeps nothing of it', async () => {
    const dir = repo({ 'a.py': 'x=1\n' });
    const before = hashTree(dir);
    const fixer = testFixer({
      touches: ['**/*.py'],
      write: async (ctx) => {
        await writeFile(path.join(ctx.workspace, 'a.py'), 'x = 1\n');
        await mkdir(path.join(ctx.workspace, 'deep', 'new'), { recursive: true });
        await writeFile(path.join(ctx.workspace, 'deep', 'new', 'notes.txt'), 'not allowed\n');
      },
    });
    const { result, logger } = await run(dir, fixer);
    expect(result?.status).toBe('reverted-guard');
    expect(result?.reason).toContain('created "deep/new/notes.txt"; it declares no new files');
    expect(result?.files).toEqual([]);
    expectUntouched(dir, before);
    expect(existsSync(path.join(dir, 'deep'))).toBe(false);
    expect(logger.lines.some((line) => line.startsWith('warning: test-writer: reverted by the guard'))).toBe(true);
  });

  it('reverts a fixer that writes under .github/workflows/ even when its touches allow it', async () => {
    const dir = repo({ '.github/workflows/ci.yml': 'on: push\n', 'a.py': 'x=1\n' });
    const before = hashTree(dir);
    const fixer = testFixer({
      touches: ['**/*'],
      write: async (ctx) => {
        await writeFile(path.join(ctx.workspace, '.github/workflows/ci.yml'), 'on: [push, pull_request]\n');
        await writeFile(path.join(ctx.workspace, '.github/workflows/new.yml'), 'on: push\n');
      },
    });
    const { result } = await run(dir, fixer);
    expect(result?.status).toBe('reverted-guard');
    expect(result?.reason).toContain('".github/workflows/ci.yml" under .github/workflows/');
    expect(result?.reason).toContain('".github/workflows/new.yml" under .github/workflows/');
    expectUntouched(dir, before);
  });

  it('reverts a fixer that creates a symlink pointing outside the workspace', async () => {
    const dir = repo({ 'a.py': 'x=1\n' });
    const before = hashTree(dir);
    const fixer = testFixer({
      touches: ['**/*'],
      creates: ['**/*'],
      names: ['passwd.py', 'up.py', 'inside.py'],
      write: async (ctx) => {
        symlinkSync('/etc/passwd', path.join(ctx.workspace, 'passwd.py'));
        symlinkSync('../../outside', path.join(ctx.workspace, 'up.py'));
        symlinkSync('a.py', path.join(ctx.workspace, 'inside.py'));
      },
    });
    const { result } = await run(dir, fixer);
    expect(result?.status).toBe('reverted-guard');
    expect(result?.reason).toContain('"passwd.py" pointing outside the workspace');
    expect(result?.reason).toContain('"up.py" pointing outside the workspace');
    expect(result?.reason).not.toContain('inside.py');
    expectUntouched(dir, before);
  });

  it('reverts a fixer that changes more files or bytes than the limits', async () => {
    const dir = repo({ 'a.py': 'x=1\n' });
    const before = hashTree(dir);
    const many = testFixer({
      touches: ['**/*.py'],
      write: async (ctx) => {
        for (let i = 0; i < 4; i += 1) await writeFile(path.join(ctx.workspace, `f${i}.py`), `x = ${i}\n`);
      },
    });
    const tooMany = await run(dir, many, { limits: { maxFiles: 3, maxBytes: 1_000_000 } });
    expect(tooMany.result?.status).toBe('reverted-guard');
    expect(tooMany.result?.reason).toContain('changed 4 paths, more than the limit of 3');
    expectUntouched(dir, before);

    const big = testFixer({
      touches: ['**/*.py'],
      write: (ctx) => writeFile(path.join(ctx.workspace, 'a.py'), `x = "${'y'.repeat(500)}"\n`),
    });
    const tooBig = await run(dir, big, { limits: { maxFiles: 200, maxBytes: 100 } });
    expect(tooBig.result?.status).toBe('reverted-guard');
    expect(tooBig.result?.reason).toContain('more than the limit of 100');
    expectUntouched(dir, before);
  });

  it('reverts modified, deleted, re-moded and added paths exactly when verification fails, keeping earlier uncommitted work', async () => {
    const dir = repo({ 'a.py': 'x=1\n', 'b.py': 'y=2\n', 'run.py': 'print(1)\n', 'bin/tool.py': 'z=3\n' });
    // Work the user had not committed yet must survive a revert untouched.
    writeFileSync(path.join(dir, 'b.py'), 'y = 2  # edited, not committed\n');
    writeFileSync(path.join(dir, 'untracked.py'), 'draft = True\n');
    const before = hashTree(dir);
    const statusBefore = git(dir, ['status', '--porcelain']);
    // Deleting, re-moding and creating are refused by the guard before verification.
    const fixer = testFixer({
      touches: ['**/*.py'],
      verifies: false,
      write: async (ctx) => {
        writeFileSync(path.join(ctx.workspace, 'a.py'), 'x = 1\n');
        writeFileSync(path.join(ctx.workspace, 'b.py'), 'y = 2\n');
        writeFileSync(path.join(ctx.workspace, 'untracked.py'), 'draft = False\n');
        unlinkSync(path.join(ctx.workspace, 'run.py'));
        chmodSync(path.join(ctx.workspace, 'bin/tool.py'), 0o755);
        mkdirSync(path.join(ctx.workspace, 'pkg/sub'), { recursive: true });
        writeFileSync(path.join(ctx.workspace, 'pkg/sub/new.py'), 'n = 0\n');
      },
    });
    const { result } = await run(dir, fixer);
    expect(result?.status).toBe('reverted-guard');
    expect(result?.reason).toContain('deleted "run.py"');
    expect(result?.reason).toContain('changed the mode of "bin/tool.py" (100644 → 100755)');
    expect(result?.reason).toContain('created "pkg/sub/new.py"; it declares no new files');
    expect(result?.reason).toContain('changed "b.py", which it did not name as a file it fixes');
    expectUntouched(dir, before, statusBefore);
    expect(statSync(path.join(dir, 'bin/tool.py')).mode & 0o111).toBe(0);
    expect(existsSync(path.join(dir, 'pkg'))).toBe(false);
  });

  it('reverts the files it named when verification fails, keeping earlier uncommitted work', async () => {
    const dir = repo({ 'a.py': 'x=1\n', 'b.py': 'y=2\n' });
    writeFileSync(path.join(dir, 'b.py'), 'y = 2  # edited, not committed\n');
    writeFileSync(path.join(dir, 'untracked.py'), 'draft = True\n');
    const before = hashTree(dir);
    const statusBefore = git(dir, ['status', '--porcelain']);
    const fixer = testFixer({
      touches: ['**/*.py'],
      verifies: false,
      names: ['a.py', 'b.py', 'untracked.py'],
      write: async (ctx) => {
        writeFileSync(path.join(ctx.workspace, 'a.py'), 'x = 1\n');
        writeFileSync(path.join(ctx.workspace, 'b.py'), 'y = 2\n');
        writeFileSync(path.join(ctx.workspace, 'untracked.py'), 'draft = False\n');
      },
    });
    const { result } = await run(dir, fixer);
    expect(result?.status).toBe('reverted-unverified');
    expect(result?.reason).toBe('verification failed: `test-check` exited with 1: still failing');
    expect(result?.verifyCommand).toBe('test-check');
    expectUntouched(dir, before, statusBefore);
  });

  it('reverts what a fixer wrote before it threw', async () => {
    const dir = repo({ 'a.py': 'x=1\n' });
    const before = hashTree(dir);
    const fixer: Fixer = {
      ...testFixer({ touches: ['**/*.py'], write: async () => undefined }),
      async apply(ctx) {
        writeFileSync(path.join(ctx.workspace, 'a.py'), 'half written');
        throw new Error('tool crashed');
      },
    };
    const { result } = await run(dir, fixer);
    expect(result?.status).toBe('reverted-unverified');
    expect(result?.reason).toBe('applying failed: tool crashed');
    expectUntouched(dir, before);
  });

  it('keeps a verified change in the working tree, unstaged, and lists the changed files', async () => {
    const dir = repo({ 'a.py': 'x=1\n' });
    const fixer = testFixer({ touches: ['**/*.py'], write: (ctx) => writeFile(path.join(ctx.workspace, 'a.py'), 'x = 1\n') });
    const { result } = await run(dir, fixer);
    expect(result).toMatchObject({
      status: 'verified',
      files: ['a.py'],
      verifyCommand: 'test-check',
      failures: [expect.stringMatching(/^fp-/)],
    });
    expect(readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('x = 1\n');
    expect(git(dir, ['status', '--porcelain'])).toBe(' M a.py\n');
  });

  it('sees a rewrite to the same size within the same second (git would trust its cached stat)', async () => {
    const dir = repo({ 'a.py': 'def f( a ):\n    return a\n' });
    // Without ctime, size and mtime are all git has to go on; the fixer keeps both.
    git(dir, ['config', 'core.trustctime', 'false']);
    const file = path.join(dir, 'a.py');
    // An old mtime, cached in the index as clean (not racy), as after any checkout.
    const mtime = new Date(Date.now() - 3_600_000);
    utimesSync(file, mtime, mtime);
    git(dir, ['update-index', '--refresh']);
    const fixer = testFixer({
      touches: ['**/*.py'],
      write: async () => {
        await writeFile(file, '\n\ndef f(a):\n    return a\n');
        utimesSync(file, mtime, mtime);
      },
    });
    const { result } = await run(dir, fixer);
    expect(result?.status).toBe('verified');
    expect(result?.files).toEqual(['a.py']);
  });

  it('treats a workspace inside a larger repository as the boundary', async () => {
    const dir = repo({ 'app/a.py': 'x=1\n', 'other/b.py': 'y=2\n' });
    const before = hashTree(dir);
    const fixer = testFixer({
      touches: ['**/*.py'],
      write: async (ctx) => {
        writeFileSync(path.join(ctx.workspace, 'a.py'), 'x = 1\n');
        writeFileSync(path.join(ctx.workspace, '..', 'other', 'b.py'), 'y = 2\n');
      },
    });
    const { result } = await run(path.join(dir, 'app'), fixer);
    expect(result?.status).toBe('reverted-guard');
    expect(result?.reason).toBe('guard: changed "other/b.py", outside the workspace');
    expectUntouched(dir, before);

    const inside = testFixer({ touches: ['**/*.py'], write: async (ctx) => writeFileSync(path.join(ctx.workspace, 'a.py'), 'x = 1\n') });
    expect((await run(path.join(dir, 'app'), inside)).result).toMatchObject({ status: 'verified', files: ['a.py'] });
  });

  it('skips a fixer whose tool is missing, naming the tool and how to provide it', async () => {
    const dir = repo({ 'a.js': 'x=1\n' });
    const fixer: Fixer = { ...prettierFixer };
    const logger = createMemoryLogger();
    const [result] = await applyFixPlan({
      workspace: dir,
      plan: {
        planned: [{ fixer, failures: [failure({ category: 'lint_format', tool: 'prettier', message: '[warn] a.js', file: 'a.js' })] }],
      },
      exec: nodeExec,
      logger,
      env: { ...process.env, PATH: '/nonexistent' },
      dryRun: false,
      useRepositoryTools: true,
    });
    expect(result?.status).toBe('skipped');
    expect(result?.reason).toContain('prettier not available: not found in the workspace or on PATH; add prettier to the repository');
  });

  it('refuses a workspace that is not a git working tree', async () => {
    const dir = path.join(os.tmpdir(), `ci-autofixer-not-git-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      await expect(
        applyFixPlan({
          workspace: dir,
          plan: { planned: [] },
          exec: nodeExec,
          logger: createMemoryLogger(),
          env: process.env,
          useRepositoryTools: true,
          dryRun: false,
        }),
      ).rejects.toThrow(ConfigurationError);
      await expect(WorkspaceGuard.open(path.join(dir, 'missing'), nodeExec)).rejects.toThrow(/does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dry run', () => {
  it('verifies with the real black, then leaves the tree exactly as it started', async () => {
    const dir = repo({ 'src/a.py': "x = {  'a':1}\n", 'src/b.py': 'def f( ):\n  return 1\n' });
    writeFileSync(path.join(dir, 'notes.md'), 'untracked, must survive\n');
    const before = hashTree(dir);
    const statusBefore = git(dir, ['status', '--porcelain']);
    const failures = ['src/a.py', 'src/b.py'].map((file) =>
      failure({ category: 'lint_format', tool: 'black', message: `would reformat ${file}`, file, data: { formatter: 'black' } }),
    );
    const created = testFixer({
      id: 'creator',
      touches: ['**/.gitkeep'],
      creates: ['**/.gitkeep'],
      names: ['out/.gitkeep'],
      write: async (ctx) => {
        mkdirSync(path.join(ctx.workspace, 'out'));
        writeFileSync(path.join(ctx.workspace, 'out/.gitkeep'), '');
      },
    });
    const results = await applyFixPlan({
      workspace: dir,
      plan: {
        planned: [
          { fixer: blackFixer, failures },
          { fixer: created, failures: [lintFailure()] },
        ],
      },
      exec: nodeExec,
      logger: createMemoryLogger(),
      env: process.env,
      useRepositoryTools: true,
      dryRun: true,
    });
    expect(results.map((r) => [r.fixer, r.status])).toEqual([
      ['black', 'verified'],
      ['creator', 'verified'],
    ]);
    expect(results[0]?.description).toContain('(dry run: reverted)');
    expect(results[0]?.files.sort()).toEqual(['src/a.py', 'src/b.py']);
    expect(results[0]?.verifyCommand).toBe('black --check -- src/a.py src/b.py');
    expectUntouched(dir, before, statusBefore);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });
});
