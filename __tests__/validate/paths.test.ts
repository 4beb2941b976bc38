import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRelativePathText, checkWorkspacePath, isWorkflowPath } from '../../src/validate/paths.js';

describe('checkRelativePathText', () => {
  it.each([
    ['src/a.py', 'src/a.py'],
    ['./src//a.py', 'src/a.py'],
    ['dir/', 'dir'],
    ['a..b/c.py', 'a..b/c.py'],
  ])('accepts %j as %j', (input, normalised) => {
    expect(checkRelativePathText(input)).toEqual({ ok: true, path: normalised });
  });

  it.each([
    ['../../etc/passwd', "contains '..'"],
    ['src/../../x', "contains '..'"],
    ['/etc/passwd', 'is absolute'],
    ['C:/Windows/system.ini', 'is absolute'],
    ['D:\\a\\repo\\x.cs', 'backslash'],
    ['a\0.py', 'NUL'],
    ['-rf', "starts with '-'"],
    ['.git/hooks/pre-commit', 'inside .git'],
    ['.', 'workspace itself'],
    ['', 'empty path'],
    [42, 'empty path'],
  ])('refuses %j (%s)', (input, reason) => {
    const checked = checkRelativePathText(input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toContain(reason);
  });
});

describe('checkWorkspacePath', () => {
  let root: string;
  let workspace: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-paths-'));
    workspace = path.join(root, 'ws');
    mkdirSync(path.join(workspace, 'src'), { recursive: true });
    mkdirSync(path.join(root, 'outside'));
    writeFileSync(path.join(root, 'outside', 'secret.py'), 'x');
    writeFileSync(path.join(workspace, 'src', 'a.py'), 'x');
    symlinkSync(path.join(root, 'outside'), path.join(workspace, 'escape'));
    symlinkSync(path.join(root, 'outside', 'secret.py'), path.join(workspace, 'src', 'link.py'));
    symlinkSync('a.py', path.join(workspace, 'src', 'alias.py'));
    symlinkSync(path.join(root, 'nowhere'), path.join(workspace, 'dangling'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('accepts files inside, existing or not, and symlinks that stay inside', async () => {
    expect(await checkWorkspacePath(workspace, 'src/a.py')).toEqual({ ok: true, path: 'src/a.py' });
    expect(await checkWorkspacePath(workspace, 'new/dir/report.json')).toEqual({ ok: true, path: 'new/dir/report.json' });
    expect(await checkWorkspacePath(workspace, 'src/alias.py')).toEqual({ ok: true, path: 'src/alias.py' });
  });

  it.each([['escape/secret.py'], ['escape/new.json'], ['src/link.py'], ['dangling/x']])(
    'refuses %s, which leaves the workspace through a symlink',
    async (candidate) => {
      const checked = await checkWorkspacePath(workspace, candidate);
      expect(checked.ok).toBe(false);
    },
  );

  it('refuses traversal and absolute paths before touching the disk', async () => {
    expect((await checkWorkspacePath(workspace, '../outside/secret.py')).ok).toBe(false);
    expect((await checkWorkspacePath(workspace, path.join(root, 'outside', 'secret.py'))).ok).toBe(false);
  });
});

describe('isWorkflowPath', () => {
  it.each([
    ['.github/workflows/ci.yml', true],
    ['./.github/workflows/x.yaml', true],
    ['.GitHub/Workflows/ci.yml', true],
    ['.github/actions/setup/action.yml', false],
    ['docs/.github/workflows.md', false],
  ])('%s → %s', (input, expected) => {
    expect(isWorkflowPath(input)).toBe(expected);
  });
});
