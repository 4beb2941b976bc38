/**
 * The GitHub REST client: @actions/github's Octokit with the retry and throttling plugins, pointed
 * at any API base (api.github.com, GitHub Enterprise's https://host/api/v3, the local stand-in).
 * Every error that leaves this module's users is a GitHubApiError whose message names the
 * endpoint and says what to do.
 *
 * Rate limits: one `request` hook wrapped around both plugins (hooks added after construction are
 * outermost: this hook → throttling → retry → fetch) decides every rate-limit retry, whatever its
 * kind: a Retry-After header (any 429, or a 403 that carries one), a primary limit (remaining 0:
 * wait until x-ratelimit-reset), a secondary limit or a bare 429 (GitHub's guidance: one minute).
 * A wait longer than `retry.maxWaitSeconds` is not slept through: the call fails at once, because
 * an action that sleeps for an hour holds a runner and still reports nothing. Throttling keeps
 * its request queues but its own retries are declined, so there is one retry count and one way of
 * reporting; every wait and every give-up lands in `rateLimitEvents` and in a warning.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ConfigurationError, GitHubApiError, getErrorMessage } from '../errors.js';
import type { Logger } from '../logging.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface GitHubClient {
  octokit: Octokit;
  /** API base without a trailing slash, e.g. https://api.github.com or https://ghe.example/api/v3. */
  apiUrl: string;
  logger: Logger;
  /** How many times a 5xx or a rate-limited request is retried. */
  retries: number;
  /**
   * One sentence per rate-limit wait or give-up, in order, e.g. "GET /repos/o/r/actions/runs/1/jobs:
   * rate limit (429), waited 1 s (retry 1/3)", for the run's report. Each was also logged as a warning.
   */
  rateLimitEvents: string[];
  /**
   * GETs a URL the API redirected to (job logs). The token is sent only when the URL is on the
   * API's own origin: GitHub redirects to signed blob URLs on other hosts, which must never
   * receive the credentials.
   */
  fetchRedirectTarget(url: string): Promise<Response>;
}

export interface GitHubClientOptions {
  token: string;
  apiUrl: string;
  logger: Logger;
  retry?: {
    /** Default 3. */
    retries?: number;
    /**
     * Unit of the waits between retries (n² units after a 5xx, one unit per second a rate limit
     * asks for); default 1000 ms. Tests shrink it so that "wait 30 s" takes 150 ms.
     */
    minDelayMs?: number;
    /**
     * The longest rate-limit wait (in GitHub's seconds, before the unit above applies) the client
     * sits through; a longer one fails at once. Default 60.
     */
    maxWaitSeconds?: number;
  };
}

const USER_AGENT = 'ci-autofixer';
/** Never retried by the retry plugin: 4xx answers that a retry cannot change; 403/429 rate limits are the request hook's. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
/** GitHub's guidance when a secondary limit or a 429 comes without Retry-After: wait at least a minute. */
const FALLBACK_WAIT_SECONDS = 60;
const DEFAULT_MAX_WAIT_SECONDS = 60;

/**
 * GitHubApiErrors raised inside Octokit's request (a rate-limit wait over the cap) name the
 * endpoint but not what the caller was doing; toGitHubApiError adds the caller's context to these.
 */
const raisedWithoutContext = new WeakSet<GitHubApiError>();

/** What a rate-limited answer asks for. */
interface RateLimit {
  /** e.g. "rate limit (429)", "secondary rate limit (403)", "primary rate limit (403)". */
  reason: string;
  /** How long to wait, in seconds. */
  seconds: number;
  /** Where `seconds` comes from: the header, the reset time, GitHub's guidance, or the client's own back-off. */
  source: 'retry-after' | 'reset' | 'guidance' | 'backoff';
  /** When the primary limit resets (source 'reset'). */
  resetAt?: Date;
}

/** Retry-After is either delta-seconds or an HTTP date; undefined when absent or unreadable. */
function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(Math.ceil((date - now) / 1000), 0);
}

/** The rate limit a failed request ran into, or undefined when the failure is something else. */
function rateLimitOf(error: unknown, now: number): RateLimit | undefined {
  if (!isRequestError(error) || error.response === undefined) return undefined;
  const { status } = error;
  if (status !== 403 && status !== 429) return undefined;
  const headers = error.response.headers ?? {};
  const secondary = /\bsecondary rate\b/i.test(apiMessage(error));
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  // GitHub's documented order: Retry-After first, then a primary limit's reset time, then a minute.
  if (retryAfter !== undefined) {
    return { reason: `${secondary ? 'secondary ' : ''}rate limit (${status})`, seconds: retryAfter, source: 'retry-after' };
  }
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset) && reset > 0) {
      // One second past the reset, as plugin-throttling does: a retry at the reset second itself may still be refused.
      const resetAt = new Date(reset * 1000);
      return {
        reason: `primary rate limit (${status})`,
        seconds: Math.max(Math.ceil((resetAt.getTime() - now) / 1000) + 1, 0),
        source: 'reset',
        resetAt,
      };
    }
    return { reason: `primary rate limit (${status})`, seconds: FALLBACK_WAIT_SECONDS, source: 'guidance' };
  }
  if (secondary || status === 429) {
    return { reason: `${secondary ? 'secondary ' : ''}rate limit (${status})`, seconds: FALLBACK_WAIT_SECONDS, source: 'guidance' };
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How the client retries and how long it may wait, and where it reports rate-limit waits. */
interface RetryContext {
  logger: Logger;
  retries: number;
  /** The unit of every wait, in milliseconds (`retry.minDelayMs`). */
  baseDelayMs: number;
  maxWaitSeconds: number;
  rateLimitEvents: string[];
}

/** The API base without trailing slashes; a ConfigurationError when it is not an http(s) URL. */
function checkedApiUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConfigurationError(
      `the GitHub API URL ${JSON.stringify(value)} is not an http(s) URL: use https://api.github.com or https://<host>/api/v3 for GitHub Enterprise`,
    );
  }
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { logger } = options;
  const apiUrl = checkedApiUrl(options.apiUrl);
  if (options.token === '')
    throw new ConfigurationError('github-token is empty: pass ${{ secrets.GITHUB_TOKEN }} or a token with the needed permissions');
  const retries = options.retry?.retries ?? 3;
  const baseDelayMs = options.retry?.minDelayMs ?? 1000;
  const maxWaitSeconds = options.retry?.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
  if (!Number.isFinite(maxWaitSeconds) || maxWaitSeconds < 0) {
    throw new ConfigurationError(`retry.maxWaitSeconds must be a number of seconds, 0 or more (got ${maxWaitSeconds})`);
  }
  const ctx: RetryContext = { logger, retries, baseDelayMs, maxWaitSeconds, rateLimitEvents: [] };
  const octokit = createOctokit(options.token, apiUrl, ctx);
  const apiOrigin = new URL(apiUrl).origin;
  return {
    octokit,
    apiUrl,
    logger,
    retries,
    rateLimitEvents: ctx.rateLimitEvents,
    fetchRedirectTarget: (url: string) => fetchRedirectTarget(ctx, url, { apiOrigin, token: options.token }),
  };
}

/**
 * Sits through the wait a rate limit asks for and reports it; false when the retries are used
 * up (reported too). A wait over the cap is reported and thrown as a GitHubApiError at once.
 */
async function waitForRateLimit(
  ctx: RetryContext,
  endpoint: string,
  limit: RateLimit,
  retriesDone: number,
  status: number,
): Promise<boolean> {
  const { logger, retries, rateLimitEvents } = ctx;
  const resetTime = limit.resetAt?.toISOString().replace(/\.\d+Z$/, 'Z');
  const until = resetTime === undefined ? '' : ` until the reset at ${resetTime}`;
  if (limit.seconds > ctx.maxWaitSeconds) {
    const sentence = overCapSentence(ctx, endpoint, limit, resetTime);
    logger.warning(sentence);
    rateLimitEvents.push(sentence);
    const error = new GitHubApiError(sentence, status);
    raisedWithoutContext.add(error);
    throw error;
  }
  if (retriesDone >= retries) {
    const sentence = `${endpoint}: ${limit.reason}, gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'}`;
    logger.warning(sentence);
    rateLimitEvents.push(sentence);
    return false;
  }
  const retry = `${retriesDone + 1}/${retries}`;
  logger.warning(`GitHub ${limit.reason} on ${endpoint}: waiting ${limit.seconds} s${until} before retry ${retry}`);
  await sleep(limit.seconds * ctx.baseDelayMs);
  rateLimitEvents.push(`${endpoint}: ${limit.reason}, waited ${limit.seconds} s${until} (retry ${retry})`);
  return true;
}

/** Why the client gives up at once on a wait longer than `retry.maxWaitSeconds`, and what to do. */
function overCapSentence(ctx: RetryContext, endpoint: string, limit: RateLimit, resetTime: string | undefined): string {
  const until = resetTime === undefined ? '' : ` until the reset at ${resetTime}`;
  const asked =
    limit.source === 'guidance'
      ? `no Retry-After came with it, and GitHub's guidance is to wait ${limit.seconds} s`
      : limit.source === 'backoff'
        ? `no Retry-After came with it, and the next back-off is ${limit.seconds} s`
        : `GitHub asked to wait ${limit.seconds} s${until}`;
  const what = limit.source === 'reset' ? `re-run after ${resetTime ?? 'the reset'} or use a token with a higher limit` : 're-run later';
  return `${endpoint}: ${limit.reason}; ${asked}, which is more than the cap of ${ctx.maxWaitSeconds} s (retry.maxWaitSeconds), so the client gave up without waiting — ${what}`;
}

/** Octokit with the retry and throttling plugins and, around both, the request hook that decides rate-limit retries. */
function createOctokit(token: string, apiUrl: string, ctx: RetryContext): Octokit {
  const { logger, retries, baseDelayMs } = ctx;
  // Throttling still queues requests (concurrency, spacing of writes); the rate-limit retries are
  // the request hook's below, so throttling's own are declined.
  const declineThrottlingRetry = (): boolean => false;

  const octokit = getOctokit(
    token,
    {
      baseUrl: apiUrl,
      userAgent: USER_AGENT,
      log: {
        debug: (message: string) => logger.debug(message),
        info: (message: string) => logger.debug(message),
        warn: (message: string) => logger.warning(message),
        error: (message: string) => logger.error(message),
      },
      retry: { retries, retryAfterBaseValue: baseDelayMs, doNotRetry: DO_NOT_RETRY },
      throttle: {
        retryAfterBaseValue: baseDelayMs,
        onRateLimit: declineThrottlingRetry,
        onSecondaryRateLimit: declineThrottlingRetry,
      },
    },
    retry,
    throttling,
  );

  // Added after construction, so it wraps the plugins' hooks: a 5xx is retried inside it by the
  // retry plugin, and only what the plugins let through (403/429) reaches the loop.
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let retriesDone = 0; ; retriesDone += 1) {
      try {
        return await request(requestOptions);
      } catch (error: unknown) {
        const limit = rateLimitOf(error, Date.now());
        if (limit === undefined || !isRequestError(error)) throw error;
        if (!(await waitForRateLimit(ctx, endpointOf(error, apiUrl), limit, retriesDone, error.status))) throw error;
      }
    }
  });
  return octokit;
}

/**
 * `GitHubClient.fetchRedirectTarget`: a GET with retries after network errors, 5xx and 429; the
 * token goes only to the API's own origin.
 */
async function fetchRedirectTarget(ctx: RetryContext, url: string, api: { apiOrigin: string; token: string }): Promise<Response> {
  const { logger, retries, baseDelayMs } = ctx;
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  if (new URL(url).origin === api.apiOrigin) headers.authorization = `token ${api.token}`;
  const endpoint = `GET ${redactQuery(url)}`;
  let lastError: unknown;
  let waitMs = 0;
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (waitMs > 0) await sleep(waitMs);
    const backoffMs = (attempt + 1) * (attempt + 1) * baseDelayMs;
    let response: Response;
    try {
      // redirect: 'manual' because a further redirect must pass the same origin check.
      response = await fetch(url, { headers, redirect: 'manual' });
    } catch (error: unknown) {
      lastError = error;
      if (attempt < retries) logger.warning(`${endpoint} failed (${getErrorMessage(error)}): retry ${attempt + 1}/${retries}`);
      waitMs = backoffMs;
      continue;
    }
    if (response.status === 429) {
      await waitAfter429(ctx, endpoint, response, attempt);
      waitMs = 0;
      continue;
    }
    if (response.status < 500) return response;
    await response.body?.cancel();
    lastError = new GitHubApiError(`${endpoint} answered ${response.status}`, response.status);
    if (attempt < retries) logger.warning(`${endpoint} answered ${response.status}: retry ${attempt + 1}/${retries}`);
    waitMs = backoffMs;
  }
  throw lastError;
}

/** Waits out a 429 from a redirect target; throws a GitHubApiError when the retries are used up. */
async function waitAfter429(ctx: RetryContext, endpoint: string, response: Response, attempt: number): Promise<void> {
  // Blob storage is not the API: without Retry-After its 429 gets the usual back-off, not a minute.
  await response.body?.cancel();
  const seconds = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  const limit: RateLimit =
    seconds === undefined
      ? { reason: 'rate limit (429)', seconds: (attempt + 1) * (attempt + 1), source: 'backoff' }
      : { reason: 'rate limit (429)', seconds, source: 'retry-after' };
  if (!(await waitForRateLimit(ctx, endpoint, limit, attempt, 429))) {
    throw new GitHubApiError(`${endpoint} answered 429 (rate limited) after ${ctx.retries} retries; re-run later`, 429);
  }
}

/** Signed URLs carry their signature in the query: keep it out of logs and messages. */
export function redactQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
  } catch {
    return url.replace(/\?.*$/, '?…');
  }
}

interface RequestErrorShape {
  status: number;
  message: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

function isRequestError(error: unknown): error is RequestErrorShape {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

function endpointOf(error: RequestErrorShape, apiUrl: string): string {
  const method = error.request?.method ?? 'GET';
  const url = error.request?.url ?? '';
  const path = url.startsWith(apiUrl) ? url.slice(apiUrl.length) : url;
  return `${method} ${path.replace(/\?.*$/, '')}`;
}

function apiMessage(error: RequestErrorShape): string {
  const data = error.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') {
    const errors = (data as { errors?: unknown }).errors;
    const details = Array.isArray(errors)
      ? errors
          .map((entry: unknown) =>
            typeof entry === 'object' && entry !== null && typeof (entry as { message?: unknown }).message === 'string'
              ? (entry as { message: string }).message
              : JSON.stringify(entry),
          )
          .join('; ')
      : '';
    return details === '' ? (data as { message: string }).message : `${(data as { message: string }).message}: ${details}`;
  }
  return error.message.split('\n')[0] ?? '';
}

/** A 403 on the pulls endpoints: GitHub's message says which of the two causes it is, when it says one. */
function pullRequestAdvice(message: string): string {
  const setting = "'Allow GitHub Actions to create and approve pull requests' (Settings → Actions → General)";
  if (/not permitted to create or approve pull requests/i.test(message)) {
    return `Actions may not create pull requests in this repository: turn on ${setting}, or give github-token a PAT or GitHub App token`;
  }
  if (/Resource not accessible by integration/i.test(message))
    return "the token needs 'pull-requests: write' (add it to the workflow's permissions)";
  return `the token needs 'pull-requests: write', and the repository setting ${setting} must be on`;
}

/** What to do about an error status on an endpoint; empty when there is nothing specific to say. */
function advice(status: number, endpoint: string, error: RequestErrorShape, retries: number): string {
  const message = apiMessage(error);
  const isActions = /\/actions\//.test(endpoint);
  const isPulls = /\/pulls(\/|$)/.test(endpoint.split(' ')[1] ?? '');
  if (status === 401) return 'check the github-token input: it is missing, expired or revoked';
  const headers = error.response?.headers ?? {};
  if (
    status === 429 ||
    (status === 403 && (/rate limit/i.test(message) || headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined))
  ) {
    return `rate limit still exceeded after ${retries} retries; re-run later or use a token with a higher limit`;
  }
  if (status === 403 && isPulls) return pullRequestAdvice(message);
  if ((status === 403 || status === 404) && isActions) {
    return "the token needs 'actions: read' (add it to the workflow's permissions), and the run/job must exist in this repository";
  }
  if (status === 403) return "the token lacks a permission this call needs (see the workflow's permissions)";
  if (status === 404) return 'check the repository name and that the token can see it';
  if (status === 422) return 'GitHub rejected the request as invalid';
  if (status >= 500) return `GitHub kept failing after ${retries} retries; re-run later (https://www.githubstatus.com)`;
  return '';
}

/**
 * Turns whatever an Octokit call threw into a GitHubApiError with one line: the endpoint, the
 * status, GitHub's message and what to do. `context` names what was being done.
 */
export function toGitHubApiError(error: unknown, client: Pick<GitHubClient, 'apiUrl' | 'retries'>, context?: string): GitHubApiError {
  const prefix = context === undefined ? '' : `${context}: `;
  if (error instanceof GitHubApiError) {
    if (prefix === '' || !raisedWithoutContext.has(error)) return error;
    return new GitHubApiError(`${prefix}${error.message}`, error.status, { cause: error });
  }
  if (!isRequestError(error)) {
    return new GitHubApiError(
      `${prefix}could not reach the GitHub API at ${client.apiUrl}: ${getErrorMessage(error)}; check api-url and the network`,
      undefined,
      {
        cause: error,
      },
    );
  }
  const endpoint = endpointOf(error, client.apiUrl);
  // Octokit reports a failed fetch (DNS, refused connection) as status 500 without a response.
  if (error.response === undefined) {
    return new GitHubApiError(
      `${prefix}${endpoint} could not reach the GitHub API at ${client.apiUrl}: ${apiMessage(error)}; check api-url and the network`,
      undefined,
      { cause: error },
    );
  }
  const hint = advice(error.status, endpoint, error, client.retries);
  const text = `${prefix}${endpoint} answered ${error.status} ${apiMessage(error)}${hint === '' ? '' : ` — ${hint}`}`;
  return new GitHubApiError(text.replace(/\s*\n\s*/g, ' '), error.status, { cause: error });
}

/** Runs an API call, converting its failure into a GitHubApiError. */
export async function callGitHub<T>(client: GitHubClient, context: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    throw toGitHubApiError(error, client, context);
  }
}
