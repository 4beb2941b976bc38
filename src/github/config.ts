/**
 * The repository's settings as its default branch has them. `.github/ci-autofixer.yml` decides
 * where fixes are pushed (`push`, `branch-prefix`), so it is read through the API at the default
 * branch, never from the checked-out head: the head is the code being repaired, and its author
 * must not be able to aim the push at another branch.
 */
import { GitHubApiError } from '../errors.js';
import { CONFIG_FILE, parseConfigText, type ConfigFile } from '../settings.js';
import { callGitHub, toGitHubApiError, type GitHubClient } from './client.js';

export interface RepositoryFacts {
  defaultBranch: string;
  /** The configuration file at the default branch, when there is one. */
  configFile: ConfigFile | undefined;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404;
}

export async function readRepositoryFacts(client: GitHubClient, owner: string, repo: string): Promise<RepositoryFacts> {
  const repository = await callGitHub(client, `reading ${owner}/${repo}`, () => client.octokit.rest.repos.get({ owner, repo }));
  const defaultBranch = repository.data.default_branch;
  let data: unknown;
  try {
    data = (await client.octokit.rest.repos.getContent({ owner, repo, path: CONFIG_FILE, ref: defaultBranch })).data;
  } catch (error: unknown) {
    if (isNotFound(error)) return { defaultBranch, configFile: undefined };
    throw toGitHubApiError(error, client, `reading ${CONFIG_FILE} at ${defaultBranch}`);
  }
  const file = data as { type?: unknown; encoding?: unknown; content?: unknown };
  if (Array.isArray(data) || file.type !== 'file' || typeof file.content !== 'string') {
    throw new GitHubApiError(`${CONFIG_FILE} at ${defaultBranch} is not a file; it must be a YAML mapping of settings`);
  }
  const text = file.encoding === 'base64' ? Buffer.from(file.content, 'base64').toString('utf8') : file.content;
  const source = `${CONFIG_FILE} (${defaultBranch})`;
  return { defaultBranch, configFile: { raw: parseConfigText(text, source), source } };
}
