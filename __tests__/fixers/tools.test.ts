import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { commandText, resolveNodeTool, resolvePythonTool, toolPath, workspaceBinDirs } from '../../src/fixers/tools.js';
import type { FixContext } from '../../src/fixers/types.js';
import { createMemoryLogger } from '../../src/logging.js';
import { linkNodeTool, makeRepo, removeRepo } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeRepo(dir);
});

function context(workspace: string, env: Record<string, string | undefined>, useRepositoryTools = true): FixContext {
  const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { workspace, failures: [], exec: nodeExec, logger: createMemoryLogger(), env: defined, useRepositoryTools };
}

describe('tool resolution', () => {
  it("prefers the repository's node_modules/.bin over PATH", async () => {
    const repo = makeRepo();
    dirs.push(repo);
    linkNodeTool(repo, 'prettier');
    const resolved = await resolveNodeTool(context(repo, process.env), 'prettier');
    expect(resolved).toEqual({ command: path.join(repo, 'node_modules', '.bin', 'prettier'), prefixArgs: [], source: 'workspace' });
    const result = await nodeExec(resolved?.command as string, ['--version'], { cwd: repo });
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('falls back to PATH, and to nothing when neither has the tool', async () => {
    const repo = makeRepo();
    dirs.push(repo);
    const bin = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-bin-'));
    dirs.push(bin);
    symlinkSync(path.resolve('node_modules/.bin/eslint'), path.join(bin, 'eslint'));
    expect(await resolveNodeTool(context(repo, { PATH: bin }), 'eslint')).toEqual({
      command: path.join(bin, 'eslint'),
      prefixArgs: [],
      source: 'system',
    });
    expect(await resolveNodeTool(context(repo, { PATH: bin }), 'prettier')).toBeUndefined();
  });

  it("prefers a venv's script, then PATH, then python -m", async () => {
    const repo = makeRepo();
    dirs.push(repo);
    mkdirSync(path.join(repo, 'venv', 'bin'), { recursive: true });
    symlinkSync('/usr/bin/black', path.join(repo, 'venv', 'bin', 'black'));
    expect(await resolvePythonTool(context(repo, process.env), 'black', 'black')).toEqual({
      command: path.join(repo, 'venv', 'bin', 'black'),
      prefixArgs: [],
      source: 'workspace',
    });
    expect(await resolvePythonTool(context(repo, process.env), 'isort', 'isort')).toMatchObject({
      command: expect.stringMatching(/\/isort$/),
      source: 'system',
    });

    // Only an interpreter on PATH: the tool is run as a module when it imports.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-bin-'));
    dirs.push(bin);
    symlinkSync('/usr/bin/python3', path.join(bin, 'python3'));
    expect(await resolvePythonTool(context(repo, { PATH: bin }), 'autopep8', 'autopep8')).toEqual({
      command: path.join(bin, 'python3'),
      prefixArgs: ['-m', 'autopep8'],
      source: 'system',
    });
    expect(await resolvePythonTool(context(repo, { PATH: bin }), 'no-such-tool', 'no_such_module_here')).toBeUndefined();
  });

  it('puts the workspace tool directories first on PATH', async () => {
    const repo = makeRepo();
    dirs.push(repo);
    mkdirSync(path.join(repo, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(path.join(repo, '.venv', 'bin'), { recursive: true });
    expect(toolPath(await workspaceBinDirs(repo), '/usr/bin')).toBe(
      [path.join(repo, 'node_modules', '.bin'), path.join(repo, '.venv', 'bin'), '/usr/bin'].join(path.delimiter),
    );
    expect(toolPath([], undefined)).toBe('');
  });

  it("never picks the repository's own tools when use-repository-tools is false", async () => {
    const repo = makeRepo();
    dirs.push(repo);
    linkNodeTool(repo, 'prettier');
    mkdirSync(path.join(repo, '.venv', 'bin'), { recursive: true });
    symlinkSync('/usr/bin/black', path.join(repo, '.venv', 'bin', 'black'));
    const bin = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-bin-'));
    dirs.push(bin);
    expect(await resolveNodeTool(context(repo, { PATH: bin }, false), 'prettier')).toBeUndefined();
    expect(await resolvePythonTool(context(repo, { PATH: '/usr/bin' }, false), 'black', 'black')).toMatchObject({
      command: '/usr/bin/black',
      source: 'system',
    });
  });

  it('shows commands without shell quoting surprises', () => {
    expect(commandText({ command: '/usr/bin/python3', prefixArgs: ['-m', 'autopep8'], source: 'system' }, ['--select=E1', 'a b.py'])).toBe(
      'python3 -m autopep8 --select=E1 "a b.py"',
    );
  });
});
