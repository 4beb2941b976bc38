/**
 * The JSON report: the RunReport exactly as the pipeline built it (schema in docs/report.md),
 * written atomically so a reader (a later step, an upload-artifact) never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, getErrorMessage } from '../errors.js';
import type { RunReport } from '../model.js';

/**
 * The report of a run that stopped before it knew which workflow run to work on (a bad input, an
 * API error while reading the run): the error, so a reader of report-path always finds a file.
 */
export interface StartFailureReport {
  version: 1;
  error: string;
}

/**
 * The report as JSON text (2-space indent, final newline): exactly `JSON.stringify(report, null, 2)`
 * except that `##[` is written `#\u0023[`. `##[` can only occur inside a JSON string, so the parsed
 * value is identical, and printing the JSON on a runner's stdout (`ci-autofixer run --json` inside
 * a job) cannot issue a legacy workflow command. A line of indented JSON never starts with `::`.
 */
export function toJsonReport(report: RunReport): string {
  return [...jsonReportChunks(report)].join('');
}

/**
 * The text of `toJsonReport` in pieces: one per top-level field and one per element of a
 * top-level array. A run with many failures can make a report larger than V8's longest string
 * (about 512 MiB); `writeJsonReport` writes these pieces one by one instead.
 */
export function* jsonReportChunks(report: RunReport | StartFailureReport): Generator<string> {
  const entries = Object.entries(report).filter(([, value]) => value !== undefined && typeof value !== 'function');
  yield '{';
  for (const [index, [key, value]] of entries.entries()) {
    const separator = index === 0 ? '\n' : ',\n';
    if (Array.isArray(value) && value.length > 0) {
      yield `${separator}  ${JSON.stringify(key)}: [`;
      for (const [elementIndex, element] of value.entries()) {
        yield `${elementIndex === 0 ? '\n' : ',\n'}    ${indentTail(stringifyForRunner(element ?? null), '    ')}`;
      }
      yield '\n  ]';
    } else {
      yield `${separator}  ${JSON.stringify(key)}: ${indentTail(stringifyForRunner(value), '  ')}`;
    }
  }
  yield entries.length > 0 ? '\n}\n' : '}\n';
}

function stringifyForRunner(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replaceAll('##[', '#\\u0023[');
}

/** Indents every line but the first (which continues the line that holds the key). */
function indentTail(text: string, indent: string): string {
  return text.replace(/\n/g, `\n${indent}`);
}

/** Parses a JSON report written by `toJsonReport`; rejects anything that is not a version-1 report. */
export function parseJsonReport(text: string): RunReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw new ConfigurationError(`the report is not JSON: ${getErrorMessage(error)}`);
  }
  if (!isRecord(value) || value.version !== 1) {
    throw new ConfigurationError('the report is not a CI Autofixer report of version 1 (expected {"version": 1, ...})');
  }
  for (const key of ['target', 'publication'] as const) {
    if (!isRecord(value[key])) throw new ConfigurationError(`the report has no "${key}" object`);
  }
  for (const key of ['jobs', 'failures', 'categories', 'fixes', 'needsHuman', 'notices'] as const) {
    if (!Array.isArray(value[key])) throw new ConfigurationError(`the report has no "${key}" array`);
  }
  // The checks above cover the shape a reader relies on; the fields inside are the pipeline's own.
  return value as unknown as RunReport;
}

export async function readJsonReport(file: string): Promise<RunReport> {
  return parseJsonReport(await readFile(file, 'utf8'));
}

const WRITE_BATCH_CHARS = 1 << 20;

/**
 * Writes the report to `file`: a new temporary file next to it (created exclusively, so a file or
 * symlink planted under that name is never followed), flushed, then renamed over `file` (a rename
 * replaces a symlink at `file` instead of writing through it). Creates the directory if needed.
 */
export async function writeJsonReport(report: RunReport | StartFailureReport, file: string): Promise<void> {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error: unknown) {
    throw new ConfigurationError(
      `cannot create the report directory ${dir}: ${getErrorMessage(error)}; set report-path to a writable place`,
      { cause: error },
    );
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new ConfigurationError(`report-path ${target} is a directory; give a file name such as ${path.join(target, 'report.json')}`);
  }
  const temporary = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o644);
    try {
      // Batched: one write per chunk would be one system call per failure.
      let pending = '';
      for (const chunk of jsonReportChunks(report)) {
        pending += chunk;
        if (pending.length >= WRITE_BATCH_CHARS) {
          await handle.write(pending, null, 'utf8');
          pending = '';
        }
      }
      if (pending !== '') await handle.write(pending, null, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error: unknown) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new ConfigurationError(`cannot write the JSON report to ${target}: ${getErrorMessage(error)}`, { cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
