/**
 * `ci-autofixer analyze|fix|run`: the same work as the action, on a laptop or any CI system.
 * Builds the same Settings from flags and runs the same pipeline functions.
 */
import { existsSync, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { analyzeFile, formatAnalysisText, toAnalyzeJson } from './analysis/index.js';
import type { Failure } from './analysis/types.js';
import { startBudget } from './budget.js';
import { ConfigurationError, getErrorMessage } from './errors.js';
import { killAllChildren, nodeExec } from './exec.js';
import { createGit } from './git/git.js';
import { createGitHubClient, type GitHubClient } from './github/client.js';
import { readRepositoryFacts } from './github/config.js';
import { createConsoleLogger, type Logger } from './logging.js';
import { renderScanTable, toScanJson } from './monitor/render.js';
import type { FailedRun } from './monitor/runs.js';
import { scanFailedRuns } from './monitor/scan.js';
import { DEFAULT_STATE_FILE, watch, type RunOutcome } from './monitor/watch.js';
import type { FixResult, JobLog } from './model.js';
import { analyzeJobLogs, failedStepCommands, repairWorkspace, runPipeline } from './pipeline.js';
import { clip, neutralizeWorkflowCommands } from './report/escape.js';
import { checksSentence } from './report/facts.js';
import { sendNotifications } from './notify/notify.js';
import { toJsonReport, writeJsonReport } from './report/json.js';
import { renderTextReport } from './report/text.js';
import {
  DEFAULTS,
  LOOKBACK_MINUTES,
  MAX_FAILURES,
  parseSettings,
  readConfigFile,
  type RawInputs,
  type SettingsEnvironment,
} from './settings.js';

const USAGE = `Usage:
  ci-autofixer analyze [--json] LOG...
      Find and classify the failures in CI logs (GitHub Actions, gh run view, Travis, plain).
  ci-autofixer fix --workspace DIR --log LOG [--log LOG...] [--dry-run] [--json]
                   [--confidence-threshold N] [--max-fixes N] [--fix-types LIST]
                   [--use-repository-tools true|false] [--install-tools true|false]
                   [--timeout-minutes N]
      Apply, guard and check fixes in the git working tree DIR (the fixer's check, then the
      failed step's command replayed when it is a recognised invocation); commits nothing.
  ci-autofixer run --repo OWNER/NAME --run-id N [--workspace DIR] [--api-url URL] [--dry-run]
                   [--push pull-request|branch|none] [--branch-prefix P] [--report FILE] [--json]
                   [--use-repository-tools true|false] [--install-tools true|false]
                   [--timeout-minutes N] [--notify-slack-on LIST] [--notify-strict true|false]
      The whole pipeline on a GitHub workflow run: fetch logs, fix, verify, push the fix branch
      to DIR's origin and open or update the PR. The token comes from GITHUB_TOKEN; the
      repository's .github/ci-autofixer.yml is read from its default branch. --notify-slack-on
      fixed,needs-human,failed posts to the webhook in SLACK_WEBHOOK_URL (default: no message).
  ci-autofixer scan --repo OWNER/NAME [--lookback MINUTES] [--workflow NAME,...] [--branch B]
                    [--max-failures N] [--json | --output FILE] [--api-url URL]
      The failed runs of the last MINUTES (default 60, at most 10080), newest first, at most N
      (default 20, at most 100): each failed job's primary failure and whether a fixer takes it.
      Reads only. --output writes the JSON (docs/cli.md) to FILE and prints the table.
  ci-autofixer watch --repo OWNER/NAME [--interval SECONDS] [--max-cycles N] [--dry-run]
                     [--state FILE] [--workspace DIR] [scan's filters] [run's fix flags]
      Every SECONDS (default 300): scan, then run the pipeline (as run does) on each failed run
      not handled yet; handled runs are kept in FILE (default ./.ci-autofixer-watch.json).
      Stops after N cycles (default: never) or at Ctrl-C, after the current run (exit 130).
  The repository's own tools (node_modules/.bin, .venv/bin) are its author's code: they run with
  no token or secret in their environment; --use-repository-tools false uses tools on PATH only.
  --install-tools true installs the version of black, isort, autopep8, prettier or eslint the
  repository pins when another one is found (into a temporary directory, from the package index).
  ci-autofixer --help | --version
Exit status: 0 when the command ran (whatever it found), 2 for a bad argument, 1 for any other error,
130 when watch was stopped by Ctrl-C.`;

/** Exit codes. */
const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;
/** `watch` stopped by Ctrl-C (128 + SIGINT), after finishing its current run and saving its state. */
const EXIT_INTERRUPTED = 130;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** `watch` stops between runs when this aborts; without it, the first SIGINT does. */
  interrupt?: AbortSignal;
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error: unknown) {
    throw new ConfigurationError(`${getErrorMessage(error)}; see ci-autofixer --help`);
  }
}

/**
 * JSON for stdout. Inside a CI job the runner reads `##[` anywhere in a line as a command; log text
 * in messages must not be, so it is written as the equivalent JSON escape.
 */
function safeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('##[', '#\\u0023[');
}

function requireFile(file: string, what: string): string {
  const resolved = path.resolve(file);
  if (!existsSync(resolved) || !statSync(resolved).isFile()) {
    throw new ConfigurationError(`${what} ${JSON.stringify(file)} does not exist or is not a file`);
  }
  return resolved;
}

async function commandAnalyze(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (positionals.length === 0) throw new ConfigurationError('analyze needs at least one LOG file; see ci-autofixer --help');
  const files = positionals.map((file) => requireFile(file, 'LOG'));
  const analyses = [];
  for (const [index, file] of files.entries()) {
    analyses.push({ ...(await analyzeFile(file)), path: positionals[index] as string });
  }
  io.stdout.write(values.json ? `${safeJson(toAnalyzeJson(analyses))}\n` : formatAnalysisText(analyses));
  return EXIT_OK;
}

const FIX_OPTIONS = {
  workspace: { type: 'string' },
  log: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  'confidence-threshold': { type: 'string' },
  'max-fixes': { type: 'string' },
  'fix-types': { type: 'string' },
  'use-repository-tools': { type: 'string' },
  'install-tools': { type: 'string' },
  'timeout-minutes': { type: 'string' },
} as const;

type FixValues = ReturnType<typeof parse<typeof FIX_OPTIONS>>['values'];

/** The `fix` flags, checked: the log files and the workspace directory exist. */
function parseFixArguments(args: string[]): { values: FixValues; logs: string[]; workspaceDir: string } {
  const { values, positionals } = parse(args, FIX_OPTIONS);
  if (positionals.length > 0)
    throw new ConfigurationError(`unexpected argument ${JSON.stringify(positionals[0])}; logs are given with --log`);
  if (!values.workspace) throw new ConfigurationError('fix needs --workspace DIR (a git working tree)');
  const logs = (values.log ?? []).map((file) => requireFile(file, '--log'));
  if (logs.length === 0) throw new ConfigurationError('fix needs at least one --log LOG');
  const workspaceDir = path.resolve(values.workspace);
  if (!existsSync(workspaceDir) || !statSync(workspaceDir).isDirectory()) {
    throw new ConfigurationError(`--workspace ${JSON.stringify(values.workspace)} does not exist or is not a directory`);
  }
  return { values, logs, workspaceDir };
}

/** The Settings of a `fix` run: its flags over the checkout's own configuration file. */
function fixSettings(values: FixValues, workspace: string, io: CliIo) {
  return parseSettings(
    {
      'github-token': 'unused-by-fix',
      'dry-run': values['dry-run'] ? 'true' : undefined,
      'confidence-threshold': values['confidence-threshold'],
      'max-fixes': values['max-fixes'],
      'fix-types': values['fix-types'],
      'use-repository-tools': values['use-repository-tools'],
      'install-tools': values['install-tools'],
      'timeout-minutes': values['timeout-minutes'],
    } as RawInputs,
    // Nothing is pushed here: the checkout's own configuration file is the one that applies.
    {
      env: io.env,
      baseDirectory: workspace,
      eventName: 'cli',
      eventPayload: {},
      repository: 'local/workspace',
      configFile: readConfigFile(workspace),
    },
  );
}

async function commandFix(args: string[], io: CliIo): Promise<number> {
  const { values, logs, workspaceDir } = parseFixArguments(args);
  const logger = createConsoleLogger({ stream: io.stderr });
  const git = createGit({ exec: nodeExec, cwd: workspaceDir, logger });
  if (!(await git.isRepository())) {
    throw new ConfigurationError(
      `--workspace ${JSON.stringify(values.workspace)} is not a git working tree (run git init, or point at a checkout)`,
    );
  }
  const workspace = await git.topLevel();
  const settings = fixSettings(values, workspace, io);
  const jobs: JobLog[] = logs.map((file) => ({
    jobId: 0,
    jobName: path.basename(file),
    path: file,
    bytes: statSync(file).size,
    truncated: false,
  }));
  const analysis = await analyzeJobLogs(jobs, { repoName: path.basename(workspace), logger });
  const budget = startBudget(settings.timeoutMinutes);
  const fixes = await repairWorkspace(
    workspace,
    analysis.failures,
    { ...settings, signal: budget.signal },
    { exec: nodeExec, logger },
    failedStepCommands(analysis.jobs),
  ).finally(() => budget.dispose());
  if (values.json) {
    io.stdout.write(`${safeJson({ workspace, dryRun: settings.dryRun, failures: analysis.failures, fixes })}\n`);
  } else {
    writeFixText(io, { failures: analysis.failures, fixes, logCount: jobs.length, dryRun: settings.dryRun });
  }
  return EXIT_OK;
}

/** The plain-text answer of `fix`: counts, one line per fix, and the failures still left. */
function writeFixText(
  io: CliIo,
  run: { failures: readonly Failure[]; fixes: readonly FixResult[]; logCount: number; dryRun: boolean },
): void {
  const { failures, fixes } = run;
  const verified = fixes.filter((fix) => fix.status === 'verified');
  const unverified = fixes.filter((fix) => fix.status === 'applied-unverified').length;
  io.stdout.write(
    `${failures.length} failure(s) in ${run.logCount} log(s); ${verified.length} fix(es) verified, ${unverified} applied but not verified${run.dryRun ? ' (dry run: reverted)' : ''}\n`,
  );
  for (const fix of fixes) {
    const checks = checksSentence(
      fix,
      (command) => `\`${command}\``,
      (value) => value,
    );
    io.stdout.write(
      `  ${fix.status.padEnd(19)} ${fix.fixer}: ${fix.description}${checks ? `; ${checks}` : ''}${fix.reason ? ` — ${fix.reason}` : ''}\n`,
    );
  }
  const fixed = new Set(verified.flatMap((fix) => fix.failures));
  const rest = failures.filter((failure) => !fixed.has(failure.fingerprint));
  if (rest.length > 0) io.stdout.write(`Needs a human (${rest.length}):\n`);
  for (const failure of rest.slice(0, 20)) {
    const where = failure.file ? ` ${failure.file}${failure.line ? `:${failure.line}` : ''}` : '';
    io.stdout.write(`  [${failure.category}] ${failure.tool}${where}: ${failure.message.slice(0, 200)}\n`);
  }
}

const RUN_OPTIONS = {
  repo: { type: 'string' },
  'run-id': { type: 'string' },
  workspace: { type: 'string' },
  'api-url': { type: 'string' },
  'dry-run': { type: 'boolean' },
  push: { type: 'string' },
  'branch-prefix': { type: 'string' },
  'confidence-threshold': { type: 'string' },
  'max-fixes': { type: 'string' },
  'fix-types': { type: 'string' },
  'max-log-bytes': { type: 'string' },
  'use-repository-tools': { type: 'string' },
  'install-tools': { type: 'string' },
  'timeout-minutes': { type: 'string' },
  'notify-slack-on': { type: 'string' },
  'notify-strict': { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The repository, token and API base every command that talks to GitHub needs, checked. */
function apiAccess(values: { repo?: string | undefined; 'api-url'?: string | undefined }, io: CliIo, command: string) {
  if (!values.repo) throw new ConfigurationError(`${command} needs --repo OWNER/NAME`);
  if (!REPOSITORY.test(values.repo)) throw new ConfigurationError(`--repo: expected OWNER/NAME, got ${quote(values.repo)}`);
  const token = io.env.GITHUB_TOKEN ?? io.env.GH_TOKEN ?? '';
  if (token === '') throw new ConfigurationError(`${command} needs a token in the GITHUB_TOKEN environment variable`);
  const apiUrl = values['api-url'] ?? 'https://api.github.com';
  if (!/^https?:\/\/[^\s/]+/.test(apiUrl)) throw new ConfigurationError(`--api-url must be an http(s) URL (got ${JSON.stringify(apiUrl)})`);
  return { repo: values.repo, token, apiUrl };
}

/** The Settings environment of a run on GitHub from the CLI (`run`, each run of `watch`). */
function runEnvironment(io: CliIo, repo: string, apiUrl: string, workspace: string, report?: string): SettingsEnvironment {
  return {
    env: { ...io.env, GITHUB_SERVER_URL: io.env.GITHUB_SERVER_URL ?? serverUrlFor(apiUrl) },
    baseDirectory: workspace,
    eventName: 'cli',
    eventPayload: {},
    repository: repo,
    apiUrl,
    ...(report !== undefined ? { reportPath: path.resolve(io.cwd, report) } : {}),
  };
}

/**
 * What `run` does once its flags are checked: settings with the configuration file at the default
 * branch, then the pipeline. `watch` calls it for each run it hands on.
 */
async function runOnGitHub(inputs: RawInputs, environment: SettingsEnvironment, deps: { github: GitHubClient; logger: Logger }) {
  const fromFlags = parseSettings(inputs, environment);
  const facts = await readRepositoryFacts(deps.github, fromFlags.owner, fromFlags.repo);
  const settings = parseSettings(inputs, { ...environment, configFile: facts.configFile, defaultBranch: facts.defaultBranch });
  const outcome = await runPipeline(settings, { exec: nodeExec, ...deps, now: () => new Date() });
  if (outcome.kind === 'report') await writeJsonReport(outcome.report, settings.reportPath);
  return { settings, outcome };
}

async function commandRun(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, RUN_OPTIONS);
  if (positionals.length > 0)
    throw new ConfigurationError(`unexpected argument ${JSON.stringify(positionals[0])}; see ci-autofixer --help`);
  const access = apiAccess(values, io, 'run');
  if (!values['run-id']) throw new ConfigurationError('run needs --run-id N (the id of the failed workflow run)');
  const workspace = path.resolve(io.cwd, values.workspace ?? '.');
  const inputs: RawInputs = {
    'github-token': access.token,
    'run-id': values['run-id'],
    'dry-run': values['dry-run'] ? 'true' : undefined,
    push: values.push,
    'branch-prefix': values['branch-prefix'],
    'confidence-threshold': values['confidence-threshold'],
    'max-fixes': values['max-fixes'],
    'fix-types': values['fix-types'],
    'max-log-bytes': values['max-log-bytes'],
    'use-repository-tools': values['use-repository-tools'],
    'install-tools': values['install-tools'],
    'timeout-minutes': values['timeout-minutes'],
    // From the CLI, Slack is opt-in: a SLACK_WEBHOOK_URL left in a shell sends nothing by itself.
    'notify-slack-on': values['notify-slack-on'] ?? 'none',
    'notify-strict': values['notify-strict'],
  };
  const environment = runEnvironment(io, access.repo, access.apiUrl, workspace, values.report);
  // Flags are checked before any API call; the configuration file comes from the default branch.
  const fromFlags = parseSettings(inputs, environment);
  const logger = createConsoleLogger({ stream: io.stderr });
  const github = createGitHubClient({ token: fromFlags.token, apiUrl: fromFlags.apiUrl, logger });
  const { settings, outcome } = await runOnGitHub(inputs, environment, { github, logger });
  if (outcome.kind === 'notice') {
    io.stdout.write(values.json ? `${JSON.stringify({ notice: outcome.notice })}\n` : `${outcome.notice}\n`);
    return EXIT_OK;
  }
  const { report } = outcome;
  // After the work and the JSON report: a failed send is a warning on stderr (an error with --notify-strict).
  if ((await sendNotifications(report, settings, { logger })).length > 0) await writeJsonReport(report, settings.reportPath);
  io.stdout.write(values.json ? toJsonReport(report) : renderTextReport(report));
  io.stderr.write(`JSON report: ${settings.reportPath}\n`);
  if (report.errors.length > 0) {
    io.stderr.write(`ci-autofixer: ${report.errors.join('\nci-autofixer: ')}\n`);
    return EXIT_ERROR;
  }
  return EXIT_OK;
}

const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
/** A branch name as git allows it, roughly: no blanks, control characters or `~^:?*[\`. */
const BRANCH_NAME = /^(?!-)[^\s~^:?*[\\]{1,255}$/;
const CONTROL_CHARACTER = /\p{Cc}/u;

/** A flag's value for an error message: one line, cut, quoted. */
function quote(text: string): string {
  return `'${clip(text, 60)}'`;
}

/** A whole-number flag within bounds; `unit` reads "of minutes" in "a whole number of minutes". */
function wholeNumberFlag(flag: string, text: string | undefined, bounds: { min: number; max: number }, unit: string, fallback: number) {
  if (text === undefined) return fallback;
  const value = /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value >= bounds.min && value <= bounds.max)) {
    throw new ConfigurationError(`${flag}: expected a whole number${unit} (${bounds.min}–${bounds.max}), got ${quote(text)}`);
  }
  return value;
}

const SCAN_FLAGS = {
  repo: { type: 'string' },
  'api-url': { type: 'string' },
  lookback: { type: 'string' },
  workflow: { type: 'string', multiple: true },
  branch: { type: 'string' },
  'max-failures': { type: 'string' },
} as const;

type ScanFlagValues = { [K in keyof typeof SCAN_FLAGS]?: (typeof SCAN_FLAGS)[K] extends { multiple: true } ? string[] : string };

/** The window and filters shared by `scan` and `watch`, checked. */
function scanFilters(values: ScanFlagValues) {
  const workflows = (values.workflow ?? []).flatMap((list) => list.split(',')).map((name) => name.trim());
  if (workflows.some((name) => name === '' || name.length > 200))
    throw new ConfigurationError(
      `--workflow: expected workflow names or files separated by commas, got ${quote((values.workflow ?? []).join(','))}`,
    );
  if (values.branch !== undefined && (!BRANCH_NAME.test(values.branch) || CONTROL_CHARACTER.test(values.branch))) {
    throw new ConfigurationError(`--branch: expected a branch name, got ${quote(values.branch)}`);
  }
  return {
    lookbackMinutes: wholeNumberFlag('--lookback', values.lookback, LOOKBACK_MINUTES, ' of minutes', DEFAULTS.lookbackMinutes),
    maxFailures: wholeNumberFlag('--max-failures', values['max-failures'], MAX_FAILURES, '', DEFAULTS.maxFailures),
    workflows,
    branch: values.branch,
  };
}

/** Settings for a read-only look at the repository: the configuration file at its default branch over the defaults. */
async function repositorySettings(access: ReturnType<typeof apiAccess>, io: CliIo, github: GitHubClient) {
  const environment = runEnvironment(io, access.repo, access.apiUrl, io.cwd);
  const withToken: RawInputs = { 'github-token': access.token };
  const fromFlags = parseSettings(withToken, environment);
  const facts = await readRepositoryFacts(github, fromFlags.owner, fromFlags.repo);
  return parseSettings(withToken, { ...environment, configFile: facts.configFile, defaultBranch: facts.defaultBranch });
}

async function commandScan(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { ...SCAN_FLAGS, json: { type: 'boolean' }, output: { type: 'string' } });
  if (positionals.length > 0)
    throw new ConfigurationError(`unexpected argument ${JSON.stringify(positionals[0])}; see ci-autofixer --help`);
  const filters = scanFilters(values);
  if (values.json && values.output !== undefined)
    throw new ConfigurationError('--json and --output: give one (--output FILE writes the JSON to FILE)');
  const access = apiAccess(values, io, 'scan');
  const logger = createConsoleLogger({ stream: io.stderr });
  const github = createGitHubClient({ token: access.token, apiUrl: access.apiUrl, logger });
  const settings = await repositorySettings(access, io, github);
  const now = new Date();
  const result = await scanFailedRuns(
    github,
    {
      owner: settings.owner,
      repo: settings.repo,
      ...filters,
      maxLogBytes: settings.maxLogBytes,
      tempDir: settings.tempDir,
      plan: settings,
    },
    now,
  );
  if (values.output !== undefined) {
    const file = path.resolve(io.cwd, values.output);
    await writeFileAtomically(file, toScanJson(result, now));
    io.stderr.write(`Scan written to ${file}\n`);
  }
  io.stdout.write(values.json ? toScanJson(result, now) : renderScanTable(result, now));
  return EXIT_OK;
}

async function writeFileAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error: unknown) {
    await rm(temporary, { force: true });
    throw new ConfigurationError(`--output ${JSON.stringify(file)}: cannot be written: ${getErrorMessage(error)}`, { cause: error });
  }
}

const WATCH_FLAGS = {
  ...SCAN_FLAGS,
  workspace: { type: 'string' },
  interval: { type: 'string' },
  'max-cycles': { type: 'string' },
  'dry-run': { type: 'boolean' },
  state: { type: 'string' },
  push: { type: 'string' },
  'branch-prefix': { type: 'string' },
  'fix-types': { type: 'string' },
  'use-repository-tools': { type: 'string' },
  'install-tools': { type: 'string' },
  'timeout-minutes': { type: 'string' },
} as const;

/** A signal that aborts on the first Ctrl-C (a second one ends the process as usual). */
function interruptSignal(io: CliIo): { signal: AbortSignal; dispose: () => void } {
  if (io.interrupt !== undefined) return { signal: io.interrupt, dispose: () => undefined };
  const controller = new AbortController();
  const onSigint = (): void => {
    io.stderr.write('ci-autofixer: interrupted: stopping after the current run (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

/** What `watch` does with each new failed run: the `run` pipeline, its text report on stdout, a line for the state file. */
function watchRunHandler(
  inputs: RawInputs,
  environment: SettingsEnvironment,
  deps: { github: GitHubClient; logger: Logger },
  io: CliIo,
): (run: FailedRun) => Promise<RunOutcome> {
  return async (run) => {
    deps.logger.info(`run ${run.id} (attempt ${run.attempt}) of ${clip(run.workflow, 80)} on ${clip(run.branch, 80) || '-'}`);
    const { outcome } = await runOnGitHub({ ...inputs, 'run-id': String(run.id) }, environment, deps);
    if (outcome.kind === 'notice') {
      io.stdout.write(`${outcome.notice}\n`);
      return { outcome: 'notice', summary: clip(outcome.notice, 300) };
    }
    const { report } = outcome;
    io.stdout.write(renderTextReport(report));
    const verified = report.fixes.filter((fix) => fix.status === 'verified').length;
    const error = report.errors[0];
    return {
      outcome: error === undefined ? 'report' : 'errors',
      summary: `${report.failures.length} failure(s), ${verified} verified fix(es)${error === undefined ? '' : `; error: ${clip(error, 200)}`}`,
    };
  };
}

async function commandWatch(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, WATCH_FLAGS);
  if (positionals.length > 0)
    throw new ConfigurationError(`unexpected argument ${JSON.stringify(positionals[0])}; see ci-autofixer --help`);
  const filters = scanFilters(values);
  const intervalSeconds = wholeNumberFlag('--interval', values.interval, { min: 1, max: 86_400 }, ' of seconds', 300);
  const maxCycles =
    values['max-cycles'] === undefined
      ? undefined
      : wholeNumberFlag('--max-cycles', values['max-cycles'], { min: 1, max: 1_000_000 }, '', 1);
  const access = apiAccess(values, io, 'watch');
  const workspace = path.resolve(io.cwd, values.workspace ?? '.');
  const inputs: RawInputs = {
    'github-token': access.token,
    'dry-run': values['dry-run'] ? 'true' : undefined,
    push: values.push,
    'branch-prefix': values['branch-prefix'],
    'fix-types': values['fix-types'],
    'use-repository-tools': values['use-repository-tools'],
    'install-tools': values['install-tools'],
    'timeout-minutes': values['timeout-minutes'],
  };
  const environment = runEnvironment(io, access.repo, access.apiUrl, workspace);
  const checked = parseSettings(inputs, environment);
  const logger = createConsoleLogger({ stream: io.stderr });
  const github = createGitHubClient({ token: access.token, apiUrl: access.apiUrl, logger });
  const stateFile = path.resolve(io.cwd, values.state ?? DEFAULT_STATE_FILE);
  const handleRun = watchRunHandler(inputs, environment, { github, logger }, io);
  const interrupt = interruptSignal(io);
  try {
    const query = { owner: checked.owner, repo: checked.repo, ...filters };
    const summary = await watch(
      { query, intervalSeconds, maxCycles, stateFile, signal: interrupt.signal },
      { github, logger, now: () => new Date(), handleRun },
    );
    io.stderr.write(
      `watch: ${summary.cycles} cycle(s), ${summary.handled} run(s) handled; state in ${stateFile}${summary.interrupted ? '; interrupted' : ''}\n`,
    );
    return summary.interrupted ? EXIT_INTERRUPTED : EXIT_OK;
  } finally {
    interrupt.dispose();
  }
}

/** https://api.github.com → https://github.com; https://ghe.example/api/v3 → https://ghe.example. */
function serverUrlFor(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.protocol}//${url.host}`;
}

/**
 * A stream that neutralises what it writes: the CLI may run inside a GitHub Actions job, where its
 * stdout and stderr are read for workflow commands, and what it prints carries log text.
 */
function neutralizing(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  return {
    write: (chunk: string | Uint8Array) =>
      stream.write(neutralizeWorkflowCommands(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))),
  } as NodeJS.WritableStream;
}

const COMMANDS = new Set(['analyze', 'fix', 'run', 'scan', 'watch']);

export async function main(argv: string[], rawIo: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const io: CliIo = { ...rawIo, stdout: neutralizing(rawIo.stdout), stderr: neutralizing(rawIo.stderr) };
  // `ci-autofixer analyze --help` is a request for the usage, not a bad option.
  if (command !== undefined && COMMANDS.has(command) && rest.some((arg) => arg === '--help' || arg === '-h')) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    switch (command) {
      case 'analyze':
        return await commandAnalyze(rest, io);
      case 'fix':
        return await commandFix(rest, io);
      case 'run':
        return await commandRun(rest, io);
      case 'scan':
        return await commandScan(rest, io);
      case 'watch':
        return await commandWatch(rest, io);
      case '--version':
      case '-v':
        io.stdout.write(`ci-autofixer ${VERSION}\n`);
        return EXIT_OK;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new ConfigurationError(`unknown command ${JSON.stringify(command)}; use analyze, fix, run, scan or watch (see --help)`);
    }
  } catch (error: unknown) {
    io.stderr.write(`ci-autofixer: ${getErrorMessage(error).split('\n').join('\nci-autofixer: ')}\n`);
    return error instanceof ConfigurationError ? EXIT_USAGE : EXIT_ERROR;
  } finally {
    killAllChildren();
  }
}

const VERSION = '0.1.0';
