/**
 * The GitHub REST client: @actions/github's Octokit with the retry and throttling plugins, pointed
 * at any API base (api.github.com, GitHub Enterprise's https://host/api/v3, the local stand-in).
 * Every error that leaves this module's users is a GitHubApiError whose message names the
 * endpoint and says what to do.
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
    /** Unit of the back-off between retries (the plugins wait n² units, or retry-after units); default 1000 ms. */
    minDelayMs?: number;
  };
}

const USER_AGENT = 'ci-autofixer';
/** Never retried by the retry plugin: 4xx answers that a retry cannot change; 429 is the throttling plugin's. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { logger } = options;
  let apiUrl: string;
  try {
    const parsed = new URL(options.apiUrl);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
    apiUrl = options.apiUrl.replace(/\/+$/, '');
  } catch {
    throw new ConfigurationError(
      `the GitHub API URL ${JSON.stringify(options.apiUrl)} is not an http(s) URL: use https://api.github.com or https://<host>/api/v3 for GitHub Enterprise`,
    );
  }
  if (options.token === '')
    throw new ConfigurationError('github-token is empty: pass ${{ secrets.GITHUB_TOKEN }} or a token with the needed permissions');
  const retries = options.retry?.retries ?? 3;
  const baseDelayMs = options.retry?.minDelayMs ?? 1000;

  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      if (retryCount >= retries) {
        logger.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}: gave up after ${retryCount} retries`);
        return false;
      }
      logger.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}: retry ${retryCount + 1}/${retries} in ${retryAfter}s`);
      return true;
    };

  const octokit = getOctokit(
    options.token,
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
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
    },
    retry,
    throttling,
  );

  const apiOrigin = new URL(apiUrl).origin;
  return {
    octokit,
    apiUrl,
    logger,
    retries,
    fetchRedirectTarget: async (url: string) => {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT };
      if (new URL(url).origin === apiOrigin) headers.authorization = `token ${options.token}`;
      // redirect: 'manual' because a further redirect must pass the same origin check.
      let lastError: unknown;
      for (let attempt = 0; attempt <= retries; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, attempt * attempt * baseDelayMs));
        try {
          const response = await fetch(url, { headers, redirect: 'manual' });
          if (response.status < 500) return response;
          await response.body?.cancel();
          lastError = new GitHubApiError(`GET ${redactQuery(url)} answered ${response.status}`, response.status);
          logger.warning(`GET ${redactQuery(url)} answered ${response.status}: retry ${attempt + 1}/${retries}`);
        } catch (error: unknown) {
          lastError = error;
          logger.warning(`GET ${redactQuery(url)} failed (${getErrorMessage(error)}): retry ${attempt + 1}/${retries}`);
        }
      }
      throw lastError;
    },
  };
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

/** What to do about an error status on an endpoint; empty when there is nothing specific to say. */
function advice(status: number, endpoint: string, error: RequestErrorShape, retries: number): string {
  const message = apiMessage(error);
  const isActions = /\/actions\//.test(endpoint);
  const isPulls = /\/pulls(\/|$)/.test(endpoint.split(' ')[1] ?? '');
  if (status === 401) return 'check the github-token input: it is missing, expired or revoked';
  if ((status === 403 || status === 429) && (/rate limit/i.test(message) || error.response?.headers?.['x-ratelimit-remaining'] === '0')) {
    return `rate limit still exceeded after ${retries} retries; re-run later or use a token with a higher limit`;
  }
  if (status === 403 && isPulls) {
    return "the token needs 'pull-requests: write', and the repository setting 'Allow GitHub Actions to create and approve pull requests' (Settings → Actions → General) must be on";
  }
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
  if (error instanceof GitHubApiError) return error;
  const prefix = context === undefined ? '' : `${context}: `;
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
