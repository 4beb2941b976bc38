/**
 * The report as plain text for the CLI (`run`, `fix`). The CLI may itself run inside a GitHub
 * Actions job, where its stdout is read for workflow commands, so the whole text is neutralised.
 */
import type { FixResult, RunReport } from '../model.js';
import { clip, neutralizeWorkflowCommands } from './escape.js';
import {
  FIX_STATUS_LABELS,
  checksSentence,
  countFixes,
  failureFacts,
  needsHumanFacts,
  plural,
  publicationFacts,
  runLabel,
  type FailureFacts,
} from './facts.js';
import { locationText, runLink } from './links.js';

export interface TextReportOptions {
  /** Items per list before "… N more" (default 50). */
  maxRows?: number;
  serverUrl?: string;
}

const MESSAGE_CHARS = 300;
const NAME_CHARS = 120;

export function renderTextReport(report: RunReport, options: TextReportOptions = {}): string {
  const maxRows = Math.max(1, options.maxRows ?? 50);
  const failures = failureFacts(report);
  const out: string[] = [];

  pushHeading(out, report, failures, options.serverUrl);

  out.push('', 'Failures:');
  if (failures.length === 0) out.push('  none recognised: read the job logs');
  pushLimited(
    out,
    failures,
    (facts, index) => failureLine(index + 1, facts),
    maxRows,
    (n) => `  … ${plural(n, 'more failure')}`,
  );

  out.push('', 'Fixes:');
  pushFixes(out, report, maxRows);

  out.push('', 'Publication:');
  out.push(publicationLine(report));

  const { known, unknownFingerprints } = needsHumanFacts(report);
  out.push('', 'Needs a human:');
  if (known.length === 0 && unknownFingerprints.length === 0)
    out.push(failures.length > 0 ? '  nothing: a verified fix addressed every failure found' : '  the failed jobs above');
  pushLimited(
    out,
    [...known, ...unknownFingerprints],
    (item) =>
      typeof item === 'string'
        ? `  - failure ${clean(item, 80)}`
        : `  - ${item.failure.category} (${clean(item.failure.tool, NAME_CHARS)})${where(item)}: ${clean(item.failure.message, MESSAGE_CHARS)}`,
    maxRows,
    (n) => `  … ${plural(n, 'more failure')}`,
  );
  return `${neutralizeWorkflowCommands(out.join('\n'))}\n`;
}

/** The first lines: counts, the run, the dry-run note, categories, errors and notices. */
function pushHeading(out: string[], report: RunReport, failures: readonly FailureFacts[], serverUrl: string | undefined): void {
  const { target } = report;
  const url = runLink(target, serverUrl);
  out.push(`CI Autofixer: ${plural(failures.length, 'failure')} in ${plural(report.jobs.length, 'failed job')} of ${runLabel(target)}`);
  out.push(
    `  ${target.owner}/${target.repo} on ${clean(target.headBranch, NAME_CHARS)} at ${target.headSha.slice(0, 12)}${url ? `  ${url}` : ''}`,
  );
  if (report.dryRun) out.push('  dry run: fixes were applied and checked, then reverted; nothing was pushed');
  if (report.categories.length > 0) out.push(`  categories: ${report.categories.join(', ')}`);
  for (const error of report.errors ?? []) out.push(`  error: ${clean(error, MESSAGE_CHARS)}`);
  for (const notice of report.notices) out.push(`  notice: ${clean(notice, MESSAGE_CHARS)}`);
}

function pushFixes(out: string[], report: RunReport, maxRows: number): void {
  if (report.fixes.length === 0) {
    out.push('  none attempted');
    return;
  }
  const counts = countFixes(report);
  out.push(
    `  ${counts.verified} verified, ${counts['applied-unverified']} applied but not verified, ${counts['reverted-unverified'] + counts['reverted-guard']} reverted, ${counts.skipped} skipped`,
  );
  pushLimited(out, report.fixes, fixLines, maxRows, (n) => `  … ${plural(n, 'more fix', 'more fixes')}`);
}

function fixLines(fix: FixResult): string {
  const lines = [`  [${FIX_STATUS_LABELS[fix.status]}] ${clean(fix.fixer, NAME_CHARS)}: ${clean(fix.description, MESSAGE_CHARS)}`];
  if (fix.files.length > 0)
    lines.push(
      `      files: ${fix.files
        .slice(0, 10)
        .map((file) => clean(file, NAME_CHARS))
        .join(', ')}${fix.files.length > 10 ? ` and ${fix.files.length - 10} more` : ''}`,
    );
  const checks = checksSentence(
    fix,
    (command) => `\`${clean(command, MESSAGE_CHARS)}\``,
    (value) => clean(value, MESSAGE_CHARS),
  );
  if (checks !== '') lines.push(`      checks: ${checks}`);
  if (fix.reason !== undefined) lines.push(`      reason: ${clean(fix.reason, MESSAGE_CHARS)}`);
  return lines.join('\n');
}

function publicationLine(report: RunReport): string {
  const publication = publicationFacts(report);
  switch (publication.kind) {
    case 'pull-request':
      return `  pull request #${publication.number} ${publication.action ?? ''} from ${clean(publication.branch, NAME_CHARS)}${publication.url ? `: ${clean(publication.url, 300)}` : ''}`
        .replace(/  +/g, ' ')
        .replace(/^ /, '  ');
    case 'branch':
      return `  pushed branch ${clean(publication.branch, NAME_CHARS)}${publication.commitSha ? ` (${publication.commitSha.slice(0, 12)})` : ''}`;
    case 'nothing':
      return `  nothing pushed: ${clean(publication.reason, MESSAGE_CHARS)}`;
  }
}

function failureLine(index: number, facts: FailureFacts): string {
  const { failure } = facts;
  const applied = facts.appliedBy.map((fix) => fix.fixer);
  const fixed =
    facts.fixedBy.length > 0
      ? `  [fixed by ${facts.fixedBy.join(', ')}, verified]`
      : applied.length > 0
        ? `  [fix applied by ${applied.join(', ')}, not verified]`
        : '';
  const job = [facts.jobName, facts.stepName]
    .filter((part): part is string => part !== undefined)
    .map((part) => clean(part, NAME_CHARS))
    .join(' / ');
  return `  ${index}. ${failure.category} (${clean(failure.tool, NAME_CHARS)})${where(facts)}: ${clean(failure.message, MESSAGE_CHARS)}${fixed}${job ? `\n     in ${job}` : ''}`;
}

function where(facts: FailureFacts): string {
  const location = locationText(facts.failure);
  return location ? ` ${clean(location, 200)}` : '';
}

function clean(text: string, maxChars: number): string {
  return clip(text, maxChars);
}

/** Renders at most `maxRows` items (only those), then a line counting the rest. */
function pushLimited<T>(
  out: string[],
  items: readonly T[],
  render: (item: T, index: number) => string,
  maxRows: number,
  more: (leftOut: number) => string,
): void {
  items.slice(0, maxRows).forEach((item, index) => out.push(render(item, index)));
  if (items.length > maxRows) out.push(more(items.length - maxRows));
}
