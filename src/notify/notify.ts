/**
 * Notifications, sent once after all the work is done (the JSON report is written and the summary
 * rendered). A notifier can never fail the job: a failed send is a warning, recorded in
 * `report.notifications` and shown in the job summary; with `notify-strict: true` it is an error
 * of the run instead, raised after everything else was done.
 */
import { getErrorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { NotificationResult, RunReport } from '../model.js';
import { escapeMarkdown } from '../report/escape.js';
import type { NotifyOutcome, Settings } from '../settings.js';
import { slackNotifier } from './slack.js';

/** What a notifier may read of the settings. */
export type NotifySettingsView = Pick<Settings, 'notify' | 'serverUrl'>;

export interface NotifyDependencies {
  logger: Logger;
  /** How long one send may take, in milliseconds (default 10 s). */
  timeoutMs?: number;
}

export interface Notifier {
  /** Id in the report and in messages: 'slack'. */
  id: string;
  /** The outcomes it is set to report; empty when it is not configured. */
  wantedOutcomes(settings: NotifySettingsView): NotifyOutcome[];
  /** Secrets its messages could echo (a webhook URL): removed from any error text before it is shown. */
  secrets(settings: NotifySettingsView): string[];
  /** Sends one message about `outcomes`; throws a NotificationError when it cannot. */
  send(report: RunReport, outcomes: NotifyOutcome[], settings: NotifySettingsView, deps: NotifyDependencies): Promise<void>;
}

/** Every notifier, in the order they are sent. */
export const NOTIFIERS: readonly Notifier[] = [slackNotifier];

/** Whether the run pushed something: a commit on the fix branch (pull-request or branch mode). */
function pushedSomething(report: RunReport): boolean {
  return report.publication.mode !== 'none' && report.publication.commitSha !== undefined;
}

/**
 * The run's outcomes, as the `on:` lists name them:
 * - `fixed`: at least one verified fix was pushed;
 * - `needs-human`: `report.needsHuman` is not empty (a failure no verified fix addressed);
 * - `failed`: `report.errors` is not empty (something the run had to do did not finish).
 * A run can have several (a partial fix with an error) or none (a dry run that verified everything).
 */
export function runOutcomes(report: RunReport): NotifyOutcome[] {
  const outcomes: NotifyOutcome[] = [];
  if (pushedSomething(report) && report.fixes.some((fix) => fix.status === 'verified')) outcomes.push('fixed');
  if (report.needsHuman.length > 0) outcomes.push('needs-human');
  if (report.errors.length > 0) outcomes.push('failed');
  return outcomes;
}

function redact(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join('[secret]');
  }
  return result;
}

async function sendOne(notifier: Notifier, report: RunReport, settings: NotifySettingsView, deps: NotifyDependencies) {
  const wanted = notifier.wantedOutcomes(settings);
  if (wanted.length === 0) return undefined;
  const outcomes = runOutcomes(report).filter((outcome) => wanted.includes(outcome));
  if (outcomes.length === 0) {
    const reason = `the run is none of: ${wanted.join(', ')}`;
    return { notifier: notifier.id, status: 'skipped', outcomes: wanted, reason } satisfies NotificationResult;
  }
  try {
    await notifier.send(report, outcomes, settings, deps);
    return { notifier: notifier.id, status: 'sent', outcomes } satisfies NotificationResult;
  } catch (error: unknown) {
    const reason = redact(getErrorMessage(error), notifier.secrets(settings));
    return { notifier: notifier.id, status: 'failed', outcomes, reason } satisfies NotificationResult;
  }
}

/**
 * Sends every configured notification about the finished run and records the results in
 * `report.notifications`. A failed send is logged as a warning, or with `notify-strict` added to
 * `report.errors` (so the caller fails the step after everything else is done). Never throws for
 * a notifier's failure.
 */
export async function sendNotifications(
  report: RunReport,
  settings: NotifySettingsView,
  deps: NotifyDependencies,
): Promise<NotificationResult[]> {
  const results: NotificationResult[] = [];
  for (const notifier of NOTIFIERS) {
    const result = await sendOne(notifier, report, settings, deps);
    if (result === undefined) continue;
    results.push(result);
    if (result.status === 'sent') deps.logger.info(`${notifier.id}: notification sent (${result.outcomes.join(', ')})`);
    if (result.status !== 'failed') continue;
    const message = notificationFailureLine(result);
    if (settings.notify.strict) {
      deps.logger.error(message);
      report.errors.push(`${message} (notify-strict)`);
    } else {
      deps.logger.warning(message);
    }
  }
  if (results.length > 0) report.notifications = results;
  return results;
}

export function notificationFailureLine(result: NotificationResult): string {
  return `${result.notifier} notification not sent: ${result.reason ?? 'unknown reason'}`;
}

/** The job summary's "Notifications" section (appended after the summary, once they were sent). */
export function renderNotificationSummary(results: NotificationResult[]): string {
  if (results.length === 0) return '';
  const lines = results.map((result) => {
    const outcomes = result.outcomes.join(', ');
    if (result.status === 'sent') return `- ${result.notifier}: sent (${outcomes})`;
    if (result.status === 'skipped') return `- ${result.notifier}: not sent, ${escapeMarkdown(result.reason ?? '', 300)}`;
    return `- :warning: ${escapeMarkdown(notificationFailureLine(result), 600)}`;
  });
  return `\n### Notifications\n\n${lines.join('\n')}\n`;
}
