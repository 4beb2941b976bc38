import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { existsInWorkspace, toWorkspacePath } from '../../src/analysis/paths.js';

describe('toWorkspacePath', () => {
  const repo = { repoName: 'app' };
  it.each<[string, { repoName: string; workingDirectory?: string }, string | undefined]>([
    ['/home/runner/work/app/app/src/x.py', repo, 'src/x.py'],
    ['D:\\a\\app\\app\\src\\X.cs', repo, 'src/X.cs'],
    ['d:/a/app/app/src/X.cs', repo, 'src/X.cs'],
    ['/__w/app/app/pkg/main.go', repo, 'pkg/main.go'],
    ['/Users/runner/work/app/app/Sources/A.swift', repo, 'Sources/A.swift'],
    ['/home/travis/build/owner/app/lib/a.rb', repo, 'lib/a.rb'],
    ['/github/workspace/a.txt', repo, 'a.txt'],
    ['/opt/actions-runner/_work/app/app/src/y.ts', repo, 'src/y.ts'],
    ['src/x.py', repo, 'src/x.py'],
    ['./src/x.py', repo, 'src/x.py'],
    ['src/./a/../x.py', repo, 'src/x.py'],
    ['tests/test_a.py', { repoName: 'app', workingDirectory: 'backend' }, 'backend/tests/test_a.py'],
    ['../shared/a.py', { repoName: 'app', workingDirectory: 'backend' }, 'shared/a.py'],
    ['"src/quoted.py"', repo, 'src/quoted.py'],
    ['file:///home/runner/work/app/app/a.js', repo, 'a.js'],
    // Outside the workspace, or not a path we may use.
    ['../etc/passwd', repo, undefined],
    ['../../x', { repoName: 'app', workingDirectory: 'backend' }, undefined],
    ['/etc/passwd', repo, undefined],
    ['/home/runner/work/other/other/x.py', repo, undefined],
    ['/home/runner/work/app/app/../../secret', repo, undefined],
    ['C:\\Windows\\system32\\x.dll', repo, undefined],
    ['~/.ssh/id_rsa', repo, undefined],
    ['src/a\0b.py', repo, undefined],
    ['', repo, undefined],
    ['.', repo, undefined],
    ['/home/runner/work/app/app/', repo, undefined],
    ['x.py', { repoName: 'app', workingDirectory: '/abs' }, undefined],
  ])('%j → %j', (input, options, expected) => {
    expect(toWorkspacePath(input, options)).toBe(expected);
  });
});

describe('existsInWorkspace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paths-test-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'x.py'), 'x = 1\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps a runner path onto an existing workspace file', async () => {
    expect(await existsInWorkspace('/home/runner/work/app/app/src/x.py', dir, { repoName: 'app' })).toBe('src/x.py');
  });
  it('is undefined for a missing file or a path outside', async () => {
    expect(await existsInWorkspace('src/missing.py', dir, { repoName: 'app' })).toBeUndefined();
    expect(await existsInWorkspace('../x.py', dir, { repoName: 'app' })).toBeUndefined();
  });
});
