/**
 * The action's `mode: scan` (for `schedule:`): the failed runs of the last minutes as a
 * `strategy.matrix`, `{"include":[{"run-id":…,"workflow":…,"branch":…,"head-sha":…}]}`, one entry per run a
 * fix job should take. Left out, each with its reason:
 *   - a run whose fix branch (`<branch-prefix><head branch>`) already holds a fix of that head
 *     commit: the branch's tip has the head SHA as parent, as `publishFix` builds it
 *     (`GET /repos/{o}/{r}/branches/{branch}`; 404 means no fix branch);
 *   - a run whose head is not this repository's (a fork): the fix job would check it out beside a
 *     write token;
 *   - a run on a fix branch itself (loop protection);
 *   - an older failed run of a branch that has a newer one in the list: parallel fix jobs on one
 *     branch would race for the same fix branch, and the newest run is the one to fix.
 */
import { ConfigurationError } from '../errors.js';
import { toGitHubApiError, type GitHubClient } from '../github/client.js';
import { listFailedRuns, type FailedRun } from './runs.js';

export interface MatrixEntry {
  'run-id': number;
  workflow: string;
  branch: string;
  /** The run's head commit, for the fix job's checkout (`ref: ${{ matrix.head-sha }}`). */
  'head-sha': string;
}

export interface SkippedRun {
  runId: number;
  workflow: string;
  branch: string;
  reason: string;
}

export interface ScanMatrix {
  matrix: { include: MatrixEntry[] };
  skipped: SkippedRun[];
  /** More failed runs matched than `maxFailures`. */
  more: boolean;
}

export interface MatrixOptions {
  owner: string;
  repo: string;
  lookbackMinutes: number;
  maxFailures: number;
  branchPrefix: string;
}

export const EMPTY_MATRIX = '{"include":[]}';

/** The parents of the fix branch's tip, or undefined when the branch does not exist. */
async function fixBranchParents(client: GitHubClient, owner: string, repo: string, branch: string): Promise<string[] | undefined> {
  try {
    const response = await client.octokit.rest.repos.getBranch({ owner, repo, branch });
    return response.data.commit.parents.map((parent) => parent.sha);
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404) return undefined;
    throw toGitHubApiError(error, client, `looking up the fix branch ${branch}`);
  }
}

/** Why a run needs no fix job, or undefined when it does. */
async function skipReason(
  client: GitHubClient,
  run: FailedRun,
  options: MatrixOptions,
  branchesTaken: Set<string>,
  parentsCache: Map<string, string[] | undefined>,
): Promise<string | undefined> {
  if (run.fromFork) {
    // The fix job checks out the head with a write token beside it: never code from another repository.
    return "the run's head is not in this repository (a fork): fix jobs take only this repository's runs";
  }
  if (run.branch !== '' && run.branch.startsWith(options.branchPrefix)) {
    return `the run is on a fix branch (${options.branchPrefix}…): loop protection`;
  }
  const key = run.branch === '' ? `sha:${run.headSha}` : run.branch;
  if (branchesTaken.has(key)) return 'a newer failed run of the same branch is in the matrix';
  if (run.branch !== '') {
    const fixBranch = `${options.branchPrefix}${run.branch}`;
    if (!parentsCache.has(fixBranch)) parentsCache.set(fixBranch, await fixBranchParents(client, options.owner, options.repo, fixBranch));
    if (parentsCache.get(fixBranch)?.includes(run.headSha)) {
      return `${fixBranch} already holds a fix of ${run.headSha.slice(0, 12)}`;
    }
  }
  branchesTaken.add(key);
  return undefined;
}

export async function scanMatrix(client: GitHubClient, options: MatrixOptions, now: Date): Promise<ScanMatrix> {
  if (options.branchPrefix === '') throw new ConfigurationError('branch-prefix must not be empty in mode: scan');
  const since = new Date(now.getTime() - options.lookbackMinutes * 60_000);
  const listed = await listFailedRuns(client, { owner: options.owner, repo: options.repo, since, maxFailures: options.maxFailures });
  const include: MatrixEntry[] = [];
  const skipped: SkippedRun[] = [];
  const branchesTaken = new Set<string>();
  const parentsCache = new Map<string, string[] | undefined>();
  // Newest first: the newest failed run of a branch is the one that gets the fix job.
  for (const run of listed.runs) {
    const reason = await skipReason(client, run, options, branchesTaken, parentsCache);
    if (reason === undefined) include.push({ 'run-id': run.id, workflow: run.workflow, branch: run.branch, 'head-sha': run.headSha });
    else skipped.push({ runId: run.id, workflow: run.workflow, branch: run.branch, reason });
  }
  return { matrix: { include }, skipped, more: listed.more };
}
