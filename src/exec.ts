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

export const nodeExec: Exec = (command, args, options) =>
  new Promise<ExecResult>((resolve) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: 124, stdout: '', stderr: 'not started: the time budget is used up', aborted: true, timedOut: true });
      return;
    }
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const env = { ...(options.baseEnv ?? defaultChildEnvironment()), ...(options.env ?? {}) };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: env as NodeJS.ProcessEnv,
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
        detached: USE_PROCESS_GROUPS,
      });
    } catch (error: unknown) {
      resolve({ exitCode: 127, stdout: '', stderr: String(error), notFound: true });
      return;
    }
    const pid = child.pid;
    if (pid !== undefined) liveChildren.set(pid, child);

    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let aborted = false;
    let exited = false;
    let settled = false;
    let exitCode = 1;
    let graceTimer: NodeJS.Timeout | undefined;

    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < limit) out.push(chunk.subarray(0, limit - outBytes));
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < limit) err.push(chunk.subarray(0, limit - errBytes));
      errBytes += chunk.length;
    });

    const stop = (): void => {
      if (exited || settled) return;
      killTree(child);
    };
    const timer = setTimeout(() => {
      if (exited || settled) return;
      timedOut = true;
      stop();
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = (): void => {
      if (exited || settled) return;
      aborted = true;
      timedOut = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const release = (): void => {
      clearTimeout(timer);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (pid !== undefined && liveChildren.get(pid) === child) liveChildren.delete(pid);
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      release();
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
      let stderr = Buffer.concat(err).toString('utf8');
      if (aborted) stderr = appendLine(stderr, BUDGET_USED_UP);
      resolve({
        exitCode,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        ...(timedOut ? { timedOut } : {}),
        ...(aborted ? { aborted } : {}),
      });
    };

    const streamsDone = (): boolean => isDone(child.stdout) && isDone(child.stderr);
    const finishIfDrained = (): void => {
      if (exited && streamsDone()) finish();
    };
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('end', finishIfDrained);
      stream.on('close', finishIfDrained);
      stream.on('error', finishIfDrained);
    }

    child.on('error', (error: NodeJS.ErrnoException) => {
      // Once the process is running, an 'error' comes from a failed kill; 'exit' still follows.
      if (settled || child.pid !== undefined) return;
      settled = true;
      release();
      const notFound = error.code === 'ENOENT' || error.code === 'EACCES';
      resolve({ exitCode: 127, stdout: '', stderr: error.message, notFound });
    });

    // 'exit', not 'close': 'close' waits for every holder of our pipes, including a grandchild
    // that was backgrounded and never exits.
    child.on('exit', (code, signal) => {
      if (exited || settled) return;
      exited = true;
      exitCode = code ?? (signal ? KILLED_BY_SIGNAL : 1);
      clearTimeout(timer);
      // Nothing the command started may outlive it: it could keep the pipes open or the workspace busy.
      if (USE_PROCESS_GROUPS && pid !== undefined) killTree(child);
      if (pid !== undefined && liveChildren.get(pid) === child) liveChildren.delete(pid);
      if (streamsDone()) {
        finish();
        return;
      }
      // setImmediate lets one more poll phase read what is already in the pipes, should the event
      // loop have been too busy for the grace to mean anything.
      graceTimer = setTimeout(() => setImmediate(finish), STREAM_GRACE_MS);
    });

    child.stdin.on('error', () => {
      // The command may exit before reading its input; that is its business, not an error here.
    });
    child.stdin.end(options.input ?? '');
  });

function isDone(stream: Readable): boolean {
  return stream.readableEnded || stream.destroyed;
}
