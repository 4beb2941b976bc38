/**
 * Whether the fix branch may be (force-)updated. The branch name comes from trusted settings, but
 * a prefix and a head branch can still add up to a branch that is not ours (`ma` + `in` = `main`),
 * and a human may have pushed to `autofix/<branch>`. The rule: the fix branch is never the branch
 * being fixed or the default branch, never shadows another branch, and when it exists every commit
 * on it that is not on the run's head carries the CI-Autofixer trailer. Anything else is left alone.
 */
import { getErrorMessage } from '../errors.js';
import type { Git } from './git.js';
import { AUTOFIXER_TRAILER, isAutofixerCommit } from './publish.js';

export interface FixBranchQuestion {
  branch: string;
  headBranch: string;
  defaultBranch: string | undefined;
  headSha: string;
  /** The push URL, fixed before any fixer ran. */
  remote: string;
  token?: string;
}

export type FixBranchVerdict = { ok: true; remoteSha: string | undefined } | { ok: false; reason: string };

/** How many of the fix branch's commits are read; ours is one commit on top of the head. */
const CHAIN_DEPTH = 20;
/** How far the head's history is fetched to see whether an older head is an ancestor. */
const HEAD_HISTORY_DEPTH = 200;

function subjectOf(message: string): string {
  const subject = message.split('\n')[0] ?? '';
  return subject.length > 72 ? `${subject.slice(0, 71)}…` : subject;
}

function refuseNaming(question: FixBranchQuestion): string | undefined {
  const { branch } = question;
  if (branch === question.headBranch) return `the fix branch ${branch} would be the branch being fixed`;
  if (question.defaultBranch !== undefined && branch === question.defaultBranch) {
    return `the fix branch ${branch} would be the default branch`;
  }
  return undefined;
}

function shadowed(branch: string, branches: ReadonlyMap<string, string>): string | undefined {
  for (const name of branches.keys()) {
    if (name === branch) continue;
    if (name.startsWith(`${branch}/`) || branch.startsWith(`${name}/`)) return name;
  }
  return undefined;
}

/** Whether `base` is on the head: the head itself, or an ancestor once enough history is here. */
async function onHead(git: Git, question: FixBranchQuestion, base: string): Promise<boolean> {
  if (base === question.headSha) return true;
  if (await git.isAncestor(base, question.headSha)) return true;
  // A shallow checkout does not have the head's history: fetch some of it and look again.
  try {
    await git.fetch({
      remote: question.remote,
      refspecs: [question.headSha],
      depth: HEAD_HISTORY_DEPTH,
      ...(question.token ? { token: question.token } : {}),
    });
  } catch {
    return false;
  }
  return git.isAncestor(base, question.headSha);
}

export async function checkFixBranch(git: Git, question: FixBranchQuestion): Promise<FixBranchVerdict> {
  const { branch } = question;
  const named = refuseNaming(question);
  if (named !== undefined) return { ok: false, reason: `${named}: set another branch-prefix` };
  const auth = question.token ? { token: question.token } : {};
  const branches = await git.listRemoteBranches(question.remote, question.token);
  const other = shadowed(branch, branches);
  if (other !== undefined) {
    return { ok: false, reason: `the fix branch ${branch} would clash with the existing branch ${other}: set another branch-prefix` };
  }
  const remoteSha = branches.get(branch);
  if (remoteSha === undefined) return { ok: true, remoteSha: undefined };

  try {
    await git.fetch({ remote: question.remote, refspecs: [`refs/heads/${branch}`], depth: CHAIN_DEPTH, ...auth });
  } catch (error: unknown) {
    return { ok: false, reason: `could not read the existing ${branch} to check that it is an autofix branch: ${getErrorMessage(error)}` };
  }
  const chain = await git.firstParentChain(remoteSha, CHAIN_DEPTH);
  const ours = chain.findIndex((commit) => !isAutofixerCommit(commit.message));
  const leaveAlone = `${branch} is left alone: delete it, or choose another branch-prefix, to let CI Autofixer use it`;
  if (ours === 0) {
    const top = chain[0];
    return {
      ok: false,
      reason: `the existing ${branch} ends in ${remoteSha.slice(0, 12)}${top ? ` ("${subjectOf(top.message)}")` : ''}, which has no ${AUTOFIXER_TRAILER} trailer: ${leaveAlone}`,
    };
  }
  const base = ours === -1 ? undefined : chain[ours];
  if (base === undefined) {
    return { ok: false, reason: `the existing ${branch} has more than ${CHAIN_DEPTH} commits of its own: ${leaveAlone}` };
  }
  if (await onHead(git, question, base.sha)) return { ok: true, remoteSha };
  return {
    ok: false,
    reason: `the existing ${branch} has the commit ${base.sha.slice(0, 12)} ("${subjectOf(base.message)}"), which is not on ${question.headBranch} and has no ${AUTOFIXER_TRAILER} trailer: ${leaveAlone}`,
  };
}
