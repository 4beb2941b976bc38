/**
 * Markdown pieces shared by the job summary and the pull request body. Every value that came from
 * a log or from the API goes through `escapeMarkdown`, `codeSpan` or `safeHttpUrl` here.
 */
import type { FixResult, RunReport } from '../model.js';
import { codeSpan, escapeMarkdown } from './escape.js';
import { FIX_STATUS_LABELS, checksSentence, type FailureFacts, type PublicationFacts, plural, runLabel } from './facts.js';
import { blobLink, commitLink, locationText, runLink, safeHttpUrl } from './links.js';

/** Caps on one value, in characters of the original text. */
export const MESSAGE_CHARS = 300;
export const NAME_CHARS = 120;
export const LOCATION_CHARS = 200;
export const COMMAND_CHARS = 300;
const FILES_PER_FIX = 5;

export interface LinkContext {
  report: RunReport;
  serverUrl: string | undefined;
}

export function link(text: string, url: string | undefined): string {
  const safe = safeHttpUrl(url);
  return safe ? `[${text}](${safe})` : text;
}

/** `[CI run #12 (attempt 2)](url)`. */
export function runReference({ report, serverUrl }: LinkContext): string {
  return link(escapeMarkdown(runLabel(report.target), NAME_CHARS), runLink(report.target, serverUrl));
}

/** `` on `main` at [`abc1234`](commit) `` */
export function headReference({ report, serverUrl }: LinkContext): string {
  const { target } = report;
  const sha = /^[0-9a-f]{7,64}$/i.test(target.headSha) ? target.headSha.slice(0, 7) : target.headSha;
  return `on ${codeSpan(target.headBranch, { maxChars: NAME_CHARS })} at ${link(codeSpan(sha, { maxChars: 64 }), commitLink(target, serverUrl))}`;
}

/** A failure's location as linked inline code; plain code when it is not a workspace file. */
export function locationCell(facts: FailureFacts, context: LinkContext, options: { table: boolean }): string {
  const location = locationText(facts.failure);
  if (location === undefined) return '';
  const code = codeSpan(location, {
    maxChars: LOCATION_CHARS,
    table: options.table,
  });
  const file = facts.failure.file;
  return file === undefined ? code : link(code, blobLink(context.report.target, context.serverUrl, file, facts.failure.line));
}

/** `[job](url) / step`, either part optional. */
export function jobStepCell(facts: FailureFacts): string {
  const parts: string[] = [];
  if (facts.jobName !== undefined) parts.push(link(escapeMarkdown(facts.jobName, NAME_CHARS), facts.jobUrl));
  if (facts.stepName !== undefined) parts.push(escapeMarkdown(facts.stepName, NAME_CHARS));
  return parts.join(' / ');
}

export function messageCell(facts: FailureFacts): string {
  const repeated = facts.failure.occurrences > 1 ? ` (×${facts.failure.occurrences})` : '';
  return `${escapeMarkdown(facts.failure.message, MESSAGE_CHARS)}${repeated}`;
}

export const FAILURE_TABLE_HEADER = '| # | Category | Tool | Message | Job / step | Location | Fixed |\n|---:|---|---|---|---|---|---|\n';

export function failureTableRow(index: number, facts: FailureFacts, context: LinkContext): string {
  const fixed = facts.fixedBy.length > 0 ? `✅ ${facts.fixedBy.map((fixer) => escapeMarkdown(fixer, NAME_CHARS)).join(', ')}` : '—';
  const cells = [
    String(index),
    codeSpan(facts.failure.category, { table: true }),
    escapeMarkdown(facts.failure.tool, NAME_CHARS),
    messageCell(facts),
    jobStepCell(facts),
    locationCell(facts, context, { table: true }),
    fixed,
  ];
  return `| ${cells.join(' | ')} |\n`;
}

const STATUS_ICONS: Readonly<Record<FixResult['status'], string>> = {
  verified: '✅',
  'applied-unverified': '⚠️',
  'reverted-unverified': '↩️',
  'reverted-guard': '🛡️',
  skipped: '⏭️',
};

export function fixStatusText(fix: FixResult): string {
  return `${STATUS_ICONS[fix.status]} ${FIX_STATUS_LABELS[fix.status]}`;
}

export function filesText(files: readonly string[], options: { table: boolean }): string {
  if (files.length === 0) return '';
  const shown = files.slice(0, FILES_PER_FIX).map((file) => codeSpan(file, { maxChars: LOCATION_CHARS, table: options.table }));
  const rest = files.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

export const FIX_TABLE_HEADER = '| Fixer | Result | What | Files | Checks that ran (exit status) / reason |\n|---|---|---|---|---|\n';

/** How a fix was checked, in Markdown: each command, its kind and exit status, and what was not replayed. */
export function checksMarkdown(fix: FixResult, options: { table: boolean }): string {
  return checksSentence(
    fix,
    (command) => codeSpan(command, { maxChars: COMMAND_CHARS, table: options.table }),
    (value) => escapeMarkdown(value, MESSAGE_CHARS),
  );
}

export function fixTableRow(fix: FixResult): string {
  const evidence: string[] = [];
  const checks = checksMarkdown(fix, { table: true });
  if (checks !== '') evidence.push(checks);
  if (fix.reason !== undefined) evidence.push(escapeMarkdown(fix.reason, MESSAGE_CHARS));
  const cells = [
    escapeMarkdown(fix.fixer, NAME_CHARS),
    fixStatusText(fix),
    escapeMarkdown(fix.description, MESSAGE_CHARS),
    filesText(fix.files, { table: true }),
    evidence.join(' — '),
  ];
  return `| ${cells.join(' | ')} |\n`;
}

/** A list item for a failure nobody fixed. */
export function needsHumanItem(facts: FailureFacts, context: LinkContext): string {
  const location = locationCell(facts, context, { table: false });
  const where = jobStepCell(facts);
  const head = `**${escapeMarkdown(facts.failure.category, NAME_CHARS)}** (${escapeMarkdown(facts.failure.tool, NAME_CHARS)})`;
  return `- ${head}${location ? ` ${location}` : ''}: ${messageCell(facts)}${where ? ` — ${where}` : ''}\n`;
}

/** One sentence about what was pushed, or why nothing was. */
export function publicationSentence(facts: PublicationFacts, context: LinkContext): string {
  switch (facts.kind) {
    case 'pull-request': {
      const verb = facts.action === 'updated' ? 'updated' : facts.action === 'created' ? 'opened' : 'is';
      const pr = link(`#${facts.number}`, facts.url);
      return `Pull request ${pr} ${verb} from branch ${codeSpan(facts.branch, { maxChars: NAME_CHARS })}${commitSuffix(facts.commitSha)}.`;
    }
    case 'branch':
      return `Pushed branch ${codeSpan(facts.branch, { maxChars: NAME_CHARS })}${commitSuffix(facts.commitSha)}; no pull request (push: branch).`;
    case 'nothing':
      return `Nothing was pushed: ${escapeMarkdown(facts.reason, MESSAGE_CHARS)}.`.replace(/\.\.$/, '.');
  }
  // Unreachable while PublicationFacts has three kinds; keeps the compiler honest if one is added.
  return context.report.publication.mode;
}

function commitSuffix(sha: string | undefined): string {
  return sha === undefined ? '' : ` (commit ${codeSpan(sha.slice(0, 12), { maxChars: 64 })})`;
}

export function headline(context: LinkContext, failureCount: number): string {
  const jobs = context.report.jobs.length;
  return `**${plural(failureCount, 'failure')}** in **${plural(jobs, 'failed job')}** of ${runReference(context)} ${headReference(context)}.`;
}
