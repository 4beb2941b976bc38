/**
 * URLs for the report. Link targets are built from parts we validate (server URL, owner/name,
 * a hex SHA, a workspace-relative path encoded segment by segment), or taken from the API and
 * checked to be http(s); nothing from a log is pasted into a URL unencoded.
 */
import type { Failure } from '../analysis/types.js';
import type { Target } from '../model.js';
import { isWorkspaceRelativePath, normalizeWorkspacePath } from './escape.js';

const REPOSITORY_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const COMMIT_SHA = /^[0-9a-f]{7,64}$/i;

/**
 * A URL safe as a Markdown link destination: http(s) only, and with the characters that could end
 * or break a destination (`(`, `)`, `<`, `>`, spaces, quotes) percent-encoded. Undefined otherwise.
 */
export function safeHttpUrl(candidate: string | undefined): string | undefined {
  if (candidate === undefined || candidate === '') return undefined;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url.href.replace(/[()<>"' ]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The server URL without a trailing slash, or undefined when it is not an http(s) URL. */
export function normalizeServerUrl(serverUrl: string | undefined): string | undefined {
  const safe = safeHttpUrl(serverUrl);
  return safe?.replace(/\/+$/, '');
}

/** `owner/name` when it is a valid GitHub repository name, else undefined. */
function repositoryPath(fullName: string): string | undefined {
  return REPOSITORY_NAME.test(fullName) ? fullName : undefined;
}

/** The repository that holds the head commit (a fork's for fork runs), as `owner/name`. */
export function headRepositoryPath(target: Target): string | undefined {
  return repositoryPath(target.headRepository) ?? repositoryPath(`${target.owner}/${target.repo}`);
}

/** The run's page: the API's html_url when it is an http(s) URL, else built from the server URL. */
export function runLink(target: Target, serverUrl: string | undefined): string | undefined {
  const fromApi = safeHttpUrl(target.runUrl);
  if (fromApi) return fromApi;
  const server = normalizeServerUrl(serverUrl);
  const repository = repositoryPath(`${target.owner}/${target.repo}`);
  if (!server || !repository || !Number.isSafeInteger(target.runId)) return undefined;
  const attempt = Number.isSafeInteger(target.runAttempt) && target.runAttempt > 1 ? `/attempts/${target.runAttempt}` : '';
  return `${server}/${repository}/actions/runs/${target.runId}${attempt}`;
}

export function commitLink(target: Target, serverUrl: string | undefined): string | undefined {
  const server = normalizeServerUrl(serverUrl);
  const repository = headRepositoryPath(target);
  if (!server || !repository || !COMMIT_SHA.test(target.headSha)) return undefined;
  return `${server}/${repository}/commit/${target.headSha}`;
}

/**
 * `<server>/<owner>/<repo>/blob/<sha>/<file>#L<line>` for a workspace-relative file, else
 * undefined. Each path segment is percent-encoded, so a file name cannot add a query, a fragment
 * or a Markdown delimiter to the URL.
 */
export function blobLink(target: Target, serverUrl: string | undefined, file: string, line?: number): string | undefined {
  if (!isWorkspaceRelativePath(file)) return undefined;
  const server = normalizeServerUrl(serverUrl);
  const repository = headRepositoryPath(target);
  if (!server || !repository || !COMMIT_SHA.test(target.headSha)) return undefined;
  const encodedPath = normalizeWorkspacePath(file)
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => encodeURIComponent(segment).replace(/[()!'*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
  if (encodedPath === '') return undefined;
  const anchor = line !== undefined && Number.isSafeInteger(line) && line > 0 ? `#L${line}` : '';
  return `${server}/${repository}/blob/${target.headSha}/${encodedPath}${anchor}`;
}

/** `file:line:column` as the log names it (only the parts that are known). */
export function locationText(failure: Pick<Failure, 'file' | 'line' | 'column'>): string | undefined {
  if (failure.file === undefined || failure.file === '') return undefined;
  let text = isWorkspaceRelativePath(failure.file) ? normalizeWorkspacePath(failure.file) : failure.file;
  if (failure.line !== undefined) {
    text += `:${failure.line}`;
    if (failure.column !== undefined) text += `:${failure.column}`;
  }
  return text;
}
