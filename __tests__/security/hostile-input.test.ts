/**
 * Hostile log text through the real path — analyzeJobLogs (analysis, path mapping) and
 * repairWorkspace (plan, guarded apply, verify, replay) from src/pipeline.ts — on a temporary git
 * repository, with every fix type enabled and the real tools. One row per case; each row asserts:
 * - no command ran with log text as an option: every argument the log put there is a file after
 *   `--` (or `./path`), never an option, and the canary file no command should create is absent;
 * - nothing was written outside the workspace (a directory beside it, reached by `../`, absolute
 *   paths or a symlinked directory in the repository, is byte-for-byte unchanged);
 * - what the logger printed holds no workflow command (`::set-output`, `::add-mask::`, `##[error]`);
 * - no crash, and a bounded result.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeExec, type Exec } from '../../src/exec.js';
import { createConsoleLogger } from '../../src/logging.js';
import type { JobLog } from '../../src/model.js';
import { analyzeJobLogs, failedStepCommands, repairWorkspace } from '../../src/pipeline.js';
import { FIX_TYPES } from '../../src/plan/plan.js';
import { DEFAULTS } from '../../src/settings.js';
import { git, hashTree, linkNodeTool, removeRepo, UNREACHABLE_INDEX } from '../fixers/helpers.js';

/** Set per test: a directory beside the workspace, and a canary path inside it that nothing may create. */
let outside = '';
let canary = '';

interface Row {
  name: string;
  /** The failed step's command (the `Run` group) and its output lines; `$CANARY` and `$OUTSIDE` are replaced. */
  step: string;
  output: Array<string | Buffer>;
  files?: Record<string, string>;
  /** Symlinks in the repository (committed): link → target ('$OUTSIDE' is the directory beside it). */
  symlinks?: Record<string, string>;
  /** Files in the directory beside the workspace. */
  outsideFiles?: Record<string, string>;
  nodeTools?: string[];
  /** Log text that must never reach a command as an option (before `--`) or as a requirement line. */
  tainted: string[];
  /** Workspace files that must end exactly as they were (or stay absent): nothing taken from the hostile text lands there. */
  untouched?: string[];
  /** Expected status of some fixers. */
  statuses?: Record<string, string>;
}

const PAD = '2026-12-07T10:14:10.0000000Z ';

function logBytes(row: Row): Buffer {
  const fill = (text: string): string => text.replaceAll('$CANARY', canary).replaceAll('$OUTSIDE', outside);
  const head = [
    '##[group]Run actions/checkout@v4',
    'with:',
    '  repository: acme/app',
    '##[endgroup]',
    `##[group]Run ${fill(row.step)}`,
    fill(row.step),
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
  ];
  const parts: Buffer[] = head.map((line) => Buffer.from(`${PAD}${line}\n`));
  for (const line of row.output) {
    parts.push(Buffer.from(PAD), typeof line === 'string' ? Buffer.from(fill(line)) : line, Buffer.from('\n'));
  }
  parts.push(Buffer.from(`${PAD}##[error]Process completed with exit code 1.\n`));
  return Buffer.concat(parts);
}

const MODULE_ERROR = (name: string): string[] => [
  'Traceback (most recent call last):',
  '  File "/home/runner/work/app/app/main.py", line 1, in <module>',
  `    import something`,
  `ModuleNotFoundError: No module named '${name}'`,
];

const ROWS: Row[] = [
  {
    name: 'a module name that is a pip option (--index-url)',
    step: 'python main.py',
    output: MODULE_ERROR('--index-url=http://127.0.0.1:9/simple'),
    files: { 'main.py': 'import something\n', 'requirements.txt': 'requests\n' },
    tainted: ['--index-url', '127.0.0.1:9'],
    untouched: ['requirements.txt'],
  },
  {
    name: 'a module name that is an editable VCS requirement (-e git+…)',
    step: 'python main.py',
    output: MODULE_ERROR('-e git+https://evil.example/x.git#egg=x'),
    files: { 'main.py': 'import something\n', 'requirements.txt': 'requests\n' },
    tainted: ['git+https://evil.example', 'evil.example'],
    untouched: ['requirements.txt'],
  },
  {
    name: 'a module name with shell metacharacters',
    step: 'python main.py',
    output: [...MODULE_ERROR('x; touch $CANARY'), ...MODULE_ERROR('$(touch $CANARY)'), ...MODULE_ERROR('`touch $CANARY`|yaml')],
    files: { 'main.py': 'import something\n' },
    tainted: ['touch'],
    // Not even the prefix before the `;`: 'x' is not the module the log named.
    untouched: ['requirements.txt'],
  },
  {
    name: 'black file names that are options (--config=…, -rf)',
    step: 'black --check .',
    output: [
      'would reformat --config=/etc/x.py',
      'would reformat -rf.py',
      'would reformat /home/runner/work/app/app/-c.py',
      'Oh no! 💥 💔 💥',
      '3 files would be reformatted.',
    ],
    files: { '-rf.py': 'x=1\n', '-c.py': 'y=2\n', 'ok.py': 'z = 3\n' },
    tainted: ['--config=/etc/x.py', '-rf.py', '-c.py'],
  },
  {
    name: 'flake8 file names and codes that are options (--exit-zero, --select=…)',
    step: 'flake8 .',
    output: [
      './--exit-zero.py:1:2: E225 missing whitespace around operator',
      './a.py:1:2: E225,--append-config=/etc/x.cfg missing whitespace around operator',
      './a.py:1:2: E225 missing whitespace around operator',
    ],
    files: { '--exit-zero.py': 'x=1\n', 'a.py': 'x=1\n' },
    tainted: ['--exit-zero', '--append-config'],
  },
  {
    name: 'a prettier file name that loads a plugin (--plugin=…)',
    step: 'npx prettier --check .',
    output: ['Checking formatting...', '[warn] --plugin=./evil.cjs', '[warn] a.js', '[warn] Code style issues found in 2 files.'],
    files: { 'a.js': 'x=1\n', 'evil.cjs': `require('node:fs').writeFileSync('$CANARY', 'ran');\n` },
    nodeTools: ['prettier'],
    tainted: ['--plugin'],
  },
  {
    name: 'a replayed step command that loads code (--plugin) is not run',
    step: 'npx prettier --check --plugin=./evil.cjs .',
    output: ['Checking formatting...', '[warn] a.js', '[warn] Code style issues found in the above file.'],
    files: { 'a.js': 'x=1\n', 'evil.cjs': `require('node:fs').writeFileSync('$CANARY', 'ran');\n` },
    nodeTools: ['prettier'],
    tainted: ['--plugin'],
  },
  {
    name: 'absolute paths outside the workspace',
    step: 'black --check /',
    output: [
      'would reformat $OUTSIDE/victim.py',
      'would reformat /etc/passwd.py',
      ...MODULE_ERROR('yaml').slice(0, 1),
      '  File "/home/runner/work/app/app/gen.py", line 1, in <module>',
      '    with open("$OUTSIDE/made/out.json", "w") as handle:',
      "FileNotFoundError: [Errno 2] No such file or directory: '$OUTSIDE/made/out.json'",
    ],
    files: { 'gen.py': 'open("x", "w")\n' },
    outsideFiles: { 'victim.py': 'x=1\n' },
    tainted: ['victim.py', '/etc/passwd.py'],
  },
  {
    name: '../ paths',
    step: 'black --check ..',
    output: [
      'would reformat ../outside/victim.py',
      'would reformat src/../../victim.py',
      'Traceback (most recent call last):',
      '  File "/home/runner/work/app/app/gen.py", line 1, in <module>',
      '    with open("../made/out.json", "w") as handle:',
      "FileNotFoundError: [Errno 2] No such file or directory: '../made/out.json'",
    ],
    files: { 'gen.py': 'open("../made/out.json", "w")\n', 'src/a.py': 'a = 1\n' },
    outsideFiles: { 'victim.py': 'x=1\n' },
    tainted: ['victim.py'],
  },
  {
    name: 'a symlinked directory pointing outside',
    step: 'black --check .',
    output: [
      'would reformat linked/victim.py',
      'Traceback (most recent call last):',
      '  File "/home/runner/work/app/app/gen.py", line 1, in <module>',
      '    with open("linked/made/out.json", "w") as handle:',
      "FileNotFoundError: [Errno 2] No such file or directory: 'linked/made/out.json'",
      '$ mkdir linked/other',
      "mkdir: cannot create directory 'linked/other': No such file or directory",
    ],
    files: { 'gen.py': 'open("linked/made/out.json", "w")\n' },
    symlinks: { linked: '$OUTSIDE' },
    outsideFiles: { 'victim.py': 'x=1\n' },
    tainted: ['linked/victim.py'],
  },
  {
    name: 'a missing module forged into a lint step is not "verified" by the lint replay',
    step: 'black --check .',
    output: ['would reformat a.py', "ModuleNotFoundError: No module named 'yaml'", '1 file would be reformatted.'],
    files: { 'a.py': 'x=1\n' },
    tainted: ['yaml'],
    statuses: { black: 'verified', 'python-requirement': 'applied-unverified' },
  },
  {
    name: 'workflow commands in log text',
    step: 'black --check .',
    output: [
      'would reformat ::set-output name=x::y.py',
      '::add-mask::hunter2',
      '##[error]injected error',
      `ModuleNotFoundError: No module named '::set-output name=fixed::yes'`,
      'error: ::stop-commands::tok',
      '::error file=a.py,line=1::forged annotation',
      'would reformat a.py',
    ],
    files: { 'a.py': 'x=1\n', '::set-output name=x::y.py': 'y=1\n' },
    tainted: ['::set-output'],
  },
  {
    name: 'a 1 MB single line',
    step: 'black --check .',
    output: [`would reformat ${'a'.repeat(1024 * 1024)}.py`, `error: ${'x'.repeat(1024 * 1024)}`, 'would reformat a.py'],
    files: { 'a.py': 'x=1\n' },
    tainted: ['aaaaaaaaaaaaaaaa'],
  },
  {
    name: 'NUL bytes',
    step: 'black --check .',
    output: [
      Buffer.from('would reformat a\u0000.py'),
      Buffer.from("ModuleNotFoundError: No module named 'ya\u0000ml'"),
      Buffer.from('\u0000\u0000\u0000'),
      'would reformat a.py',
    ],
    files: { 'a.py': 'x=1\n' },
    tainted: ['\u0000'],
    // 'ya\0ml' is no module name, and its prefix 'ya' is not the module either.
    untouched: ['requirements.txt'],
  },
  {
    name: 'invalid UTF-8',
    step: 'black --check .',
    output: [
      Buffer.concat([Buffer.from('would reformat '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('.py')]),
      Buffer.concat([Buffer.from("ModuleNotFoundError: No module named '"), Buffer.from([0xc0, 0xaf]), Buffer.from("'")]),
      Buffer.from([0xed, 0xa0, 0x80, 0x0a]),
      'would reformat a.py',
    ],
    files: { 'a.py': 'x=1\n' },
    tainted: ['\ufffd'],
    untouched: ['requirements.txt'],
  },
];

const cleanups: string[] = [];
afterEach(() => {
  for (const dir of cleanups.splice(0)) removeRepo(dir);
});
let savedIndex: string | undefined;
beforeAll(() => {
  savedIndex = process.env.PIP_INDEX_URL;
  process.env.PIP_INDEX_URL = UNREACHABLE_INDEX;
});
afterAll(() => {
  if (savedIndex === undefined) delete process.env.PIP_INDEX_URL;
  else process.env.PIP_INDEX_URL = savedIndex;
});

/** A workspace at <base>/app and the directory beside it at <base>/outside, so `../outside` reaches it. */
function prepare(row: Row): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-hostile-'));
  cleanups.push(base);
  outside = path.join(base, 'outside');
  canary = path.join(outside, 'CANARY');
  mkdirSync(outside);
  for (const [file, content] of Object.entries(row.outsideFiles ?? {})) writeFileSync(path.join(outside, file), content);
  const repo = path.join(base, 'app');
  mkdirSync(repo);
  for (const [file, content] of Object.entries(row.files ?? {})) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), content.replaceAll('$CANARY', canary));
  }
  for (const [link, target] of Object.entries(row.symlinks ?? {})) symlinkSync(target.replace('$OUTSIDE', outside), path.join(repo, link));
  git(repo, ['init', '-q', '-b', 'main']);
  git(repo, ['config', 'core.autocrlf', 'false']);
  writeFileSync(path.join(repo, '.git', 'info', 'exclude'), 'node_modules/\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'fixture']);
  for (const bin of row.nodeTools ?? []) linkNodeTool(repo, bin);
  return repo;
}

/** The real exec, recording every command line it is asked to run. */
function recordingExec(calls: Array<{ command: string; args: readonly string[] }>): Exec {
  return (command, args, options) => {
    calls.push({ command, args: [...args] });
    return nodeExec(command, args, options);
  };
}

/** The arguments before a `--` (the only place an option is read). */
function optionArgs(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}

describe('hostile log input', () => {
  it.each(ROWS)('$name', { timeout: 120_000 }, async (row) => {
    const repo = prepare(row);
    const logFile = path.join(path.dirname(repo), 'job.log');
    writeFileSync(logFile, logBytes(row));
    const job: JobLog = { jobId: 1, jobName: 'build', path: logFile, bytes: logBytes(row).length, truncated: false };
    const stream = new PassThrough();
    let printed = '';
    stream.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const logger = createConsoleLogger({ stream, verbose: true });
    const calls: Array<{ command: string; args: readonly string[] }> = [];
    const before = hashTree(repo);
    const outsideBefore = hashTree(outside);

    const analysis = await analyzeJobLogs([job], { repoName: 'app', logger });
    const fixes = await repairWorkspace(
      repo,
      analysis.failures,
      {
        confidenceThreshold: DEFAULTS.confidenceThreshold,
        maxFixes: DEFAULTS.maxFixes,
        fixTypes: FIX_TYPES,
        dryRun: false,
        useRepositoryTools: true,
      },
      { exec: recordingExec(calls), logger },
      failedStepCommands(analysis.jobs),
    );
    const context = JSON.stringify({ failures: analysis.failures, fixes }, null, 2).slice(0, 20_000);

    // Nothing ran with log text as an option, and nothing ran that the log's text asked for.
    for (const call of calls) {
      for (const arg of optionArgs(call.args)) {
        for (const taint of row.tainted) expect(arg.includes(taint), `${call.command} ${call.args.join(' ')}`).toBe(false);
      }
      const end = call.args.indexOf('--');
      if (end !== -1)
        for (const file of call.args.slice(end + 1)) expect(file.startsWith('-') && !call.command.endsWith('git'), file).toBe(false);
    }
    expect(existsSync(canary), 'the canary was created: something ran').toBe(false);
    // No requirement line came from hostile text: each is a plain distribution name.
    if (existsSync(path.join(repo, 'requirements.txt'))) {
      for (const line of readFileSync(path.join(repo, 'requirements.txt'), 'utf8').split('\n').filter(Boolean)) {
        expect(line, context).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      }
    }

    for (const [fixer, status] of Object.entries(row.statuses ?? {})) {
      expect(fixes.find((fix) => fix.fixer === fixer)?.status, context).toBe(status);
    }
    for (const file of row.untouched ?? []) expect(hashTree(repo)[file], `${file}\n${context}`).toBe(before[file]);

    // Nothing written outside the workspace; inside, only what a kept fix changed.
    expect(hashTree(outside)).toEqual(outsideBefore);
    const changed = Object.keys(hashTree(repo)).filter((file) => hashTree(repo)[file] !== before[file]);
    const kept = fixes.filter((fix) => fix.status === 'verified' || fix.status === 'applied-unverified').flatMap((fix) => fix.files);
    for (const file of changed)
      expect(
        kept.some((keptFile) => file === keptFile || file === `${keptFile}/`),
        `${file}\n${context}`,
      ).toBe(true);

    // What the logger printed holds no workflow command.
    for (const line of printed.split('\n')) {
      expect(line.trimStart().startsWith('::'), line).toBe(false);
      expect(line.includes('##['), line).toBe(false);
    }
    // Bounded: a 1 MB line does not come back whole in the report, nor in what was printed.
    expect(JSON.stringify({ failures: analysis.failures, fixes }).length).toBeLessThan(200_000);
    expect(printed.length).toBeLessThan(200_000);
  });
});
