/**
 * The real nodeExec against bash scripts. No durations are asserted: a hang shows up as vitest's
 * 60 s test timeout, which is why the "hanging" commands sleep for 300 s.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAllChildren, nodeExec, type ExecOptions, type ExecResult } from '../src/exec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-exec-test-'));
});
afterEach(() => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});

function bash(script: string, options: Partial<ExecOptions> = {}): Promise<ExecResult> {
  return nodeExec('bash', ['-c', script], { cwd: dir, ...options });
}

/** The pid a script wrote to `file`, once it is completely written; undefined if it never is. */
async function readPid(file: string, attempts = 200): Promise<number | undefined> {
  for (let i = 0; i < attempts; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (/^\d+\n$/.test(text)) return Number(text.trim());
    await sleep(50);
  }
  return undefined;
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // A killed orphan is re-parented to pid 1, which in some containers never reaps it: a zombie is dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^\d+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

/** Polls for up to ~2 s: a SIGKILLed process disappears promptly, but not synchronously. */
async function waitGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (isGone(pid)) return true;
    await sleep(50);
  }
  return isGone(pid);
}

/** Child and grandchild write their pids, then both sleep for 300 s; the grandchild holds stdout. */
function hangingScript(): { script: string; childPidFile: string; grandchildPidFile: string } {
  const childPidFile = path.join(dir, 'child.pid');
  const grandchildPidFile = path.join(dir, 'grandchild.pid');
  const script = `echo $$ > '${childPidFile}'; sleep 300 & echo $! > '${grandchildPidFile}'; sleep 300`;
  return { script, childPidFile, grandchildPidFile };
}

describe('nodeExec', () => {
  it('passes exit code, stdout, stderr and stdin through', async () => {
    const result = await bash('cat; echo oops >&2; exit 3', { input: 'hello\n' });
    expect(result).toEqual({ exitCode: 3, stdout: 'hello\n', stderr: 'oops\n' });
  });

  it('resolves when the child exits although a backgrounded grandchild holds stdout, and kills the grandchild', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const result = await bash(`sleep 300 & echo $! > '${pidFile}'; echo done`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('done');
    expect(result.timedOut).toBeUndefined();
    const grandchild = await readPid(pidFile, 1);
    expect(grandchild).toBeDefined();
    expect(await waitGone(grandchild as number)).toBe(true);
  });

  it('on timeout kills the child and its grandchild and reports timedOut', async () => {
    const { script, childPidFile, grandchildPidFile } = hangingScript();
    // 300 ms is the limit under test; should a loaded machine kill bash before it wrote the pids, try a longer one.
    let result: ExecResult | undefined;
    for (const timeoutMs of [300, 2000, 10_000]) {
      rmSync(childPidFile, { force: true });
      rmSync(grandchildPidFile, { force: true });
      result = await bash(script, { timeoutMs });
      if ((await readPid(childPidFile, 1)) !== undefined && (await readPid(grandchildPidFile, 1)) !== undefined) break;
    }
    expect(result).toMatchObject({ exitCode: 137, timedOut: true });
    expect(result?.aborted).toBeUndefined();
    const child = await readPid(childPidFile, 1);
    const grandchild = await readPid(grandchildPidFile, 1);
    expect(child).toBeDefined();
    expect(grandchild).toBeDefined();
    expect(await waitGone(child as number)).toBe(true);
    expect(await waitGone(grandchild as number)).toBe(true);
  });

  it('an AbortSignal aborted mid-run kills the process group and marks the result aborted', async () => {
    const { script, childPidFile, grandchildPidFile } = hangingScript();
    const controller = new AbortController();
    const running = bash(`echo started; ${script}`, { signal: controller.signal });
    const child = await readPid(childPidFile);
    const grandchild = await readPid(grandchildPidFile);
    expect(child).toBeDefined();
    expect(grandchild).toBeDefined();
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ exitCode: 137, timedOut: true, aborted: true, stdout: 'started\n' });
    expect(result.stderr).toMatch(/time budget ran out/);
    expect(await waitGone(child as number)).toBe(true);
    expect(await waitGone(grandchild as number)).toBe(true);
  });

  it('an already aborted AbortSignal never starts the command', async () => {
    const marker = path.join(dir, 'marker');
    const result = await bash(`touch '${marker}'`, { signal: AbortSignal.abort() });
    expect(result).toEqual({
      exitCode: 124,
      stdout: '',
      stderr: 'not started: the time budget is used up',
      aborted: true,
      timedOut: true,
    });
    // Had it been spawned, bash would have created the marker by now.
    await sleep(300);
    expect(existsSync(marker)).toBe(false);
  });

  it('returns all of a ~2 MB output printed just before exit', async () => {
    const size = 2 * 1024 * 1024;
    const result = await bash(`head -c ${size} /dev/zero | tr '\\0' x; head -c ${size} /dev/zero | tr '\\0' y >&2; exit 0`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(size);
    expect(result.stdout).toBe('x'.repeat(size));
    expect(result.stderr).toBe('y'.repeat(size));
  });

  it('keeps at most maxOutputBytes of each stream', async () => {
    const result = await bash("head -c 100000 /dev/zero | tr '\\0' x", { maxOutputBytes: 1000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('x'.repeat(1000));
  });

  it('reports a missing command as notFound with exit code 127', async () => {
    const result = await nodeExec('ci-autofixer-no-such-command', ['--version'], { cwd: dir });
    expect(result.exitCode).toBe(127);
    expect(result.notFound).toBe(true);
  });

  it('killAllChildren kills a running child started without a timeout, with its descendants', async () => {
    const { script, childPidFile, grandchildPidFile } = hangingScript();
    const running = bash(script);
    const child = await readPid(childPidFile);
    const grandchild = await readPid(grandchildPidFile);
    expect(child).toBeDefined();
    expect(grandchild).toBeDefined();
    killAllChildren();
    const result = await running;
    expect(result.exitCode).toBe(137);
    expect(result.timedOut).toBeUndefined();
    expect(await waitGone(child as number)).toBe(true);
    expect(await waitGone(grandchild as number)).toBe(true);
  });
});
