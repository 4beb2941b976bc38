/**
 * The job as data flowing through plain functions:
 * Target → JobLog[] → Failure[] → FixPlan → FixResult[] → Publication → RunReport.
 * Used by the action (main.ts) and the CLI (cli.ts); neither holds logic of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { analyzeFile } from './analysis/index.js';
import { mergeJobAnalyses } from './analysis/classify.js';
import { toWorkspacePath } from './analysis/paths.js';
import type { Category, Failure } from './analysis/types.js';
import type { Dependencies } from './deps.js';
import { ConfigurationError, getErrorMessage } from './errors.js';
import type { Exec } from './exec.js';
import { FIXERS } from './fixers/registry.js';
import { createGit, type Git } from './git/git.js';
import { AUTOFIXER_TRAILER, isAutofixerCommit, publishFix } from './git/publish.js';
import { resolveTarget } from './event/target.js';
import { listFailedJobs } from './github/jobs.js';
import { downloadJobLog } from './github/logs.js';
import { upsertPullRequest } from './github/pulls.js';
import type { Logger } from './logging.js';
import type { FixResult, JobAnalysis, JobLog, Publication, RunReport, Target } from './model.js';
import { applyFixPlan } from './apply/apply.js';
import { planFixes } from './plan/plan.js';
import { commitMessage, pullRequestBody, pullRequestTitle } from './report/pull-request.js';
import type { Settings } from './settings.js';

export type PipelineOutcome = { kind: 'notice'; notice: string } | { kind: 'report'; report: RunReport };

export interface RepairOptions {
  confidenceThreshold: number;
  maxFixes: number;
  fixTypes: readonly string[];
  dryRun: boolean;
}

/** Analyses downloaded (or local) job logs; failures are mapped onto the workspace where they can be. */
export async function analyzeJobLogs(
  jobs: readonly JobLog[],
  options: { repoName: string; logger: Logger },
): Promise<{ jobs: JobAnalysis[]; failures: Failure[] }> {
  const analyses: JobAnalysis[] = [];
  for (const job of jobs) {
    const analysis = await analyzeFile(job.path);
    const failures = analysis.failures.map((failure) => mapFailure(failure, job, options.repoName));
    options.logger.info(
      `${job.jobName}: ${failures.length} failure(s)${failures[0] ? `, primary ${failures[0].category} (${failures[0].tool})` : ''}`,
    );
    analyses.push({ job, category: analysis.category, failures });
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

/** Plans, applies, guards and verifies fixes in the workspace. */
export async function repairWorkspace(
  workspace: string,
  failures: readonly Failure[],
  options: RepairOptions,
  deps: { exec: Exec; logger: Logger },
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
    dryRun: options.dryRun,
  });
  return [...applied, ...plan.skipped];
}

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
    return `the run's head is in the fork ${target.headRepository}: fork runs are analysed and reported, never pushed to`;
  }
  if (!(await git.isRepository())) return undefined;
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

  const scratch = await mkdtemp(path.join(settings.tempDir, 'ci-autofixer-'));
  try {
    const jobs = await logger.group('Fetch failed job logs', async () => {
      const failedJobs = await listFailedJobs(deps.github, target);
      const logs: JobLog[] = [];
      for (const job of failedJobs) {
        logs.push(await downloadJobLog(deps.github, target, job, { dir: scratch, maxBytes: settings.maxLogBytes }));
      }
      logger.info(`${logs.length} failed job(s)`);
      return logs;
    });

    const analysis = await logger.group('Analyse', () => analyzeJobLogs(jobs, { repoName: target.repo, logger }));
    const notices: string[] = [];
    const git = createGit({ exec: deps.exec, cwd: settings.workspace, logger });
    const onlyReport = await reportOnlyReason(target, git);
    if (onlyReport !== undefined) notices.push(`No fixes applied: ${onlyReport}.`);
    if (onlyReport === undefined && !(await git.isRepository())) {
      throw new ConfigurationError(
        `working-directory ${settings.workspace} is not a git checkout: add actions/checkout before this action`,
      );
    }

    let fixes: FixResult[] = [];
    if (onlyReport === undefined && analysis.failures.length > 0) {
      fixes = await logger.group('Fix and verify', () =>
        repairWorkspace(
          settings.workspace,
          analysis.failures,
          {
            confidenceThreshold: settings.confidenceThreshold,
            maxFixes: settings.maxFixes,
            fixTypes: settings.fixTypes,
            dryRun: settings.dryRun,
          },
          deps,
        ),
      );
    }

    const report: RunReport = {
      version: 1,
      target,
      dryRun: settings.dryRun,
      jobs: analysis.jobs,
      failures: analysis.failures,
      categories: categoriesOf(analysis.failures),
      fixes,
      publication: { mode: settings.push },
      needsHuman: failuresNeedingHuman(analysis.failures, fixes),
      notices,
    };
    report.publication = await logger.group('Publish', () => publish(report, settings, git, deps));
    return { kind: 'report', report };
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch((error: unknown) => {
      logger.debug(`could not remove ${scratch}: ${getErrorMessage(error)}`);
    });
  }
}

async function publish(report: RunReport, settings: Settings, git: Git, deps: Dependencies): Promise<Publication> {
  const { target } = report;
  const verified = report.fixes.filter((fix) => fix.status === 'verified');
  const files = [...new Set(verified.flatMap((fix) => fix.files))].sort();
  const mode = settings.push;
  if (report.notices.length > 0 && verified.length === 0) return { mode, skippedReason: 'report only (see notices)' };
  if (verified.length === 0 || files.length === 0) return { mode, skippedReason: 'no fix was verified' };
  if (settings.dryRun) return { mode, skippedReason: 'dry run: verified fixes were reverted and nothing was pushed' };
  if (mode === 'none') return { mode, skippedReason: "push: none — the verified fixes are left in the workspace" };

  if (target.headBranch === '') {
    return { mode, skippedReason: 'the run has no head branch (a tag or a deleted branch): nothing to open a pull request against' };
  }
  const branch = `${settings.branchPrefix}${target.headBranch}`;
  const { commitSha } = await publishFix({
    git,
    remote: 'origin',
    baseSha: target.headSha,
    branch,
    message: commitMessage(report),
    files,
    trailer: `run ${target.runId}`,
    token: settings.token,
  });
  deps.logger.info(`Pushed ${files.length} file(s) to ${branch} (${commitSha.slice(0, 12)})`);
  const publication: Publication = { mode, branch, commitSha };
  if (mode === 'pull-request') {
    const withBranch: RunReport = { ...report, publication };
    const pull = await upsertPullRequest(deps.github, {
      owner: target.owner,
      repo: target.repo,
      head: branch,
      base: target.headBranch,
      title: pullRequestTitle(withBranch),
      body: pullRequestBody(withBranch, { serverUrl: settings.serverUrl }),
    });
    publication.pullRequestNumber = pull.number;
    publication.pullRequestUrl = pull.url;
    publication.pullRequestAction = pull.action;
    deps.logger.info(`Pull request #${pull.number} ${pull.action}: ${pull.url}`);
  }
  return publication;
}
