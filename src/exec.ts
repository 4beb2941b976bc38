import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { defaultChildEnvironment } from './environment.js';

export interface ExecOptions {
  /** Working directory; required so that no command runs in an unexpected place. */
  cwd: string;
  /**
   * Extra environment variables, set by our own code (a per-tool setting, git's one-shot auth
   * header), merged over the base environment.
   */
  env?: Record<string, string | undefined>;
  /**
   * The base environment. Default: the allow-listed child environment (PATH, locale, a private
   * HOME and TMPDIR; no token or other secret, see ./environment.ts), never process.env.
   */
  baseEnv?: Record<string, string | undefined>;
  /** Text written to stdin. */
  input?: string;
  /** Kill the process (and its process group) after this many milliseconds (default 10 minutes). */
  timeoutMs?: number;
  /** Keep at most this many bytes of stdout and of stderr (default 4 MiB each). */
  maxOutputBytes?: number;
  /**
   * Tied to the caller's total time budget: when it aborts, the process group is killed and the result
   * has `timedOut` and `aborted`. An already aborted signal means the command is not started at all.
   */
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** true when the command could not be started (ENOENT, EACCES). exitCode is 127 then. */
  notFound?: boolean;
  timedOut?: boolean;
  /** true when `signal` aborted (before or during the run); `timedOut` is true as well. */
  aborted?: boolean;
}

/** Runs a command with an argument array. Never a shell. Never rejects for a non-zero exit. */
export type Exec = (command: string, args: readonly string[], options: ExecOptions) => Promise<ExecResult>;

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/**
 * After the direct child exits, how long its stdout/stderr may stay open. Once the group is killed,
 * only a descendant that left the group (setsid, a daemon) can still hold them; we do not wait for it.
 */
const STREAM_GRACE_MS = 500;
const KILLED_BY_SIGNAL = 128 + 9;
const BUDGET_USED_UP = 'stopped: the time budget ran out';

/*
 * On POSIX every child leads its own process group (`detached: true` makes it call setsid), so a time
 * limit can kill everything the command started — a fixer's or git's helpers would otherwise outlive
 * it and keep our pipes open. The flip side is that a terminal's Ctrl-C no longer reaches the children,
 * which is why the shutdown path calls killAllChildren().
 * On Windows there are no process groups to signal and `detached` would open a new console, so a child
 * is spawned as before and only the direct child is killed; its descendants may survive a timeout.
 */
const USE_PROCESS_GROUPS = process.platform !== 'win32';

/** Live children by pid (= process group id on POSIX); an entry goes when its child exits. */
const liveChildren = new Map<number, ChildProcessWithoutNullStreams>();

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
}

/** SIGKILLs the child's whole process group (POSIX) or the child alone (Windows). Never throws. */
function killTree(child: ChildProcessWithoutNullStreams): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (USE_PROCESS_GROUPS) {
    try {
      process.kill(-pid, 'SIGKILL');
      return;
    } catch (error: unknown) {
      // ESRCH: nothing is left of the group. Anything else (EPERM, …): at least kill the child itself.
      if (errorCode(error) === 'ESRCH') return;
    }
  }
  try {
    child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

/** SIGKILLs every live child's process group; for the action's shutdown path. */
export function killAllChildren(): void {
  for (const child of [...liveChildren.values()]) killTree(child);
}

function appendLine(text: string, line: string): string {
  return text === '' || text.endsWith('\n') ? `${text}${line}\n` : `${text}\n${line}\n`;
}

/** One started command: its process, what it printed so far, and where it is in its life. */
interface ChildRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number | undefined;
  readonly options: ExecOptions;
  readonly resolve: (result: ExecResult) => void;
  /** `maxOutputBytes`: the most of stdout and of stderr kept. */
  readonly limit: number;
  readonly out: Buffer[];
  readonly err: Buffer[];
  outBytes: number;
  errBytes: number;
  timedOut: boolean;
  aborted: boolean;
  exited: boolean;
  settled: boolean;
  exitCode: number;
  timer: NodeJS.Timeout | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  onAbort: () => void;
}

/** The child's environment: the base (allow-listed by default) with `env` over it, unset entries removed. */
function commandEnvironment(options: ExecOptions): Record<string, string | undefined> {
  const env = { ...(options.baseEnv ?? defaultChildEnvironment()), ...(options.env ?? {}) };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

function spawnChild(command: string, args: readonly string[], options: ExecOptions, env: Record<string, string | undefined>) {
  return spawn(command, [...args], {
    cwd: options.cwd,
    env: env as NodeJS.ProcessEnv,
    shell: false,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
    detached: USE_PROCESS_GROUPS,
  });
}

/** Keeps the first `limit` bytes of each stream and counts the rest. */
function collectOutput(run: ChildRun): void {
  run.child.stdout.on('data', (chunk: Buffer) => {
    if (run.outBytes < run.limit) run.out.push(chunk.subarray(0, run.limit - run.outBytes));
    run.outBytes += chunk.length;
  });
  run.child.stderr.on('data', (chunk: Buffer) => {
    if (run.errBytes < run.limit) run.err.push(chunk.subarray(0, run.limit - run.errBytes));
    run.errBytes += chunk.length;
  });
}

/** Kills the process group when the time limit passes or the caller's signal aborts. */
function armLimits(run: ChildRun): void {
  const stop = (): void => {
    if (run.exited || run.settled) return;
    killTree(run.child);
  };
  run.timer = setTimeout(() => {
    if (run.exited || run.settled) return;
    run.timedOut = true;
    stop();
  }, run.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  run.onAbort = (): void => {
    if (run.exited || run.settled) return;
    run.aborted = true;
    run.timedOut = true;
    stop();
  };
  run.options.signal?.addEventListener('abort', run.onAbort, { once: true });
}

function release(run: ChildRun): void {
  clearTimeout(run.timer);
  if (run.graceTimer !== undefined) clearTimeout(run.graceTimer);
  run.options.signal?.removeEventListener('abort', run.onAbort);
  if (run.pid !== undefined && liveChildren.get(run.pid) === run.child) liveChildren.delete(run.pid);
}

function finish(run: ChildRun): void {
  if (run.settled) return;
  run.settled = true;
  release(run);
  run.child.stdout.destroy();
  run.child.stderr.destroy();
  run.child.stdin.destroy();
  let stderr = Buffer.concat(run.err).toString('utf8');
  if (run.aborted) stderr = appendLine(stderr, BUDGET_USED_UP);
  run.resolve({
    exitCode: run.exitCode,
    stdout: Buffer.concat(run.out).toString('utf8'),
    stderr,
    ...(run.timedOut ? { timedOut: run.timedOut } : {}),
    ...(run.aborted ? { aborted: run.aborted } : {}),
  });
}

function streamsDone(run: ChildRun): boolean {
  return isDone(run.child.stdout) && isDone(run.child.stderr);
}

/** Finishes once the child has exited and both output streams are done. */
function watchStreams(run: ChildRun): void {
  const finishIfDrained = (): void => {
    if (run.exited && streamsDone(run)) finish(run);
  };
  for (const stream of [run.child.stdout, run.child.stderr]) {
    stream.on('end', finishIfDrained);
    stream.on('close', finishIfDrained);
    stream.on('error', finishIfDrained);
  }
}

function onChildError(run: ChildRun, error: NodeJS.ErrnoException): void {
  // Once the process is running, an 'error' comes from a failed kill; 'exit' still follows.
  if (run.settled || run.child.pid !== undefined) return;
  run.settled = true;
  release(run);
  const notFound = error.code === 'ENOENT' || error.code === 'EACCES';
  run.resolve({ exitCode: 127, stdout: '', stderr: error.message, notFound });
}

function onChildExit(run: ChildRun, code: number | null, signal: NodeJS.Signals | null): void {
  if (run.exited || run.settled) return;
  run.exited = true;
  run.exitCode = code ?? (signal ? KILLED_BY_SIGNAL : 1);
  clearTimeout(run.timer);
  // Nothing the command started may outlive it: it could keep the pipes open or the workspace busy.
  if (USE_PROCESS_GROUPS && run.pid !== undefined) killTree(run.child);
  if (run.pid !== undefined && liveChildren.get(run.pid) === run.child) liveChildren.delete(run.pid);
  if (streamsDone(run)) {
    finish(run);
    return;
  }
  // setImmediate lets one more poll phase read what is already in the pipes, should the event
  // loop have been too busy for the grace to mean anything.
  run.graceTimer = setTimeout(() => setImmediate(() => finish(run)), STREAM_GRACE_MS);
}

export const nodeExec: Exec = (command, args, options) =>
  new Promise<ExecResult>((resolve) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: 124, stdout: '', stderr: 'not started: the time budget is used up', aborted: true, timedOut: true });
      return;
    }
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const env = commandEnvironment(options);
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnChild(command, args, options, env);
    } catch (error: unknown) {
      resolve({ exitCode: 127, stdout: '', stderr: String(error), notFound: true });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) liveChildren.set(pid, child);
    const run: ChildRun = {
      child,
      pid,
      options,
      resolve,
      limit,
      out: [],
      err: [],
      outBytes: 0,
      errBytes: 0,
      timedOut: false,
      aborted: false,
      exited: false,
      settled: false,
      exitCode: 1,
      timer: undefined,
      graceTimer: undefined,
      onAbort: () => undefined,
    };
    collectOutput(run);
    armLimits(run);
    watchStreams(run);
    child.on('error', (error: NodeJS.ErrnoException) => onChildError(run, error));
    // 'exit', not 'close': 'close' waits for every holder of our pipes, including a grandchild
    // that was backgrounded and never exits.
    child.on('exit', (code, signal) => onChildExit(run, code, signal));
    child.stdin.on('error', () => {
      // The command may exit before reading its input; that is its business, not an error here.
    });
    child.stdin.end(options.input ?? '');
  });

function isDone(stream: Readable): boolean {
  return stream.readableEnded || stream.destroyed;
}
