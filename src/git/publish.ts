/**
 * Publishing a verified fix: one commit holding exactly the fixed files, on top of the run's head,
 * pushed to a stable branch with a lease. It never touches the workspace's HEAD, index or work
 * tree: the commit is built in a private index, so a failure anywhere leaves the checkout as it was.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError, GitError, getErrorMessage } from '../errors.js';
import type { Git, GitIdentity } from './git.js';

/** The trailer key that marks a commit as the autofixer's (loop protection). */
export const AUTOFIXER_TRAILER = 'CI-Autofixer';

export const BOT_AUTHOR: GitIdentity = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

/**
 * True when the message carries the autofixer trailer. Any line counts, not only git's final
 * trailer paragraph: a squash merge buries trailers mid-message, and a missed mark means a loop.
 */
export function isAutofixerCommit(message: string): boolean {
  const key = AUTOFIXER_TRAILER.toLowerCase();
  return message.split(/\r?\n/).some((line) => {
    const colon = line.indexOf(':');
    return colon > 0 && line.slice(0, colon).trim().toLowerCase() === key && line.slice(colon + 1).trim() !== '';
  });
}

export interface PublishFixOptions {
  git: Git;
  /** Remote name (`origin`) or URL. */
  remote: string;
  /** The commit the fix applies to (the run's head). */
  baseSha: string;
  /** The stable branch, e.g. `autofix/main`. */
  branch: string;
  message: string;
  /** Paths relative to the git cwd; exactly these are committed, as they are in the work tree. */
  files: readonly string[];
  author?: GitIdentity;
  /** The trailer's value, e.g. `run 1234`. */
  trailer: string;
  token?: string;
  /**
   * The remote branch's sha as the caller inspected it (undefined: it does not exist). The push's
   * lease is pinned to it, so a branch that moved after the inspection is never overwritten. Read
   * from the remote when not given.
   */
  inspectedRemote?: { sha: string | undefined };
}

export interface PublishedFix {
  branch: string;
  commitSha: string;
}

function checkFiles(files: readonly string[]): void {
  if (files.length === 0) throw new ConfigurationError('publishFix needs at least one file to commit');
  for (const file of files) {
    const normalized = path.posix.normalize(file.replace(/\\/g, '/'));
    if (file === '' || path.isAbsolute(file) || normalized === '..' || normalized.startsWith('../')) {
      throw new ConfigurationError(`cannot commit ${JSON.stringify(file)}: files must be relative paths inside the workspace`);
    }
  }
}

/**
 * Commits `files` on top of `baseSha` as the bot (or `author`), points the local branch at it and
 * pushes it with `--force-with-lease` against the sha the remote had a moment before. On any
 * failure it undoes what it did: the local branch is removed (or put back where it was), and a
 * remote branch this call created or moved is deleted (or moved back) under a lease.
 */
export async function publishFix(options: PublishFixOptions): Promise<PublishedFix> {
  const { git, remote, branch, token } = options;
  if (!(await git.isValidBranchName(branch))) {
    throw new ConfigurationError(
      `invalid branch name ${JSON.stringify(branch)}: it must pass git check-ref-format (no spaces, '..', '~', '^', ':', '?', '*', '[', '\\', no leading '-', no trailing '/' or '.lock'); set branch-prefix accordingly`,
    );
  }
  checkFiles(options.files);
  const baseSha = await git.resolveCommit(options.baseSha);
  if (baseSha === undefined) {
    throw new GitError(`the base commit ${options.baseSha} is not in the checkout: fetch it before publishing`);
  }
  if ((await git.currentBranch()) === branch) {
    throw new ConfigurationError(`the workspace has ${branch} checked out; the fix branch must not be the branch being fixed`);
  }

  const previousLocalSha = await git.resolveCommit(`refs/heads/${branch}`);
  const remoteShaBefore =
    options.inspectedRemote !== undefined ? options.inspectedRemote.sha : await git.lsRemoteBranch(remote, branch, token);

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-index-'));
  let commitSha: string | undefined;
  let localBranchMoved = false;
  try {
    const indexFile = path.join(scratch, 'index');
    await git.readTree(baseSha, { indexFile });
    await git.add(options.files, { indexFile });
    const tree = await git.writeTree({ indexFile });
    const baseTree = await git.resolveTree(baseSha);
    if (tree === baseTree) {
      throw new GitError(`nothing to publish: ${options.files.join(', ')} do not differ from ${baseSha.slice(0, 12)}`);
    }
    commitSha = await git.createCommit({
      tree,
      parents: [baseSha],
      message: options.message,
      author: options.author ?? BOT_AUTHOR,
      trailers: { [AUTOFIXER_TRAILER]: options.trailer },
    });
    await git.setBranch(branch, commitSha, { expectedSha: previousLocalSha });
    localBranchMoved = true;
    await git.push({ remote, branch, source: commitSha, expectedRemoteSha: remoteShaBefore, ...(token ? { token } : {}) });
    return { branch, commitSha };
  } catch (error: unknown) {
    const cleanupProblems = await undo({ git, remote, branch, token, commitSha, previousLocalSha, remoteShaBefore, localBranchMoved });
    if (cleanupProblems.length > 0) {
      throw new GitError(`${getErrorMessage(error)} (and cleaning up failed: ${cleanupProblems.join('; ')})`, { cause: error });
    }
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function undo(state: {
  git: Git;
  remote: string;
  branch: string;
  token: string | undefined;
  commitSha: string | undefined;
  previousLocalSha: string | undefined;
  remoteShaBefore: string | undefined;
  localBranchMoved: boolean;
}): Promise<string[]> {
  const { git, branch, commitSha } = state;
  const problems: string[] = [];
  if (state.localBranchMoved && commitSha !== undefined) {
    try {
      if (state.previousLocalSha === undefined) await git.deleteLocalBranch(branch);
      else await git.setBranch(branch, state.previousLocalSha, { expectedSha: commitSha });
    } catch (error: unknown) {
      problems.push(getErrorMessage(error));
    }
  }
  if (commitSha === undefined) return problems;
  // A push can be applied by the server and still fail on the client (a dropped connection):
  // only then does the remote branch hold our commit, and only then is it ours to undo.
  try {
    const remoteNow = await git.lsRemoteBranch(state.remote, branch, state.token);
    if (remoteNow === commitSha) {
      const auth = state.token ? { token: state.token } : {};
      if (state.remoteShaBefore === undefined) {
        await git.deleteRemoteBranch({ remote: state.remote, branch, expectedRemoteSha: commitSha, ...auth });
      } else {
        // Pushing the old sha back needs its objects here; a fresh checkout may not have them.
        await git.fetch({ remote: state.remote, refspecs: [state.remoteShaBefore], ...auth });
        await git.push({ remote: state.remote, branch, source: state.remoteShaBefore, expectedRemoteSha: commitSha, ...auth });
      }
    }
  } catch (error: unknown) {
    problems.push(getErrorMessage(error));
  }
  return problems;
}
