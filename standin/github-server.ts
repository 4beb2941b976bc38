/**
 * A local stand-in for the GitHub REST API (node:http on 127.0.0.1, random port) that speaks the
 * endpoints CI Autofixer uses and checks EVERY request and EVERY response against GitHub's
 * official OpenAPI description (@octokit/openapi, see ./openapi-validator.ts). A request or a
 * response that breaks the description is answered with 500 and the violation text, and the text
 * is recorded in `violations` (tests assert it stays empty; the demo prints it).
 *
 * Endpoints (paths below the API base `url`):
 *   GET    /repos/{owner}/{repo}                                              full-repository
 *   GET    /repos/{owner}/{repo}/actions/runs?branch&status&event&head_sha&per_page&page   newest first
 *   GET    /repos/{owner}/{repo}/actions/runs/{run_id}                        workflow-run
 *   GET    /repos/{owner}/{repo}/actions/runs/{run_id}/jobs                   jobs of the latest attempt
 *   GET    /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{n}/jobs      jobs (paginated, Link header)
 *   GET    /repos/{owner}/{repo}/actions/jobs/{job_id}/logs                   302 → plain-text log
 *   GET    /repos/{owner}/{repo}/contents/{path}?ref                          content-file (files set with
 *          setFile; `ref` is a branch, default the repository's default branch; 404 otherwise,
 *          directories included; `path` may come with raw or %2F-encoded slashes, as GitHub accepts both)
 *   GET    /repos/{owner}/{repo}/branches/{branch}                            branch-with-protection (branches
 *          set with setBranch; 404 otherwise)
 *   GET    /repos/{owner}/{repo}/pulls?state&head&base&per_page&page
 *   GET    /repos/{owner}/{repo}/pulls/{pull_number}
 *   POST   /repos/{owner}/{repo}/pulls                                        201 (422 when one is open for head)
 *   PATCH  /repos/{owner}/{repo}/pulls/{pull_number}
 * The log endpoint redirects, as GitHub does, to a signed URL on ANOTHER origin (a second listener
 * on another port) that serves text/plain without authentication; a request that carries an
 * Authorization header there is recorded as a violation (credentials must not follow redirects
 * to another host).
 *
 * API:
 *   const gh = await startGitHubStandIn({ token?: 'ghs_x', pathPrefix?: '/api/v3', webUrl?: 'https://github.example' });
 *   gh.url                           API base URL, e.g. http://127.0.0.1:41234 (or …/api/v3)
 *   gh.addRepository({ owner, repo, defaultBranch, private? })
 *   gh.addRun({ owner, repo, name?, path?, createdAt?, headSha, headBranch, headRepository?, event?, status?,
 *               conclusion, runAttempt?, pullRequests?, jobs: [{ name, conclusion, steps:
 *               [{ name, conclusion }], log }] })  → run id   (adds the repository when unknown)
 *   gh.failNext(/^GET \/repos\/.+\/jobs/, 502, 2, { headers?, body? })   next 2 matching requests
 *               ("METHOD /path", no query, no prefix; the signed log URL's path too) get that status,
 *               with these extra headers (e.g. { 'retry-after': '1' }) and this JSON body (default
 *               GitHub's basic-error shape; an API body must still fit the description)
 *   gh.setFile({ owner, repo, ref?, path, content })   a file served by the contents endpoint at that
 *               branch (default: the repository's default branch; adds the repository when unknown)
 *   gh.setBranch({ owner, repo, branch, sha, parents? })   a branch the branches endpoint serves, its
 *               head commit `sha` with these parent commits
 *   gh.rateLimitNext(/…/, 'primary' | 'secondary', count)   403 rate-limit answers as GitHub sends them
 *   gh.pulls         pull requests created/updated: { owner, repo, number, title, body, head, base,
 *                    state, draft, html_url, url }
 *   gh.requests      every request: { method, path, query, status }
 *   gh.violations    OpenAPI violations (and calls to endpoints the stand-in does not implement)
 *   await gh.close()
 * With `token` set, API requests need `Authorization: token <token>` or `Bearer <token>`;
 * otherwise 401 with GitHub's error body.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findOperation, validateRequest, validateResponse, type Operation } from './openapi-validator.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface StandInStep {
  name: string;
  conclusion: 'success' | 'failure' | 'skipped' | 'cancelled' | null;
}

export interface StandInJob {
  name: string;
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | null;
  steps: StandInStep[];
  /** The raw log text the log endpoint serves. */
  log: string;
}

export interface StandInRun {
  owner: string;
  repo: string;
  /** Workflow name (default "CI"). */
  name?: string;
  /** Workflow file (default ".github/workflows/ci.yml"). */
  path?: string;
  /** ISO time the run was created (default: 2026-11-25T06:00:00Z plus one minute per run added). */
  createdAt?: string;
  headSha: string;
  headBranch: string;
  /** owner/name holding the head commit (a fork for fork PRs); default owner/repo. */
  headRepository?: string;
  event?: string;
  /** Default "completed". */
  status?: 'completed' | 'in_progress' | 'queued';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | null;
  runAttempt?: number;
  pullRequests?: number[];
  jobs: StandInJob[];
}

export interface StandInPull {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  /** Branch name (without owner:). */
  head: string;
  base: string;
  state: 'open' | 'closed';
  draft: boolean;
  html_url: string;
  url: string;
}

export interface StandInBranch {
  owner: string;
  repo: string;
  branch: string;
  /** The branch's head commit. */
  sha: string;
  /** That commit's parents (default none). */
  parents?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface GitHubStandIn {
  url: string;
  violations: string[];
  requests: RecordedRequest[];
  pulls: StandInPull[];
  addRepository(repository: { owner: string; repo: string; defaultBranch: string; private?: boolean }): void;
  addRun(run: StandInRun): number;
  failNext(pattern: RegExp, status: number, count: number, options?: FailNextOptions): void;
  setFile(file: StandInFile): void;
  setBranch(branch: StandInBranch): void;
  rateLimitNext(pattern: RegExp, kind: 'primary' | 'secondary', count: number): void;
  close(): Promise<void>;
}

export interface FailNextOptions {
  /** Sent on top of the usual headers, e.g. { 'retry-after': '1' }. */
  headers?: Record<string, string>;
  /** The JSON body instead of the default basic-error one. */
  body?: object;
}

export interface StandInFile {
  owner: string;
  repo: string;
  /** Branch name; default the repository's default branch (as it is when setFile is called). */
  ref?: string;
  /** Path in the repository, without a leading slash, e.g. "src/app.py". */
  path: string;
  /** UTF-8 text, or raw bytes. */
  content: string | Uint8Array;
}

export interface GitHubStandInOptions {
  token?: string;
  /** Serve the API below this path, as GitHub Enterprise Server does (/api/v3). */
  pathPrefix?: string;
  /** Origin of html_url links. */
  webUrl?: string;
}

interface RepositoryRecord {
  owner: string;
  repo: string;
  id: number;
  ownerId: number;
  defaultBranch: string;
  private: boolean;
}

interface RunRecord extends StandInRun {
  id: number;
  runNumber: number;
  createdAt: string;
  jobIds: number[];
}

interface JobRecord extends StandInJob {
  id: number;
  runId: number;
  startedAt: string;
  completedAt: string;
}

interface Fault {
  pattern: RegExp;
  remaining: number;
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
  /** The body came from the test (the blob host sends it as JSON rather than its own text). */
  customBody: boolean;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: Json | undefined,
    readonly headers: Record<string, string> = {},
  ) {}
}

const DOCS = 'https://docs.github.com/rest';
const MAX_BODY_BYTES = 1024 * 1024;

function fakeSha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The git blob id of a file's bytes, as the contents API reports it in `sha`. */
function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** GitHub sends file content as base64 in lines of 60 characters, each ending with a newline. */
function base64Lines(bytes: Buffer): string {
  const text = bytes.toString('base64');
  let out = '';
  for (let i = 0; i < text.length; i += 60) out += `${text.slice(i, i + 60)}\n`;
  return out;
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`${kind}${id}`).toString('base64');
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const webUrl = (options.webUrl ?? 'https://github.example').replace(/\/+$/, '');
  const repositories = new Map<string, RepositoryRecord>();
  const runs = new Map<number, RunRecord>();
  const jobs = new Map<number, JobRecord>();
  const pulls: StandInPull[] = [];
  const pullCreatedAt = new Map<StandInPull, string>();
  const violations: string[] = [];
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const blobSignatures = new Map<string, number>();
  /** File bytes by `owner/repo` (lower case), then `ref:path`. */
  const files = new Map<string, Map<string, Buffer>>();
  /** Branches by `owner/repo` (lower case), then branch name. */
  const branches = new Map<string, Map<string, StandInBranch>>();
  let nextRepositoryId = 612_000_000;
  let nextRunId = 11_923_000_000;
  let nextJobId = 33_410_000_000;
  let apiOrigin = '';
  let blobOrigin = '';
  const apiBase = (): string => `${apiOrigin}${prefix}`;

  const key = (owner: string, repo: string): string => `${owner}/${repo}`.toLowerCase();

  function ensureRepository(owner: string, repo: string, defaultBranch = 'main', isPrivate = false): RepositoryRecord {
    const existing = repositories.get(key(owner, repo));
    if (existing) return existing;
    const record: RepositoryRecord = {
      owner,
      repo,
      id: nextRepositoryId++,
      ownerId: 9_000_000 + repositories.size,
      defaultBranch,
      private: isPrivate,
    };
    repositories.set(key(owner, repo), record);
    return record;
  }

  // ---- response bodies, shaped after the schemas (required fields filled with realistic values) ----

  function simpleUser(login: string, id: number, type: 'User' | 'Organization' | 'Bot' = 'Organization'): JsonObject {
    const api = `${apiBase()}/users/${encodeURIComponent(login)}`;
    return {
      login,
      id,
      node_id: nodeId('04:User', id),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: api,
      html_url: `${webUrl}/${encodeURIComponent(login)}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type,
      site_admin: false,
    };
  }

  const botUser = (): JsonObject => ({ ...simpleUser('github-actions[bot]', 41898282, 'Bot') });

  function minimalRepository(record: RepositoryRecord): JsonObject {
    const api = `${apiBase()}/repos/${record.owner}/${record.repo}`;
    return {
      id: record.id,
      node_id: nodeId('010:Repository', record.id),
      name: record.repo,
      full_name: `${record.owner}/${record.repo}`,
      owner: simpleUser(record.owner, record.ownerId),
      private: record.private,
      html_url: `${webUrl}/${record.owner}/${record.repo}`,
      description: null,
      fork: false,
      url: api,
      archive_url: `${api}/{archive_format}{/ref}`,
      assignees_url: `${api}/assignees{/user}`,
      blobs_url: `${api}/git/blobs{/sha}`,
      branches_url: `${api}/branches{/branch}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      comments_url: `${api}/comments{/number}`,
      commits_url: `${api}/commits{/sha}`,
      compare_url: `${api}/compare/{base}...{head}`,
      contents_url: `${api}/contents/{+path}`,
      contributors_url: `${api}/contributors`,
      deployments_url: `${api}/deployments`,
      downloads_url: `${api}/downloads`,
      events_url: `${api}/events`,
      forks_url: `${api}/forks`,
      git_commits_url: `${api}/git/commits{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      hooks_url: `${api}/hooks`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      issue_events_url: `${api}/issues/events{/number}`,
      issues_url: `${api}/issues{/number}`,
      keys_url: `${api}/keys{/key_id}`,
      labels_url: `${api}/labels{/name}`,
      languages_url: `${api}/languages`,
      merges_url: `${api}/merges`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      pulls_url: `${api}/pulls{/number}`,
      releases_url: `${api}/releases{/id}`,
      stargazers_url: `${api}/stargazers`,
      statuses_url: `${api}/statuses/{sha}`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      tags_url: `${api}/tags`,
      teams_url: `${api}/teams`,
      trees_url: `${api}/git/trees{/sha}`,
    };
  }

  /** The `repository` schema (PR head/base) and, with `full`, `full-repository` (GET /repos/{o}/{r}). */
  function repository(record: RepositoryRecord, full: boolean): JsonObject {
    const host = new URL(webUrl).host;
    const body: JsonObject = {
      ...minimalRepository(record),
      homepage: null,
      language: 'Python',
      size: 112,
      default_branch: record.defaultBranch,
      clone_url: `${webUrl}/${record.owner}/${record.repo}.git`,
      git_url: `git://${host}/${record.owner}/${record.repo}.git`,
      ssh_url: `git@${host}:${record.owner}/${record.repo}.git`,
      svn_url: `${webUrl}/${record.owner}/${record.repo}`,
      mirror_url: null,
      forks: 0,
      forks_count: 0,
      stargazers_count: 3,
      watchers: 3,
      watchers_count: 3,
      open_issues: pulls.filter((p) => key(p.owner, p.repo) === key(record.owner, record.repo) && p.state === 'open').length,
      open_issues_count: pulls.filter((p) => key(p.owner, p.repo) === key(record.owner, record.repo) && p.state === 'open').length,
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      archived: false,
      disabled: false,
      license: null,
      visibility: record.private ? 'private' : 'public',
      pushed_at: '2026-11-25T05:59:12Z',
      created_at: '2025-03-14T09:26:53Z',
      updated_at: '2026-11-25T05:59:15Z',
    };
    if (full) {
      body.has_discussions = false;
      body.network_count = 0;
      body.subscribers_count = 2;
    } else {
      body.has_downloads = true;
    }
    return body;
  }

  function headRepositoryRecord(run: RunRecord): RepositoryRecord {
    const [owner = run.owner, repo = run.repo] = (run.headRepository ?? `${run.owner}/${run.repo}`).split('/');
    return (
      repositories.get(key(owner, repo)) ?? {
        owner,
        repo,
        id: 700_000_000 + (fakeSha(`${owner}/${repo}`).charCodeAt(0) % 97),
        ownerId: 8_000_000 + (fakeSha(owner).charCodeAt(1) % 97),
        defaultBranch: 'main',
        private: false,
      }
    );
  }

  function workflowRun(run: RunRecord): JsonObject {
    const record = ensureRepository(run.owner, run.repo);
    const api = `${apiBase()}/repos/${run.owner}/${run.repo}/actions/runs/${run.id}`;
    const head = headRepositoryRecord(run);
    const actor = simpleUser('octocat', 583231, 'User');
    return {
      id: run.id,
      name: run.name ?? 'CI',
      node_id: nodeId('WFR_', run.id),
      check_suite_id: run.id + 1000,
      check_suite_node_id: nodeId('CS_', run.id + 1000),
      head_branch: run.headBranch,
      head_sha: run.headSha,
      path: run.path ?? '.github/workflows/ci.yml',
      display_title: `Run ${run.name ?? 'CI'} on ${run.headBranch}`,
      run_number: run.runNumber,
      run_attempt: run.runAttempt ?? 1,
      event: run.event ?? (run.pullRequests && run.pullRequests.length > 0 ? 'pull_request' : 'push'),
      status: run.status ?? 'completed',
      conclusion: run.status === undefined || run.status === 'completed' ? run.conclusion : null,
      workflow_id: 161_335,
      url: api,
      html_url: `${webUrl}/${run.owner}/${run.repo}/actions/runs/${run.id}`,
      pull_requests: (run.pullRequests ?? []).map((number) => ({
        id: 2_000_000_000 + number,
        number,
        url: `${apiBase()}/repos/${run.owner}/${run.repo}/pulls/${number}`,
        head: {
          ref: run.headBranch,
          sha: run.headSha,
          repo: { id: head.id, url: `${apiBase()}/repos/${head.owner}/${head.repo}`, name: head.repo },
        },
        base: {
          ref: record.defaultBranch,
          sha: fakeSha(`${run.owner}/${run.repo}:${record.defaultBranch}`),
          repo: { id: record.id, url: `${apiBase()}/repos/${run.owner}/${run.repo}`, name: run.repo },
        },
      })),
      referenced_workflows: [],
      created_at: run.createdAt,
      updated_at: run.createdAt,
      run_started_at: run.createdAt,
      actor,
      triggering_actor: actor,
      jobs_url: `${api}/jobs`,
      logs_url: `${api}/logs`,
      check_suite_url: `${apiBase()}/repos/${run.owner}/${run.repo}/check-suites/${run.id + 1000}`,
      artifacts_url: `${api}/artifacts`,
      cancel_url: `${api}/cancel`,
      rerun_url: `${api}/rerun`,
      previous_attempt_url: (run.runAttempt ?? 1) > 1 ? `${api}/attempts/${(run.runAttempt ?? 1) - 1}` : null,
      workflow_url: `${apiBase()}/repos/${run.owner}/${run.repo}/actions/workflows/161335`,
      head_commit: {
        id: run.headSha,
        tree_id: fakeSha(`tree:${run.headSha}`),
        message: 'Add configuration loader',
        timestamp: run.createdAt,
        author: { name: 'Mona Lisa', email: 'mona@example.com' },
        committer: { name: 'Mona Lisa', email: 'mona@example.com' },
      },
      repository: minimalRepository(record),
      head_repository: minimalRepository(head),
      head_repository_id: head.id,
    };
  }

  function jobBody(job: JobRecord): JsonObject {
    const run = runs.get(job.runId) as RunRecord;
    const repoApi = `${apiBase()}/repos/${run.owner}/${run.repo}`;
    let clock = Date.parse(job.startedAt);
    const stamp = (): string => new Date((clock += 2000)).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      id: job.id,
      run_id: run.id,
      workflow_name: run.name ?? 'CI',
      head_branch: run.headBranch,
      run_url: `${repoApi}/actions/runs/${run.id}`,
      run_attempt: run.runAttempt ?? 1,
      node_id: nodeId('CR_', job.id),
      head_sha: run.headSha,
      url: `${repoApi}/actions/jobs/${job.id}`,
      html_url: `${webUrl}/${run.owner}/${run.repo}/actions/runs/${run.id}/job/${job.id}`,
      status: 'completed',
      conclusion: job.conclusion,
      created_at: job.startedAt,
      started_at: job.startedAt,
      completed_at: job.completedAt,
      name: job.name,
      steps: [
        { name: 'Set up job', status: 'completed', conclusion: 'success', number: 1, started_at: stamp(), completed_at: stamp() },
        ...job.steps.map((step, index) => ({
          name: step.name,
          status: 'completed',
          conclusion: step.conclusion,
          number: index + 2,
          started_at: stamp(),
          completed_at: stamp(),
        })),
      ],
      check_run_url: `${repoApi}/check-runs/${job.id}`,
      labels: ['ubuntu-latest'],
      runner_id: 1_000_000 + (job.id % 1000),
      runner_name: `GitHub Actions ${job.id % 1000}`,
      runner_group_id: 2,
      runner_group_name: 'GitHub Actions',
    };
  }

  function pullBody(pull: StandInPull, full: boolean): JsonObject {
    const record = ensureRepository(pull.owner, pull.repo);
    const api = `${apiBase()}/repos/${pull.owner}/${pull.repo}`;
    const createdAt = pullCreatedAt.get(pull) ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const link = (href: string): JsonObject => ({ href });
    const headSha = fakeSha(`${pull.owner}/${pull.repo}:${pull.head}`);
    const body: JsonObject = {
      url: pull.url,
      id: 1_900_000_000 + pull.number,
      node_id: nodeId('PR_', pull.number),
      html_url: pull.html_url,
      diff_url: `${pull.html_url}.diff`,
      patch_url: `${pull.html_url}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      commits_url: `${pull.url}/commits`,
      review_comments_url: `${pull.url}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      statuses_url: `${api}/statuses/${headSha}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: botUser(),
      body: pull.body,
      labels: [],
      milestone: null,
      active_lock_reason: null,
      created_at: createdAt,
      updated_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      closed_at: pull.state === 'closed' ? createdAt : null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: {
        label: `${pull.owner}:${pull.head}`,
        ref: pull.head,
        sha: headSha,
        user: simpleUser(record.owner, record.ownerId),
        repo: repository(record, false),
      },
      base: {
        label: `${pull.owner}:${pull.base}`,
        ref: pull.base,
        sha: fakeSha(`${pull.owner}/${pull.repo}:${pull.base}`),
        user: simpleUser(record.owner, record.ownerId),
        repo: repository(record, false),
      },
      _links: {
        self: link(pull.url),
        html: link(pull.html_url),
        issue: link(`${api}/issues/${pull.number}`),
        comments: link(`${api}/issues/${pull.number}/comments`),
        review_comments: link(`${pull.url}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${pull.url}/commits`),
        statuses: link(`${api}/statuses/${headSha}`),
      },
      author_association: 'CONTRIBUTOR',
      auto_merge: null,
      draft: pull.draft,
    };
    if (full) {
      Object.assign(body, {
        merged: false,
        mergeable: true,
        rebaseable: true,
        mergeable_state: 'clean',
        merged_by: null,
        comments: 0,
        review_comments: 0,
        maintainer_can_modify: false,
        commits: 1,
        additions: 12,
        deletions: 9,
        changed_files: 3,
      });
    }
    return body;
  }

  function contentFile(record: RepositoryRecord, ref: string, filePath: string, bytes: Buffer): JsonObject {
    const sha = gitBlobSha(bytes);
    const encodedPath = filePath.split('/').map(encodeURIComponent).join('/');
    const repoApi = `${apiBase()}/repos/${record.owner}/${record.repo}`;
    const self = `${repoApi}/contents/${encodedPath}?ref=${encodeURIComponent(ref)}`;
    const git = `${repoApi}/git/blobs/${sha}`;
    const html = `${webUrl}/${record.owner}/${record.repo}/blob/${encodeURIComponent(ref)}/${encodedPath}`;
    return {
      type: 'file',
      encoding: 'base64',
      size: bytes.length,
      name: filePath.slice(filePath.lastIndexOf('/') + 1),
      path: filePath,
      content: base64Lines(bytes),
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: `${webUrl}/${record.owner}/${record.repo}/raw/${encodeURIComponent(ref)}/${encodedPath}`,
      _links: { self, git, html },
    };
  }

  function branchBody(record: RepositoryRecord, branch: StandInBranch): JsonObject {
    const repoApi = `${apiBase()}/repos/${record.owner}/${record.repo}`;
    const when = '2026-11-25T06:30:00Z';
    const person = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com', date: when };
    const commit: JsonObject = {
      url: `${repoApi}/commits/${branch.sha}`,
      sha: branch.sha,
      node_id: nodeId('C_', Number.parseInt(branch.sha.slice(0, 8), 16)),
      html_url: `${webUrl}/${record.owner}/${record.repo}/commit/${branch.sha}`,
      comments_url: `${repoApi}/commits/${branch.sha}/comments`,
      commit: {
        url: `${repoApi}/git/commits/${branch.sha}`,
        author: person,
        committer: person,
        message: 'Fix formatting\n\nCI-Autofixer: run 1',
        comment_count: 0,
        tree: { sha: fakeSha(`tree:${branch.sha}`), url: `${repoApi}/git/trees/${fakeSha(`tree:${branch.sha}`)}` },
      },
      author: botUser(),
      committer: botUser(),
      parents: (branch.parents ?? []).map((sha) => ({
        sha,
        url: `${repoApi}/commits/${sha}`,
        html_url: `${webUrl}/${record.owner}/${record.repo}/commit/${sha}`,
      })),
    };
    return {
      name: branch.branch,
      commit,
      _links: { html: `${webUrl}/${record.owner}/${record.repo}/tree/${branch.branch}`, self: `${repoApi}/branches/${branch.branch}` },
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: `${repoApi}/branches/${branch.branch}/protection`,
    };
  }

  // ---- routing ----

  function error(status: number, message: string, extra: JsonObject = {}): HttpAnswer {
    return new HttpAnswer(status, { message, documentation_url: DOCS, status: String(status), ...extra });
  }

  function paginate<T>(items: T[], query: URLSearchParams, pathname: string): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(query.get('per_page') ?? '30') || 30, 1), 100);
    const pageNumber = Math.max(Number(query.get('page') ?? '1') || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const page = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
    const links: string[] = [];
    const linkTo = (n: number, rel: string): void => {
      const next = new URLSearchParams(query);
      next.set('page', String(n));
      links.push(`<${apiBase()}${pathname}?${next.toString()}>; rel="${rel}"`);
    };
    if (pageNumber < last) {
      linkTo(pageNumber + 1, 'next');
      linkTo(last, 'last');
    }
    if (pageNumber > 1) {
      linkTo(1, 'first');
      linkTo(pageNumber - 1, 'prev');
    }
    return { page, headers: links.length > 0 ? { link: links.join(', ') } : {} };
  }

  function repositoryOr404(params: Record<string, string>): RepositoryRecord | HttpAnswer {
    const record = repositories.get(key(params.owner ?? '', params.repo ?? ''));
    return record ?? error(404, 'Not Found');
  }

  function runOr404(params: Record<string, string>): RunRecord | HttpAnswer {
    const run = runs.get(Number(params.run_id));
    if (!run || key(run.owner, run.repo) !== key(params.owner ?? '', params.repo ?? '')) return error(404, 'Not Found');
    return run;
  }

  function route(operation: Operation, query: URLSearchParams, body: JsonObject, pathname: string): HttpAnswer {
    const params = operation.pathParams;
    switch (operation.operationId) {
      case 'repos/get': {
        const record = repositoryOr404(params);
        return record instanceof HttpAnswer ? record : new HttpAnswer(200, repository(record, true));
      }
      case 'actions/list-workflow-runs-for-repo': {
        const record = repositoryOr404(params);
        if (record instanceof HttpAnswer) return record;
        const status = query.get('status');
        const matching = [...runs.values()]
          .filter((run) => key(run.owner, run.repo) === key(record.owner, record.repo))
          .filter((run) => query.get('branch') === null || run.headBranch === query.get('branch'))
          .filter((run) => query.get('head_sha') === null || run.headSha === query.get('head_sha'))
          .filter((run) => query.get('event') === null || (workflowRun(run).event as string) === query.get('event'))
          .filter((run) => status === null || run.conclusion === status || (run.status ?? 'completed') === status)
          .sort((a, b) => b.id - a.id);
        const { page, headers } = paginate(matching, query, pathname);
        return new HttpAnswer(200, { total_count: matching.length, workflow_runs: page.map(workflowRun) }, headers);
      }
      case 'actions/get-workflow-run': {
        const run = runOr404(params);
        return run instanceof HttpAnswer ? run : new HttpAnswer(200, workflowRun(run));
      }
      case 'actions/list-jobs-for-workflow-run':
      case 'actions/list-jobs-for-workflow-run-attempt': {
        const run = runOr404(params);
        if (run instanceof HttpAnswer) return run;
        const attempt = params.attempt_number === undefined ? (run.runAttempt ?? 1) : Number(params.attempt_number);
        if (attempt < 1 || attempt > (run.runAttempt ?? 1)) return error(404, 'Not Found');
        // Only the latest attempt's jobs are recorded; earlier attempts answer with none.
        const all = attempt === (run.runAttempt ?? 1) ? run.jobIds.map((id) => jobs.get(id) as JobRecord) : [];
        const { page, headers } = paginate(all, query, pathname);
        return new HttpAnswer(200, { total_count: all.length, jobs: page.map(jobBody) }, headers);
      }
      case 'actions/download-job-logs-for-workflow-run': {
        const job = jobs.get(Number(params.job_id));
        const run = job ? runs.get(job.runId) : undefined;
        if (!job || !run || key(run.owner, run.repo) !== key(params.owner ?? '', params.repo ?? '')) return error(404, 'Not Found');
        const signature = fakeSha(`${job.id}:${Date.now()}:${Math.random()}`);
        blobSignatures.set(signature, job.id);
        const expires = new Date(Date.now() + 60_000).toISOString();
        return new HttpAnswer(302, undefined, {
          location: `${blobOrigin}/_apis/pipelines/1/jobs/${job.id}/signedlogcontent?urlExpires=${encodeURIComponent(expires)}&urlSigningMethod=HMACV1&urlSignature=${signature}`,
        });
      }
      case 'repos/get-content': {
        const record = repositoryOr404(params);
        if (record instanceof HttpAnswer) return record;
        const ref = query.get('ref') ?? record.defaultBranch;
        const filePath = (params.path ?? '').replace(/^\/+/, '');
        const bytes = files.get(key(record.owner, record.repo))?.get(`${ref}:${filePath}`);
        if (bytes === undefined) return error(404, 'Not Found', { documentation_url: `${DOCS}/repos/contents#get-repository-content` });
        return new HttpAnswer(200, contentFile(record, ref, filePath, bytes));
      }
      case 'repos/get-branch': {
        const record = repositoryOr404(params);
        if (record instanceof HttpAnswer) return record;
        const branch = branches.get(key(record.owner, record.repo))?.get(params.branch ?? '');
        if (branch === undefined) {
          return error(404, 'Branch not found', { documentation_url: `${DOCS}/branches/branches#get-a-branch` });
        }
        return new HttpAnswer(200, branchBody(record, branch));
      }
      case 'pulls/list': {
        const record = repositoryOr404(params);
        if (record instanceof HttpAnswer) return record;
        const state = query.get('state') ?? 'open';
        const head = query.get('head');
        const matching = pulls
          .filter((pull) => key(pull.owner, pull.repo) === key(record.owner, record.repo))
          .filter((pull) => state === 'all' || pull.state === state)
          .filter((pull) => head === null || `${pull.owner}:${pull.head}`.toLowerCase() === head.toLowerCase())
          .filter((pull) => query.get('base') === null || pull.base === query.get('base'))
          .sort((a, b) => b.number - a.number);
        const { page, headers } = paginate(matching, query, pathname);
        return new HttpAnswer(
          200,
          page.map((pull) => pullBody(pull, false)),
          headers,
        );
      }
      case 'pulls/get': {
        const pull = pulls.find(
          (p) => key(p.owner, p.repo) === key(params.owner ?? '', params.repo ?? '') && p.number === Number(params.pull_number),
        );
        return pull ? new HttpAnswer(200, pullBody(pull, true)) : error(404, 'Not Found');
      }
      case 'pulls/create': {
        const record = repositoryOr404(params);
        if (record instanceof HttpAnswer) return record;
        const rawHead = String(body.head);
        const headBranch = rawHead.includes(':') ? rawHead.slice(rawHead.indexOf(':') + 1) : rawHead;
        const base = String(body.base);
        const open = pulls.find(
          (p) => key(p.owner, p.repo) === key(record.owner, record.repo) && p.head === headBranch && p.base === base && p.state === 'open',
        );
        if (open) {
          return new HttpAnswer(422, {
            message: 'Validation Failed',
            errors: [
              { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${record.owner}:${headBranch}.` },
            ],
            documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
            status: '422',
          });
        }
        if (typeof body.title !== 'string' || body.title.trim() === '') {
          return new HttpAnswer(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'missing_field', field: 'title' }],
            documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
            status: '422',
          });
        }
        const number = pulls.filter((p) => key(p.owner, p.repo) === key(record.owner, record.repo)).length + 1;
        const pull: StandInPull = {
          owner: record.owner,
          repo: record.repo,
          number,
          title: body.title,
          body: typeof body.body === 'string' ? body.body : '',
          head: headBranch,
          base,
          state: 'open',
          draft: body.draft === true,
          html_url: `${webUrl}/${record.owner}/${record.repo}/pull/${number}`,
          url: `${apiBase()}/repos/${record.owner}/${record.repo}/pulls/${number}`,
        };
        pulls.push(pull);
        pullCreatedAt.set(pull, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
        return new HttpAnswer(201, pullBody(pull, true), { location: pull.url });
      }
      case 'pulls/update': {
        const pull = pulls.find(
          (p) => key(p.owner, p.repo) === key(params.owner ?? '', params.repo ?? '') && p.number === Number(params.pull_number),
        );
        if (!pull) return error(404, 'Not Found');
        if (typeof body.title === 'string') pull.title = body.title;
        if (typeof body.body === 'string') pull.body = body.body;
        if (body.state === 'open' || body.state === 'closed') pull.state = body.state;
        if (typeof body.base === 'string') pull.base = body.base;
        return new HttpAnswer(200, pullBody(pull, true));
      }
      default: {
        const text = `the stand-in does not implement ${operation.method} ${operation.template} (${operation.operationId})`;
        violations.push(text);
        return error(404, text);
      }
    }
  }

  function authorized(request: http.IncomingMessage): boolean {
    if (options.token === undefined) return true;
    const header = request.headers.authorization ?? '';
    const match = /^(?:token|bearer)\s+(.+)$/i.exec(header);
    return match?.[1] === options.token;
  }

  function send(response: http.ServerResponse, answer: HttpAnswer, record: RecordedRequest): void {
    record.status = answer.status;
    const headers: Record<string, string> = {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4987',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '13',
      'x-ratelimit-resource': 'core',
      'x-github-request-id': fakeSha(String(Math.random())).slice(0, 20).toUpperCase(),
      ...answer.headers,
    };
    if (answer.body === undefined) {
      response.writeHead(answer.status, headers).end();
      return;
    }
    headers['content-type'] = 'application/json; charset=utf-8';
    response.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
  }

  async function handleApi(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', apiOrigin);
    const method = request.method ?? 'GET';
    const pathname = prefix !== '' && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    const record: RecordedRequest = { method, path: pathname, query: url.search, status: 0 };
    requests.push(record);
    const text = await readBody(request);

    if (prefix !== '' && !url.pathname.startsWith(`${prefix}/`)) {
      violations.push(`${method} ${url.pathname}: outside the API prefix ${prefix}`);
      send(response, error(404, 'Not Found'), record);
      return;
    }
    const operation = findOperation(method, pathname);
    if (!operation) {
      const violation = `${method} ${pathname}: no operation in the OpenAPI description matches`;
      violations.push(violation);
      send(response, error(404, violation), record);
      return;
    }
    const requestViolations = validateRequest(operation, url.searchParams, { contentType: request.headers['content-type'], text });
    if (requestViolations.length > 0) {
      violations.push(...requestViolations);
      send(response, error(500, `OpenAPI request violation: ${requestViolations.join('; ')}`), record);
      return;
    }

    let answer: HttpAnswer;
    const fault = faults.find((f) => f.remaining > 0 && f.pattern.test(`${method} ${pathname}`));
    if (!authorized(request)) {
      answer = error(401, 'Bad credentials');
    } else if (fault) {
      fault.remaining -= 1;
      answer = new HttpAnswer(fault.status, fault.body, fault.headers);
    } else {
      let parsed: JsonObject = {};
      if (text.trim() !== '') parsed = JSON.parse(text) as JsonObject;
      answer = route(operation, url.searchParams, parsed, pathname);
    }
    const headers: Record<string, string | undefined> = { ...answer.headers };
    const responseViolations = validateResponse(operation, answer.status, headers, answer.body);
    if (responseViolations.length > 0) {
      violations.push(...responseViolations);
      send(response, error(500, `OpenAPI response violation: ${responseViolations.join('; ')}`), record);
      return;
    }
    send(response, answer, record);
  }

  function handleBlob(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', blobOrigin);
    const record: RecordedRequest = { method: request.method ?? 'GET', path: url.pathname, query: url.search, status: 0 };
    requests.push(record);
    const reply = (status: number, body: string): void => {
      record.status = status;
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    };
    if (request.headers.authorization !== undefined) {
      violations.push(`GET ${url.pathname}: the signed log URL on another host received an Authorization header`);
      reply(400, 'Authorization header not allowed on a signed URL');
      return;
    }
    const match = /^\/_apis\/pipelines\/1\/jobs\/(\d+)\/signedlogcontent$/.exec(url.pathname);
    const jobId = blobSignatures.get(url.searchParams.get('urlSignature') ?? '');
    if (!match || jobId === undefined || jobId !== Number(match[1])) {
      reply(403, 'Signature invalid or expired');
      return;
    }
    const fault = faults.find((f) => f.remaining > 0 && f.pattern.test(`GET ${url.pathname}`));
    if (fault) {
      fault.remaining -= 1;
      record.status = fault.status;
      // Blob storage answers in plain text unless the test asked for a JSON body.
      const [type, text] = fault.customBody
        ? ['application/json; charset=utf-8', JSON.stringify(fault.body)]
        : ['text/plain; charset=utf-8', http.STATUS_CODES[fault.status] ?? 'Error'];
      response.writeHead(fault.status, { ...fault.headers, 'content-type': type }).end(text);
      return;
    }
    const log = Buffer.from((jobs.get(jobId) as JobRecord).log, 'utf8');
    record.status = 200;
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(log.length) });
    // Written in pieces so that clients really receive a stream, as from GitHub's blob storage.
    const pieceBytes = 64 * 1024;
    let offset = 0;
    const writeMore = (): void => {
      while (offset < log.length) {
        const piece = log.subarray(offset, offset + pieceBytes);
        offset += piece.length;
        if (!response.write(piece)) {
          response.once('drain', writeMore);
          return;
        }
      }
      response.end();
    };
    writeMore();
  }

  const serverError = (response: http.ServerResponse, caught: unknown): void => {
    const text = `stand-in crashed: ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`;
    violations.push(text);
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: text }));
    else response.destroy();
  };
  const api = http.createServer((request, response) => {
    handleApi(request, response).catch((caught: unknown) => serverError(response, caught));
  });
  const blobs = http.createServer((request, response) => {
    try {
      handleBlob(request, response);
    } catch (caught: unknown) {
      serverError(response, caught);
    }
  });
  apiOrigin = `http://127.0.0.1:${await listen(api)}`;
  blobOrigin = `http://127.0.0.1:${await listen(blobs)}`;

  return {
    url: apiBase(),
    violations,
    requests,
    pulls,
    addRepository({ owner, repo, defaultBranch, private: isPrivate }) {
      const record = ensureRepository(owner, repo, defaultBranch, isPrivate ?? false);
      record.defaultBranch = defaultBranch;
    },
    addRun(run) {
      ensureRepository(run.owner, run.repo);
      const id = nextRunId;
      nextRunId += 17;
      const createdAt = (run.createdAt ?? new Date(Date.UTC(2026, 10, 25, 6, 0, 0) + runs.size * 60_000).toISOString()).replace(
        /\.\d+Z$/,
        'Z',
      );
      const jobIds: number[] = [];
      run.jobs.forEach((job, index) => {
        const jobId = nextJobId;
        nextJobId += 3;
        const started = Date.parse(createdAt) + (index + 1) * 5000;
        jobs.set(jobId, {
          ...job,
          id: jobId,
          runId: id,
          startedAt: new Date(started).toISOString().replace(/\.\d+Z$/, 'Z'),
          completedAt: new Date(started + 90_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        });
        jobIds.push(jobId);
      });
      runs.set(id, { ...run, id, runNumber: runs.size + 1, createdAt, jobIds });
      return id;
    },
    failNext(pattern, status, count, failOptions = {}) {
      faults.push({
        pattern,
        remaining: count,
        status,
        headers: Object.fromEntries(Object.entries(failOptions.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
        body: (failOptions.body as JsonObject | undefined) ?? {
          message: status >= 500 ? 'Server Error' : 'Injected failure',
          documentation_url: DOCS,
          status: String(status),
        },
        customBody: failOptions.body !== undefined,
      });
    },
    setFile({ owner, repo, ref, path: filePath, content }) {
      const record = ensureRepository(owner, repo);
      let byRef = files.get(key(owner, repo));
      if (!byRef) {
        byRef = new Map();
        files.set(key(owner, repo), byRef);
      }
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      byRef.set(`${ref ?? record.defaultBranch}:${filePath.replace(/^\/+/, '')}`, bytes);
    },
    setBranch(branch) {
      const record = ensureRepository(branch.owner, branch.repo);
      let byName = branches.get(key(record.owner, record.repo));
      if (!byName) {
        byName = new Map();
        branches.set(key(record.owner, record.repo), byName);
      }
      byName.set(branch.branch, branch);
    },
    rateLimitNext(pattern, kind, count) {
      const headers: Record<string, string> =
        kind === 'primary'
          ? {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-used': '5000',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1),
              'x-ratelimit-resource': 'core',
            }
          : { 'retry-after': '1' };
      const message =
        kind === 'primary'
          ? 'API rate limit exceeded for installation ID 1234567. If you reach out to GitHub Support for help, please include the request ID.'
          : 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
      faults.push({
        pattern,
        remaining: count,
        status: 403,
        headers,
        body: { message, documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api', status: '403' },
        customBody: false,
      });
    },
    close: async () => {
      await Promise.all([closeServer(api), closeServer(blobs)]);
    },
  };
}
