/**
 * The job as data flowing through plain functions:
 * Target → JobLog[] → Failure[] → FixPlan → FixResult[] → Publication → RunReport.
 * Used by the action (main.ts) and the CLI (cli.ts); neither holds logic of its own.
 *
 * Once the run is known, every run ends with a report: a job log that cannot be read, a fixer that
 * crashes or a push that is refused is recorded in the report (`errors`, the publication's reason)
 * and the rest goes on; the workspace is put back as it was unless verified fixes are meant to stay.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { analyzeFile } from './analysis/index.js';
import { mergeJobAnalyses } from './analysis/classify.js';
import { toWorkspacePath } from './analysis/paths.js';
import type { Category, Failure } from './analysis/types.js';
import { applyFixPlan, openRepairSession, type JobStepCommand, type RepairSession } from './apply/apply.js';
import { startBudget, type Budget } from './budget.js';
import type { Dependencies } from './deps.js';
import { getErrorMessage } from './errors.js';
import type { Exec } from './exec.js';
import { FIXERS } from './fixers/registry.js';
import { checkFixBranch } from './git/fix-branch.js';
import { createGit, type Git } from './git/git.js';
import { AUTOFIXER_TRAILER, isAutofixerCommit, publishFix } from './git/publish.js';
import { resolveTarget } from './event/target.js';
import { listFailedJobs, type FailedJob } from './github/jobs.js';
import { downloadJobLog, unavailableJobLog } from './github/logs.js';
import { upsertPullRequest } from './github/pulls.js';
import type { Logger } from './logging.js';
import type { FixResult, JobAnalysis, JobLog, Publication, RunReport, Target } from './model.js';
import { planFixes } from './plan/plan.js';
import { commitMessage, pullRequestBody, pullRequestTitle } from './report/pull-request.js';
import type { Settings } from './settings.js';

export type PipelineOutcome = { kind: 'notice'; notice: string } | { kind: 'report'; report: RunReport };

export interface RepairOptions {
  confidenceThreshold: number;
  maxFixes: number;
  fixTypes: readonly string[];
  dryRun: boolean;
  useRepositoryTools: boolean;
  /** install-tools: install a tool's pinned version when another one is found. Default false. */
  installTools?: boolean;
  signal?: AbortSignal;
  session?: RepairSession;
}

/** Analyses downloaded (or local) job logs; failures are mapped onto the workspace where they can be. */
export async function analyzeJobLogs(
  jobs: readonly JobLog[],
  options: { repoName: string; logger: Logger },
): Promise<{ jobs: JobAnalysis[]; failures: Failure[] }> {
  const analyses: JobAnalysis[] = [];
  for (const job of jobs) {
    if (job.unavailable !== undefined) {
      analyses.push({ job, category: 'other', failures: [] });
      continue;
    }
    try {
      const analysis = await analyzeFile(job.path);
      const failures = analysis.failures.map((failure) => mapFailure(failure, job, options.repoName));
      options.logger.info(
        `${job.jobName}: ${failures.length} failure(s)${failures[0] ? `, primary ${failures[0].category} (${failures[0].tool})` : ''}`,
      );
      // The jobs API names the failed step of a GitHub job; for a local log the log itself does.
      const named =
        job.failedStep === undefined && analysis.failedStep !== undefined && analysis.failedStep.name !== ''
          ? { ...job, failedStep: analysis.failedStep.name }
          : job;
      const script = analysis.failedStep?.script;
      const command = script !== undefined && analysis.failedStep !== undefined ? { step: analysis.failedStep.name, script } : undefined;
      analyses.push({
        job: named,
        category: analysis.category,
        failures,
        ...(command !== undefined ? { failedStepCommand: command } : {}),
      });
    } catch (error: unknown) {
      const reason = `could not be analysed: ${getErrorMessage(error)}`;
      options.logger.warning(`${job.jobName}: ${reason}`);
      analyses.push({ job: { ...job, unavailable: reason }, category: 'other', failures: [] });
    }
  }
  return { jobs: analyses, failures: mergeJobAnalyses(analyses.map((a) => a.failures)) };
}

function mapFailure(failure: Failure, job: JobLog, repoName: string): Failure {
  const mapped: Failure = { ...failure, job: failure.job ?? job.jobName };
  const missingPath = failure.data?.path;
  if (typeof missingPath === 'string' && missingPath.startsWith('/')) {
    // An absolute runner path of a missing file: keep it only when it maps into the workspace.
    const relative = toWorkspacePath(missingPath, { repoName });
    mapped.data = { ...(failure.data ?? {}), path: relative, logPath: missingPath };
    if (relative === undefined) delete mapped.data.path;
  }
  if (failure.file !== undefined) {
    const relative = toWorkspacePath(failure.file, { repoName });
    if (relative !== undefined) mapped.file = relative;
    else {
      // Keep what the log said for the report, but never hand a path outside the workspace to a fixer.
      mapped.data = { ...(failure.data ?? {}), logFile: failure.file };
      delete mapped.file;
    }
  }
  return mapped;
}

/** The failed steps' commands of the analysed jobs, for replaying them (failures carry the same job name). */
export function failedStepCommands(jobs: readonly JobAnalysis[]): JobStepCommand[] {
  return jobs.flatMap((job) => (job.failedStepCommand !== undefined ? [{ job: job.job.jobName, ...job.failedStepCommand }] : []));
}

/** Plans, applies, guards and verifies fixes in the workspace; `steps` are the failed steps' commands to replay. */
export async function repairWorkspace(
  workspace: string,
  failures: readonly Failure[],
  options: RepairOptions,
  deps: { exec: Exec; logger: Logger },
  steps: readonly JobStepCommand[] = [],
): Promise<FixResult[]> {
  const plan = planFixes({
    failures,
    fixers: FIXERS,
    confidenceThreshold: options.confidenceThreshold,
    fixTypes: options.fixTypes,
    maxFixes: options.maxFixes,
  });
  const applied = await applyFixPlan({
    workspace,
    plan,
    exec: deps.exec,
    logger: deps.logger,
    env: process.env,
    useRepositoryTools: options.useRepositoryTools,
    installTools: options.installTools ?? false,
    dryRun: options.dryRun,
    steps,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.session !== undefined ? { session: options.session } : {}),
  });
  return [...applied, ...plan.skipped];
}

/** Failures no verified fix addressed; a fix that was applied but not verified does not count. */
export function failuresNeedingHuman(failures: readonly Failure[], fixes: readonly FixResult[]): string[] {
  const fixed = new Set(fixes.filter((fix) => fix.status === 'verified').flatMap((fix) => fix.failures));
  return failures.filter((failure) => !fixed.has(failure.fingerprint)).map((failure) => failure.fingerprint);
}

export function categoriesOf(failures: readonly Failure[]): Category[] {
  return [...new Set(failures.map((failure) => failure.category))];
}

/** Why the workspace must not be changed or pushed, or undefined when it may. */
async function reportOnlyReason(target: Target, git: Git): Promise<string | undefined> {
  if (target.fromFork) {
    return `${target.untrustedReason ?? `the run's head is in the fork ${target.headRepository}`}: runs whose head is not this repository are analysed and reported, never changed, run or pushed to`;
  }
  if (!(await git.isRepository())) {
    return `the working directory is not a git checkout: add actions/checkout with ref: \${{ github.event.workflow_run.head_sha }} before this action`;
  }
  const message = await git.headCommitMessage();
  if (isAutofixerCommit(message)) {
    return `the head commit was made by CI Autofixer (${AUTOFIXER_TRAILER} trailer): loop protection, report only`;
  }
  const head = await git.headSha();
  if (head !== target.headSha) {
    return `the workspace is at ${head.slice(0, 12)}, not at the run's head ${target.headSha.slice(0, 12)}: check out with ref: \${{ github.event.workflow_run.head_sha }}`;
  }
  return undefined;
}

/** Downloads each failed job's log; a log that cannot be had is recorded for that job and the others go on. */
async function fetchJobLogs(
  failedJobs: readonly FailedJob[],
  target: Target,
  context: { settings: Settings; deps: Dependencies; scratch: string; budget: Budget },
): Promise<JobLog[]> {
  const { deps, settings } = context;
  const logs: JobLog[] = [];
  for (const job of failedJobs) {
    if (context.budget.exhausted) {
      logs.push(unavailableJobLog(job, `not downloaded: ${context.budget.message}`));
      continue;
    }
    try {
      logs.push(await downloadJobLog(deps.github, target, job, { dir: context.scratch, maxBytes: settings.maxLogBytes }));
    } catch (error: unknown) {
      const status = (error as { status?: unknown }).status;
      const reason =
        status === 410 || status === 404
          ? `log no longer available (${getErrorMessage(error)})`
          : `log could not be downloaded: ${getErrorMessage(error)}`;
      deps.logger.warning(`${job.name}: ${reason}`);
      logs.push(unavailableJobLog(job, reason));
    }
  }
  deps.logger.info(`${logs.length} failed job(s)`);
  return logs;
}

function emptyReport(target: Target, settings: Settings): RunReport {
  return {
    version: 1,
    target,
    dryRun: settings.dryRun,
    jobs: [],
    failures: [],
    categories: [],
    fixes: [],
    publication: { mode: settings.push },
    needsHuman: [],
    notices: [],
    errors: [],
  };
}

interface RunState {
  settings: Settings;
  deps: Dependencies;
  report: RunReport;
  git: Git;
  budget: Budget;
  session?: RepairSession;
  /** The push URL, read before any fixer ran and never re-read from .git/config. */
  pushUrl?: string;
  onlyReport?: string;
}

/** The whole job for the action and for `ci-autofixer run`. */
export async function runPipeline(settings: Settings, deps: Dependencies): Promise<PipelineOutcome> {
  const { logger } = deps;
  const resolved = await resolveTarget(
    {
      eventName: settings.eventName,
      payload: settings.eventPayload,
      repository: `${settings.owner}/${settings.repo}`,
      runId: settings.runId,
    },
    deps.github,
  );
  if ('notice' in resolved) return { kind: 'notice', notice: resolved.notice };
  const { target } = resolved;
  logger.info(
    `Run ${target.runId} (attempt ${target.runAttempt}) of ${target.owner}/${target.repo} on ${target.headBranch} @ ${target.headSha.slice(0, 12)}: ${target.conclusion ?? 'in progress'}`,
  );

  const budget = startBudget(settings.timeoutMinutes);
  const scratch = await mkdtemp(path.join(settings.tempDir, 'ci-autofixer-'));
  const state: RunState = {
    settings,
    deps,
    report: emptyReport(target, settings),
    git: createGit({ exec: deps.exec, cwd: settings.workspace, logger }),
    budget,
  };
  try {
    await analyseRun(state, scratch);
    await repairRun(state);
    state.report.publication = await logger.group('Publish', () => publishSafely(state));
  } catch (error: unknown) {
    state.report.errors.push(getErrorMessage(error));
    logger.error(getErrorMessage(error));
  } finally {
    await finishRun(state, scratch);
  }
  state.report.notices.push(...deps.github.rateLimitEvents);
  return { kind: 'report', report: state.report };
}

async function analyseRun(state: RunState, scratch: string): Promise<void> {
  const { deps, settings, report, budget } = state;
  const { logger } = deps;
  const { target } = report;
  const jobs = await logger.group('Fetch failed job logs', async () => {
    const failedJobs = await listFailedJobs(deps.github, target);
    return fetchJobLogs(failedJobs, target, { settings, deps, scratch, budget });
  });
  const analysis = await logger.group('Analyse', () => analyzeJobLogs(jobs, { repoName: target.repo, logger }));
  report.jobs = analysis.jobs;
  report.failures = analysis.failures;
  report.categories = categoriesOf(analysis.failures);
  report.needsHuman = failuresNeedingHuman(analysis.failures, []);
  for (const job of analysis.jobs) {
    if (job.job.unavailable !== undefined) report.notices.push(`Job ${job.job.jobName}: ${job.job.unavailable}.`);
  }
}

async function repairRun(state: RunState): Promise<void> {
  const { deps, settings, report, git, budget } = state;
  state.onlyReport = await reportOnlyReason(report.target, git);
  if (state.onlyReport !== undefined) {
    report.notices.push(`No fixes applied: ${state.onlyReport}.`);
    return;
  }
  if (report.failures.length === 0) return;
  if (budget.exhausted) {
    report.notices.push(`No fixes applied: ${budget.message}.`);
    return;
  }
  // Fixed before any fixer runs: a fixer that rewrote .git/config cannot redirect the push.
  if (settings.push !== 'none' && !settings.dryRun) {
    try {
      state.pushUrl = await git.remoteUrl('origin', { push: true });
    } catch (error: unknown) {
      report.notices.push(`Nothing can be pushed: the checkout has no usable origin remote (${getErrorMessage(error)}).`);
    }
  }
  state.session = await openRepairSession(settings.workspace, deps.exec);
  const session = state.session;
  // No group around the fixes: each fixer has its own (`Fix: <id>`), and Actions cannot nest groups.
  report.fixes = await repairWorkspace(
    settings.workspace,
    report.failures,
    {
      confidenceThreshold: settings.confidenceThreshold,
      maxFixes: settings.maxFixes,
      fixTypes: settings.fixTypes,
      dryRun: settings.dryRun,
      useRepositoryTools: settings.useRepositoryTools,
      installTools: settings.installTools,
      signal: budget.signal,
      session,
    },
    deps,
    failedStepCommands(report.jobs),
  );
  report.needsHuman = failuresNeedingHuman(report.failures, report.fixes);
}

/** Puts the workspace back unless the kept fixes are meant to stay in it, then cleans up. */
async function finishRun(state: RunState, scratch: string): Promise<void> {
  const { report, deps } = state;
  state.budget.dispose();
  if (state.session !== undefined) {
    const keep = report.errors.length === 0 && !report.dryRun && report.publication.error === undefined;
    try {
      if (!keep) {
        const left = await state.session.guard.restore(state.session.start);
        report.notices.push(
          left.length > 0
            ? `The workspace was restored, except: ${left.join('; ')}.`
            : 'The workspace was restored to the state it had before the fixes.',
        );
      }
    } catch (error: unknown) {
      report.errors.push(`restoring the workspace failed: ${getErrorMessage(error)}`);
    } finally {
      await state.session.guard.close();
    }
  }
  await rm(scratch, { recursive: true, force: true }).catch((error: unknown) => {
    deps.logger.debug(`could not remove ${scratch}: ${getErrorMessage(error)}`);
  });
}

/** Publishes and records any failure in the publication and the report instead of throwing. */
async function publishSafely(state: RunState): Promise<Publication> {
  const progress: Publication = { mode: state.settings.push };
  try {
    return await publish(state, progress);
  } catch (error: unknown) {
    const done =
      progress.branch !== undefined
        ? `branch ${progress.branch} pushed (${(progress.commitSha ?? '').slice(0, 12)}), pull request not created or updated`
        : 'nothing pushed';
    const message = `publishing failed (${done}): ${getErrorMessage(error)}`;
    state.report.errors.push(message);
    return { ...progress, error: message, skippedReason: message };
  }
}

function skipReason(state: RunState, kept: readonly FixResult[], files: readonly string[]): string | undefined {
  const { settings, report } = state;
  if (state.onlyReport !== undefined) return 'report only (see notices)';
  if (kept.length === 0 || files.length === 0) return 'no fix was kept (none verified or applied)';
  if (settings.dryRun) return 'dry run: the fixes were reverted and nothing was pushed';
  if (settings.push === 'none') return 'push: none — the kept fixes are left in the workspace';
  if (report.target.headBranch === '')
    return 'the run has no head branch (a tag or a deleted branch): nothing to open a pull request against';
  if (state.budget.exhausted) return `not published: ${state.budget.message}`;
  if (state.pushUrl === undefined) return 'the checkout has no origin remote to push to';
  return undefined;
}

async function publish(state: RunState, publication: Publication): Promise<Publication> {
  const { settings, deps, report, git } = state;
  const { target } = report;
  // Verified fixes and fixes applied but not verified are both pushed; the PR says which is which.
  const kept = report.fixes.filter((fix) => fix.status === 'verified' || fix.status === 'applied-unverified');
  const files = [...new Set(kept.flatMap((fix) => fix.files))].sort();
  const skipped = skipReason(state, kept, files);
  if (skipped !== undefined) return { ...publication, skippedReason: skipped };
  const remote = state.pushUrl as string;

  const branch = `${settings.branchPrefix}${target.headBranch}`;
  const verdict = await checkFixBranch(git, {
    branch,
    headBranch: target.headBranch,
    defaultBranch: settings.defaultBranch,
    headSha: target.headSha,
    remote,
    token: settings.token,
  });
  if (!verdict.ok) {
    report.notices.push(`Not published: ${verdict.reason}.`);
    return { ...publication, skippedReason: verdict.reason };
  }
  const { commitSha } = await publishFix({
    git,
    remote,
    baseSha: target.headSha,
    branch,
    message: commitMessage(report),
    files,
    trailer: `run ${target.runId}`,
    token: settings.token,
    inspectedRemote: { sha: verdict.remoteSha },
  });
  Object.assign(publication, { branch, commitSha });
  deps.logger.info(`Pushed ${files.length} file(s) to ${branch} (${commitSha.slice(0, 12)})`);
  if (settings.push === 'pull-request') {
    const withBranch: RunReport = { ...report, publication };
    const pull = await upsertPullRequest(deps.github, {
      owner: target.owner,
      repo: target.repo,
      head: branch,
      base: target.headBranch,
      title: pullRequestTitle(withBranch),
      body: pullRequestBody(withBranch, { serverUrl: settings.serverUrl }),
    });
    Object.assign(publication, { pullRequestNumber: pull.number, pullRequestUrl: pull.url, pullRequestAction: pull.action });
    deps.logger.info(`Pull request #${pull.number} ${pull.action}: ${pull.url}`);
  }
  return publication;
}
