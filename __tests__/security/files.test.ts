/**
 * Item 7: files are opened safely. A fixer edits regular files inside the workspace only (never
 * through a symlink, even in a dry run), and a path taken from a log reaches a tool as one literal
 * file, never as a pattern the tool would expand.
 */
import { lstat, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { toActionsLog } from '../../standin/scenario.js';
import { runCli } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function repository(files: Record<string, string>): Promise<{ dir: string; workspace: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'security-files-'));
  dirs.push(dir);
  const workspace = path.join(dir, 'app');
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(workspace, file);
    await nodeExec('mkdir', ['-p', path.dirname(target)], { cwd: dir });
    await writeFile(target, content);
  }
  return { dir, workspace };
}

async function commitAll(workspace: string): Promise<void> {
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', 'init'],
  ]) {
    const result = await nodeExec('git', args, { cwd: workspace });
    expect(result.exitCode, result.stderr).toBe(0);
  }
}

async function log(dir: string, name: string, shown: string, output: string): Promise<string> {
  const file = path.join(dir, `${name}.log`);
  await writeFile(file, toActionsLog(name, [{ name, shown, output, exitCode: 1 }]));
  return file;
}

describe('files are opened safely', () => {
  it.each([false, true])('python-requirement never writes through a symlinked requirements.txt (dry run: %s)', async (dryRun) => {
    const { dir, workspace } = await repository({ 'app/main.py': 'import yaml\n' });
    const outside = path.join(dir, 'outside.txt');
    await writeFile(outside, 'not yours\n');
    await symlink(outside, path.join(workspace, 'requirements.txt'));
    await commitAll(workspace);
    const ci = await log(
      dir,
      'test',
      'python -m app.main',
      `Traceback (most recent call last):\n  File "/home/runner/work/app/app/app/main.py", line 1, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\n`,
    );
    const result = await runCli(
      ['fix', '--workspace', workspace, '--log', ci, '--fix-types', 'dependency', '--json', ...(dryRun ? ['--dry-run'] : [])],
      { cwd: dir },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(outside, 'utf8')).toBe('not yours\n');
    expect((await lstat(path.join(workspace, 'requirements.txt'))).isSymbolicLink()).toBe(true);
    const fixes = (JSON.parse(result.stdout) as { fixes: { fixer: string; status: string; reason?: string; description: string }[] }).fixes;
    const fix = fixes.find((entry) => entry.fixer === 'python-requirement');
    expect(fix?.status).toBe('skipped');
    expect(`${fix?.description ?? ''} ${fix?.reason ?? ''}`).toContain('is a symlink');
  });

  it('a path with pattern characters from a log is never expanded by prettier; one outside the workspace is refused', async () => {
    const ugly = 'export const x = {a:1,\n  b:2}\n';
    const { dir, workspace } = await repository({ 'web/a.js': ugly, 'web/b.js': ugly });
    await commitAll(workspace);
    const canary = path.join(dir, 'canary.js');
    await writeFile(canary, ugly);
    const ci = await log(
      dir,
      'prettier',
      'npx prettier --check web',
      'Checking formatting...\n[warn] web/{a,b}.js\n[warn] ../canary.js\n[warn] Code style issues found in 2 files. Run Prettier with --write to fix.\n',
    );
    const result = await runCli(['fix', '--workspace', workspace, '--log', ci, '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(path.join(workspace, 'web/a.js'), 'utf8')).toBe(ugly);
    expect(await readFile(path.join(workspace, 'web/b.js'), 'utf8')).toBe(ugly);
    expect(await readFile(canary, 'utf8')).toBe(ugly);
    const fixes = (JSON.parse(result.stdout) as { fixes: { fixer: string; reason?: string }[] }).fixes;
    expect(fixes.find((fix) => fix.fixer === 'prettier')?.reason).toContain('contains a pattern character');
  });

  it('a symlinked file named by a log is not formatted through the link (black writes through links)', async () => {
    const ugly = "x = {  'a':1}\n";
    const { dir, workspace } = await repository({ 'pkg/real.py': ugly });
    const outside = path.join(dir, 'outside.py');
    await writeFile(outside, ugly);
    await symlink(outside, path.join(workspace, 'pkg/link.py'));
    await symlink('real.py', path.join(workspace, 'pkg/inside.py'));
    await commitAll(workspace);
    const ci = await log(
      dir,
      'black',
      'black --check .',
      'would reformat /home/runner/work/app/app/pkg/link.py\nwould reformat /home/runner/work/app/app/pkg/inside.py\n\nOh no! 💥 💔 💥\n2 files would be reformatted.\n',
    );
    const result = await runCli(['fix', '--workspace', workspace, '--log', ci, '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(outside, 'utf8')).toBe(ugly);
    expect(await readFile(path.join(workspace, 'pkg/real.py'), 'utf8')).toBe(ugly);
    await unlink(path.join(workspace, 'pkg/link.py'));
  });
});
