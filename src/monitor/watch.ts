/**
 * `ci-autofixer watch`: repeats list → run for each failed run not handled yet, remembering the
 * handled runs (id and attempt) in a JSON state file, until `maxCycles` cycles or until the stop
 * signal (Ctrl-C). A stop is honoured between runs: the run in progress finishes, the state is
 * saved, and the loop ends.
 *
 * The state file is written atomically (a temporary file in the same directory, then rename)
 * after every handled run. A state file that cannot be read, is not JSON, or belongs to another
 * repository is an error naming the file: starting afresh would hand every run in the window to
 * the pipeline again.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError, GitHubApiError, getErrorMessage } from '../errors.js';
import type { GitHubClient } from '../github/client.js';
import type { Logger } from '../logging.js';
import { listFailedRuns, type FailedRun, type RunQuery } from './runs.js';

export const DEFAULT_STATE_FILE = '.ci-autofixer-watch.json';

export interface HandledRun {
  runId: number;
  attempt: number;
  workflow: string;
  branch: string;
  handledAt: string;
  /** 'report': the pipeline ran and reported; 'notice': nothing to do (e.g. the run did not fail); 'errors': its report has errors. */
  outcome: 'report' | 'notice' | 'errors';
  summary: string;
}

export interface WatchState {
  version: 1;
  repository: string;
  handled: HandledRun[];
}

export interface RunOutcome {
  outcome: HandledRun['outcome'];
  summary: string;
}

export interface WatchOptions {
  query: Omit<RunQuery, 'since'> & { lookbackMinutes: number };
  intervalSeconds: number;
  /** undefined: no limit. */
  maxCycles: number | undefined;
  stateFile: string;
  /** Aborted by Ctrl-C: the loop stops between runs. */
  signal: AbortSignal;
}

export interface WatchDeps {
  github: GitHubClient;
  logger: Logger;
  now: () => Date;
  /** Runs the pipeline on one run (what `ci-autofixer run` does). */
  handleRun: (run: FailedRun) => Promise<RunOutcome>;
}

export interface WatchSummary {
  cycles: number;
  /** Runs handled by this invocation. */
  handled: number;
  interrupted: boolean;
}

function isState(value: unknown): value is WatchState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Partial<WatchState>;
  return (
    state.version === 1 &&
    typeof state.repository === 'string' &&
    Array.isArray(state.handled) &&
    state.handled.every(
      (entry: unknown) =>
        typeof entry === 'object' &&
        entry !== null &&
        Number.isSafeInteger((entry as HandledRun).runId) &&
        Number.isSafeInteger((entry as HandledRun).attempt),
    )
  );
}

export async function readWatchState(file: string, repository: string): Promise<WatchState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { version: 1, repository, handled: [] };
    throw new ConfigurationError(`--state ${JSON.stringify(file)}: cannot be read: ${getErrorMessage(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    throw new ConfigurationError(
      `--state ${JSON.stringify(file)}: not a CI Autofixer watch state file (${getErrorMessage(error)}); fix or delete it to start afresh`,
    );
  }
  if (!isState(parsed)) {
    throw new ConfigurationError(
      `--state ${JSON.stringify(file)}: not a CI Autofixer watch state file (expected {"version":1,"repository":…,"handled":[…]}); fix or delete it to start afresh`,
    );
  }
  if (parsed.repository.toLowerCase() !== repository.toLowerCase()) {
    throw new ConfigurationError(
      `--state ${JSON.stringify(file)}: records runs of ${parsed.repository}, not ${repository}; use another --state file`,
    );
  }
  return parsed;
}

/** Writes the state atomically: a temporary file beside it, then rename. */
export async function writeWatchState(file: string, state: WatchState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error: unknown) {
    await rm(temporary, { force: true });
    throw new ConfigurationError(`--state ${JSON.stringify(file)}: cannot be written: ${getErrorMessage(error)}`, { cause: error });
  }
}

const isHandled = (state: WatchState, run: FailedRun): boolean =>
  state.handled.some((entry) => entry.runId === run.id && entry.attempt === run.attempt);

/** An error no later cycle can cure: a bad token, a missing permission or repository, a bad setting. */
function isPermanent(error: unknown): boolean {
  if (error instanceof ConfigurationError) return true;
  return error instanceof GitHubApiError && (error.status === 401 || error.status === 403 || error.status === 404);
}

/** Resolves after `seconds`, or at once when the signal aborts. */
function pause(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, seconds * 1000);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One cycle: the failed runs not handled yet, oldest first; returns how many were handled. */
async function watchCycle(options: WatchOptions, deps: WatchDeps, state: WatchState): Promise<number> {
  const { logger } = deps;
  const since = new Date(deps.now().getTime() - options.query.lookbackMinutes * 60_000);
  const listed = await listFailedRuns(deps.github, { ...options.query, since });
  const fresh = listed.runs.filter((run) => !isHandled(state, run)).reverse();
  logger.info(`${listed.runs.length} failed run(s) in the window, ${fresh.length} not handled yet`);
  let handled = 0;
  for (const run of fresh) {
    if (options.signal.aborted) break;
    let result: RunOutcome;
    try {
      result = await deps.handleRun(run);
    } catch (error: unknown) {
      if (isPermanent(error)) throw error;
      logger.warning(`run ${run.id}: ${getErrorMessage(error)}; it is tried again in the next cycle`);
      continue;
    }
    state.handled.push({
      runId: run.id,
      attempt: run.attempt,
      workflow: run.workflow,
      branch: run.branch,
      handledAt: deps.now().toISOString(),
      ...result,
    });
    await writeWatchState(options.stateFile, state);
    handled += 1;
  }
  return handled;
}

export async function watch(options: WatchOptions, deps: WatchDeps): Promise<WatchSummary> {
  const repository = `${options.query.owner}/${options.query.repo}`;
  const state = await readWatchState(options.stateFile, repository);
  const summary: WatchSummary = { cycles: 0, handled: 0, interrupted: false };
  while (options.maxCycles === undefined || summary.cycles < options.maxCycles) {
    if (options.signal.aborted) break;
    summary.cycles += 1;
    deps.logger.info(`== cycle ${summary.cycles}${options.maxCycles !== undefined ? ` of ${options.maxCycles}` : ''}`);
    try {
      summary.handled += await watchCycle(options, deps, state);
    } catch (error: unknown) {
      if (isPermanent(error)) throw error;
      deps.logger.warning(`cycle ${summary.cycles}: ${getErrorMessage(error)}; trying again after the interval`);
    }
    const last = options.maxCycles !== undefined && summary.cycles >= options.maxCycles;
    if (!last) await pause(options.intervalSeconds, options.signal);
  }
  await writeWatchState(options.stateFile, state);
  summary.interrupted = options.signal.aborted;
  return summary;
}
