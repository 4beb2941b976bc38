/**
 * Trigger → Target: which workflow run (and attempt) the autofixer works on.
 *   workflow_run       the triggering run from the payload (the run-id input wins when given)
 *   workflow_dispatch  the run-id input, else the newest failed run on the dispatched branch
 *   cli, schedule, …   the run-id input (required)
 * A run that did not fail is not an error: it yields a notice.
 */
import { ConfigurationError, GitHubApiError } from '../errors.js';
import { callGitHub, toGitHubApiError, type GitHubClient } from '../github/client.js';
import type { Target } from '../model.js';

export interface TriggerInput {
  eventName: string;
  payload: Record<string, unknown>;
  /** owner/name, from GITHUB_REPOSITORY or --repo. */
  repository: string;
  /** The run-id input. */
  runId?: number | undefined;
}

export type ResolvedTarget = { target: Target } | { notice: string };

/** Conclusions that mean the run failed and its failed jobs are worth reading. */
const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out']);

/** The fields of a workflow run this module reads (the webhook payload and the REST answer share them). */
interface RunFields {
  id: number;
  run_attempt?: number;
  name?: string | null;
  html_url?: string;
  head_sha: string;
  head_branch: string | null;
  status?: string | null;
  conclusion: string | null;
  /** The repository the run belongs to; undefined when the source does not say. */
  repository?: RepositoryFields;
  /** The repository holding the head commit: null when GitHub sends null (a deleted fork), undefined when absent. */
  head_repository?: RepositoryFields | null;
  pull_requests?: { number: number }[] | null;
}

interface RepositoryFields {
  id?: number;
  full_name?: string;
  owner?: string;
}

function readRepository(value: unknown): RepositoryFields | null | undefined {
  if (value === null) return null;
  if (!isRecord(value)) return undefined;
  return {
    ...(typeof value.id === 'number' ? { id: value.id } : {}),
    ...(typeof value.full_name === 'string' ? { full_name: value.full_name } : {}),
    ...(isRecord(value.owner) && typeof value.owner.login === 'string' ? { owner: value.owner.login } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readRun(value: unknown, where: string): RunFields {
  if (!isRecord(value) || typeof value.id !== 'number' || typeof value.head_sha !== 'string') {
    throw new ConfigurationError(`${where} is not a workflow run (it has no numeric id and head_sha)`);
  }
  const pulls = Array.isArray(value.pull_requests)
    ? value.pull_requests.filter((p): p is { number: number } => isRecord(p) && typeof p.number === 'number')
    : [];
  return {
    id: value.id,
    run_attempt: typeof value.run_attempt === 'number' ? value.run_attempt : undefined,
    name: typeof value.name === 'string' ? value.name : null,
    html_url: typeof value.html_url === 'string' ? value.html_url : undefined,
    head_sha: value.head_sha,
    head_branch: typeof value.head_branch === 'string' ? value.head_branch : null,
    status: typeof value.status === 'string' ? value.status : null,
    conclusion: typeof value.conclusion === 'string' ? value.conclusion : null,
    repository: readRepository(value.repository) ?? undefined,
    head_repository: 'head_repository' in value ? readRepository(value.head_repository) : undefined,
    pull_requests: pulls,
  };
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})?)\/([A-Za-z0-9._-]{1,100})$/.exec(repository.trim());
  if (!match) throw new ConfigurationError(`repository ${JSON.stringify(repository)} must be OWNER/NAME (as in GITHUB_REPOSITORY)`);
  return { owner: match[1] as string, repo: match[2] as string };
}

async function getRun(client: GitHubClient, owner: string, repo: string, runId: number): Promise<RunFields> {
  try {
    const response = await client.octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId });
    return readRun(response.data, `run ${runId}`);
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404) {
      throw new GitHubApiError(
        `workflow run ${runId} does not exist in ${owner}/${repo} (GET /repos/${owner}/${repo}/actions/runs/${runId} answered 404): check the run-id, and that the token has 'actions: read'`,
        404,
        { cause: error },
      );
    }
    throw toGitHubApiError(error, client, `reading workflow run ${runId}`);
  }
}

function branchOfRef(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || ref === '') return undefined;
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
}

/**
 * Why the run's head cannot be trusted with a write token, or undefined when it can. Trust is
 * decided by repository ids, never by the absence of a field: a null head repository (GitHub sends
 * null once a fork is deleted), a missing id, another id or another owner all mean report only.
 */
export function untrustedHeadReason(
  run: Pick<RunFields, 'repository' | 'head_repository'>,
  owner: string,
  repo: string,
): string | undefined {
  const base = run.repository;
  const head = run.head_repository;
  if (base === undefined || base.id === undefined) {
    return 'the run does not say which repository it belongs to (no repository id)';
  }
  if (base.full_name !== undefined && base.full_name.toLowerCase() !== `${owner}/${repo}`.toLowerCase()) {
    return `the run belongs to ${base.full_name}, not to ${owner}/${repo}`;
  }
  if (head === null) return "the run's head repository is unknown (GitHub sends none once a fork is deleted)";
  if (head === undefined || head.id === undefined) return 'the run does not say which repository holds its head commit';
  if (head.id !== base.id) {
    return `the run's head is in another repository (a fork${head.full_name !== undefined ? `: ${head.full_name}` : ''})`;
  }
  if (head.owner !== undefined && base.owner !== undefined && head.owner.toLowerCase() !== base.owner.toLowerCase()) {
    return `the run's head repository is owned by ${head.owner}, not by ${base.owner}`;
  }
  return undefined;
}

function toTarget(run: RunFields, owner: string, repo: string, trigger: string): Target {
  const untrusted = untrustedHeadReason(run, owner, repo);
  const headRepository = run.head_repository?.full_name ?? (run.head_repository === null ? 'unknown' : `${owner}/${repo}`);
  return {
    owner,
    repo,
    runId: run.id,
    runAttempt: run.run_attempt ?? 1,
    ...(run.name ? { workflowName: run.name } : {}),
    ...(run.html_url ? { runUrl: run.html_url } : {}),
    headSha: run.head_sha,
    headBranch: run.head_branch ?? '',
    headRepository,
    fromFork: untrusted !== undefined,
    ...(untrusted !== undefined ? { untrustedReason: untrusted } : {}),
    conclusion: run.conclusion,
    pullRequests: (run.pull_requests ?? []).map((pull) => pull.number),
    trigger,
  };
}

function noticeForUnfailed(run: RunFields): string | undefined {
  const label = `Workflow run ${run.id}${run.name ? ` (${run.name})` : ''}`;
  if (run.conclusion === null || (run.status !== null && run.status !== undefined && run.status !== 'completed')) {
    return `${label} has not finished (status: ${run.status ?? 'unknown'}); nothing to fix yet. Run again once it has failed.`;
  }
  if (!FAILED_CONCLUSIONS.has(run.conclusion)) {
    return `${label} did not fail (conclusion: ${run.conclusion}); nothing to fix.`;
  }
  return undefined;
}

function resolved(run: RunFields, owner: string, repo: string, trigger: string): ResolvedTarget {
  const notice = noticeForUnfailed(run);
  return notice === undefined ? { target: toTarget(run, owner, repo, trigger) } : { notice };
}

export async function resolveTarget(input: TriggerInput, client: GitHubClient): Promise<ResolvedTarget> {
  const { owner, repo } = splitRepository(input.repository);
  const trigger = input.eventName === '' ? 'cli' : input.eventName;
  if (input.runId !== undefined && (!Number.isSafeInteger(input.runId) || input.runId <= 0)) {
    throw new ConfigurationError(`run-id must be a positive whole number (got ${input.runId})`);
  }

  if (trigger === 'workflow_run' && input.runId === undefined) {
    return resolved(readRun(input.payload.workflow_run, 'the workflow_run event payload'), owner, repo, trigger);
  }
  if (input.runId !== undefined) {
    return resolved(await getRun(client, owner, repo, input.runId), owner, repo, trigger);
  }
  if (trigger === 'workflow_dispatch') {
    const branch = branchOfRef(input.payload.ref);
    if (branch === undefined) throw new ConfigurationError('the workflow_dispatch payload has no ref: give the run-id input');
    const response = await callGitHub(client, `finding the newest failed run on ${branch}`, () =>
      client.octokit.rest.actions.listWorkflowRunsForRepo({ owner, repo, branch, status: 'failure', per_page: 1 }),
    );
    const newest = response.data.workflow_runs[0];
    if (newest === undefined) return { notice: `No failed workflow run on branch ${branch} in ${owner}/${repo}; nothing to fix.` };
    return resolved(readRun(newest, `run ${newest.id}`), owner, repo, trigger);
  }
  throw new ConfigurationError(
    `event '${trigger}' does not name a workflow run: give the run-id input (or trigger on workflow_run / workflow_dispatch)`,
  );
}
