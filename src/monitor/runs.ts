/**
 * The failed workflow runs of a repository in a time window, newest first: what `scan`, `watch`
 * and the action's `mode: scan` start from. `GET /repos/{owner}/{repo}/actions/runs?status=failure`
 * lists runs newest first; its pages are followed (`Link: next`) only until a run older than the
 * window or enough runs are seen.
 *
 * The window is not sent as `created=>=…`: GitHub documents that search syntax in the parameter's
 * text, but its OpenAPI description types `created` as a single `date-time`, which the stand-in
 * (and any client generated from the description) holds to. Reading newest-first and stopping at
 * the first older run costs at most one extra page.
 */
import { untrustedHeadReason } from '../event/target.js';
import { toGitHubApiError, type GitHubClient } from '../github/client.js';

/** A failed workflow run, as the scan reports it. */
export interface FailedRun {
  id: number;
  attempt: number;
  /** The workflow's name (`name` of the run). */
  workflow: string;
  /** The workflow file, e.g. `.github/workflows/ci.yml`. */
  workflowPath: string;
  /** The head branch; '' when the run has none (a tag, a deleted branch). */
  branch: string;
  headSha: string;
  event: string;
  /** ISO time the run was created. */
  createdAt: string;
  url: string;
  /** The run's head is not shown, by repository id, to be this repository: it is only ever reported. */
  fromFork: boolean;
}

export interface RunQuery {
  owner: string;
  repo: string;
  /** Runs created at or after this time. */
  since: Date;
  branch?: string | undefined;
  /** Workflow names or files (`ci.yml`, `.github/workflows/ci.yml`); empty: every workflow. */
  workflows?: readonly string[] | undefined;
  maxFailures: number;
}

export interface FailedRunList {
  runs: FailedRun[];
  /** More failed runs matched than `maxFailures`. */
  more: boolean;
}

/** The fields of a listed run this module reads. */
interface ListedRun {
  id: number;
  name?: string | null;
  path: string;
  run_attempt?: number;
  head_branch: string | null;
  head_sha: string;
  event: string;
  created_at: string;
  html_url: string;
  repository: { id: number; full_name: string; owner: { login: string } };
  head_repository?: { id: number; full_name: string; owner: { login: string } } | null;
}

/** GitHub's date qualifier wants whole seconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

function matchesWorkflow(run: ListedRun, workflows: readonly string[]): boolean {
  if (workflows.length === 0) return true;
  const name = (run.name ?? '').toLowerCase();
  const file = run.path.split('/').pop() ?? run.path;
  return workflows.some((wanted) => wanted.toLowerCase() === name || wanted === run.path || wanted === file);
}

function toFailedRun(run: ListedRun, owner: string, repo: string): FailedRun {
  const repository = { id: run.repository.id, full_name: run.repository.full_name, owner: run.repository.owner.login };
  const head =
    run.head_repository === null || run.head_repository === undefined
      ? run.head_repository
      : { id: run.head_repository.id, full_name: run.head_repository.full_name, owner: run.head_repository.owner.login };
  return {
    id: run.id,
    attempt: run.run_attempt ?? 1,
    workflow: run.name ?? run.path,
    workflowPath: run.path,
    branch: run.head_branch ?? '',
    headSha: run.head_sha,
    event: run.event,
    createdAt: run.created_at,
    url: run.html_url,
    fromFork: untrustedHeadReason({ repository, head_repository: head }, owner, repo) !== undefined,
  };
}

/** The failed runs created since `query.since`, newest first, at most `maxFailures`. */
export async function listFailedRuns(client: GitHubClient, query: RunQuery): Promise<FailedRunList> {
  const workflows = query.workflows ?? [];
  // One more than needed tells whether there are more; a workflow filter is applied here, not by
  // the API, so it reads full pages.
  const since = query.since.getTime();
  const perPage = workflows.length > 0 ? 100 : Math.min(query.maxFailures + 1, 100);
  const found: FailedRun[] = [];
  const context = `listing the failed workflow runs of ${query.owner}/${query.repo} since ${isoSeconds(query.since)}`;
  try {
    const pages = client.octokit.paginate.iterator(client.octokit.rest.actions.listWorkflowRunsForRepo, {
      owner: query.owner,
      repo: query.repo,
      status: 'failure',
      ...(query.branch !== undefined ? { branch: query.branch } : {}),
      per_page: perPage,
    });
    let older = false;
    for await (const page of pages) {
      for (const run of page.data as unknown as ListedRun[]) {
        if (Date.parse(run.created_at) < since) older = true;
        else if (matchesWorkflow(run, workflows)) found.push(toFailedRun(run, query.owner, query.repo));
      }
      if (older || found.length > query.maxFailures) break;
    }
  } catch (error: unknown) {
    throw toGitHubApiError(error, client, context);
  }
  found.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id);
  client.logger.debug(`${context}: ${found.length} matching run(s)`);
  return { runs: found.slice(0, query.maxFailures), more: found.length > query.maxFailures };
}
