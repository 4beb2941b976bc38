/**
 * The dependency fixer is verified only when the package is shown to provide the missing module:
 * real pip downloads a wheel from a local simple index (a node:http server started here, serving
 * a tiny wheel built here) and the fixer reads the wheel's zip directory. Without a reachable
 * index it stays "applied, not verified"; a wheel without the module reverts the fix.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyFixPlan } from '../../src/apply/apply.js';
import { nodeExec } from '../../src/exec.js';
import { providesModule, zipEntryNames } from '../../src/fixers/support/wheel.js';
import { pythonRequirementFixer } from '../../src/fixers/python-requirement.js';
import { createMemoryLogger } from '../../src/logging.js';
import { UNREACHABLE_INDEX, failure, makeRepo, removeRepo } from './helpers.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-index-'));
let server: Server;
let indexUrl = '';
const requests: string[] = [];

/** A wheel (a zip, built with Python's zipfile) holding `files` and a dist-info. */
function buildWheel(name: string, files: string[]): string {
  const wheel = path.join(scratch, `${name}-1.0-py3-none-any.whl`);
  const entries = [...files, `${name}-1.0.dist-info/METADATA`, `${name}-1.0.dist-info/WHEEL`, `${name}-1.0.dist-info/RECORD`];
  const script = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1], "w")',
    'name = sys.argv[2]',
    'for entry in sys.argv[3:]:',
    '    body = "Metadata-Version: 2.1\\nName: %s\\nVersion: 1.0\\n" % name if entry.endswith("METADATA") else ("Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n" if entry.endswith("WHEEL") else "")',
    '    z.writestr(entry, body)',
    'z.close()',
  ].join('\n');
  execFileSync('python3', ['-c', script, wheel, name, ...entries]);
  return wheel;
}

beforeAll(async () => {
  const wheels: Record<string, string> = {
    tinypkg: buildWheel('tinypkg', ['tinypkg/__init__.py', 'tinypkg/core.py']),
    hollowpkg: buildWheel('hollowpkg', ['somethingelse/__init__.py']),
  };
  server = createServer((request, response) => {
    const url = request.url ?? '';
    requests.push(url);
    const project = /^\/simple\/([a-z0-9-]+)\/$/.exec(url)?.[1];
    const file = /^\/files\/([\w.-]+\.whl)$/.exec(url)?.[1];
    if (project !== undefined && wheels[project] !== undefined) {
      const name = path.basename(wheels[project]);
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!DOCTYPE html><html><body><a href="/files/${name}">${name}</a></body></html>`);
    } else if (file !== undefined && Object.values(wheels).some((wheel) => path.basename(wheel) === file)) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(readFileSync(path.join(scratch, file)));
    } else {
      response.writeHead(404);
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  indexUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(scratch, { recursive: true, force: true });
});

const repos: string[] = [];
afterEach(() => {
  for (const dir of repos.splice(0)) removeRepo(dir);
});

async function fixMissing(module: string, index: string) {
  const dir = makeRepo({ 'app.py': `import ${module}\n`, 'requirements.txt': 'requests\n' });
  repos.push(dir);
  const missing = failure({
    category: 'import_missing_module',
    tool: 'python',
    message: `ModuleNotFoundError: No module named '${module}'`,
    data: { ecosystem: 'python', module },
  });
  const [result] = await applyFixPlan({
    workspace: dir,
    plan: { planned: [{ fixer: pythonRequirementFixer, failures: [missing] }] },
    exec: nodeExec,
    logger: createMemoryLogger(),
    env: { ...process.env, PIP_INDEX_URL: index },
    useRepositoryTools: false,
    dryRun: false,
  });
  return { dir, result };
}

describe('python-requirement: verified by the downloaded wheel', () => {
  it('is verified when the wheel from the index contains the module; pip download is the named check', async () => {
    const { dir, result } = await fixMissing('tinypkg', indexUrl);
    expect(result?.status, JSON.stringify(result)).toBe('verified');
    expect(result?.checks).toEqual([
      {
        kind: 'fixer-check',
        command: 'pip download --no-deps --only-binary=:all: tinypkg (the wheel tinypkg-1.0-py3-none-any.whl contains the module)',
        exitCode: 0,
        passed: true,
      },
    ]);
    expect(readFileSync(path.join(dir, 'requirements.txt'), 'utf8')).toBe('requests\ntinypkg\n');
    expect(requests).toContain('/files/tinypkg-1.0-py3-none-any.whl');
    // Nothing was downloaded into the workspace.
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' })).toBe(' M requirements.txt\n');
  });

  it('is reverted when the wheel does not contain the module, never verified', async () => {
    const { dir, result } = await fixMissing('hollowpkg', indexUrl);
    expect(result?.status).toBe('reverted-unverified');
    expect(result?.reason).toContain('the downloaded wheel hollowpkg-1.0-py3-none-any.whl does not contain the missing module');
    expect(readFileSync(path.join(dir, 'requirements.txt'), 'utf8')).toBe('requests\n');
  });

  it('stays "applied, not verified" when no index can be reached, and says why', async () => {
    const { dir, result } = await fixMissing('tinypkg', UNREACHABLE_INDEX);
    expect(result?.status).toBe('applied-unverified');
    expect(result?.checks).toEqual([{ kind: 'sanity', command: 'parse requirements.txt', passed: true }]);
    expect(result?.reason).toContain('`pip download --no-deps --only-binary=:all: tinypkg` could not check it (exit 1');
    expect(readFileSync(path.join(dir, 'requirements.txt'), 'utf8')).toBe('requests\ntinypkg\n');
  });

  it('reads module names from a zip directory without extracting anything', async () => {
    const names = await zipEntryNames(path.join(scratch, 'tinypkg-1.0-py3-none-any.whl'));
    expect(names).toContain('tinypkg/__init__.py');
    expect(providesModule(names, 'tinypkg')).toBe(true);
    expect(providesModule(names, 'tiny')).toBe(false);
    expect(providesModule(['yaml.py'], 'yaml')).toBe(true);
    expect(providesModule(['_yaml.cpython-311-x86_64-linux-gnu.so'], '_yaml')).toBe(true);
    expect(providesModule(['other/yaml/__init__.py'], 'yaml')).toBe(false);
  });
});
