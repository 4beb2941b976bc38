/** The failed jobs of one run attempt, with the name of the step that failed first. */
import type { Target } from '../model.js';
import { callGitHub, type GitHubClient } from './client.js';

export interface FailedJob {
  id: number;
  name: string;
  /** 'failure' or 'timed_out'. */
  conclusion: string;
  htmlUrl?: string;
  /** The first step whose conclusion is failure/timed_out, when the API lists steps. */
  failedStep?: string;
}

/** Job conclusions whose logs explain a failure. Cancelled and skipped jobs have nothing to fix. */
const FAILED_JOB_CONCLUSIONS = new Set(['failure', 'timed_out']);

/** The run attempt whose jobs are listed: a resolved Target, or a run the scan found. */
export type RunAttempt = Pick<Target, 'owner' | 'repo' | 'runId' | 'runAttempt'>;

export async function listFailedJobs(client: GitHubClient, target: RunAttempt): Promise<FailedJob[]> {
  const jobs = await callGitHub(client, `listing the jobs of run ${target.runId} attempt ${target.runAttempt}`, () =>
    client.octokit.paginate(client.octokit.rest.actions.listJobsForWorkflowRunAttempt, {
      owner: target.owner,
      repo: target.repo,
      run_id: target.runId,
      attempt_number: target.runAttempt,
      per_page: 100,
    }),
  );
  const failed: FailedJob[] = [];
  for (const job of jobs) {
    if (job.conclusion === null || !FAILED_JOB_CONCLUSIONS.has(job.conclusion)) continue;
    const step = (job.steps ?? []).find((s) => s.conclusion !== null && FAILED_JOB_CONCLUSIONS.has(s.conclusion));
    failed.push({
      id: job.id,
      name: job.name,
      conclusion: job.conclusion,
      ...(job.html_url ? { htmlUrl: job.html_url } : {}),
      ...(step ? { failedStep: step.name } : {}),
    });
  }
  client.logger.debug(`run ${target.runId} attempt ${target.runAttempt}: ${jobs.length} job(s), ${failed.length} failed`);
  return failed;
}
