/**
 * The action: reads inputs once into Settings, builds the dependencies, runs the pipeline, writes
 * the report, summary and annotations, and sets outputs in one place. Errors become a single
 * `core.setFailed` here, after the summary, the outputs and the JSON report are written.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { ConfigurationError, getErrorMessage } from './errors.js';
import { killAllChildren, nodeExec } from './exec.js';
import { createGitHubClient, type GitHubClient } from './github/client.js';
import { readRepositoryFacts } from './github/config.js';
import { createActionsLogger, type Logger } from './logging.js';
import type { RunReport } from './model.js';
import { scanMatrix } from './monitor/matrix.js';
import { renderMatrixSummary } from './monitor/render.js';
import { renderNotificationSummary, sendNotifications } from './notify/notify.js';
import { runPipeline } from './pipeline.js';
import { annotationsFor, emitAnnotations } from './report/annotations.js';
import { escapeMarkdown, neutralizeWorkflowCommands } from './report/escape.js';
import { writeJsonReport } from './report/json.js';
import { renderSummary } from './report/summary.js';
import { INPUT_NAMES, parseSettings, type RawInputs, type Settings, type SettingsEnvironment } from './settings.js';

export interface ActionOutputs {
  failures: number;
  categories: string;
  fixed: number;
  branch: string;
  'pull-request-number': string;
  'pull-request-url': string;
  'report-path': string;
  /** `mode: scan`: the runs to fix as a strategy.matrix; '' in `mode: fix`. */
  matrix: string;
}

function readEventPayload(eventPath: string | undefined): Record<string, unknown> {
  if (eventPath === undefined || eventPath === '') return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(eventPath, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch (error: unknown) {
    throw new ConfigurationError(`GITHUB_EVENT_PATH ${eventPath}: cannot read the event payload: ${getErrorMessage(error)}`);
  }
}

function readInputs(): RawInputs {
  const inputs: RawInputs = {};
  for (const name of INPUT_NAMES) inputs[name] = core.getInput(name);
  return inputs;
}

function actionEnvironment(env: NodeJS.ProcessEnv): SettingsEnvironment {
  return {
    env,
    baseDirectory: env.GITHUB_WORKSPACE ?? process.cwd(),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    eventPayload: readEventPayload(env.GITHUB_EVENT_PATH),
    repository: env.GITHUB_REPOSITORY,
  };
}

/**
 * The token in every form it is sent: as is (API), and inside the Basic header git sends
 * (`x-access-token:<token>` in base64). A log line carrying either is masked by the runner.
 */
export function maskToken(token: string): void {
  core.setSecret(token);
  core.setSecret(Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64'));
  core.setSecret(Buffer.from(token, 'utf8').toString('base64'));
}

/** SLACK_WEBHOOK_URL is a secret: the whole URL and its path (which holds the token) are masked. */
function maskWebhookUrl(url: string | undefined): void {
  if (url === undefined) return;
  core.setSecret(url);
  try {
    const { pathname } = new URL(url);
    if (pathname.length >= 8) core.setSecret(pathname);
  } catch {
    // Not a URL: masked as a whole above; the notifier reports it as invalid.
  }
}

export function outputsFor(report: RunReport | undefined, reportPath: string): ActionOutputs {
  const fixedFingerprints = new Set((report?.fixes ?? []).filter((fix) => fix.status === 'verified').flatMap((fix) => fix.failures));
  const publication = report?.publication;
  return {
    failures: report?.failures.length ?? 0,
    categories: (report?.categories ?? []).join(','),
    fixed: (report?.failures ?? []).filter((failure) => fixedFingerprints.has(failure.fingerprint)).length,
    branch: publication?.branch ?? '',
    'pull-request-number': publication?.pullRequestNumber !== undefined ? String(publication.pullRequestNumber) : '',
    'pull-request-url': publication?.pullRequestUrl ?? '',
    'report-path': reportPath,
    matrix: '',
  };
}

function setOutputs(outputs: ActionOutputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

function defaultReportPath(env: NodeJS.ProcessEnv): string {
  const temp = env.RUNNER_TEMP !== undefined && env.RUNNER_TEMP !== '' ? env.RUNNER_TEMP : os.tmpdir();
  return path.join(temp, 'ci-autofixer', 'report.json');
}

/** Settings with the repository's configuration file as its default branch has it. */
async function loadSettings(
  logger: ReturnType<typeof createActionsLogger>,
): Promise<{ settings: Settings; github: ReturnType<typeof createGitHubClient> }> {
  const inputs = readInputs();
  const environment = actionEnvironment(process.env);
  const fromInputs = parseSettings(inputs, environment);
  maskToken(fromInputs.token);
  maskWebhookUrl(fromInputs.notify.slack.webhookUrl);
  const github = createGitHubClient({ token: fromInputs.token, apiUrl: fromInputs.apiUrl, logger });
  const facts = await readRepositoryFacts(github, fromInputs.owner, fromInputs.repo);
  const settings = parseSettings(inputs, { ...environment, configFile: facts.configFile, defaultBranch: facts.defaultBranch });
  return { settings, github };
}

async function finishWithReport(report: RunReport, settings: Settings, logger: Logger): Promise<void> {
  let reportPath = settings.reportPath;
  try {
    await writeJsonReport(report, settings.reportPath);
  } catch (error: unknown) {
    report.errors.push(getErrorMessage(error));
    reportPath = '';
  }
  emitAnnotations(annotationsFor(report), core);
  await core.summary.addRaw(renderSummary(report, { serverUrl: settings.serverUrl })).write();
  // Once everything else is done: what was sent is added to the summary and the JSON report.
  const notifications = await sendNotifications(report, settings, { logger });
  if (notifications.length > 0) {
    await core.summary.addRaw(renderNotificationSummary(notifications)).write();
    if (reportPath !== '') {
      await writeJsonReport(report, reportPath).catch((error: unknown) => {
        report.errors.push(getErrorMessage(error));
      });
    }
  }
  for (const notice of report.notices) core.notice(neutralizeWorkflowCommands(notice));
  setOutputs(outputsFor(report, reportPath));
  if (report.errors.length > 0) {
    const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more error(s): see the job summary)` : '';
    core.setFailed(`${report.errors[0]}${more}`);
  }
}

/** A run that stopped before it had a report still leaves a summary, a JSON report and outputs. */
async function finishWithoutReport(error: unknown): Promise<void> {
  const message = getErrorMessage(error);
  const reportPath = defaultReportPath(process.env);
  let written = reportPath;
  await writeJsonReport({ version: 1, error: message }, reportPath).catch(() => {
    written = '';
  });
  await core.summary
    .addRaw(`## CI Autofixer\n\nThe run stopped before any analysis: ${escapeMarkdown(message, 2000)}\n`)
    .write()
    .catch(() => undefined);
  setOutputs(outputsFor(undefined, written));
  core.setFailed(message);
}

/** `mode: scan`: the failed runs still to fix as the `matrix` output, and a summary of what was left out. */
async function runScanMode(settings: Settings, github: GitHubClient): Promise<void> {
  const result = await scanMatrix(
    github,
    {
      owner: settings.owner,
      repo: settings.repo,
      lookbackMinutes: settings.lookbackMinutes,
      maxFailures: settings.maxFailures,
      branchPrefix: settings.branchPrefix,
    },
    new Date(),
  );
  await core.summary.addRaw(renderMatrixSummary(result, `${settings.owner}/${settings.repo}`, settings.lookbackMinutes)).write();
  setOutputs({ ...outputsFor(undefined, ''), matrix: JSON.stringify(result.matrix) });
}

export async function run(): Promise<void> {
  try {
    const logger = createActionsLogger();
    const { settings, github } = await loadSettings(logger);
    if (settings.mode === 'scan') {
      await runScanMode(settings, github);
      return;
    }
    const outcome = await runPipeline(settings, { exec: nodeExec, logger, github, now: () => new Date() });
    if (outcome.kind === 'notice') {
      core.notice(neutralizeWorkflowCommands(outcome.notice));
      await core.summary.addRaw(`### CI Autofixer\n\n${escapeMarkdown(outcome.notice, 2000)}\n`).write();
      setOutputs(outputsFor(undefined, ''));
      return;
    }
    await finishWithReport(outcome.report, settings, logger);
  } catch (error: unknown) {
    await finishWithoutReport(error);
  } finally {
    killAllChildren();
  }
}
