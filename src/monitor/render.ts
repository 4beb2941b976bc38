/**
 * What `scan` prints: a table (one row per failed job) or the JSON of docs/cli.md. Every value
 * that came from a log or from the API (names, branches, messages, paths) is hostile text: it is
 * made one line without control characters and cut; the CLI's stream also neutralises workflow
 * commands, and the JSON writes `##[` as a JSON escape.
 */
import { clip, escapeMarkdown, neutralizeWorkflowCommands } from '../report/escape.js';
import type { ScanMatrix } from './matrix.js';
import type { ScanResult, ScannedJob, ScannedRun } from './scan.js';

const HEADERS = ['RUN', 'WORKFLOW', 'BRANCH', 'AGE', 'JOB', 'CATEGORY', 'LOCATION', 'FIXABLE', 'MESSAGE'] as const;
/** Widths the columns are cut to (MESSAGE, the last, is not padded). */
const WIDTHS = [12, 20, 24, 6, 24, 24, 40, 30, 100] as const;

/** `45m`, `3h05m`, `2d04h`: how long ago the run was created. */
export function formatAge(createdAt: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

function location(job: ScannedJob): string {
  const primary = job.primary;
  if (primary?.file === undefined) return '-';
  return `${primary.file}${primary.line !== undefined ? `:${primary.line}` : ''}${primary.column !== undefined ? `:${primary.column}` : ''}`;
}

function fixable(job: ScannedJob): string {
  if (job.unavailable !== undefined) return '?';
  return job.fixable ? `yes (${job.fixers.join(',')})` : 'no';
}

function rowsOf(run: ScannedRun, now: Date): string[][] {
  const head = [String(run.id), run.workflow, run.branch === '' ? '-' : run.branch, formatAge(run.createdAt, now)];
  if (run.jobs.length === 0) return [[...head, '-', '-', '-', '-', 'no failed job listed for this attempt']];
  return run.jobs.map((job) => [
    ...head,
    job.name,
    job.primary?.category ?? (job.unavailable !== undefined ? 'unavailable' : 'unknown'),
    location(job),
    fixable(job),
    job.unavailable ?? job.primary?.message ?? 'no failure recognised in the log',
  ]);
}

function formatRow(cells: readonly string[]): string {
  return cells
    .map((cell, index) => {
      const width = WIDTHS[index] ?? 100;
      const text = clip(cell, width);
      return index === cells.length - 1 ? text : text.padEnd(width);
    })
    .join(' ')
    .trimEnd();
}

export function renderScanTable(result: ScanResult, now: Date): string {
  const filters = [
    result.filters.branch !== null ? `branch ${clip(result.filters.branch, 100)}` : '',
    result.filters.workflows.length > 0 ? `workflow ${clip(result.filters.workflows.join(', '), 200)}` : '',
  ].filter((text) => text !== '');
  const window = `${result.lookbackMinutes} minute(s), since ${result.since}${filters.length > 0 ? `; ${filters.join('; ')}` : ''}`;
  if (result.runs.length === 0) return `No failed workflow run in ${result.repository} in the last ${window}.\n`;
  const jobs = result.runs.reduce((count, run) => count + run.jobs.length, 0);
  const fixableJobs = result.runs.reduce((count, run) => count + run.jobs.filter((job) => job.fixable).length, 0);
  const lines = [
    `${result.runs.length} failed run(s) in ${result.repository} in the last ${window}: ${jobs} failed job(s), ${fixableJobs} fixable`,
    formatRow(HEADERS),
    ...result.runs.flatMap((run) => rowsOf(run, now).map(formatRow)),
  ];
  if (result.more) lines.push(`… more failed runs than --max-failures ${result.filters.maxFailures}: only the newest are listed`);
  return `${neutralizeWorkflowCommands(lines.join('\n'))}\n`;
}

/** The JSON of `scan --json` (docs/cli.md), one object, with `ageMinutes` computed at `now`. */
export function toScanJson(result: ScanResult, now: Date): string {
  const value = {
    ...result,
    runs: result.runs.map((run) => ({
      ...run,
      ageMinutes: Math.max(0, Math.floor((now.getTime() - Date.parse(run.createdAt)) / 60_000)),
    })),
  };
  return `${JSON.stringify(value, null, 2).replaceAll('##[', '#\\u0023[')}\n`;
}

/** The job summary of the action's `mode: scan`: the runs handed to fix jobs and those left out, with why. */
export function renderMatrixSummary(result: ScanMatrix, repository: string, lookbackMinutes: number): string {
  const lines = [`### CI Autofixer scan`, ''];
  const runs = result.matrix.include.length;
  lines.push(
    runs === 0
      ? `No failed workflow run in ${escapeMarkdown(repository, 200)} in the last ${lookbackMinutes} minute(s) needs a fix job.`
      : `${runs} failed run(s) of ${escapeMarkdown(repository, 200)} in the last ${lookbackMinutes} minute(s) go to fix jobs.`,
  );
  const row = (id: number, workflow: string, branch: string, note: string): string =>
    `| ${id} | ${escapeMarkdown(workflow, 100)} | ${escapeMarkdown(branch === '' ? '-' : branch, 100)} | ${escapeMarkdown(note, 300)} |`;
  if (runs + result.skipped.length > 0) {
    lines.push('', '| Run | Workflow | Branch | |', '| --- | --- | --- | --- |');
    for (const entry of result.matrix.include) lines.push(row(entry['run-id'], entry.workflow, entry.branch, 'fix job'));
    for (const skipped of result.skipped) lines.push(row(skipped.runId, skipped.workflow, skipped.branch, `skipped: ${skipped.reason}`));
  }
  if (result.more) lines.push('', 'More failed runs matched than `max-failures`: only the newest were looked at.');
  return `${lines.join('\n')}\n`;
}
