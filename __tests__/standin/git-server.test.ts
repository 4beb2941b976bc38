import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { parseReceivePackCommands, startGitServer, type GitServer } from '../../standin/git-server.js';

const TOKEN = 'ghs_standin_token_123';
const ISOLATED = { GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C' };

function auth(url: string, token: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${new URL(url).origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
  };
}

async function git(args: string[], cwd: string, env: Record<string, string> = {}) {
  return nodeExec('git', args, {
    cwd,
    env: {
      ...ISOLATED,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.com',
      ...env,
    },
  });
}

function pkt(line: string): string {
  return (line.length + 4).toString(16).padStart(4, '0') + line;
}

let server: GitServer;
let scratch: string;
beforeEach(async () => {
  server = await startGitServer({ token: TOKEN });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'git-server-test-'));
});
afterEach(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('git stand-in server', () => {
  it('serves a repository created from files to a clone that sends the token', async () => {
    const head = await server.createRepository('octo', 'app', { files: { 'README.md': '# app\n', 'src/a.py': 'x = 1\n' }, branch: 'main' });
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    const url = server.repoUrl('octo', 'app');
    expect(url).toBe(`${server.url}/octo/app.git`);
    const clone = await git(['clone', '-q', url, 'app'], scratch, auth(url, TOKEN));
    expect(clone.exitCode, clone.stderr).toBe(0);
    expect(await readFile(path.join(scratch, 'app', 'src', 'a.py'), 'utf8')).toBe('x = 1\n');
    expect((await git(['rev-parse', 'HEAD'], path.join(scratch, 'app'))).stdout.trim()).toBe(head);
    expect(await server.branches('octo', 'app')).toEqual({ main: head });
    // The same repository answers without the .git suffix, as GitHub does.
    const bare = await git(['ls-remote', `${server.url}/octo/app`, 'refs/heads/main'], scratch, auth(url, TOKEN));
    expect(bare.stdout).toContain(head);
  });

  it('refuses requests without the token with 401 and a Basic challenge', async () => {
    await server.createRepository('octo', 'app', { files: { a: '1\n' } });
    const url = server.repoUrl('octo', 'app');
    const anonymous = await fetch(`${url}/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    const wrong = await fetch(`${url}/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from('x-access-token:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const cloned = await git(['clone', '-q', url, 'denied'], scratch, auth(url, 'wrong-token'));
    expect(cloned.exitCode).not.toBe(0);
    expect(cloned.stderr).toMatch(/Authentication failed|could not read Username|401/);
    expect(server.unauthorized.length).toBeGreaterThanOrEqual(3);
  });

  it('answers 404 for a repository it does not hold and for path tricks', async () => {
    const headers = { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` };
    expect((await fetch(`${server.url}/octo/missing.git/info/refs?service=git-upload-pack`, { headers })).status).toBe(404);
    expect((await fetch(`${server.url}/../etc/info/refs`, { headers })).status).toBe(404);
    expect((await fetch(`${server.url}/octo/..%2f..%2fetc.git/info/refs`, { headers })).status).toBe(404);
  });

  it('accepts pushes with the token and records the ref updates', async () => {
    const head = await server.createRepository('octo', 'app', { files: { 'a.txt': 'one\n' } });
    const url = server.repoUrl('octo', 'app');
    expect((await git(['clone', '-q', url, 'w'], scratch, auth(url, TOKEN))).exitCode).toBe(0);
    const work = path.join(scratch, 'w');
    await writeFile(path.join(work, 'a.txt'), 'two\n');
    await git(['commit', '-qam', 'two'], work);
    const pushed = await git(['push', '-q', 'origin', 'HEAD:refs/heads/topic'], work, auth(url, TOKEN));
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    const next = (await git(['rev-parse', 'HEAD'], work)).stdout.trim();
    expect((await server.branches('octo', 'app')).topic).toBe(next);
    expect(server.pushes).toEqual([
      {
        owner: 'octo',
        repo: 'app',
        user: 'x-access-token',
        status: 200,
        updates: [{ ref: 'refs/heads/topic', oldSha: '0'.repeat(40), newSha: next }],
      },
    ]);
    expect(head).not.toBe(next);
  });

  it('inflates a gzip-encoded request body (as git sends large fetch negotiations)', async () => {
    const head = await server.createRepository('octo', 'app', { files: { 'a.txt': 'one\n' } });
    const body = zlib.gzipSync(Buffer.from(`${pkt(`want ${head}\n`)}0000${pkt('done\n')}`));
    const response = await fetch(`${server.repoUrl('octo', 'app')}/git-upload-pack`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`,
        'content-type': 'application/x-git-upload-pack-request',
        'content-encoding': 'gzip',
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-git-upload-pack-result');
    const answer = Buffer.from(await response.arrayBuffer());
    expect(answer.subarray(0, 8).toString()).toBe('0008NAK\n');
    expect(answer.includes(Buffer.from('PACK'))).toBe(true);
  });

  it('passes the backend status line through (unknown service → 403)', async () => {
    await server.createRepository('octo', 'app', { files: { a: '1\n' } });
    const response = await fetch(`${server.repoUrl('octo', 'app')}/info/refs?service=git-frobnicate`, {
      headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
    });
    expect(response.status).toBe(403);
  });

  it('removes its directories on close', async () => {
    await server.createRepository('octo', 'gone', { files: { a: '1\n' } });
    const bare = server.bareDir('octo', 'gone');
    expect(existsSync(bare)).toBe(true);
    await server.close();
    expect(existsSync(bare)).toBe(false);
    server = await startGitServer({ token: TOKEN });
  });
});

describe('parseReceivePackCommands', () => {
  it('reads old/new/ref up to the flush and ignores capabilities and the pack', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const body = Buffer.concat([
      Buffer.from(pkt(`${a} ${b} refs/heads/x\0report-status side-band-64k\n`) + pkt(`${b} ${'0'.repeat(40)} refs/heads/y\n`) + '0000'),
      Buffer.from('PACK\0\0\0\x02'),
    ]);
    expect(parseReceivePackCommands(body)).toEqual([
      { ref: 'refs/heads/x', oldSha: a, newSha: b },
      { ref: 'refs/heads/y', oldSha: b, newSha: '0'.repeat(40) },
    ]);
    expect(parseReceivePackCommands(Buffer.from('zzzz'))).toEqual([]);
  });
});
