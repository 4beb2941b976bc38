import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitError } from '../../src/errors.js';
import { createGit, meaningfulStderr, tokenEnvironment, type Git } from '../../src/git/git.js';
import { ISOLATED_ENV, plainGit, recordingExec, startRemote, testLogger, type ExecCall, type Remote } from './helpers.js';

let remote: Remote;
let work: string;
let calls: ExecCall[];
let git: Git;

beforeEach(async () => {
  remote = await startRemote({ 'a.txt': 'one\n', 'src/b.py': 'x = 1\n' });
  work = await remote.checkout('work');
  calls = [];
  git = createGit({ exec: recordingExec(calls), cwd: work, logger: testLogger(), env: ISOLATED_ENV });
});
afterEach(async () => {
  await remote.close();
});

describe('createGit: reading the checkout', () => {
  it('knows a repository from a plain or missing directory', async () => {
    expect(await git.isRepository()).toBe(true);
    const plain = await mkdtemp(path.join(os.tmpdir(), 'not-a-repo-'));
    try {
      const outside = createGit({ exec: recordingExec([]), cwd: plain, logger: testLogger(), env: ISOLATED_ENV });
      expect(await outside.isRepository()).toBe(false);
      await expect(outside.headSha()).rejects.toThrow(/git rev-parse .*failed \(exit 128\): fatal: not a git repository/);
      const missing = createGit({ exec: recordingExec([]), cwd: path.join(plain, 'nope'), logger: testLogger() });
      expect(await missing.isRepository()).toBe(false);
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it('reads HEAD, branch, message, top level and remote URL', async () => {
    expect(await git.headSha()).toBe(remote.headSha);
    expect(await git.currentBranch()).toBeUndefined();
    expect(await git.headCommitMessage()).toBe('Initial\n\n');
    expect(await git.topLevel()).toBe(await plainGit(['rev-parse', '--show-toplevel'], work));
    expect(await git.remoteUrl('origin')).toBe(remote.url);
    await expect(git.remoteUrl('upstream')).rejects.toBeInstanceOf(GitError);
    await git.checkoutNewBranch('topic', remote.headSha);
    expect(await git.currentBranch()).toBe('topic');
    expect(await git.resolveCommit('topic')).toBe(remote.headSha);
    expect(await git.resolveCommit('no-such-branch')).toBeUndefined();
  });

  it('lists the status and the changed files, renames and untracked files included', async () => {
    expect(await git.statusPorcelain()).toEqual([]);
    await writeFile(path.join(work, 'a.txt'), 'two\n');
    await writeFile(path.join(work, 'new file.txt'), 'n\n');
    await plainGit(['mv', 'src/b.py', 'src/c.py'], work);
    expect(await git.statusPorcelain()).toEqual(
      expect.arrayContaining([
        { index: ' ', worktree: 'M', path: 'a.txt' },
        { index: '?', worktree: '?', path: 'new file.txt' },
        { index: 'R', worktree: ' ', path: 'src/c.py', originalPath: 'src/b.py' },
      ]),
    );
    expect(await git.changedFiles()).toEqual(['a.txt', 'new file.txt', 'src/b.py', 'src/c.py']);
  });

  it('validates branch names with check-ref-format', async () => {
    for (const good of ['autofix/main', 'autofix/feature/greeting', 'autofix/x-1.2']) {
      expect(await git.isValidBranchName(good), good).toBe(true);
    }
    for (const bad of ['', '-x', 'a b', 'a..b', 'a~1', 'a^', 'a:b', 'x.lock', 'x/', 'a?', 'a*', 'a[b', 'a\\b', '@{-1}']) {
      expect(await git.isValidBranchName(bad), bad).toBe(false);
    }
  });
});

describe('createGit: changing the checkout', () => {
  it('adds, commits with author and trailers, resets and deletes branches', async () => {
    await git.checkoutNewBranch('work-branch', remote.headSha);
    await writeFile(path.join(work, 'a.txt'), 'two\n');
    await git.add(['a.txt']);
    const sha = await git.commit({
      message: 'Fix a\n\n',
      author: { name: 'Bot', email: 'bot@example.com' },
      trailers: { 'CI-Autofixer': 'run 7', 'Co-authored-by': 'X <x@example.com>' },
    });
    expect(await git.headSha()).toBe(sha);
    expect(await plainGit(['log', '-1', '--format=%an <%ae>|%cn|%B'], work)).toBe(
      'Bot <bot@example.com>|Bot|Fix a\n\nCI-Autofixer: run 7\nCo-authored-by: X <x@example.com>',
    );
    await expect(git.commit({ message: 'x', author: { name: 'B', email: 'b@e' }, trailers: { 'bad key': 'v' } })).rejects.toThrow(
      /invalid trailer key/,
    );
    await git.resetHard(remote.headSha);
    expect(await readFile(path.join(work, 'a.txt'), 'utf8')).toBe('one\n');
    await plainGit(['checkout', '-q', '--detach', remote.headSha], work);
    await git.deleteLocalBranch('work-branch');
    expect(await git.resolveCommit('refs/heads/work-branch')).toBeUndefined();
  });

  it('stages literal paths: a name with glob characters matches only itself', async () => {
    await writeFile(path.join(work, 'x[1].txt'), 'literal\n');
    await writeFile(path.join(work, 'x1.txt'), 'glob match\n');
    await git.add(['x[1].txt']);
    expect(await plainGit(['diff', '--cached', '--name-only'], work)).toBe('x[1].txt');
  });

  it('builds a commit in a private index without touching HEAD, index or work tree', async () => {
    await writeFile(path.join(work, 'a.txt'), 'two\n');
    const indexFile = path.join(remote.dir, 'private-index');
    await git.readTree(remote.headSha, { indexFile });
    await git.add(['a.txt'], { indexFile });
    const tree = await git.writeTree({ indexFile });
    const sha = await git.createCommit({ tree, parents: [remote.headSha], message: 'm', author: { name: 'B', email: 'b@e' } });
    await git.setBranch('made', sha, { expectedSha: undefined });
    await expect(git.setBranch('made', sha, { expectedSha: undefined })).rejects.toBeInstanceOf(GitError);
    expect(await git.headSha()).toBe(remote.headSha);
    expect(await plainGit(['status', '--porcelain'], work)).toBe('M a.txt');
    expect(await plainGit(['show', 'made:a.txt'], work)).toBe('two');
  });
});

describe('createGit: talking to the remote with a token', () => {
  it('ls-remote finds exactly the branch asked for', async () => {
    const other = await remote.checkout('other');
    await plainGit(['push', '-q', 'origin', `${remote.headSha}:refs/heads/feature/x`], other, {
      ...tokenEnvironment(remote.url, remote.token),
    });
    expect(await git.lsRemoteBranch('origin', 'main', remote.token)).toBe(remote.headSha);
    expect(await git.lsRemoteBranch('origin', 'feature/x', remote.token)).toBe(remote.headSha);
    // ls-remote patterns match by tail: 'x' must not find 'feature/x'.
    expect(await git.lsRemoteBranch('origin', 'x', remote.token)).toBeUndefined();
    expect(await git.lsRemoteBranch(remote.url, 'main', remote.token)).toBe(remote.headSha);
  });

  it('pushes and fetches with the token only in the environment, scoped to the remote origin', async () => {
    await git.push({ remote: 'origin', branch: 'copy', source: remote.headSha, expectedRemoteSha: undefined, token: remote.token });
    await git.fetch({ remote: 'origin', refspecs: ['+refs/heads/copy:refs/remotes/origin/copy'], token: remote.token });
    expect(await git.resolveCommit('origin/copy')).toBe(remote.headSha);
    const basic = Buffer.from(`x-access-token:${remote.token}`).toString('base64');
    const push = calls.find((call) => call.args.includes('push'));
    expect(push?.options.env).toMatchObject({
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_KEY_1: `http.${new URL(remote.url).origin}/.extraheader`,
      GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${basic}`,
    });
    for (const call of calls) {
      expect(call.args.join(' ')).not.toContain(remote.token);
      expect(call.args.join(' ')).not.toContain(basic);
    }
    expect(await readFile(path.join(work, '.git', 'config'), 'utf8')).not.toMatch(new RegExp(`${remote.token}|${basic}|extraheader`));
  });

  it.each([
    {
      refusal: 'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
      advice: "refusing to push workflow files without the 'workflows' permission",
    },
    { refusal: 'Permission to octo/app.git denied to github-actions[bot].', advice: "it needs 'contents: write'" },
  ])('a push the remote refuses ($advice) says why in one line, never the token', async ({ refusal, advice }) => {
    // GitHub's own refusals, as a pre-receive hook of the real remote prints them.
    const hook = path.join(remote.server.bareDir('octo', 'app'), 'hooks', 'pre-receive');
    await writeFile(hook, `#!/bin/sh\necho ${JSON.stringify(refusal)} >&2\nexit 1\n`, { mode: 0o755 });
    const error = await git
      .push({ remote: 'origin', branch: 'refused', source: remote.headSha, expectedRemoteSha: undefined, token: remote.token })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    await rm(hook);
    expect(error).toBeInstanceOf(GitError);
    const message = (error as GitError).message;
    expect(message).toContain(advice);
    expect(message).not.toContain('\n');
    expect(message).not.toContain(remote.token);
  });

  it('a wrong token fails with a GitError that names the command and the reason, never the token', async () => {
    const wrong = 'ghs_wrong_token_value';
    const error = await git.lsRemoteBranch('origin', 'main', wrong).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GitError);
    const message = (error as GitError).message;
    expect(message).toMatch(/^git ls-remote --heads -- origin refs\/heads\/main failed/);
    expect(message).toMatch(/the remote refused the credentials/);
    expect(message).not.toContain(wrong);
  });
});

describe('tokenEnvironment and meaningfulStderr', () => {
  it('scopes the header to the URL origin and clears an inherited header first', () => {
    const env = tokenEnvironment('https://x:y@github.example:8443/octo/app.git', 'tok');
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.https://github.example:8443/.extraheader',
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: 'http.https://github.example:8443/.extraheader',
      GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${Buffer.from('x-access-token:tok').toString('base64')}`,
    });
    expect(tokenEnvironment('git@github.com:octo/app.git', 'tok')).toEqual({});
    expect(tokenEnvironment('/srv/repo.git', 'tok')).toEqual({});
  });

  it('picks the ref status and the last error line, not hints', () => {
    const stderr = [
      'To http://127.0.0.1:1/octo/app.git',
      ' ! [rejected]        abc -> autofix/main (stale info)',
      "error: failed to push some refs to 'http://127.0.0.1:1/octo/app.git'",
      'hint: Updates were rejected',
      '',
    ].join('\n');
    expect(meaningfulStderr(stderr)).toBe(
      "! [rejected]        abc -> autofix/main (stale info); error: failed to push some refs to 'http://127.0.0.1:1/octo/app.git'",
    );
    expect(meaningfulStderr('warning: x\nfatal: bad revision\n')).toBe('fatal: bad revision');
    expect(meaningfulStderr('just text\n')).toBe('just text');
  });
});

describe('createGit: credentials by kind of remote', () => {
  it('an ssh remote gets the ssh agent socket and never the token; an http one the header and never the socket', async () => {
    const calls: ExecCall[] = [];
    const git = createGit({
      exec: async (command, args, options) => {
        calls.push({ command, args, options });
        return { exitCode: 0, stdout: '', stderr: '' };
      },
      cwd: os.tmpdir(),
      logger: testLogger(),
    });
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = '/tmp/agent.sock';
    try {
      await git.lsRemoteBranch('ssh://git@example.invalid/o/r.git', 'main', 'ghs_secret');
      await git.lsRemoteBranch('https://example.invalid/o/r.git', 'main', 'ghs_secret');
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
    }
    const [ssh, https] = calls.map((call) => JSON.stringify(call.options.env ?? {}));
    expect(ssh).toContain('"SSH_AUTH_SOCK":"/tmp/agent.sock"');
    expect(ssh).not.toContain('GIT_CONFIG_VALUE');
    expect(https).toContain('AUTHORIZATION: basic');
    expect(https).not.toContain('SSH_AUTH_SOCK');
  });
});
