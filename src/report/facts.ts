/**
 * What every rendering of a RunReport says, computed once so that the summary, the PR body, the
 * commit message and the text report never disagree. No formatting here.
 */
import type { Failure } from '../analysis/types.js';
import type { FixResult, FixStatus, RunReport, Target, VerificationCheck } from '../model.js';
import { clip } from './escape.js';

export interface FailureFacts {
  failure: Failure;
  /** Job name: the log's, else the jobs API's. */
  jobName?: string;
  jobUrl?: string;
  /** Step name: the log's, else the job's first failed step. */
  stepName?: string;
  /** Verified fixes that addressed this failure (fixer ids). */
  fixedBy: string[];
  /** The verified fixes themselves, for the checks that verified them. */
  fixedByFixes: FixResult[];
  /** Fixes applied for this failure but not verified (kept, not counted as fixed). */
  appliedBy: FixResult[];
}

/** One row per failure, in the report's order (most relevant first). */
export function failureFacts(report: RunReport): FailureFacts[] {
  const fixesByFingerprint = new Map<string, FixResult[]>();
  const appliedByFingerprint = new Map<string, FixResult[]>();
  for (const fix of report.fixes) {
    const map = fix.status === 'verified' ? fixesByFingerprint : fix.status === 'applied-unverified' ? appliedByFingerprint : undefined;
    if (map === undefined) continue;
    for (const fingerprint of fix.failures) {
      const fixes = map.get(fingerprint) ?? [];
      if (!fixes.includes(fix)) fixes.push(fix);
      map.set(fingerprint, fixes);
    }
  }
  const jobByFingerprint = new Map<string, RunReport['jobs'][number]>();
  for (const job of report.jobs) {
    for (const failure of job.failures) {
      if (!jobByFingerprint.has(failure.fingerprint)) jobByFingerprint.set(failure.fingerprint, job);
    }
  }
  return report.failures.map((failure) => {
    const job = jobByFingerprint.get(failure.fingerprint)?.job;
    const jobName = failure.job ?? job?.jobName;
    const stepName = failure.step ?? job?.failedStep;
    return {
      failure,
      ...(jobName !== undefined ? { jobName } : {}),
      ...(job?.jobUrl !== undefined ? { jobUrl: job.jobUrl } : {}),
      ...(stepName !== undefined ? { stepName } : {}),
      fixedBy: [...new Set((fixesByFingerprint.get(failure.fingerprint) ?? []).map((fix) => fix.fixer))],
      fixedByFixes: fixesByFingerprint.get(failure.fingerprint) ?? [],
      appliedBy: appliedByFingerprint.get(failure.fingerprint) ?? [],
    };
  });
}

/**
 * The failures that need a human, in `needsHuman` order. A fingerprint the report does not list
 * as a failure is kept (as `unknownFingerprints`) rather than silently dropped.
 */
export function needsHumanFacts(report: RunReport): {
  known: FailureFacts[];
  unknownFingerprints: string[];
} {
  const byFingerprint = new Map(failureFacts(report).map((facts) => [facts.failure.fingerprint, facts]));
  const known: FailureFacts[] = [];
  const unknownFingerprints: string[] = [];
  for (const fingerprint of report.needsHuman) {
    const facts = byFingerprint.get(fingerprint);
    if (facts) known.push(facts);
    else unknownFingerprints.push(fingerprint);
  }
  return { known, unknownFingerprints };
}

export function verifiedFixes(report: RunReport): FixResult[] {
  return report.fixes.filter((fix) => fix.status === 'verified');
}

/** Fixers of the verified fixes, each once, in report order. */
export function verifiedFixerNames(report: RunReport): string[] {
  return [...new Set(verifiedFixes(report).map((fix) => fix.fixer))];
}

/** Fixes applied and kept (pushed with the others) although nothing could verify them. */
export function appliedUnverifiedFixes(report: RunReport): FixResult[] {
  return report.fixes.filter((fix) => fix.status === 'applied-unverified');
}

/** Every fix kept in the workspace and pushed: the verified ones and the applied-unverified ones. */
export function keptFixes(report: RunReport): FixResult[] {
  return report.fixes.filter((fix) => fix.status === 'verified' || fix.status === 'applied-unverified');
}

export const FIX_STATUS_LABELS: Readonly<Record<FixStatus, string>> = {
  verified: 'verified',
  'applied-unverified': 'applied, not verified',
  'reverted-unverified': 'reverted: a check failed',
  'reverted-guard': 'reverted: wrote outside what it may change',
  skipped: 'skipped',
};

export function countFixes(report: RunReport): Record<FixStatus, number> {
  const counts: Record<FixStatus, number> = {
    verified: 0,
    'applied-unverified': 0,
    'reverted-unverified': 0,
    'reverted-guard': 0,
    skipped: 0,
  };
  for (const fix of report.fixes) counts[fix.status] += 1;
  return counts;
}

/** What each kind of check is, in the words every rendering uses. */
export const CHECK_KIND_TEXT: Readonly<Record<VerificationCheck['kind'], string>> = {
  'fixer-check': "the fixer's check on the files it changed",
  replay: "the failed step's command, replayed",
  sanity: 'a sanity check only; it does not re-run the failing check',
};

/** The checks that ran on a fix; an older report without `checks` gives its `verifyCommand`. */
export function checksOf(fix: FixResult): VerificationCheck[] {
  if (fix.checks !== undefined) return fix.checks;
  if (fix.verifyCommand === undefined) return [];
  return [{ kind: fix.status === 'verified' ? 'fixer-check' : 'sanity', command: fix.verifyCommand, passed: fix.status === 'verified' }];
}

/** `exit 0`, `exit 1`, or for an in-process check `passed` / `failed`. */
export function checkResultText(check: VerificationCheck): string {
  if (check.exitCode !== undefined) return check.passed || check.exitCode !== 0 ? `exit ${check.exitCode}` : `exit 0, but not passed`;
  return check.passed ? 'passed' : 'failed';
}

/**
 * The sentence every rendering gives for how a fix was checked: each command that ran, what kind
 * of check it is and its exit status, then why the step's command was not replayed. `code` renders
 * a command (a Markdown code span, or backticks in plain text); `text` escapes the rest.
 */
export function checksSentence(fix: FixResult, code: (command: string) => string, text: (value: string) => string): string {
  const checks = checksOf(fix).map((check) => `${code(check.command)} (${CHECK_KIND_TEXT[check.kind]}): ${checkResultText(check)}`);
  const parts = checks.length > 0 ? [`ran ${checks.join('; ')}`] : [];
  if (fix.notReplayed !== undefined) parts.push(text(fix.notReplayed));
  return parts.join('; ');
}

/**
 * `CI run #123 (attempt 2)`: the workflow's name (one line, capped) or "workflow". Commit
 * messages use `{ plain: true }` (`CI run 123`): once merged, `#123` in a commit would reference
 * issue 123 of the repository.
 */
export function runLabel(target: Target, options: { plain?: boolean } = {}): string {
  const workflow = target.workflowName !== undefined ? clip(target.workflowName, 100) : '';
  const name = workflow === '' ? 'workflow' : workflow;
  if (options.plain) return `${name} run ${target.runId}`;
  const attempt = target.runAttempt > 1 ? ` (attempt ${target.runAttempt})` : '';
  return `${name} run #${target.runId}${attempt}`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** What happened to the fixes, as facts for a sentence. */
export type PublicationFacts =
  | {
      kind: 'pull-request';
      branch: string;
      number: number;
      url?: string;
      action?: 'created' | 'updated';
      commitSha?: string;
    }
  | { kind: 'branch'; branch: string; commitSha?: string }
  | { kind: 'nothing'; reason: string };

export function publicationFacts(report: RunReport): PublicationFacts {
  const publication = report.publication;
  if (publication.branch !== undefined && publication.pullRequestNumber !== undefined) {
    return {
      kind: 'pull-request',
      branch: publication.branch,
      number: publication.pullRequestNumber,
      ...(publication.pullRequestUrl !== undefined ? { url: publication.pullRequestUrl } : {}),
      ...(publication.pullRequestAction !== undefined ? { action: publication.pullRequestAction } : {}),
      ...(publication.commitSha !== undefined ? { commitSha: publication.commitSha } : {}),
    };
  }
  if (publication.branch !== undefined) {
    return {
      kind: 'branch',
      branch: publication.branch,
      ...(publication.commitSha !== undefined ? { commitSha: publication.commitSha } : {}),
    };
  }
  return {
    kind: 'nothing',
    reason: publication.skippedReason ?? fallbackSkipReason(report),
  };
}

// The pipeline always sets skippedReason; this keeps a hand-made or older report explainable.
function fallbackSkipReason(report: RunReport): string {
  if (report.dryRun) return 'dry run';
  if (report.target.fromFork) return `${report.target.untrustedReason ?? 'the run is from a fork'}: report only`;
  if (keptFixes(report).length === 0) return 'no fix was kept';
  if (report.publication.mode === 'none') return 'push: none';
  return 'not published';
}
