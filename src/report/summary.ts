/**
 * The job summary ($GITHUB_STEP_SUMMARY): what failed, what was fixed and verified, what was
 * pushed, and what needs a human. GitHub refuses a step summary over 1 MiB; we stay far below it
 * so the page stays readable and other steps keep room.
 */
import type { RunReport } from '../model.js';
import { BoundedText, measureUtf8 } from './bounded.js';
import { codeSpan, escapeMarkdown } from './escape.js';
import { type FailureFacts, countFixes, failureFacts, needsHumanFacts, plural, publicationFacts } from './facts.js';
import {
  FAILURE_TABLE_HEADER,
  FIX_TABLE_HEADER,
  type LinkContext,
  MESSAGE_CHARS,
  failureTableRow,
  fixTableRow,
  headline,
  link,
  needsHumanItem,
  publicationSentence,
} from './markdown.js';

export const DEFAULT_SUMMARY_MAX_BYTES = 64 * 1024;
export const DEFAULT_SUMMARY_MAX_ROWS = 50;

export interface SummaryOptions {
  /** e.g. https://github.com (GITHUB_SERVER_URL); links are left out when it is not http(s). */
  serverUrl: string;
  /** Rows per table or list before "… N more" (default 50). */
  maxRows?: number;
  /** Size cap in UTF-8 bytes (default 64 KiB). */
  maxBytes?: number;
}

// Room kept for the closing note when the summary had to be cut.
const CLOSING_RESERVE = 512;

/** What every section of one summary writes into and reads from. */
interface SummaryParts {
  doc: BoundedText;
  report: RunReport;
  context: LinkContext;
  failures: FailureFacts[];
  maxRows: number;
}

export function renderSummary(report: RunReport, options: SummaryOptions): string {
  const maxRows = Math.max(1, options.maxRows ?? DEFAULT_SUMMARY_MAX_ROWS);
  const maxBytes = options.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES;
  const context: LinkContext = { report, serverUrl: options.serverUrl };
  const doc = new BoundedText(maxBytes - CLOSING_RESERVE, measureUtf8);
  const parts: SummaryParts = { doc, report, context, failures: failureFacts(report), maxRows };

  addHeading(parts);
  addErrorsAndNotices(parts);
  addFailures(parts);
  addFixes(parts);
  doc.add('### Publication\n\n');
  doc.add(`${publicationSentence(publicationFacts(report), context)}\n\n`);
  addNeedsHuman(parts);

  let text = doc.toString();
  if (doc.truncated)
    text += `\n_This summary was shortened to stay under ${Math.round(maxBytes / 1024)} KiB; the JSON report has everything._\n`;
  return text;
}

function addHeading({ doc, report, context, failures }: SummaryParts): void {
  doc.add('## CI Autofixer\n\n');
  doc.add(`${headline(context, failures.length)}\n\n`);
  if (report.dryRun)
    doc.add('> [!NOTE]\n> Dry run: fixes were applied and checked in the workspace, then reverted. Nothing was pushed.\n\n');
  if (report.categories.length > 0) {
    doc.add(`Categories: ${report.categories.map((category) => codeSpan(category)).join(', ')}\n\n`);
  }
}

function addErrorsAndNotices({ doc, report, maxRows }: SummaryParts): void {
  const errors = report.errors ?? [];
  if (errors.length > 0) {
    doc.add('> [!CAUTION]\n> The run did not finish everything:\n');
    doc.addItems(errors, (error) => `> - ${escapeMarkdown(error, 1000)}\n`, {
      maxRows,
      more: (n) => `> - … ${plural(n, 'more error')}\n`,
    });
    doc.add('\n');
  }

  if (report.notices.length > 0) {
    doc.add('### Notices\n\n');
    doc.addItems(report.notices, (notice) => `- ${escapeMarkdown(notice, MESSAGE_CHARS)}\n`, {
      maxRows,
      more: (n) => `- … ${plural(n, 'more notice')}\n`,
    });
    doc.add('\n');
  }
}

function addFailures({ doc, report, context, failures, maxRows }: SummaryParts): void {
  doc.add('### Failures\n\n');
  if (failures.length === 0) {
    doc.add(`No failure was recognised in the ${plural(report.jobs.length, 'failed job')}. Read the job logs:\n\n`);
    doc.addItems(
      report.jobs,
      (job) =>
        `- ${link(escapeMarkdown(job.job.jobName, MESSAGE_CHARS), job.job.jobUrl)}${job.job.failedStep ? ` (step ${escapeMarkdown(job.job.failedStep, MESSAGE_CHARS)})` : ''}\n`,
      { maxRows, more: (n) => `- … ${plural(n, 'more job')}\n` },
    );
  } else {
    doc.add(FAILURE_TABLE_HEADER);
    doc.addItems(failures, (facts, index) => failureTableRow(index + 1, facts, context), {
      maxRows,
      more: (n) => `\n… ${plural(n, 'more failure')} (see the JSON report)\n`,
    });
  }
  doc.add('\n');
}

function addFixes({ doc, report, maxRows }: SummaryParts): void {
  doc.add('### Fixes\n\n');
  if (report.fixes.length === 0) {
    doc.add('No fix was attempted.\n\n');
    return;
  }
  const counts = countFixes(report);
  doc.add(
    `${counts.verified} verified, ${counts['applied-unverified']} applied but not verified, ${counts['reverted-unverified'] + counts['reverted-guard']} reverted, ${counts.skipped} skipped.\n\n`,
  );
  doc.add(FIX_TABLE_HEADER);
  doc.addItems(report.fixes, (fix) => fixTableRow(fix), {
    maxRows,
    more: (n) => `\n… ${plural(n, 'more fix', 'more fixes')}\n`,
  });
  doc.add('\n');
}

function addNeedsHuman({ doc, report, context, failures, maxRows }: SummaryParts): void {
  const { known, unknownFingerprints } = needsHumanFacts(report);
  doc.add('### Needs a human\n\n');
  if (known.length === 0 && unknownFingerprints.length === 0) {
    doc.add(
      failures.length > 0
        ? 'Nothing: a verified fix addressed every failure found.\n'
        : 'The failed jobs above: no failure was recognised in their logs.\n',
    );
    return;
  }
  doc.addItems(
    [...known, ...unknownFingerprints],
    (item) => (typeof item === 'string' ? `- failure ${codeSpan(item, { maxChars: 80 })}\n` : needsHumanItem(item, context)),
    {
      maxRows,
      more: (n) => `- … ${plural(n, 'more failure')} (see the JSON report)\n`,
    },
  );
}
