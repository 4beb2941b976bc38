/**
 * `npm run bench`: analyzer speed and memory on generated GitHub Actions logs (setup noise, thousands
 * of test, compiler and linter lines, warnings, ANSI, progress bars, minified lines, and several
 * failing blocks near the end), beside a bare Node loop that reads the same file in chunks and splits
 * it into lines, in the same run.
 *
 * Targets: analyzer ≤ 3× the loop's time on 100 MB (smaller sizes print the ratio for information:
 * their start-up share is larger); 100 MB time ≤ 11× the 10 MB time; peak RSS ≤
 * 256 MB on 100 MB; an adversarial 200 KB log of long colon-free lines in < 0.5 s. Each measurement
 * runs in a fresh child process, so its peak RSS (getrusage maxRSS) is its own. Exits 1 when a
 * target is missed.
 *
 * It also times every detector's regexes and the pre-filter on adversarial lines of n and 4n
 * characters (scripts/regex-linearity.ts): each ratio must stay < 12 (linear ≈ 4, quadratic ≈ 16).
 *
 * Options: --sizes 10,100 (MB), --runs N (best of N, default 3 for ≤ 10 MB and 2 above),
 * --keep (leave the generated files), --prefilter literal|combined|each, --json, --linearity (only
 * the regex check, a few seconds: what CI runs).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { analyzeFile } from '../src/analysis/index.js';
import { MAX_RATIO, linearity, type Linearity } from './regex-linearity.js';

interface Measurement {
  seconds: number;
  maxRssMb: number;
  lines: number;
  category?: string;
  tool?: string;
}

/** Deterministic pseudo-random numbers, so every run benchmarks the same bytes. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

function timestamp(second: number): string {
  const s = second % 60;
  const m = Math.floor(second / 60) % 60;
  const h = 8 + (Math.floor(second / 3600) % 12);
  return `2026-07-30T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(second % 9999999).padStart(7, '0')}Z `;
}

/** Test-runner, compiler and linter lines of a busy job: what a realistic log is mostly made of. */
const WORK = [
  'tests/test_models.py::TestModel::test_roundtrip PASSED                   [ 42%]',
  'tests/test_api.py::test_create_user[sqlite] PASSED                       [ 43%]',
  '  ✓ renders the header (4 ms)',
  '    ✓ handles an empty list',
  'PASS src/utils/format.test.ts',
  '=== RUN   TestStoreGet/missing_key',
  '--- PASS: TestStoreGet/missing_key (0.00s)',
  'test result: ok. 42 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.21s',
  '[INFO] Tests run: 12, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.532 s - in com.example.AppTest',
  'src/legacy/parser.c:214:9: warning: unused variable ‘tmp’ [-Wunused-variable]',
  '/home/runner/work/app/app/src/index.ts:12:3  warning  Unexpected console statement  no-console',
  'DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.',
  '  Compiling tokio v1.40.0',
  '[ 34%] Building CXX object src/CMakeFiles/core.dir/engine.cpp.o',
  '\x1b[2m2026-07-30 08:12:01\x1b[22m \x1b[34mINFO\x1b[39m worker 3 processed 128 jobs in 0.42s',
  'ok  \tgithub.com/example/app/internal/cache\t0.118s\tcoverage: 81.2% of statements',
];

const NOISE = [
  'Collecting numpy>=1.26 (from -r requirements.txt (line 4))',
  '  Downloading numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl (16.3 MB)',
  'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
  'tests/test_models.py::TestModel::test_roundtrip PASSED                   [ 42%]',
  '[INFO] Compiling 214 source files to /home/runner/work/app/app/target/classes',
  '   Compiling serde v1.0.210',
  'ok  \tgithub.com/example/app/internal/store\t0.412s',
  '\x1b[32m✓\x1b[39m src/components/button.test.tsx \x1b[2m(12 tests)\x1b[22m \x1b[33m312ms\x1b[39m',
  '\x1b[36;1mpython -m pip install --upgrade pip\x1b[0m',
  'added 1423 packages, and audited 1424 packages in 21s',
  'Run actions/setup-node@v4 with node-version 20 and cache npm',
  'Requirement already satisfied: six>=1.5 in /opt/hostedtoolcache/Python/3.12.4/x64/lib/python3.12/site-packages',
];

function minifiedLine(random: () => number, chars: number): string {
  // Colon-free, like minified JS or base64 blobs: the shape that makes naive regexes backtrack.
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const word = `var a${Math.floor(random() * 1e6)}=function(b,c){return b+c};`;
    parts.push(word);
    length += word.length;
  }
  return parts.join('').slice(0, chars);
}

/** Several failing blocks near the end, as a real failing job has them: tests, then the type check that failed the step. */
const FAILURE_TAIL = [
  '##[group]Run npm test',
  'npm test',
  '##[endgroup]',
  'FAIL src/api/client.test.ts',
  '  ● client › retries a 502',
  '',
  '    expect(received).toBe(expected) // Object.is equality',
  '',
  '    Expected: 3',
  '    Received: 1',
  '',
  '      at Object.<anonymous> (src/api/client.test.ts:41:24)',
  'Tests:       1 failed, 211 passed, 212 total',
  '##[warning]The `set-output` command is deprecated and will be disabled soon.',
  '##[group]Run npx tsc --noEmit',
  'npx tsc --noEmit',
  '##[endgroup]',
  "src/server/routes.ts(42,7): error TS2322: Type 'string' is not assignable to type 'number'.",
  "src/server/routes.ts(57,3): error TS2345: Argument of type 'null' is not assignable to parameter of type 'Request'.",
  '##[error]Process completed with exit code 2.',
  'Post job cleanup.',
];

/** Writes a GitHub Actions-shaped log of about `megabytes` MB with the failure near the end. */
async function generateLog(path: string, megabytes: number): Promise<{ bytes: number; lines: number }> {
  const target = megabytes * 1024 * 1024;
  const random = lcg(megabytes * 7919);
  const out = createWriteStream(path);
  let bytes = 0;
  let lines = 0;
  let second = 0;
  let batch: string[] = [];
  const write = async (text: string): Promise<void> => {
    batch.push(text);
    bytes += Buffer.byteLength(text);
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
    if (batch.length >= 2000) {
      const chunk = batch.join('');
      batch = [];
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  };
  await write(`\uFEFF${timestamp(second)}Current runner version: '2.330.0'\n`);
  let step = 0;
  while (bytes < target - 4096) {
    second++;
    const roll = random();
    if (roll < 0.002) {
      step++;
      await write(`${timestamp(second)}##[group]Run ./scripts/step-${step}.sh\n${timestamp(second)}##[endgroup]\n`);
    } else if (roll < 0.006) {
      await write(`${timestamp(second)}${minifiedLine(random, 10 * 1024)}\n`);
    } else if (roll < 0.6) {
      await write(`${timestamp(second)}${WORK[Math.floor(random() * WORK.length)]}\n`);
    } else if (roll < 0.64) {
      // A progress bar redrawn with bare CRs on one line.
      const frames: string[] = [];
      for (let p = 0; p <= 100; p += 10)
        frames.push(`Downloading layer ${Math.floor(random() * 1e6).toString(16)} [${'='.repeat(p / 5).padEnd(20)}] ${p}%`);
      await write(`${timestamp(second)}${frames.join('\r')}\n`);
    } else {
      await write(`${timestamp(second)}${NOISE[Math.floor(random() * NOISE.length)]}\n`);
    }
  }
  for (const line of FAILURE_TAIL) await write(`${timestamp(++second)}${line}\n`);
  out.end(batch.join(''));
  await new Promise<void>((resolve, reject) => {
    out.once('finish', () => resolve());
    out.once('error', reject);
  });
  return { bytes: statSync(path).size, lines };
}

/** Adversarial: long colon-free lines of runs that trip naive patterns, about 200 KB. */
function writeAdversarialLog(path: string): number {
  const shapes = ['a', ' ', '/', '0', 'error ', 'Error', 'FAIL', '-', '=', '.', '\t', 'at ', 'x.py', '(', '[', '\\', '##[', 'E ', 'File "'];
  const lines: string[] = [];
  let bytes = 0;
  let i = 0;
  while (bytes < 200 * 1024) {
    const shape = shapes[i % shapes.length] as string;
    const line = shape.repeat(Math.ceil(8000 / shape.length)).slice(0, 8000);
    lines.push(line);
    bytes += line.length + 1;
    i++;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return statSync(path).size;
}

/**
 * The read floor: a bare loop that reads the file in chunks, splits it into lines on LF and decodes
 * each line, which is the least any line-based analyzer must do.
 */
async function chunkLoop(path: string): Promise<number> {
  let lines = 0;
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', start)) {
      if (text.slice(start, at).length >= 0) lines++;
      start = at + 1;
    }
    rest = text.slice(start);
  }
  if (rest !== '') lines++;
  return lines;
}

/** Child mode: one measurement, printed as JSON. */
async function child(mode: string, path: string, prefilter: 'literal' | 'combined' | 'each'): Promise<void> {
  const started = performance.now();
  let result: Measurement;
  if (mode === 'loop') {
    const lines = await chunkLoop(path);
    result = { seconds: (performance.now() - started) / 1000, maxRssMb: 0, lines };
  } else {
    const analysis = await analyzeFile(path, { prefilter });
    result = { seconds: (performance.now() - started) / 1000, maxRssMb: 0, lines: analysis.lines, category: analysis.category };
    if (analysis.failures[0]) result.tool = analysis.failures[0].tool;
  }
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function measure(mode: 'loop' | 'analyze', path: string, prefilter: string): Measurement {
  const script = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', mode, path, prefilter], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`bench child (${mode}) failed: ${run.stderr}`);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Measurement;
}

function best(mode: 'loop' | 'analyze', path: string, runs: number, prefilter: string): Measurement {
  let result: Measurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = measure(mode, path, prefilter);
    if (result === undefined || m.seconds < result.seconds) result = { ...m, maxRssMb: Math.max(m.maxRssMb, result?.maxRssMb ?? 0) };
    else result.maxRssMb = Math.max(result.maxRssMb, m.maxRssMb);
  }
  if (result === undefined) throw new Error('no runs');
  return result;
}

interface Check {
  name: string;
  value: string;
  target: string;
  ok: boolean;
}

function linearityCheck(results: readonly Linearity[]): Check {
  const worst = results[0];
  return {
    name: `regex n→4n ratio, worst: ${worst?.name ?? '-'}`,
    value: `${worst?.ratio.toFixed(1) ?? '-'}×`,
    target: `< ${MAX_RATIO}× (linear ≈ 4, quadratic ≈ 16)`,
    ok: worst !== undefined && worst.ratio < MAX_RATIO,
  };
}

/** `--linearity`: only the regex linearity check (seconds, for CI), every detector listed. */
function linearityOnly(): number {
  const results = linearity();
  for (const result of results) {
    process.stdout.write(
      `${result.name.padEnd(22)} ${result.smallMs.toFixed(2).padStart(8)} ms ${result.largeMs.toFixed(2).padStart(8)} ms  ${result.ratio.toFixed(1)}×\n`,
    );
  }
  const check = linearityCheck(results);
  process.stdout.write(`\n${check.ok ? 'ok  ' : 'MISS'}  ${check.name}  ${check.value}  (target ${check.target})\n`);
  return check.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] ?? 'analyze', args[2] ?? '', args[3] === 'each' || args[3] === 'combined' ? args[3] : 'literal');
    return 0;
  }
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args[index + 1];
  };
  if (args.includes('--linearity')) return linearityOnly();
  const sizes = (option('--sizes') ?? '10,100')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const runsOption = option('--runs');
  const prefilter = option('--prefilter') ?? 'literal';
  const dir = mkdtempSync(join(tmpdir(), 'ci-autofixer-bench-'));
  const checks: Check[] = [];
  const rows: string[] = [];
  const figures: Record<string, unknown> = { prefilter };
  try {
    const timings = new Map<number, Measurement>();
    rows.push('size      bytes        lines      loop s   analyzer s  ratio  loop MB/s  analyzer MB/s  analyzer RSS MB  primary');
    for (const size of sizes) {
      const path = join(dir, `gha-${size}mb.log`);
      const { bytes, lines } = await generateLog(path, size);
      const runs = runsOption ? Number(runsOption) : size <= 10 ? 3 : 2;
      const loop = best('loop', path, runs, prefilter);
      const analyzer = best('analyze', path, runs, prefilter);
      timings.set(size, analyzer);
      const ratio = analyzer.seconds / loop.seconds;
      rows.push(
        [
          `${size} MB`.padEnd(8),
          String(bytes).padStart(11),
          String(analyzer.lines).padStart(10),
          loop.seconds.toFixed(2).padStart(9),
          analyzer.seconds.toFixed(2).padStart(11),
          ratio.toFixed(2).padStart(6),
          (bytes / 1e6 / loop.seconds).toFixed(1).padStart(10),
          (bytes / 1e6 / analyzer.seconds).toFixed(1).padStart(14),
          analyzer.maxRssMb.toFixed(0).padStart(16),
          ` ${analyzer.category ?? '-'} (${analyzer.tool ?? '-'})`,
        ].join(' '),
      );
      figures[`${size}MB`] = { bytes, loop, analyzer, ratio };
      // readline also breaks at bare CRs, so the LF count written is the reference here.
      checks.push({
        name: `${size} MB line count`,
        value: String(analyzer.lines),
        target: `${lines} (LFs written)`,
        ok: analyzer.lines === lines,
      });
      // The target is for the 100 MB log; below that the one-off start-up (building the pre-filter
      // tables, compiling the detectors' regexes, the JIT warming up) is a visible share and the
      // figure is printed for information.
      checks.push({
        name: `${size} MB analyzer / loop`,
        value: `${ratio.toFixed(2)}×`,
        target: size >= 100 ? '≤ 3×' : '(information: includes start-up)',
        ok: size < 100 || ratio <= 3,
      });
      checks.push({
        name: `${size} MB failure found`,
        value: analyzer.category ?? '-',
        target: 'type_check',
        ok: analyzer.category === 'type_check',
      });
      if (size >= 100)
        checks.push({
          name: `${size} MB peak RSS`,
          value: `${analyzer.maxRssMb.toFixed(0)} MB`,
          target: '≤ 256 MB',
          ok: analyzer.maxRssMb <= 256,
        });
      if (!args.includes('--keep')) rmSync(path, { force: true });
    }
    const small = timings.get(10);
    const large = timings.get(100);
    if (small && large) {
      const growth = large.seconds / small.seconds;
      figures.growth = growth;
      checks.push({ name: '100 MB / 10 MB time', value: `${growth.toFixed(2)}×`, target: '≤ 11×', ok: growth <= 11 });
    }
    checks.push(linearityCheck(linearity()));
    const adversarial = join(dir, 'adversarial.log');
    const adversarialBytes = writeAdversarialLog(adversarial);
    const hostile = best('analyze', adversarial, 3, prefilter);
    figures.adversarial = { bytes: adversarialBytes, ...hostile };
    checks.push({
      name: `adversarial ${Math.round(adversarialBytes / 1024)} KB`,
      value: `${hostile.seconds.toFixed(3)} s`,
      target: '< 0.5 s',
      ok: hostile.seconds < 0.5,
    });
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
  figures.checks = checks;
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    process.stdout.write(`${rows.join('\n')}\n\n`);
    for (const check of checks)
      process.stdout.write(
        `${check.ok ? 'ok  ' : 'MISS'}  ${check.name.padEnd(28)} ${check.value.padStart(12)}  (target ${check.target})\n`,
      );
  }
  return checks.every((check) => check.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
