/**
 * The action: reads inputs once into Settings, builds the dependencies, runs the pipeline, writes
 * the report, summary and annotations, and sets outputs in one place. Errors become a single
 * `core.setFailed` here.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { getErrorMessage } from './errors.js';
import { nodeExec } from './exec.js';
import { createGitHubClient } from './github/client.js';
import { createActionsLogger } from './logging.js';
import type { RunReport } from './model.js';
import { runPipeline } from './pipeline.js';
import { annotationsFor, emitAnnotations } from './report/annotations.js';
import { escapeMarkdown, neutralizeWorkflowCommands } from './report/escape.js';
import { writeJsonReport } from './report/json.js';
import { renderSummary } from './report/summary.js';
import { INPUT_NAMES, parseSettings, type RawInputs, type Settings } from './settings.js';
import { ConfigurationError } from './errors.js';

export interface ActionOutputs {
  failures: number;
  categories: string;
  fixed: number;
  branch: string;
  'pull-request-number': string;
  'pull-request-url': string;
  'report-path': string;
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

export function readActionSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const inputs: RawInputs = {};
  for (const name of INPUT_NAMES) inputs[name] = core.getInput(name);
  return parseSettings(inputs, {
    env,
    baseDirectory: env.GITHUB_WORKSPACE ?? process.cwd(),
    eventName: env.GITHUB_EVENT_NAME ?? '',
    eventPayload: readEventPayload(env.GITHUB_EVENT_PATH),
    repository: env.GITHUB_REPOSITORY,
  });
}

export function outputsFor(report: RunReport | undefined, reportPath: string): ActionOutputs {
  const fixedFingerprints = new Set(
    (report?.fixes ?? []).filter((fix) => fix.status === 'verified').flatMap((fix) => fix.failures),
  );
  const publication = report?.publication;
  return {
    failures: report?.failures.length ?? 0,
    categories: (report?.categories ?? []).join(','),
    fixed: (report?.failures ?? []).filter((failure) => fixedFingerprints.has(failure.fingerprint)).length,
    branch: publication?.branch ?? '',
    'pull-request-number': publication?.pullRequestNumber !== undefined ? String(publication.pullRequestNumber) : '',
    'pull-request-url': publication?.pullRequestUrl ?? '',
    'report-path': report ? reportPath : '',
  };
}

function setOutputs(outputs: ActionOutputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

export async function run(): Promise<void> {
  try {
    const settings = readActionSettings();
    core.setSecret(settings.token);
    const logger = createActionsLogger();
    const github = createGitHubClient({ token: settings.token, apiUrl: settings.apiUrl, logger });
    const outcome = await runPipeline(settings, { exec: nodeExec, logger, github, now: () => new Date() });
    if (outcome.kind === 'notice') {
      core.notice(neutralizeWorkflowCommands(outcome.notice));
      await core.summary.addRaw(`### CI Autofixer\n\n${escapeMarkdown(outcome.notice, 2000)}\n`).write();
      setOutputs(outputsFor(undefined, ''));
      return;
    }
    const { report } = outcome;
    await writeJsonReport(report, settings.reportPath);
    emitAnnotations(annotationsFor(report), core);
    await core.summary.addRaw(renderSummary(report, { serverUrl: settings.serverUrl })).write();
    for (const notice of report.notices) core.notice(neutralizeWorkflowCommands(notice));
    setOutputs(outputsFor(report, settings.reportPath));
  } catch (error: unknown) {
    core.setFailed(getErrorMessage(error));
  }
}
