/**
 * Tool resolution against the version the repository pins, with the real tools: a pinned version
 * that differs from the one found skips the fixer (both named), a matching one is used, and with
 * install-tools the pinned version is installed outside the workspace — from a local npm registry
 * or a local wheel index made in the test, or not at all when the index is a closed local port. Every fixer with an
 * empty PATH and no workspace tool is skipped as "<tool> not available".
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Failure } from '../../src/analysis/types.js';
import { applyFixPlan } from '../../src/apply/apply.js';
import { nodeExec } from '../../src/exec.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { readPinnedVersion, satisfiesPin, type PinnedToolSpec } from '../../src/fixers/support/pins.js';
import type { Fixer } from '../../src/fixers/types.js';
import { createMemoryLogger } from '../../src/logging.js';
import { failure, hashTree, linkNodeTool, makeRepo, PROJECT_ROOT, removeRepo, UNREACHABLE_INDEX } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeRepo(dir);
});

function repo(files: Record<string, string>): string {
  const dir = makeRepo(files);
  dirs.push(dir);
  return dir;
}

function fixerOf(id: string): Fixer {
  const fixer = FIXERS.find((candidate) => candidate.id === id);
  if (fixer === undefined) throw new Error(`no fixer ${id}`);
  return fixer;
}

/** PATH with the system's black, isort, autopep8, flake8, git and node, and no pyenv shim. */
const SYSTEM_PATH = '/usr/bin:/bin';

async function fix(workspace: string, id: string, failures: Failure[], env: Record<string, string | undefined>, installTools = false) {
  const logger = createMemoryLogger();
  const [result] = await applyFixPlan({
    workspace,
    plan: { planned: [{ fixer: fixerOf(id), failures }] },
    exec: nodeExec,
    logger,
    env,
    useRepositoryTools: true,
    installTools,
    dryRun: false,
  });
  return { result, logger };
}

const blackFailure = (): Failure => failure({ category: 'lint_format', tool: 'black', message: 'would reformat a.py', file: 'a.py' });
const prettierFailure = (): Failure => failure({ category: 'lint_format', tool: 'prettier', message: '[warn] a.js', file: 'a.js' });
const systemBlackVersion = (): string =>
  /(\d+\.\d+\.\d+)/.exec(execFileSync('/usr/bin/black', ['--version'], { encoding: 'utf8' }))?.[1] ?? '';
const projectPrettierVersion = (): string =>
  (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'node_modules', 'prettier', 'package.json'), 'utf8')) as { version: string }).version;

describe('the version a repository pins', () => {
  const black: PinnedToolSpec = { tool: 'black', ecosystem: 'python', packageName: 'black', preCommitRepos: ['psf/black'] };
  const prettier: PinnedToolSpec = {
    tool: 'prettier',
    ecosystem: 'node',
    packageName: 'prettier',
    preCommitRepos: ['pre-commit/mirrors-prettier'],
  };
  const cases: Array<{ name: string; files: Record<string, string>; spec: PinnedToolSpec; expected: unknown }> = [
    {
      name: 'pre-commit rev',
      files: { '.pre-commit-config.yaml': 'repos:\n  - repo: https://github.com/psf/black\n    rev: 24.3.0\n    hooks: [{ id: black }]\n' },
      spec: black,
      expected: { version: '24.3.0', source: '.pre-commit-config.yaml' },
    },
    {
      name: 'pre-commit mirror additional_dependencies over its rev',
      files: {
        '.pre-commit-config.yaml':
          'repos:\n- repo: https://github.com/pre-commit/mirrors-prettier\n  rev: v3.0.0\n  hooks:\n  - id: prettier\n    additional_dependencies: ["prettier@3.1.0"]\n',
      },
      spec: prettier,
      expected: { version: '3.1.0', source: '.pre-commit-config.yaml' },
    },
    {
      name: 'a commit hash rev pins nothing',
      files: {
        '.pre-commit-config.yaml': 'repos:\n- repo: https://github.com/psf/black\n  rev: 8e1d2a5e1b5c0d4b9f1a0d7d0f0b5d6c2e8f1a2b\n',
      },
      spec: black,
      expected: undefined,
    },
    {
      name: 'pyproject [project.optional-dependencies]',
      files: {
        'pyproject.toml': '[project]\nname = "x"\n[project.optional-dependencies]\ndev = [\n  "pytest",  # tests\n  "black==24.3.0",\n]\n',
      },
      spec: black,
      expected: { version: '24.3.0', source: 'pyproject.toml' },
    },
    {
      name: 'pyproject [tool.poetry.group.dev.dependencies]',
      files: { 'pyproject.toml': '[tool.poetry.group.dev.dependencies]\nblack = "24.3.0"\n' },
      spec: black,
      expected: { version: '24.3.0', source: 'pyproject.toml' },
    },
    {
      name: 'pyproject [dependency-groups]',
      files: { 'pyproject.toml': '[dependency-groups]\nlint = [\'Black == 24.3.0 ; python_version >= "3.9"\']\n' },
      spec: black,
      expected: { version: '24.3.0', source: 'pyproject.toml' },
    },
    {
      name: 'a range in requirements pins nothing, an exact pin does',
      files: { 'requirements.txt': 'black>=23\n', 'requirements-dev.txt': '# tools\nblack==24.3.0  # formatter\n' },
      spec: black,
      expected: { version: '24.3.0', source: 'requirements-dev.txt' },
    },
    {
      name: 'package.json devDependencies range',
      files: { 'package.json': '{"devDependencies": {"prettier": "^3.1.0"}}' },
      spec: prettier,
      expected: { version: '3.1.0', range: '^', source: 'package.json' },
    },
  ];
  it.each(cases)('$name', async ({ files, spec, expected }) => {
    expect(await readPinnedVersion(repo(files), spec, createMemoryLogger())).toEqual(expected);
  });

  it('compares versions as the ecosystems do', () => {
    expect(satisfiesPin('24.3', { version: '24.3.0', source: '' })).toBe(true);
    expect(satisfiesPin('24.3.1', { version: '24.3.0', source: '' })).toBe(false);
    expect(satisfiesPin('3.4.2', { version: '3.1.0', range: '^', source: '' })).toBe(true);
    expect(satisfiesPin('4.0.0', { version: '3.1.0', range: '^', source: '' })).toBe(false);
    expect(satisfiesPin('3.2.0', { version: '3.1.0', range: '~', source: '' })).toBe(false);
  });
});

describe('a fixer and the pinned version', () => {
  it('skips black when the repository pins another version, naming both', async () => {
    const found = systemBlackVersion();
    const dir = repo({ 'a.py': 'x=1\n', '.pre-commit-config.yaml': 'repos:\n- repo: https://github.com/psf/black\n  rev: 24.3.0\n' });
    const before = hashTree(dir);
    const { result } = await fix(dir, 'black', [blackFailure()], { PATH: SYSTEM_PATH });
    expect(result?.status).toBe('skipped');
    expect(result?.reason).toBe(
      `black 24.3.0 is pinned in .pre-commit-config.yaml, black ${found} was found; install-tools: true would install black 24.3.0`,
    );
    expect(hashTree(dir)).toEqual(before);
  });

  it('uses black when the pinned version is the one found', async () => {
    const found = systemBlackVersion();
    const dir = repo({ 'a.py': 'x=1\n', 'requirements-dev.txt': `black==${found}\n` });
    const { result, logger } = await fix(dir, 'black', [blackFailure()], { PATH: SYSTEM_PATH });
    expect(result?.status).toBe('verified');
    expect(readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('x = 1\n');
    expect(logger.lines).toContain(`black ${found} is pinned in requirements-dev.txt; using black ${found} (/usr/bin/black)`);
  });

  it('skips the workspace prettier when package.json pins another version', async () => {
    const dir = repo({ 'a.js': 'x=1\n', 'package.json': '{"devDependencies": {"prettier": "1.19.1"}}' });
    linkNodeTool(dir, 'prettier');
    const { result } = await fix(dir, 'prettier', [prettierFailure()], { PATH: SYSTEM_PATH });
    expect(result?.reason).toBe(
      `prettier 1.19.1 is pinned in package.json, prettier ${projectPrettierVersion()} was found; install-tools: true would install prettier 1.19.1`,
    );
  });

  it('with install-tools, an unreachable package index skips black with pip’s reason', { timeout: 120_000 }, async () => {
    const dir = repo({ 'a.py': 'x=1\n', 'pyproject.toml': '[project.optional-dependencies]\nlint = ["black==24.3.0"]\n' });
    const before = hashTree(dir);
    const { result } = await fix(dir, 'black', [blackFailure()], { PATH: SYSTEM_PATH, PIP_INDEX_URL: UNREACHABLE_INDEX }, true);
    expect(result?.status).toBe('skipped');
    expect(result?.reason).toMatch(/^black 24\.3\.0 is pinned in pyproject\.toml; installing it failed: ERROR: .*black==24\.3\.0/);
    expect(hashTree(dir)).toEqual(before);
  });

  it('with install-tools, installs the pinned black into a venv outside the workspace and uses it', { timeout: 120_000 }, async () => {
    const index = localWheelIndex('24.3.0');
    const dir = repo({ 'a.py': 'x=1\n', '.pre-commit-config.yaml': 'repos:\n- repo: https://github.com/psf/black\n  rev: 24.3.0\n' });
    const { result, logger } = await fix(dir, 'black', [blackFailure()], { PATH: SYSTEM_PATH, PIP_INDEX_URL: index }, true);
    expect(result?.status, JSON.stringify(result)).toBe('verified');
    expect(readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe('x = 1\n');
    const installed = logger.lines.find((line) => line.startsWith('installed black 24.3.0 into '));
    const prefix = installed?.slice('installed black 24.3.0 into '.length) ?? '';
    expect(path.isAbsolute(prefix) && !prefix.startsWith(dir)).toBe(true);
    expect(existsSync(prefix)).toBe(false);
    // The installed black ran the fix: its own command line is in the fixer's log.
    expect(logger.lines.some((line) => line.startsWith('$ black --quiet -- a.py (exit 0)'))).toBe(true);
  });

  it('with install-tools, an unreachable npm registry skips prettier with npm’s reason', { timeout: 60_000 }, async () => {
    const dir = repo({ 'a.js': 'x=1\n', 'package.json': '{"devDependencies": {"prettier": "1.19.1"}}' });
    const { result } = await fix(
      dir,
      'prettier',
      [prettierFailure()],
      { PATH: process.env.PATH, npm_config_registry: 'http://127.0.0.1:9/' },
      true,
    );
    expect(result?.status).toBe('skipped');
    expect(result?.reason).toMatch(/^prettier 1\.19\.1 is pinned in package\.json; installing it failed: npm error .*ECONNREFUSED/);
  });

  it(
    'with install-tools, installs the pinned prettier from the registry outside the workspace and uses it',
    { timeout: 120_000 },
    async () => {
      const registry = await startRegistry('9.8.7');
      try {
        const dir = repo({ 'a.js': 'x=1\n', 'package.json': '{"devDependencies": {"prettier": "9.8.7"}}' });
        const env = { PATH: process.env.PATH, npm_config_registry: registry.url };
        const { result, logger } = await fix(dir, 'prettier', [prettierFailure()], env, true);
        expect(result?.status, JSON.stringify(result)).toBe('verified');
        expect(readFileSync(path.join(dir, 'a.js'), 'utf8')).toBe('x = 1;\n');
        const installed = logger.lines.find((line) => line.startsWith('installed prettier 9.8.7 into '));
        const prefix = installed?.slice('installed prettier 9.8.7 into '.length) ?? '';
        expect(path.isAbsolute(prefix) && !prefix.startsWith(dir)).toBe(true);
        // The prefix was the fixer's private TMPDIR: removed with it.
        expect(existsSync(prefix)).toBe(false);
        expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
        expect(registry.requests).toContain('/prettier');
      } finally {
        await registry.close();
      }
    },
  );
});

describe('a missing tool', () => {
  const rows: Array<{ fixer: string; tool: string; failure: () => Failure; files: Record<string, string> }> = [
    { fixer: 'black', tool: 'black', failure: blackFailure, files: { 'a.py': 'x=1\n' } },
    {
      fixer: 'isort',
      tool: 'isort',
      failure: () =>
        failure({ category: 'lint_format', tool: 'isort', message: 'ERROR: a.py Imports are incorrectly sorted', file: 'a.py' }),
      files: { 'a.py': 'import sys\nimport os\n' },
    },
    {
      fixer: 'autopep8',
      tool: 'autopep8',
      failure: () =>
        failure({ category: 'lint_format', tool: 'flake8', message: 'E225 missing whitespace', file: 'a.py', data: { code: 'E225' } }),
      files: { 'a.py': 'x=1\n' },
    },
    { fixer: 'prettier', tool: 'prettier', failure: prettierFailure, files: { 'a.js': 'x=1\n' } },
    {
      fixer: 'eslint',
      tool: 'eslint',
      failure: () =>
        failure({ category: 'lint_format', tool: 'eslint', message: 'prefer-const', file: 'a.js', data: { rule: 'prefer-const' } }),
      files: { 'a.js': 'let x = 1;\n' },
    },
    {
      fixer: 'python-requirement',
      tool: 'git',
      failure: () =>
        failure({
          category: 'import_missing_module',
          tool: 'python',
          message: "No module named 'yaml'",
          data: { ecosystem: 'python', module: 'yaml' },
        }),
      files: { 'a.py': 'import yaml\n' },
    },
    {
      fixer: 'create-missing-directory',
      tool: 'git',
      failure: () =>
        failure({
          category: 'missing_file',
          tool: 'python',
          message: "No such file or directory: 'out/x.json'",
          data: { path: 'out/x.json', call: 'open("out/x.json", "w")' },
        }),
      files: { 'a.py': 'open("out/x.json", "w")\n' },
    },
  ];
  it.each(rows)('$fixer with an empty PATH and no workspace tool: "$tool not available"', async (row) => {
    const dir = repo(row.files);
    const before = hashTree(dir);
    expect(fixerOf(row.fixer).handles(row.failure())).toBe(true);
    const { result, logger } = await fix(dir, row.fixer, [row.failure()], { PATH: '' });
    expect(result?.status).toBe('skipped');
    expect(result?.reason).toMatch(new RegExp(`^${row.tool} not available: not found in the workspace or on PATH`));
    expect(logger.lines).toContain(`${row.fixer}: skipped: ${result?.reason ?? ''}`);
    expect(hashTree(dir)).toEqual(before);
  });
});

/**
 * A local PEP 503 package index (a directory, `file://`) with one wheel, `black==<version>`, built
 * here: its `black` answers `--version` with that version and hands everything else to the
 * system's black.
 */
function localWheelIndex(version: string): string {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-wheels-'));
  dirs.push(work);
  const build = `
import base64, hashlib, os, sys, zipfile
work, version = sys.argv[1], sys.argv[2]
info = f"black-{version}.dist-info"
files = {
    "black/__init__.py": "import subprocess, sys\\ndef main():\\n    if sys.argv[1:] == ['--version']:\\n        print('black, " + version + " (compiled: no)')\\n        return 0\\n    return subprocess.call(['/usr/bin/black', *sys.argv[1:]])\\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: black\\nVersion: {version}\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    f"{info}/entry_points.txt": "[console_scripts]\\nblack = black:main\\n",
}
wheel = f"black-{version}-py3-none-any.whl"
with zipfile.ZipFile(os.path.join(work, wheel), "w") as archive:
    record = []
    for name, text in files.items():
        archive.writestr(name, text)
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(text.encode())}")
    archive.writestr(f"{info}/RECORD", "\\n".join(record + [f"{info}/RECORD,,"]) + "\\n")
os.makedirs(os.path.join(work, "simple", "black"))
with open(os.path.join(work, "simple", "black", "index.html"), "w") as page:
    page.write(f'<a href="../../{wheel}">{wheel}</a>\\n')
`;
  execFileSync('/usr/bin/python3', ['-c', build, work, version]);
  return `file://${work}/simple/`;
}

/**
 * A local npm registry with one package, `prettier@<version>`: a tarball made with `npm pack` whose
 * bin answers `--version` with that version and hands everything else to this project's prettier.
 */
async function startRegistry(version: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-registry-'));
  dirs.push(work);
  const pkg = path.join(work, 'package');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  const realPrettier = path.join(PROJECT_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'prettier', version, bin: { prettier: 'bin/prettier.cjs' } }));
  writeFileSync(
    path.join(pkg, 'bin', 'prettier.cjs'),
    `#!/usr/bin/env node
if (process.argv[2] === '--version') { console.log(${JSON.stringify(version)}); process.exit(0); }
const run = require('node:child_process').spawnSync(process.execPath, [${JSON.stringify(realPrettier)}, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
`,
    { mode: 0o755 },
  );
  const tarballName = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: pkg, encoding: 'utf8' }).trim();
  const tarball = readFileSync(path.join(work, tarballName));
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    if (request.url === '/prettier') {
      const manifest = {
        name: 'prettier',
        'dist-tags': { latest: version },
        versions: {
          [version]: {
            name: 'prettier',
            version,
            bin: { prettier: 'bin/prettier.cjs' },
            dist: {
              tarball: `${base}/prettier/-/${tarballName}`,
              shasum: createHash('sha1').update(tarball).digest('hex'),
              integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
            },
          },
        },
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(manifest));
    } else if (request.url === `/prettier/-/${tarballName}`) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
    } else response.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
