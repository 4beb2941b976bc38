/**
 * The pull request title and body and the commit message for a published fix. The body is what a
 * reviewer reads before merging, so it says what failed, what was changed, which commands checked
 * each change and with what exit status, which changes nothing could verify, and what is still broken.
 */
import type { FixResult, RunReport } from '../model.js';
import { BoundedText, measureChars } from './bounded.js';
import { clip, codeSpan, escapeMarkdown, oneLine, truncate } from './escape.js';
import {
  type FailureFacts,
  appliedUnverifiedFixes,
  checksSentence,
  failureFacts,
  needsHumanFacts,
  plural,
  runLabel,
  verifiedFixerNames,
  verifiedFixes,
} from './facts.js';
import {
  FAILURE_TABLE_HEADER,
  FIX_TABLE_HEADER,
  type LinkContext,
  MESSAGE_CHARS,
  checksMarkdown,
  failureTableRow,
  filesText,
  fixTableRow,
  headReference,
  needsHumanItem,
  runReference,
} from './markdown.js';

/** GitHub rejects a PR body over 65,536 characters; keep a margin. */
export const PULL_REQUEST_BODY_MAX_CHARS = 60_000;
/** The trailer key that marks the autofixer's commits (loop protection reads it). */
export const COMMIT_TRAILER_KEY = 'CI-Autofixer';

const TITLE_MAX_CHARS = 200;
const SUBJECT_MAX_CHARS = 72;
const ROWS = 50;
const FOOTER_RESERVE = 1200;

/** Fixers of the fixes applied but not verified, each once, in report order. */
function unverifiedFixerNames(report: RunReport): string[] {
  return [...new Set(appliedUnverifiedFixes(report).map((fix) => fix.fixer))];
}

/**
 * `CI Autofixer: fix black, isort in CI run #123`; with fixes nothing could verify,
 * `… (1 not verified)`, and `CI Autofixer: unverified fix python-requirement in …` when no fix is verified.
 */
export function pullRequestTitle(report: RunReport): string {
  const fixers = verifiedFixerNames(report);
  const unverified = unverifiedFixerNames(report);
  const what =
    fixers.length > 0
      ? `fix ${listWithMore(fixers, 3)}${unverified.length > 0 ? ` (+${unverified.length} not verified)` : ''}`
      : unverified.length > 0
        ? `unverified fix ${listWithMore(unverified, 3)}`
        : 'fixes';
  return truncate(oneLine(`CI Autofixer: ${what} in ${runLabel(report.target)}`), TITLE_MAX_CHARS);
}

/**
 * The hidden marker that ties a PR to its fix branch. The branch is percent-encoded (slashes
 * kept) so a branch name holding `-->` cannot end the comment.
 */
export function pullRequestMarker(branch: string): string {
  return `<!-- ci-autofixer:branch=${encodeURIComponent(branch).replace(/%2F/g, '/')} -->`;
}

/** The branch named by a body's marker, or undefined when the body has none. */
export function branchFromPullRequestBody(body: string): string | undefined {
  const match = /<!-- ci-autofixer:branch=(\S+) -->/.exec(body);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

export interface PullRequestBodyOptions {
  /** For links when the report has no run URL (default https://github.com). */
  serverUrl?: string;
  maxChars?: number;
}

export function pullRequestBody(report: RunReport, options: PullRequestBodyOptions = {}): string {
  const context: LinkContext = {
    report,
    serverUrl: options.serverUrl ?? 'https://github.com',
  };
  const maxChars = options.maxChars ?? PULL_REQUEST_BODY_MAX_CHARS;
  const doc = new BoundedText(maxChars - FOOTER_RESERVE, measureChars);
  const branch = report.publication.branch;
  const failures = failureFacts(report);
  const verified = verifiedFixes(report);
  const unverified = appliedUnverifiedFixes(report);

  if (branch !== undefined) doc.add(`${pullRequestMarker(branch)}\n`);
  doc.add('## CI Autofixer\n\n');
  doc.add(
    `${runReference(context)} failed ${headReference(context)} with ${plural(failures.length, 'failure')} in ${plural(report.jobs.length, 'job')}. ` +
      `${holdsSentence(verified.length, unverified.length)}\n\n`,
  );
  addVerifiedFixes(doc, verified);
  addUnverifiedFixes(doc, unverified);
  addFixesNotKept(doc, report);
  addStillFailing(doc, context);
  addAllFailures(doc, failures, context);

  let body = doc.toString();
  if (doc.truncated) body += '_Some items were left out to keep this description under the size GitHub accepts._\n\n';
  body +=
    '---\n' +
    `This pull request was opened by CI Autofixer from ${runReference(context)}. ` +
    `Review the changes before merging. Its commits carry the \`${COMMIT_TRAILER_KEY}:\` trailer; runs on them only report, so it never fixes its own fixes.\n`;
  return body;
}

/** What the pull request holds, saying plainly how many changes nothing could verify. */
function holdsSentence(verified: number, unverified: number): string {
  const checked = `Each verified fix below names the commands that checked it and their exit status.`;
  if (unverified === 0) return `This pull request holds ${plural(verified, 'verified fix', 'verified fixes')}. ${checked}`;
  const warning = `**${plural(unverified, 'change', 'changes')} in this pull request could not be verified** (see "Applied, not verified"): review them before merging.`;
  if (verified === 0) return `This pull request holds no verified fix. ${warning}`;
  return `This pull request holds ${plural(verified, 'verified fix', 'verified fixes')}. ${checked} ${warning}`;
}

function fixItem(fix: FixResult): string {
  const files = filesText(fix.files, { table: false });
  const checks = checksMarkdown(fix, { table: false });
  return `- **${escapeMarkdown(fix.fixer)}**: ${escapeMarkdown(fix.description, MESSAGE_CHARS)}${files ? ` (${files})` : ''}${checks ? `; ${checks}` : ''}\n`;
}

function addUnverifiedFixes(doc: BoundedText, unverified: readonly FixResult[]): void {
  if (unverified.length === 0) return;
  doc.add('### Applied, not verified\n\n');
  doc.add(
    'These changes are included, but nothing re-ran the failing check on them; the failures they address still count as needing a human.\n\n',
  );
  doc.addItems(
    unverified,
    (fix) => `${fixItem(fix).trimEnd()}${fix.reason !== undefined ? ` — ${escapeMarkdown(fix.reason, MESSAGE_CHARS)}` : ''}\n`,
    { maxRows: ROWS, more: (n) => `- … ${plural(n, 'more fix', 'more fixes')}\n` },
  );
  doc.add('\n');
}

function addVerifiedFixes(doc: BoundedText, verified: readonly FixResult[]): void {
  doc.add('### Fixed and verified\n\n');
  if (verified.length === 0) {
    doc.add('Nothing.\n\n');
    return;
  }
  doc.addItems(verified, (fix) => fixItem(fix), {
    maxRows: ROWS,
    more: (n) => `- … ${plural(n, 'more fix', 'more fixes')}\n`,
  });
  doc.add('\n');
}

function addFixesNotKept(doc: BoundedText, report: RunReport): void {
  const notKept = report.fixes.filter((fix) => fix.status !== 'verified' && fix.status !== 'applied-unverified');
  if (notKept.length === 0) return;
  doc.add('### Tried and not kept\n\n');
  doc.add(FIX_TABLE_HEADER);
  doc.addRows(notKept.length, (index) => fixTableRow(notKept[index]!), {
    maxRows: ROWS,
    more: (n) => `\n… ${plural(n, 'more fix', 'more fixes')}\n`,
  });
  doc.add('\n');
}

function addStillFailing(doc: BoundedText, context: LinkContext): void {
  const { known, unknownFingerprints } = needsHumanFacts(context.report);
  doc.add('### Still failing (needs a human)\n\n');
  if (known.length === 0 && unknownFingerprints.length === 0) {
    doc.add('Nothing else was found in the logs. Re-run CI on this branch to confirm.\n\n');
    return;
  }
  doc.addItems(
    [...known, ...unknownFingerprints],
    (item) => (typeof item === 'string' ? `- failure ${codeSpan(item, { maxChars: 80 })}\n` : needsHumanItem(item, context)),
    { maxRows: ROWS, more: (n) => `- … ${plural(n, 'more failure')}\n` },
  );
  doc.add('\n');
}

function addAllFailures(doc: BoundedText, failures: readonly FailureFacts[], context: LinkContext): void {
  if (failures.length === 0) return;
  doc.add('<details><summary>All failures found</summary>\n\n');
  doc.add(FAILURE_TABLE_HEADER);
  // Keep room to close the <details> element whatever happens.
  doc.addItems(failures, (facts, index) => failureTableRow(index + 1, facts, context), {
    maxRows: ROWS,
    more: (n) => `\n… ${plural(n, 'more failure')}\n`,
    reserve: 40,
  });
  doc.add('\n</details>\n\n');
}

/** `black --check -- a.py: exit 0; black --check .: exit 0` in plain text for a commit message. */
function plainChecks(fix: FixResult): string {
  return checksSentence(
    fix,
    (command) => clip(command, 120),
    (value) => clip(value, 160),
  );
}

/**
 * The commit message: a subject, a short body listing the kept fixes (each verified one with the
 * commands that checked it, each unverified one marked so), and, when
 * `trailerValue` is given, the trailer line `CI-Autofixer: <value>` last. Leave `trailerValue`
 * out when the committer adds the trailer itself (publishFix does), or it would appear twice.
 */
export function commitMessage(report: RunReport, trailerValue?: string): string {
  const fixers = verifiedFixerNames(report);
  const subject = commitSubject(fixers, report, unverifiedFixerNames(report));
  const lines = [subject, ''];
  const kept = [...verifiedFixes(report), ...appliedUnverifiedFixes(report)];
  for (const fix of kept.slice(0, 20)) {
    const checks = plainChecks(fix);
    const status = fix.status === 'verified' ? 'verified' : 'applied, NOT verified';
    lines.push(`- ${fix.fixer}: ${clip(fix.description, 160)} (${status}${checks !== '' ? `; ${checks}` : ''})`);
  }
  if (kept.length > 20) lines.push(`- … and ${kept.length - 20} more`);
  const runUrl = report.target.runUrl;
  if (runUrl !== undefined && /^https?:\/\/\S+$/.test(runUrl)) lines.push('', `Failed run: ${runUrl}`);
  const message = lines.join('\n');
  if (trailerValue === undefined) return `${message}\n`;
  return `${message}\n\n${COMMIT_TRAILER_KEY}: ${oneLine(trailerValue)}\n`;
}

/**
 * `CI Autofixer: fix <fixers> (<workflow> run <id>)` within SUBJECT_MAX_CHARS. The run id is never
 * cut: a long workflow name goes first (the run is then `run <id>`), then fixers are named fewer at
 * a time (`fix a and 2 more`), and when even one name does not fit they are counted. No word or
 * number is cut in two.
 */
function commitSubject(fixers: readonly string[], report: RunReport, unverified: readonly string[]): string {
  const names = fixers.length > 0 ? fixers : unverified;
  const verb = fixers.length > 0 || unverified.length === 0 ? 'fix' : 'unverified fix';
  const what = (shown: number): string => `CI Autofixer: ${verb} ${names.length > 0 ? listWithMore(names, shown) : 'CI failures'}`;
  const full = oneLine(`${what(3)} (${runLabel(report.target, { plain: true })})`);
  if (full.length <= SUBJECT_MAX_CHARS) return full;
  const run = ` (run ${report.target.runId})`;
  for (let shown = Math.min(3, names.length); shown >= 1; shown--) {
    const subject = oneLine(`${what(shown)}${run}`);
    if (subject.length <= SUBJECT_MAX_CHARS) return subject;
  }
  // Fixer names too long to fit even one: count them rather than cut one in two.
  return `CI Autofixer: ${plural(Math.max(1, names.length), 'fix', 'fixes')}${run}`;
}

function listWithMore(items: readonly string[], shown: number): string {
  const head = items
    .slice(0, shown)
    .map((item) => oneLine(item))
    .join(', ');
  return items.length > shown ? `${head} and ${items.length - shown} more` : head;
}
