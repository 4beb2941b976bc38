/**
 * The analyzer's public API: a log file (or text) → its ranked failures and primary category, and
 * the two renderings the CLI prints (`analyze --json` and the text report).
 */
import { classifyDrafts, primaryCategory } from './classify.js';
import { AnalysisEngine, type DetectorFailure, type EngineOptions } from './engine.js';
import { createNormalizer } from './normalize.js';
import { readLogLines, splitText, type ReadSummary, type RawLineSink } from './reader.js';
import type { Category, Detector, Failure } from './types.js';

export interface LogAnalysis {
  path: string;
  category: Category;
  failures: Failure[];
  /** Lines in the raw log, as `grep -c ''` counts them. */
  lines: number;
  bytes: number;
  /** Detectors that threw while reading this log (they were skipped; the rest of the analysis stands). */
  detectorErrors?: DetectorFailure[];
}

export interface AnalyzeOptions {
  /** Detectors to run (default: the registry). */
  detectors?: readonly Detector[];
  /** Pre-filter strategy, for benchmarks (see EngineOptions). */
  prefilter?: EngineOptions['prefilter'];
}

async function analyze(path: string, read: (sink: RawLineSink) => Promise<ReadSummary> | ReadSummary, options: AnalyzeOptions): Promise<LogAnalysis> {
  const engineOptions: EngineOptions = {};
  if (options.detectors) engineOptions.detectors = options.detectors;
  if (options.prefilter) engineOptions.prefilter = options.prefilter;
  const engine = new AnalysisEngine(engineOptions);
  const normalize = createNormalizer();
  const summary = await read((raw, n) => engine.push(normalize(raw, n)));
  const result = engine.finish();
  const failures = classifyDrafts(result.drafts);
  const analysis: LogAnalysis = { path, category: primaryCategory(failures), failures, lines: summary.lines, bytes: summary.bytes };
  if (result.detectorErrors.length > 0) analysis.detectorErrors = result.detectorErrors;
  return analysis;
}

/** Streams and analyses the log at `path`. Memory stays bounded whatever the file size. */
export function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<LogAnalysis> {
  return analyze(path, (sink) => readLogLines(path, sink), options);
}

/** Analyses an in-memory log (tests, small inputs). `path` is only used as the label. */
export function analyzeText(text: string, options: AnalyzeOptions & { path?: string } = {}): Promise<LogAnalysis> {
  return analyze(options.path ?? '<text>', (sink) => splitText(text, sink), options);
}

export interface AnalyzeJsonFailure {
  category: Category;
  tool: string;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  logLines: [number, number];
  confidence: number;
}

export interface AnalyzeJson {
  logs: { path: string; category: Category; failures: AnalyzeJsonFailure[] }[];
}

/** The `analyze --json` document: exactly these keys, missing locations as null. */
export function toAnalyzeJson(analyses: readonly LogAnalysis[]): AnalyzeJson {
  return {
    logs: analyses.map((analysis) => ({
      path: analysis.path,
      category: analysis.category,
      failures: analysis.failures.map((failure) => ({
        category: failure.category,
        tool: failure.tool,
        message: failure.message,
        file: failure.file ?? null,
        line: failure.line ?? null,
        column: failure.column ?? null,
        logLines: [failure.logLines[0], failure.logLines[1]],
        confidence: Math.round(failure.confidence * 100) / 100,
      })),
    })),
  };
}

function locationOf(failure: Failure): string {
  if (failure.file === undefined) return '';
  const line = failure.line !== undefined ? `:${failure.line}${failure.column !== undefined ? `:${failure.column}` : ''}` : '';
  return ` ${failure.file}${line}`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A readable report: one block per log, failures most relevant first. */
export function formatAnalysisText(analyses: readonly LogAnalysis[]): string {
  const blocks = analyses.map((analysis) => {
    const head = `${analysis.path}: ${analysis.category} (${analysis.failures.length} failure${analysis.failures.length === 1 ? '' : 's'}, ${analysis.lines} lines)`;
    const rows = analysis.failures.map((failure, index) => {
      const lines = failure.logLines[0] === failure.logLines[1] ? `line ${failure.logLines[0]}` : `lines ${failure.logLines[0]}-${failure.logLines[1]}`;
      const seen = failure.occurrences > 1 ? `, seen ${failure.occurrences}×` : '';
      const step = failure.step !== undefined ? `\n     step: ${oneLine(failure.step, 120)}` : '';
      return `  ${index + 1}. [${failure.category}] ${failure.tool}${locationOf(failure)} (${lines}, confidence ${failure.confidence.toFixed(2)}${seen})\n     ${oneLine(failure.message, 300)}${step}`;
    });
    if (rows.length === 0) rows.push('  no failure recognised');
    const errors = (analysis.detectorErrors ?? []).map((error) => `  note: detector ${error.detector} failed at line ${error.line}: ${oneLine(error.message, 200)}`);
    return [head, ...rows, ...errors].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

export type { Category, Failure } from './types.js';
