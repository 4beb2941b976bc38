import { spawn } from 'node:child_process';

export interface ExecOptions {
  /** Working directory; required so that no command runs in an unexpected place. */
  cwd: string;
  /** Extra environment variables, merged over process.env (or over `baseEnv` when given). */
  env?: Record<string, string | undefined>;
  /** Replace process.env as the base environment. */
  baseEnv?: Record<string, string | undefined>;
  /** Text written to stdin. */
  input?: string;
  /** Kill the process after this many milliseconds (default 10 minutes). */
  timeoutMs?: number;
  /** Keep at most this many bytes of stdout and of stderr (default 4 MiB each). */
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** true when the command could not be started (ENOENT, EACCES). exitCode is 127 then. */
  notFound?: boolean;
  timedOut?: boolean;
}

/** Runs a command with an argument array. Never a shell. Never rejects for a non-zero exit. */
export type Exec = (command: string, args: readonly string[], options: ExecOptions) => Promise<ExecResult>;

export const nodeExec: Exec = (command, args, options) =>
  new Promise<ExecResult>((resolve) => {
    const limit = options.maxOutputBytes ?? 4 * 1024 * 1024;
    const env = { ...(options.baseEnv ?? process.env), ...(options.env ?? {}) };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    let child;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: env as NodeJS.ProcessEnv,
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error: unknown) {
      resolve({ exitCode: 127, stdout: '', stderr: String(error), notFound: true });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < limit) out.push(chunk.subarray(0, limit - outBytes));
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < limit) err.push(chunk.subarray(0, limit - errBytes));
      errBytes += chunk.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10 * 60 * 1000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const notFound = error.code === 'ENOENT' || error.code === 'EACCES';
      resolve({ exitCode: 127, stdout: '', stderr: error.message, notFound });
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        exitCode: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ...(timedOut ? { timedOut } : {}),
      });
    });
    child.stdin.on('error', () => {
      // The command may exit before reading its input; that is its business, not an error here.
    });
    child.stdin.end(options.input ?? '');
  });
