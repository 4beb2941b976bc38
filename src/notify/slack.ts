/**
 * Slack, through an incoming webhook (`@slack/webhook`). The webhook URL comes from the
 * SLACK_WEBHOOK_URL environment variable: it is a secret (anyone holding it can post to the
 * channel), so it is never logged, never put in the report, and removed from any error text.
 *
 * The message is Block Kit: a header, the run (repository, branch, workflow, run link), what was
 * fixed and the pull request, one section per failure, and what needs a human; with a plain
 * `text` fallback for notifications. Everything taken from a log (messages, file, job, branch and
 * workflow names) is escaped for Slack's mrkdwn and kept within Slack's limits (50 blocks, 3000
 * characters a section text, 150 a header).
 */
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import type { Failure } from '../analysis/types.js';
import { NotificationError } from '../errors.js';
import type { RunReport } from '../model.js';
import { clip, neutralizeWorkflowCommands, truncate, ZERO_WIDTH_SPACE } from '../report/escape.js';
import { failureFacts, verifiedFixes, type FailureFacts } from '../report/facts.js';
import { blobLink, commitLink, locationText, normalizeServerUrl, runLink, safeHttpUrl } from '../report/links.js';
import type { NotifyOutcome } from '../settings.js';
import type { Notifier } from './notify.js';

/** Slack's limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, headerText: 150 };
const MESSAGE_CHARS = 500;
const LIST_ITEM_CHARS = 300;
/** A longer link destination is shown as text only (a section must stay under 3000 characters). */
const MAX_URL_CHARS = 1000;

export interface SlackText {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * Untrusted text for Slack mrkdwn: one line, at most `maxChars` characters of the original, with
 * `&`, `<`, `>` as entities (so no `<!channel>`, `<@U123>` or `<url|text>` can form), URLs,
 * `www.` and `@` broken by a zero-width space (no auto-link, no mention), and workflow-command
 * markers neutralised as everywhere else.
 */
export function escapeSlack(text: string, maxChars: number = MESSAGE_CHARS): string {
  const escaped = clip(text, maxChars)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`)
    .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}${ZERO_WIDTH_SPACE}.`)
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
  return neutralizeWorkflowCommands(escaped);
}

/**
 * `<url|label>` for a URL we built or checked (http(s), `<>` encoded); `|` is encoded and `&`
 * written as Slack asks. `label` must already be escaped. The label alone when there is no URL.
 */
export function slackLink(url: string | undefined, label: string): string {
  const safe = safeHttpUrl(url);
  if (safe === undefined || safe.length > MAX_URL_CHARS) return label;
  return `<${safe.replace(/\|/g, '%7C').replace(/&/g, '&amp;')}|${label}>`;
}

/** Lines joined under a title, cut before `maxChars` with "… and N more". */
function boundedList(title: string, lines: string[], maxChars: number = SLACK_LIMITS.sectionText): string {
  let text = title;
  for (const [index, line] of lines.entries()) {
    const more = `\n… and ${lines.length - index} more`;
    if (text.length + 1 + line.length + 40 > maxChars) return `${text}${more}`;
    text += `\n${line}`;
  }
  return text;
}

/**
 * At most `maxChars`, cut (when it must be) where no link (`<url|label>`) or entity (`&amp;`) is
 * left half open. The parts of a section are capped already; this holds the limit whatever they
 * add up to (a message of 500 `&` is 2500 characters escaped).
 */
export function fitSlackText(text: string, maxChars: number = SLACK_LIMITS.sectionText): string {
  if (text.length <= maxChars) return text;
  let cut = truncate(text, maxChars).slice(0, -1);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut.replace(/&[#A-Za-z0-9]*$/, '')}…`;
}

const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text: fitSlackText(text) } });

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "1 failure fixed, 199 need a human, 1 error". */
function outcomeSummary(report: RunReport): string {
  const fixed = failureFacts(report).filter((facts) => facts.fixedBy.length > 0).length;
  const parts: string[] = [];
  if (fixed > 0) parts.push(`${plural(fixed, 'failure', 'failures')} fixed`);
  if (report.needsHuman.length > 0) parts.push(`${report.needsHuman.length} need${report.needsHuman.length === 1 ? 's' : ''} a human`);
  if (report.errors.length > 0) parts.push(plural(report.errors.length, 'error', 'errors'));
  if (parts.length === 0) parts.push(plural(report.failures.length, 'failure', 'failures'));
  return parts.join(', ');
}

function headerBlock(report: RunReport): SlackBlock {
  const repository = `${report.target.owner}/${report.target.repo}`;
  // plain_text: no mrkdwn, so only control characters and length matter.
  const text = truncate(clip(`CI Autofixer: ${outcomeSummary(report)} in ${repository}`, 400), SLACK_LIMITS.headerText);
  return { type: 'header', text: { type: 'plain_text', text } };
}

function runBlock(report: RunReport, serverUrl: string): SlackBlock {
  const { target } = report;
  const server = normalizeServerUrl(serverUrl);
  const repository = `${target.owner}/${target.repo}`;
  const repositoryUrl = server !== undefined ? `${server}/${repository}` : undefined;
  const workflow = escapeSlack(target.workflowName ?? 'workflow', 200);
  const attempt = target.runAttempt > 1 ? `, attempt ${target.runAttempt}` : '';
  const lines = [
    `*Repository:* ${slackLink(repositoryUrl, escapeSlack(repository, 200))}`,
    `*Branch:* ${escapeSlack(target.headBranch, 255)}`,
    `*Commit:* ${slackLink(commitLink(target, serverUrl), escapeSlack(target.headSha.slice(0, 12), 12))}`,
    `*Failed workflow:* ${slackLink(runLink(target, serverUrl), `${workflow} (run ${target.runId}${attempt})`)}`,
  ];
  if (target.fromFork) lines.push('_Fork run: analysed and reported only._');
  return section(lines.join('\n'));
}

function fixedBlock(report: RunReport): SlackBlock | undefined {
  const fixes = verifiedFixes(report);
  if (fixes.length === 0) return undefined;
  const lines = fixes.map((fix) => {
    const files = fix.files.length > 0 ? ` (${plural(fix.files.length, 'file', 'files')})` : '';
    return `• ${escapeSlack(fix.fixer, 60)}: ${escapeSlack(fix.description, LIST_ITEM_CHARS)}${files}`;
  });
  const { publication } = report;
  const pr = publication.pullRequestUrl;
  const where =
    publication.pullRequestNumber !== undefined
      ? `*Pull request:* ${slackLink(pr, `#${publication.pullRequestNumber}`)}`
      : publication.branch !== undefined
        ? `*Pushed to:* ${escapeSlack(publication.branch, 255)}`
        : `*Not pushed:* ${escapeSlack(publication.skippedReason ?? publication.error ?? 'nothing was pushed', LIST_ITEM_CHARS)}`;
  const title = `*Fixed and verified* (${plural(fixes.length, 'fix', 'fixes')})\n${where}`;
  return section(boundedList(title, lines));
}

function failureLocation(failure: Failure, report: RunReport, serverUrl: string): string {
  const location = locationText(failure);
  if (location === undefined) return '';
  const url = failure.file !== undefined ? blobLink(report.target, serverUrl, failure.file, failure.line) : undefined;
  return ` · ${slackLink(url, escapeSlack(location, 200))}`;
}

function failureBlock(facts: FailureFacts, report: RunReport, serverUrl: string): SlackBlock {
  const { failure } = facts;
  const status = facts.fixedBy.length > 0 ? `fixed by ${escapeSlack(facts.fixedBy.join(', '), 100)}` : 'needs a human';
  const head = `*${escapeSlack(failure.category, 40)}* · ${escapeSlack(failure.tool, 60)}${failureLocation(failure, report, serverUrl)}`;
  const where = facts.jobName !== undefined ? ` in ${escapeSlack(facts.jobName, 100)}` : '';
  return section(`${head}\n${escapeSlack(failure.message, MESSAGE_CHARS)}\n_${status}${where}_`);
}

function needsHumanBlock(facts: FailureFacts[], report: RunReport): SlackBlock | undefined {
  if (report.needsHuman.length === 0) return undefined;
  const open = facts.filter((item) => report.needsHuman.includes(item.failure.fingerprint));
  const lines = open.map(
    (item) => `• ${escapeSlack(item.failure.category, 40)}: ${escapeSlack(locationText(item.failure) ?? item.failure.tool, 200)}`,
  );
  const title = `*Needs a human* (${plural(report.needsHuman.length, 'failure', 'failures')} no verified fix addressed)`;
  return section(boundedList(title, lines));
}

function errorsBlock(report: RunReport): SlackBlock | undefined {
  if (report.errors.length === 0) return undefined;
  const lines = report.errors.map((error) => `• ${escapeSlack(error, LIST_ITEM_CHARS)}`);
  return section(boundedList(`*Errors* (the run did not finish everything)`, lines));
}

/** The Block Kit message for a finished run, within Slack's limits whatever the run's size. */
export function buildSlackMessage(report: RunReport, serverUrl: string): SlackMessage {
  const facts = failureFacts(report);
  const before = [headerBlock(report), runBlock(report, serverUrl), fixedBlock(report)].filter((b) => b !== undefined);
  const after = [needsHumanBlock(facts, report), errorsBlock(report)].filter((b) => b !== undefined);
  const room = SLACK_LIMITS.blocks - before.length - after.length - 1; // 1: the divider
  const shown = facts.length <= room ? facts : facts.slice(0, Math.max(0, room - 1));
  const failures = shown.map((item) => failureBlock(item, report, serverUrl));
  const rest = facts.length - shown.length;
  if (rest > 0) {
    const text = `… and ${plural(rest, 'more failure', 'more failures')} (the job summary and the JSON report list them all)`;
    failures.push({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
  }
  const blocks: SlackBlock[] = [...before, { type: 'divider' }, ...failures, ...after];
  const repository = escapeSlack(`${report.target.owner}/${report.target.repo}`, 200);
  const text = `CI Autofixer: ${outcomeSummary(report)} in ${repository} on ${escapeSlack(report.target.headBranch, 255)}`;
  return { text, blocks };
}

/**
 * The webhook URL, checked: https, or http to this machine only (127.0.0.1, localhost, [::1]) so
 * a test can stand a local server in for Slack. The value is never shown in the message.
 */
export function parseWebhookUrl(raw: string | undefined): URL {
  if (raw === undefined || raw === '') {
    throw new NotificationError('the SLACK_WEBHOOK_URL environment variable is not set; pass it from a secret (env: SLACK_WEBHOOK_URL)');
  }
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const local = url !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && local))) {
    throw new NotificationError(
      'SLACK_WEBHOOK_URL must be an https URL (http only for 127.0.0.1 or localhost); the value is a secret and is not shown',
    );
  }
  return url;
}

/** What went wrong, in words that cannot contain the URL (the library's errors keep it out too). */
function describeSendError(error: unknown): string {
  if (error instanceof IncomingWebhookHTTPError) {
    const body = typeof error.body === 'string' && error.body !== '' ? `: ${clip(error.body, 200)}` : '';
    return `the webhook answered HTTP ${error.statusCode}${body}`;
  }
  const cause = error instanceof IncomingWebhookRequestError ? error.original : error;
  if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) return 'the webhook did not answer in time';
  const inner = cause instanceof Error ? (cause.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof inner?.code === 'string' ? inner.code : cause instanceof Error ? cause.message : 'unknown error';
  return `the webhook could not be reached (${clip(code, 200)})`;
}

/** Posts the message; throws a NotificationError that names what failed but never the URL. */
export async function postSlackMessage(webhookUrl: URL, message: SlackMessage, timeoutMs: number): Promise<void> {
  const webhook = new IncomingWebhook(webhookUrl.href, { timeout: timeoutMs, retryConfig: { retries: 0 } });
  try {
    await webhook.send({ text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
  } catch (error: unknown) {
    // No `cause`: the library's error objects hold the request, and with it the URL.
    throw new NotificationError(`Slack: ${describeSendError(error)}`);
  }
}

export const slackNotifier: Notifier = {
  id: 'slack',
  wantedOutcomes: (settings): NotifyOutcome[] => settings.notify.slack.on,
  secrets: (settings) => {
    const url = settings.notify.slack.webhookUrl;
    if (url === undefined) return [];
    const secrets = [url];
    try {
      secrets.push(new URL(url).pathname);
    } catch {
      // Not a URL: the whole value is the secret, already listed.
    }
    return secrets;
  },
  send: async (report, _outcomes, settings, deps) => {
    const url = parseWebhookUrl(settings.notify.slack.webhookUrl);
    await postSlackMessage(url, buildSlackMessage(report, settings.serverUrl), deps.timeoutMs ?? 10_000);
  },
};
