/**
 * `ci-autofixer scan`: the failed runs of the last minutes, each with its failed jobs, each job's
 * primary failure from the analysis of its log, and whether a registered fixer would take it at
 * the configured confidence. Read only: nothing is checked out, applied or pushed. Logs are
 * streamed to a scratch directory (at most `maxLogBytes` each, the tail kept, as `run` does) and
 * deleted once analysed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../analysis/types.js';
import { getErrorMessage } from '../errors.js';
import { FIXERS } from '../fixers/registry.js';
import type { GitHubClient } from '../github/client.js';
import { listFailedJobs, type FailedJob } from '../github/jobs.js';
import { downloadJobLog, unavailableJobLog } from '../github/logs.js';
import type { Logger } from '../logging.js';
import type { JobLog } from '../model.js';
import { analyzeJobLogs } from '../pipeline.js';
import { planFixes } from '../plan/plan.js';
import { isoSeconds, listFailedRuns, type FailedRun, type RunQuery } from './runs.js';

/**
 * The most relevant failure of a job's log. `file` is workspace-relative when the log's path maps
 * into the repository, else as the log has it.
 */
export type PrimaryFailure = Pick<Failure, 'category' | 'tool' | 'message' | 'file' | 'line' | 'column'>;

export interface ScannedJob {
  id: number;
  name: string;
  url?: string;
  failedStep?: string;
  /** Absent when the log names no failure or could not be read. */
  primary?: PrimaryFailure;
  failureCount: number;
  /** A registered fixer would take some failure of this job at the configured confidence and fix types. */
  fixable: boolean;
  /** Those fixers, in registry order. */
  fixers: string[];
  /** Why the log could not be read or analysed. */
  unavailable?: string;
}

export interface ScannedRun extends FailedRun {
  jobs: ScannedJob[];
}

export interface ScanResult {
  version: 1;
  repository: string;
  /** The start of the window: runs created at or after it. */
  since: string;
  lookbackMinutes: number;
  filters: { branch: string | null; workflows: string[]; maxFailures: number };
  runs: ScannedRun[];
  /** More failed runs matched than `maxFailures`: only the newest are listed. */
  more: boolean;
}

export interface ScanPlanOptions {
  confidenceThreshold: number;
  fixTypes: readonly string[];
  maxFixes: number;
}

export interface ScanOptions extends Omit<RunQuery, 'since'> {
  lookbackMinutes: number;
  maxLogBytes: number;
  /** Parent of the scratch directory for logs. */
  tempDir: string;
  plan: ScanPlanOptions;
}

/** The primary failure (first after ranking) and what a fixer would do about the job's failures. */
async function analyzeJob(log: JobLog, repo: string, plan: ScanPlanOptions, logger: Logger): Promise<ScannedJob> {
  const base: ScannedJob = {
    id: log.jobId,
    name: log.jobName,
    ...(log.jobUrl !== undefined ? { url: log.jobUrl } : {}),
    ...(log.failedStep !== undefined ? { failedStep: log.failedStep } : {}),
    failureCount: 0,
    fixable: false,
    fixers: [],
  };
  const analysis = await analyzeJobLogs([log], { repoName: repo, logger });
  const job = analysis.jobs[0];
  if (job?.job.unavailable !== undefined) return { ...base, unavailable: job.job.unavailable };
  const { failures } = analysis;
  const first = failures[0];
  const planned = planFixes({ failures, fixers: FIXERS, ...plan }).planned.map((fix) => fix.fixer.id);
  const file = first?.file ?? (typeof first?.data?.logFile === 'string' ? first.data.logFile : undefined);
  return {
    ...base,
    ...(job?.job.failedStep !== undefined ? { failedStep: job.job.failedStep } : {}),
    ...(first !== undefined
      ? {
          primary: {
            category: first.category,
            tool: first.tool,
            message: first.message,
            ...(file !== undefined ? { file } : {}),
            ...(first.line !== undefined ? { line: first.line } : {}),
            ...(first.column !== undefined ? { column: first.column } : {}),
          },
        }
      : {}),
    failureCount: failures.length,
    fixable: planned.length > 0,
    fixers: planned,
  };
}

/** Downloads one job's log into `dir`; a log that cannot be had is recorded as unavailable. */
async function fetchLog(client: GitHubClient, run: FailedRun, job: FailedJob, dir: string, maxBytes: number, owner: string, repo: string) {
  try {
    return await downloadJobLog(client, { owner, repo }, job, { dir, maxBytes });
  } catch (error: unknown) {
    const reason = `log could not be downloaded: ${getErrorMessage(error)}`;
    client.logger.warning(`run ${run.id}, ${job.name}: ${reason}`);
    return unavailableJobLog(job, reason);
  }
}

async function scanRun(client: GitHubClient, run: FailedRun, options: ScanOptions, dir: string): Promise<ScannedRun> {
  const { owner, repo } = options;
  const failedJobs = await listFailedJobs(client, { owner, repo, runId: run.id, runAttempt: run.attempt });
  const jobs: ScannedJob[] = [];
  for (const job of failedJobs) {
    const log = await fetchLog(client, run, job, dir, options.maxLogBytes, owner, repo);
    try {
      jobs.push(await analyzeJob(log, repo, options.plan, client.logger));
    } finally {
      if (log.path !== '') await rm(log.path, { force: true });
    }
  }
  return { ...run, jobs };
}

export async function scanFailedRuns(client: GitHubClient, options: ScanOptions, now: Date): Promise<ScanResult> {
  const since = new Date(now.getTime() - options.lookbackMinutes * 60_000);
  const listed = await listFailedRuns(client, { ...options, since });
  const dir = await mkdtemp(path.join(options.tempDir, 'ci-autofixer-scan-'));
  const runs: ScannedRun[] = [];
  try {
    for (const run of listed.runs) runs.push(await scanRun(client, run, options, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    version: 1,
    repository: `${options.owner}/${options.repo}`,
    since: isoSeconds(since),
    lookbackMinutes: options.lookbackMinutes,
    filters: { branch: options.branch ?? null, workflows: [...(options.workflows ?? [])], maxFailures: options.maxFailures },
    runs,
    more: listed.more,
  };
}
