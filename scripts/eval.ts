/**
 * `npm run eval [-- DIR] [--json] [--misses] [--logs]`: the analyzer on a labelled corpus (default
 * ../shared/corpus, see its README for labels.jsonl) beside two baselines computed in the same run:
 * keyword search (`error|fail|exception`) and the last 30 lines.
 *
 * Figures, overall and per source folder:
 * - category accuracy (the log's primary category vs `category`) and the main confusions;
 * - hit@1 / hit@3: the first / any of the first three failures' logLines overlap `expected_line_range`;
 * - line precision, recall and fully-successful rate (recall 1) of the union of the top three
 *   failures' logLines against the labelled lines (every LogDx evidence span and cidiff error range
 *   when the label has them, else `expected_line_range`); a log with nothing retrieved scores 0;
 * - location: a top-three failure with the same line and file basename as `expected_location`
 *   (over the logs that have one; a label whose line is null is matched on the file alone);
 * - throughput in MB/s (analysis time only), and calibration: accuracy of the primary failure by
 *   confidence band.
 * `--misses` lists the logs with a wrong category, a hit@3 miss or a wrong location; `--logs` prints
 * one line per log (scores, labelled and retrieved ranges) for triage.
 * `--only LIST` / `--except LIST` keep / drop the logs a list names (one path per line, or the
 * Markdown list of ../shared/corpus/NEW-2026-12.md): to measure a slice before looking at it, and
 * to design on one part of the corpus and check on another.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeFile, type LogAnalysis } from '../src/analysis/index.js';
import { readLogLines } from '../src/analysis/reader.js';
import { TOOL_AGNOSTIC_DETECTORS } from '../src/analysis/classify.js';
import { DETECTORS } from '../src/analysis/registry.js';
import { CATEGORIES, type Category } from '../src/analysis/types.js';

type Range = [number, number];

interface Label {
  file: string;
  category: Category;
  expected_line_range: Range;
  expected_location: { file: string; line: number | null; column?: number; message?: string } | null;
  dataset_label?: {
    evidence_spans?: { start_line: number; end_line: number }[];
    groundtruth_error_ranges?: Range[];
  };
}

interface Scores {
  categoryOk: boolean;
  hit1: boolean;
  hit3: boolean;
  precision: number;
  recall: number;
  /** undefined when the label has no location. */
  located: boolean | undefined;
}

interface LogResult {
  label: Label;
  source: string;
  analysis: LogAnalysis;
  seconds: number;
  analyzer: Scores;
  keyword: Scores;
  tail: Scores;
}

interface EvalOptions {
  dir: string;
  json: boolean;
  misses: boolean;
  logs: boolean;
  /** Paths of a list file whose logs are kept (`only`) or dropped (`except`). */
  only?: string;
  except?: string;
  /** Run only the detectors that need no tool knowledge (generic-error, exit-code, github-error). */
  genericOnly: boolean;
  /** Detector ids to leave out. */
  without: string[];
}

const USAGE = 'eval [DIR] [--json] [--misses] [--logs] [--only LIST | --except LIST] [--generic-only] [--without ID,ID]';

function parseArgs(argv: readonly string[]): EvalOptions {
  let dir: string | undefined;
  const options: Omit<EvalOptions, 'dir'> = { json: false, misses: false, logs: false, genericOnly: false, without: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--json') options.json = true;
    else if (arg === '--misses') options.misses = true;
    else if (arg === '--logs') options.logs = true;
    else if (arg === '--generic-only') options.genericOnly = true;
    else if (arg === '--without') {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`--without needs detector ids. Use: ${USAGE}`);
      options.without.push(
        ...value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      );
      i += 1;
    } else if (arg === '--only' || arg === '--except') {
      const value = argv[i + 1];
      if (value === undefined) throw new Error(`${arg} needs a LIST file. Use: ${USAGE}`);
      options[arg === '--only' ? 'only' : 'except'] = resolve(value);
      i += 1;
    } else if (arg.startsWith('-')) throw new Error(`Unknown option ${arg}. Use: ${USAGE}`);
    else dir = arg;
  }
  return { dir: resolve(dir ?? join(process.cwd(), '..', 'shared', 'corpus')), ...options };
}

/** The log paths a list file names: a path per line, or Markdown list items with the path in backticks. */
function readList(file: string): Set<string> {
  const paths = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const quoted = /`([^`]+\.log)`/.exec(line);
    const bare = line.trim();
    if (quoted) paths.add(quoted[1] as string);
    else if (bare.endsWith('.log') && !bare.includes(' ')) paths.add(bare);
  }
  if (paths.size === 0) throw new Error(`${file} names no .log file`);
  return paths;
}

function readLabels(dir: string): Label[] {
  const file = join(dir, 'labels.jsonl');
  if (!existsSync(file)) {
    throw new Error(`no labelled corpus at ${dir} (${file} does not exist): pass the corpus folder, e.g. npm run eval -- ../shared/corpus`);
  }
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Label);
}

function labelledRanges(label: Label): Range[] {
  const spans = label.dataset_label?.evidence_spans;
  if (spans && spans.length > 0) return spans.map((span) => [span.start_line, span.end_line]);
  const errors = label.dataset_label?.groundtruth_error_ranges;
  if (errors && errors.length > 0) return errors.map(([first, last]) => [first, last]);
  return [label.expected_line_range];
}

function overlaps(a: Range, b: Range): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

function lineSet(ranges: readonly Range[]): Set<number> {
  const lines = new Set<number>();
  for (const [first, last] of ranges) for (let n = first; n <= last; n++) lines.add(n);
  return lines;
}

function precisionRecall(retrieved: readonly Range[], labelled: readonly Range[]): { precision: number; recall: number } {
  const got = lineSet(retrieved);
  const want = lineSet(labelled);
  let common = 0;
  for (const n of got) if (want.has(n)) common++;
  return { precision: got.size === 0 ? 0 : common / got.size, recall: want.size === 0 ? 0 : common / want.size };
}

function fileBase(path: string): string {
  return basename(path.replace(/\\/g, '/'));
}

function scoreRanges(
  label: Label,
  ranked: readonly Range[],
  retrieved: readonly Range[],
  categoryOk: boolean,
  located: boolean | undefined,
): Scores {
  const expected = label.expected_line_range;
  const { precision, recall } = precisionRecall(retrieved, labelledRanges(label));
  return {
    categoryOk,
    hit1: ranked[0] !== undefined && overlaps(ranked[0], expected),
    hit3: ranked.slice(0, 3).some((range) => overlaps(range, expected)),
    precision,
    recall,
    located,
  };
}

function scoreAnalyzer(label: Label, analysis: LogAnalysis): Scores {
  const top = analysis.failures.slice(0, 3);
  const ranges = top.map((failure) => failure.logLines);
  const expected = label.expected_location;
  const located =
    expected === null
      ? undefined
      : top.some(
          (failure) =>
            failure.file !== undefined &&
            // A label without a line (a whole-file finding) is matched on the file alone.
            (expected.line === null || failure.line === expected.line) &&
            fileBase(failure.file) === fileBase(expected.file),
        );
  return scoreRanges(label, ranges, ranges, analysis.category === label.category, located);
}

const KEYWORD = /error|fail|exception/i;
const TAIL_LINES = 30;

/** Both baselines from one pass over the raw lines. */
async function baselines(path: string, label: Label): Promise<{ keyword: Scores; tail: Scores }> {
  const matches: Range[] = [];
  const { lines } = await readLogLines(path, (raw, n) => {
    if (KEYWORD.test(raw)) matches.push([n, n]);
  });
  const tail: Range = [Math.max(1, lines - TAIL_LINES + 1), Math.max(1, lines)];
  return {
    // Keyword search has no category; its first matches stand for its ranking.
    keyword: scoreRanges(label, matches, matches, false, undefined),
    tail: scoreRanges(label, [tail], [tail], false, undefined),
  };
}

interface Summary {
  logs: number;
  categoryAccuracy: number;
  hit1: number;
  hit3: number;
  precision: number;
  recall: number;
  fullySuccessful: number;
  location: number | null;
  locatedLogs: number;
}

function summarize(scores: readonly Scores[]): Summary {
  const n = scores.length || 1;
  const mean = (pick: (s: Scores) => number): number => scores.reduce((sum, s) => sum + pick(s), 0) / n;
  const withLocation = scores.filter((s) => s.located !== undefined);
  return {
    logs: scores.length,
    categoryAccuracy: mean((s) => (s.categoryOk ? 1 : 0)),
    hit1: mean((s) => (s.hit1 ? 1 : 0)),
    hit3: mean((s) => (s.hit3 ? 1 : 0)),
    precision: mean((s) => s.precision),
    recall: mean((s) => s.recall),
    fullySuccessful: mean((s) => (s.recall >= 1 ? 1 : 0)),
    location: withLocation.length === 0 ? null : withLocation.filter((s) => s.located).length / withLocation.length,
    locatedLogs: withLocation.length,
  };
}

function sourceOf(file: string): string {
  return file.split('/')[0] ?? file;
}

function pct(value: number | null): string {
  return value === null ? '   -' : `${(value * 100).toFixed(1)}`.padStart(5);
}

function table(rows: readonly { name: string; method: string; summary: Summary; mbps?: number }[]): string {
  const header = ['source', 'method', 'logs', 'cat%', 'hit@1', 'hit@3', 'P%', 'R%', 'full%', 'loc%', 'MB/s'];
  const body = rows.map((row) => [
    row.name,
    row.method,
    String(row.summary.logs),
    row.method === 'analyzer' ? pct(row.summary.categoryAccuracy) : '   -',
    pct(row.summary.hit1),
    pct(row.summary.hit3),
    pct(row.summary.precision),
    pct(row.summary.recall),
    pct(row.summary.fullySuccessful),
    row.method === 'analyzer' ? `${pct(row.summary.location)} (${row.summary.locatedLogs})` : '   -',
    row.mbps === undefined ? '' : row.mbps.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(format)].join('\n');
}

function confusions(results: readonly LogResult[]): { expected: Category; got: Category; count: number }[] {
  const counts = new Map<string, number>();
  for (const result of results) {
    if (result.analyzer.categoryOk) continue;
    const key = `${result.label.category}→${result.analysis.category}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [expected, got] = key.split('→') as [Category, Category];
      return { expected, got, count };
    })
    .sort((a, b) => b.count - a.count);
}

function calibration(results: readonly LogResult[]): { band: string; logs: number; categoryAccuracy: number; hit1: number }[] {
  const bands: { band: string; pick: (r: LogResult) => boolean }[] = [
    { band: 'confidence >= 0.8', pick: (r) => (r.analysis.failures[0]?.confidence ?? -1) >= 0.8 },
    {
      band: '0.5 <= confidence < 0.8',
      pick: (r) => {
        const c = r.analysis.failures[0]?.confidence ?? -1;
        return c >= 0.5 && c < 0.8;
      },
    },
    {
      band: 'confidence < 0.5',
      pick: (r) => {
        const c = r.analysis.failures[0]?.confidence ?? -1;
        return c >= 0 && c < 0.5;
      },
    },
    { band: 'no failure found', pick: (r) => r.analysis.failures.length === 0 },
  ];
  return bands.map(({ band, pick }) => {
    const chosen = results.filter(pick);
    return {
      band,
      logs: chosen.length,
      categoryAccuracy: share(chosen, (r) => r.analyzer.categoryOk),
      hit1: share(chosen, (r) => r.analyzer.hit1),
    };
  });
}

/** Fraction of `results` for which `test` holds (0 for none). */
function share(results: readonly LogResult[], test: (result: LogResult) => boolean): number {
  return results.filter(test).length / (results.length || 1);
}

function perCategory(results: readonly LogResult[]): { category: Category; logs: number; accuracy: number; hit3: number }[] {
  return CATEGORIES.map((category) => {
    const chosen = results.filter((r) => r.label.category === category);
    return {
      category,
      logs: chosen.length,
      accuracy: share(chosen, (r) => r.analyzer.categoryOk),
      hit3: share(chosen, (r) => r.analyzer.hit3),
    };
  }).filter((row) => row.logs > 0);
}

async function main(): Promise<number> {
  const { dir, json, misses, logs, only, except, genericOnly, without } = parseArgs(process.argv.slice(2));
  const unknown = without.filter((id) => !DETECTORS.some((detector) => detector.id === id));
  if (unknown.length > 0) throw new Error(`--without: no detector ${unknown.join(', ')}`);
  const detectors = DETECTORS.filter(
    (detector) => (!genericOnly || TOOL_AGNOSTIC_DETECTORS.has(detector.id)) && !without.includes(detector.id),
  );
  const kept = only !== undefined ? readList(only) : undefined;
  const dropped = except !== undefined ? readList(except) : undefined;
  const labels = readLabels(dir).filter((label) => (kept === undefined || kept.has(label.file)) && !(dropped?.has(label.file) ?? false));
  const results: LogResult[] = [];
  for (const label of labels) {
    const path = join(dir, label.file);
    const started = performance.now();
    const analysis = await analyzeFile(path, { detectors });
    const seconds = (performance.now() - started) / 1000;
    const { keyword, tail } = await baselines(path, label);
    results.push({ label, source: sourceOf(label.file), analysis, seconds, analyzer: scoreAnalyzer(label, analysis), keyword, tail });
  }

  const groups = [
    { name: 'all', results },
    ...[...new Set(results.map((r) => r.source))].sort().map((name) => ({ name, results: results.filter((r) => r.source === name) })),
  ];
  const rows = groups.flatMap(({ name, results: chosen }) => {
    const bytes = chosen.reduce((sum, r) => sum + r.analysis.bytes, 0);
    const seconds = chosen.reduce((sum, r) => sum + r.seconds, 0);
    return [
      { name, method: 'analyzer', summary: summarize(chosen.map((r) => r.analyzer)), mbps: bytes / 1e6 / Math.max(seconds, 1e-9) },
      { name, method: 'keyword', summary: summarize(chosen.map((r) => r.keyword)) },
      { name, method: 'last-30', summary: summarize(chosen.map((r) => r.tail)) },
    ];
  });
  const figures = {
    corpus: dir,
    rows: rows.map((row) => ({
      source: row.name,
      method: row.method,
      ...row.summary,
      ...(row.mbps === undefined ? {} : { mbPerSecond: row.mbps }),
    })),
    confusions: confusions(results),
    calibration: calibration(results),
    perCategory: perCategory(results),
    detectorErrors: results.flatMap((r) => (r.analysis.detectorErrors ?? []).map((e) => ({ log: r.label.file, ...e }))),
  };

  if (json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return 0;
  }
  const out: string[] = [];
  out.push(`Corpus: ${dir} (${results.length} logs)`, '', table(rows), '');
  out.push('Category confusions (expected → analyzer):');
  for (const c of figures.confusions) out.push(`  ${String(c.count).padStart(3)}  ${c.expected} → ${c.got}`);
  out.push('', 'Per category (analyzer): accuracy, hit@3');
  for (const c of figures.perCategory)
    out.push(`  ${c.category.padEnd(24)} ${String(c.logs).padStart(3)} logs  ${pct(c.accuracy)}  ${pct(c.hit3)}`);
  out.push('', 'Calibration (primary failure):');
  for (const c of figures.calibration)
    out.push(`  ${c.band.padEnd(26)} ${String(c.logs).padStart(3)} logs  category ${pct(c.categoryAccuracy)}  hit@1 ${pct(c.hit1)}`);
  if (figures.detectorErrors.length > 0) {
    out.push('', 'Detector errors:');
    for (const e of figures.detectorErrors) out.push(`  ${e.log}: ${e.detector} at line ${e.line}: ${e.message}`);
  }
  if (logs) {
    out.push('', 'Per log: cat hit1 hit3 loc  P  R  labelled → retrieved (top three)');
    for (const r of results) {
      const a = r.analyzer;
      const flag = (ok: boolean | undefined): string => (ok === undefined ? '-' : ok ? '+' : 'x');
      const ranges = (list: readonly Range[]): string => list.map(([first, last]) => `${first}-${last}`).join(',');
      out.push(
        `  ${flag(a.categoryOk)}${flag(a.hit1)}${flag(a.hit3)}${flag(a.located)} ${pct(a.precision)} ${pct(a.recall)}  ${r.label.file}  ${ranges(labelledRanges(r.label))} → ${ranges(r.analysis.failures.slice(0, 3).map((f) => f.logLines))}`,
      );
    }
  }
  if (misses) {
    out.push('', 'Misses (category wrong or hit@3 missed):');
    for (const r of results) {
      if (r.analyzer.categoryOk && r.analyzer.hit3 && r.analyzer.located !== false) continue;
      const first = r.analysis.failures[0];
      out.push(
        `  ${r.label.file}\n    want ${r.label.category} @${r.label.expected_line_range.join('-')}${r.label.expected_location ? ` ${fileBase(r.label.expected_location.file)}:${r.label.expected_location.line}` : ''}` +
          `\n    got  ${r.analysis.category} ${r.analysis.failures
            .slice(0, 3)
            .map(
              (f) =>
                `${f.detector}/${f.tool}@${f.logLines.join('-')}${f.file ? ` ${fileBase(f.file)}:${f.line ?? ''}` : ''} (${f.confidence})`,
            )
            .join(' | ')}` +
          (first ? `\n    msg  ${first.message.slice(0, 160)}` : ''),
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
