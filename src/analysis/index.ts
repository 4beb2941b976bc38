/**
 * The analyzer's public API: a log file (or text) → its ranked failures and primary category, and
 * the two renderings the CLI prints (`analyze --json` and the text report).
 */
import { classifyDrafts, primaryCategory } from './classify.js';
import { AnalysisEngine, type DetectorFailure, type EngineOptions } from './engine.js';
import { createNormalizer } from './normalize.js';
import { readLogLines, splitText, type ReadSummary, type RawLineSink } from './reader.js';
import { StepTracker, type Step } from './steps.js';
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
  /** The step the log says failed first (see steps.ts), when it says one did. */
  failedStep?: FailedStep;
}

export interface FailedStep {
  name: string;
  lines: [number, number];
  exitCode?: number;
  /** The step's script as the log shows it (see Step.script), when it shows it whole. */
  script?: string[];
}

function failedStepOf(step: Step | undefined): FailedStep | undefined {
  if (step === undefined) return undefined;
  return {
    name: step.name,
    lines: [step.lines[0], step.lines[1]],
    ...(step.exitCode !== undefined ? { exitCode: step.exitCode } : {}),
    ...(step.script !== undefined && step.script.length > 0 ? { script: [...step.script] } : {}),
  };
}

export interface AnalyzeOptions {
  /** Detectors to run (default: the registry). */
  detectors?: readonly Detector[];
  /** Pre-filter strategy, for benchmarks (see EngineOptions). */
  prefilter?: EngineOptions['prefilter'];
}

async function analyze(
  path: string,
  read: (sink: RawLineSink) => Promise<ReadSummary> | ReadSummary,
  options: AnalyzeOptions,
): Promise<LogAnalysis> {
  const engineOptions: EngineOptions = {};
  if (options.detectors) engineOptions.detectors = options.detectors;
  if (options.prefilter) engineOptions.prefilter = options.prefilter;
  const engine = new AnalysisEngine(engineOptions);
  const normalize = createNormalizer();
  const steps = new StepTracker();
  const summary = await read((raw, n) => {
    const line = normalize(raw, n);
    steps.observe(line);
    engine.push(line);
  });
  const model = steps.finish();
  const result = engine.finish();
  const failures = classifyDrafts(result.drafts, model);
  const analysis: LogAnalysis = { path, category: primaryCategory(failures), failures, lines: summary.lines, bytes: summary.bytes };
  if (result.detectorErrors.length > 0) analysis.detectorErrors = result.detectorErrors;
  const failedStep = failedStepOf(model.failed);
  if (failedStep !== undefined) analysis.failedStep = failedStep;
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
  /** Step and job the log names for the failure's first line, null when it names none. */
  step: string | null;
  job: string | null;
  /** How often it was seen before deduplication. */
  occurrences: number;
  /** Stable id across runs (message, tool and file without run-specific parts). */
  fingerprint: string;
}

export interface AnalyzeJsonLog {
  path: string;
  category: Category;
  /** The first step the log says failed, null when it says none did. */
  failedStep: FailedStep | null;
  failures: AnalyzeJsonFailure[];
}

export interface AnalyzeJson {
  logs: AnalyzeJsonLog[];
}

/** The `analyze --json` document: exactly these keys, missing locations as null. */
export function toAnalyzeJson(analyses: readonly LogAnalysis[]): AnalyzeJson {
  return {
    logs: analyses.map((analysis) => ({
      path: analysis.path,
      category: analysis.category,
      failedStep: analysis.failedStep ?? null,
      failures: analysis.failures.map((failure) => ({
        category: failure.category,
        tool: failure.tool,
        message: failure.message,
        file: failure.file ?? null,
        line: failure.line ?? null,
        column: failure.column ?? null,
        logLines: [failure.logLines[0], failure.logLines[1]],
        confidence: Math.round(failure.confidence * 100) / 100,
        step: failure.step ?? null,
        job: failure.job ?? null,
        occurrences: failure.occurrences,
        fingerprint: failure.fingerprint,
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
    const failed = analysis.failedStep;
    const stepLine =
      failed !== undefined
        ? `\n  failed step: ${oneLine(failed.name === '' ? '(the whole log)' : failed.name, 120)} (lines ${failed.lines[0]}-${failed.lines[1]}${failed.exitCode !== undefined ? `, exit code ${failed.exitCode}` : ''})`
        : '';
    const head = `${analysis.path}: ${analysis.category} (${analysis.failures.length} failure${analysis.failures.length === 1 ? '' : 's'}, ${analysis.lines} lines)${stepLine}`;
    const rows = analysis.failures.map((failure, index) => {
      const lines =
        failure.logLines[0] === failure.logLines[1] ? `line ${failure.logLines[0]}` : `lines ${failure.logLines[0]}-${failure.logLines[1]}`;
      const seen = failure.occurrences > 1 ? `, seen ${failure.occurrences}×` : '';
      const step = failure.step !== undefined ? `\n     step: ${oneLine(failure.step, 120)}` : '';
      return `  ${index + 1}. [${failure.category}] ${failure.tool}${locationOf(failure)} (${lines}, confidence ${failure.confidence.toFixed(2)}${seen})\n     ${oneLine(failure.message, 300)}${step}`;
    });
    if (rows.length === 0) rows.push('  no failure recognised');
    const errors = (analysis.detectorErrors ?? []).map(
      (error) => `  note: detector ${error.detector} failed at line ${error.line}: ${oneLine(error.message, 200)}`,
    );
    return [head, ...rows, ...errors].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

export type { Category, Failure } from './types.js';
