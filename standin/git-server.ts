/**
 * A real git remote on localhost: node:http in front of git's own `git http-backend` (CGI), with
 * HTTP Basic auth where the password must be the token (any user name, as GitHub takes
 * `x-access-token`). Fetch and push go through the same smart-HTTP code a real server runs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { nodeExec } from '../src/exec.js';

const HTTP_BACKEND = process.env.GIT_HTTP_BACKEND ?? '/usr/lib/git-core/git-http-backend';
const NAME = /^[A-Za-z0-9_.-]+$/;
/** How much of a receive-pack request is kept to read its ref updates (they precede the pack). */
const RECORDED_PREFIX_BYTES = 64 * 1024;

export interface RefUpdate {
  ref: string;
  /** All zeros when the push creates the ref. */
  oldSha: string;
  /** All zeros when the push deletes the ref. */
  newSha: string;
}

export interface RecordedPush {
  owner: string;
  repo: string;
  /** The Basic-auth user name the client sent. */
  user: string;
  updates: RefUpdate[];
  /** HTTP status the backend answered with. */
  status: number;
}

export interface CreateRepositoryOptions {
  /** Path (forward slashes) → content. */
  files: Record<string, string>;
  branch?: string;
  message?: string;
}

export interface GitServer {
  /** http://127.0.0.1:<port> */
  url: string;
  repoUrl(owner: string, repo: string): string;
  createRepository(owner: string, repo: string, options: CreateRepositoryOptions): Promise<string>;
  bareDir(owner: string, repo: string): string;
  /** Branch → sha, read from the bare repository directly. */
  branches(owner: string, repo: string): Promise<Record<string, string>>;
  pushes: RecordedPush[];
  /** Every request that was refused for missing or wrong credentials. */
  unauthorized: { method: string; path: string }[];
  close(): Promise<void>;
}

async function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const result = await nodeExec('git', args, {
    cwd,
    env: {
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Octo Cat',
      GIT_AUTHOR_EMAIL: 'octocat@users.noreply.github.example',
      GIT_COMMITTER_NAME: 'Octo Cat',
      GIT_COMMITTER_EMAIL: 'octocat@users.noreply.github.example',
      ...env,
    },
  });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** The user name when `header` is Basic auth with `token` as password; undefined otherwise. */
function authorizedUser(header: string | undefined, token: string): string | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return decoded.slice(colon + 1) === token ? decoded.slice(0, colon) || 'anonymous' : undefined;
}

/** The ref update commands at the start of a receive-pack request: pkt-lines up to the flush. */
export function parseReceivePackCommands(body: Buffer): RefUpdate[] {
  const updates: RefUpdate[] = [];
  let offset = 0;
  while (offset + 4 <= body.length) {
    const length = Number.parseInt(body.subarray(offset, offset + 4).toString('latin1'), 16);
    if (!Number.isFinite(length) || length === 0) break;
    if (length < 4 || offset + length > body.length) break;
    const line = body.subarray(offset + 4, offset + length).toString('utf8');
    offset += length;
    const command = line.split('\0')[0]?.replace(/\n$/, '') ?? '';
    const [oldSha, newSha, ref] = command.split(' ');
    if (oldSha && newSha && ref && !command.startsWith('shallow ')) updates.push({ ref, oldSha, newSha });
  }
  return updates;
}

function decodeRecorded(prefix: Buffer, encoding: string | undefined): Buffer {
  if (encoding !== 'gzip' && encoding !== 'x-gzip') return prefix;
  try {
    // The prefix is usually a cut-off gzip stream; a sync flush inflates what is there.
    return zlib.gunzipSync(prefix, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return Buffer.alloc(0);
  }
}

/** Splits CGI output into its header block and the rest; undefined while the block is incomplete. */
function splitCgiHeaders(buffer: Buffer): { headers: string; rest: Buffer } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  const candidates = [crlf >= 0 ? { at: crlf, length: 4 } : undefined, lf >= 0 ? { at: lf, length: 2 } : undefined].filter(
    (c): c is { at: number; length: number } => c !== undefined,
  );
  if (candidates.length === 0) return undefined;
  const first = candidates.reduce((a, b) => (b.at < a.at ? b : a));
  return { headers: buffer.subarray(0, first.at).toString('latin1'), rest: buffer.subarray(first.at + first.length) };
}

export async function startGitServer(options: { token: string }): Promise<GitServer> {
  if (!existsSync(HTTP_BACKEND)) {
    throw new Error(`git http-backend not found at ${HTTP_BACKEND}: install git (or set GIT_HTTP_BACKEND)`);
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'ci-autofixer-git-server-'));
  const projectRoot = path.join(root, 'repos');
  await mkdir(projectRoot, { recursive: true });
  const pushes: RecordedPush[] = [];
  const unauthorized: { method: string; path: string }[] = [];

  const bareDir = (owner: string, repo: string): string => {
    if (!NAME.test(owner) || !NAME.test(repo) || owner.startsWith('.') || repo.startsWith('.')) {
      throw new Error(`invalid repository name ${owner}/${repo}`);
    }
    return path.join(projectRoot, owner, `${repo}.git`);
  };

  const server = http.createServer((req, res) => {
    const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
    const user = authorizedUser(req.headers.authorization, options.token);
    if (user === undefined) {
      unauthorized.push({ method: req.method ?? 'GET', path: requestUrl.pathname });
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="CI Autofixer git stand-in"', 'Content-Type': 'text/plain' });
      res.end('Authentication required: use HTTP Basic auth with the token as password\n');
      return;
    }
    // /<owner>/<repo>[.git]/<service path>; GitHub answers both with and without .git.
    const match = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/.*)$/.exec(requestUrl.pathname);
    const owner = match?.[1] ?? '';
    const repo = match?.[2] ?? '';
    let dir: string | undefined;
    try {
      dir = match ? bareDir(owner, repo) : undefined;
    } catch {
      dir = undefined;
    }
    if (!match || dir === undefined || !existsSync(dir)) {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Repository not found\n');
      return;
    }
    const isReceivePack = requestUrl.pathname.endsWith('/git-receive-pack') && req.method === 'POST';
    const encoding = req.headers['content-encoding'];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      PATH_INFO: `/${owner}/${repo}.git${match[3] ?? ''}`,
      QUERY_STRING: requestUrl.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: user,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    };
    if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
    // http-backend inflates a gzip request body itself when told the encoding.
    if (typeof encoding === 'string') env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = req.headers['git-protocol'];
    if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

    const child = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const recorded: Buffer[] = [];
    let recordedBytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (isReceivePack && recordedBytes < RECORDED_PREFIX_BYTES) {
        recorded.push(chunk.subarray(0, RECORDED_PREFIX_BYTES - recordedBytes));
        recordedBytes += chunk.length;
      }
    });
    req.pipe(child.stdin);
    child.stdin.on('error', () => {
      // The backend may stop reading early (it answered with an error); the answer is what matters.
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });

    let head = Buffer.alloc(0);
    let headersSent = false;
    let answeredStatus = 500;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const split = splitCgiHeaders(head);
      if (!split) return;
      headersSent = true;
      let status = 200;
      const headers: Record<string, string | string[]> = {};
      for (const line of split.headers.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') {
          status = Number.parseInt(value, 10) || 500;
          continue;
        }
        const existing = headers[name];
        headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      answeredStatus = status;
      res.writeHead(status, headers);
      if (split.rest.length > 0) res.write(split.rest);
    });
    child.on('error', (error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend could not run: ${error.message}\n`);
    });
    child.on('close', (code) => {
      if (!headersSent) {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`git http-backend exited with ${code ?? 'a signal'} before answering: ${stderr.trim()}\n`);
        return;
      }
      // Recorded before the answer ends, so a client that sees its push finish also finds it here.
      if (isReceivePack) {
        pushes.push({
          owner,
          repo,
          user,
          updates: parseReceivePackCommands(decodeRecorded(Buffer.concat(recorded), typeof encoding === 'string' ? encoding : undefined)),
          status: answeredStatus,
        });
      }
      res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    pushes,
    unauthorized,
    bareDir,
    repoUrl: (owner, repo) => `${url}/${owner}/${repo}.git`,

    async createRepository(owner, repo, repoOptions) {
      const branch = repoOptions.branch ?? 'main';
      const bare = bareDir(owner, repo);
      if (existsSync(bare)) throw new Error(`${owner}/${repo} already exists`);
      await mkdir(bare, { recursive: true });
      await git(['init', '-q', '--bare', `--initial-branch=${branch}`], bare);
      // Without this http-backend refuses pushes from anyone; REMOTE_USER alone would also do.
      await git(['config', 'http.receivepack', 'true'], bare);
      const work = await mkdtemp(path.join(root, 'seed-'));
      try {
        await git(['init', '-q', `--initial-branch=${branch}`], work);
        for (const [file, content] of Object.entries(repoOptions.files)) {
          const target = path.join(work, ...file.split('/'));
          if (!target.startsWith(work + path.sep)) throw new Error(`file ${file} is outside the repository`);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, content);
        }
        await git(['add', '--all'], work);
        await git(['commit', '-q', '--allow-empty', '-m', repoOptions.message ?? 'Initial commit'], work);
        await git(['push', '-q', bare, `HEAD:refs/heads/${branch}`], work);
        return await git(['rev-parse', 'HEAD'], work);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },

    async branches(owner, repo) {
      const listed = await git(['for-each-ref', '--format=%(objectname) %(refname)', 'refs/heads/'], bareDir(owner, repo));
      const heads: Record<string, string> = {};
      for (const line of listed.split('\n').filter(Boolean)) {
        const [sha, ref] = line.split(' ');
        if (sha && ref) heads[ref.replace(/^refs\/heads\//, '')] = sha;
      }
      return heads;
    },

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
