/**
 * The plain data that flows through the pipeline (see docs/architecture.md):
 * Target → JobLog[] → Failure[] → FixPlan → FixResult[] → Publication → RunReport.
 */
import type { Category, Failure } from './analysis/types.js';

/** Which run the autofixer works on. */
export interface Target {
  owner: string;
  repo: string;
  runId: number;
  /** The attempt whose jobs are analysed (workflow_run.run_attempt; latest attempt when unknown). */
  runAttempt: number;
  workflowName?: string;
  /** html_url of the run. */
  runUrl?: string;
  headSha: string;
  /** Branch the run ran on (head branch of a PR run). */
  headBranch: string;
  /** owner/name of the repository that holds the head commit ('unknown' when GitHub sends none). */
  headRepository: string;
  /**
   * true unless the run's head repository is shown, by id, to be the repository itself: a fork, a
   * deleted fork (null head repository) or a run the API cannot describe. Such runs are analysed
   * and reported only.
   */
  fromFork: boolean;
  /** Why the head is not trusted, when `fromFork` is true. */
  untrustedReason?: string;
  /** Conclusion of the run: 'failure', 'success', 'cancelled', 'timed_out' … (null while running). */
  conclusion: string | null;
  /** Numbers of the pull requests GitHub associates with the run. */
  pullRequests: number[];
  /** What triggered the autofixer: 'workflow_run', 'workflow_dispatch', 'schedule', 'cli'. */
  trigger: string;
}

/** One failed job's log, streamed to a file on disk. */
export interface JobLog {
  jobId: number;
  jobName: string;
  /** html_url of the job, for links in the report. */
  jobUrl?: string;
  /** Name of the first failed step, from the jobs API. */
  failedStep?: string;
  /** Absolute path of the downloaded log file. */
  path: string;
  bytes: number;
  /** true when the log was cut at max-log-bytes (the tail is kept: failures are usually at the end). */
  truncated: boolean;
  /** Why there is no log to analyse (expired, 410, download failed, out of time); `path` is then empty. */
  unavailable?: string;
}

export type FixStatus =
  | 'verified' // applied and a check that re-runs the failing tool passed (the fixer's check, the step's replay): kept
  | 'applied-unverified' // applied, but only a sanity check (a file parse) could run: kept and pushed, never counted as fixed
  | 'reverted-unverified' // applied but a check failed (the fixer's or the replayed step command): reverted
  | 'reverted-guard' // wrote outside what it declared / outside the workspace / under .github/workflows: reverted
  | 'skipped'; // not applied (tool missing, below threshold, not enabled, max-fixes reached, no change)

/** One check that ran on a fix, as the report names it. */
export interface VerificationCheck {
  /**
   * 'fixer-check': the fixer's own check of the failing tool on what it changed; 'replay': the
   * failed step's command from the log, re-run as an argument array; 'sanity': a check that does
   * not re-run the failing check (a file parse), which never makes a fix verified.
   */
  kind: 'fixer-check' | 'replay' | 'sanity';
  /** The command as text (never run through a shell); for an in-process check, what was done. */
  command: string;
  /** Exit status of the command; absent for an in-process check. */
  exitCode?: number;
  passed: boolean;
}

export interface FixResult {
  fixer: string;
  status: FixStatus;
  /** Fingerprints of the failures this fix addressed. */
  failures: string[];
  description: string;
  /** Files (workspace-relative) the fix changed; empty unless verified. */
  files: string[];
  /** The fixer's own check (the first of `checks`), kept for readers of older reports. */
  verifyCommand?: string;
  /** Every check that ran on the fix, in order: the fixer's check or sanity check, then replays. */
  checks?: VerificationCheck[];
  /** Why the failed step's command was not replayed ("the step's command `./lint.sh` was not replayed: …"). */
  notReplayed?: string;
  /** Why it was skipped or reverted, or (applied-unverified) why nothing could check it. */
  reason?: string;
}

export interface Publication {
  mode: 'pull-request' | 'branch' | 'none';
  /** Set when something was pushed. */
  branch?: string;
  commitSha?: string;
  pullRequestNumber?: number;
  pullRequestUrl?: string;
  /** 'created' | 'updated' when a PR was opened or updated. */
  pullRequestAction?: 'created' | 'updated';
  /** Why nothing (more) was pushed (dry run, fork, loop protection, nothing verified, push: none, an error). */
  skippedReason?: string;
  /** Set when publishing failed: what failed and the state left (e.g. "branch pushed, pull request not created"). */
  error?: string;
}

/** The failed step's command as the log shows it: the lines of its `run:` script (bounded). */
export interface StepCommand {
  /** The step's name as the log names it (`Run black --check .`), which failures carry in `step`. */
  step: string;
  /** Lines of the script (GitHub: the lines inside the `Run` group before `shell:`; Travis: the `$` command). */
  script: string[];
}

export interface JobAnalysis {
  job: JobLog;
  /** The failed step's command, when the log shows one. */
  failedStepCommand?: StepCommand;
  /** The job's primary category ('other' when no failure was found). */
  category: Category;
  failures: Failure[];
}

/** Everything the run found and did; written as JSON to report-path and rendered as the job summary. */
export interface RunReport {
  version: 1;
  target: Target;
  dryRun: boolean;
  jobs: JobAnalysis[];
  /** All failures across jobs, deduplicated by fingerprint, most relevant first. */
  failures: Failure[];
  categories: Category[];
  fixes: FixResult[];
  publication: Publication;
  /** Failures no verified fix addressed (an applied-unverified fix does not count): these need a human. */
  needsHuman: string[];
  notices: string[];
  /** What failed during the run (a step that could not finish); empty when everything ran. */
  errors: string[];
  /** What each configured notifier did, once the work was done (absent when none is configured). */
  notifications?: NotificationResult[];
}

/** One notifier's attempt (src/notify/). Never holds a webhook URL or any other secret. */
export interface NotificationResult {
  /** Notifier id: 'slack'. */
  notifier: string;
  /** 'sent'; 'skipped' (none of the run's outcomes is one it is set to report); 'failed' (a warning, an error with notify-strict). */
  status: 'sent' | 'skipped' | 'failed';
  /** The run's outcomes (fixed, needs-human, failed) this notifier reported or was asked for. */
  outcomes: string[];
  /** Why it was skipped or what failed. */
  reason?: string;
}
