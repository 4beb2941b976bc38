import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, GitError } from '../../src/errors.js';
import { nodeExec } from '../../src/exec.js';
import { createGit, tokenEnvironment, type Git } from '../../src/git/git.js';
import { AUTOFIXER_TRAILER, BOT_AUTHOR, isAutofixerCommit, publishFix, type PublishFixOptions } from '../../src/git/publish.js';
import { ISOLATED_ENV, plainGit, recordingExec, startRemote, testLogger, type ExecCall, type Remote } from './helpers.js';

const BRANCH = 'autofix/main';
const ZERO = '0'.repeat(40);

let remote: Remote;
let work: string;
let calls: ExecCall[];
let git: Git;

/** HEAD, the index and the work tree status: what publishing must leave as it found. */
async function workspaceState(dir: string): Promise<{ head: string; index: string; status: string; branches: string }> {
  return {
    head: await plainGit(['rev-parse', 'HEAD'], dir),
    index: await plainGit(['ls-files', '--stage'], dir),
    status: await plainGit(['status', '--porcelain', '--untracked-files=all'], dir),
    branches: await plainGit(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/'], dir),
  };
}

function options(overrides: Partial<PublishFixOptions> = {}): PublishFixOptions {
  return {
    git,
    remote: 'origin',
    baseSha: remote.headSha,
    branch: BRANCH,
    message: 'style: apply CI Autofixer fixes',
    files: ['src/app.py'],
    trailer: 'run 101',
    token: remote.token,
    ...overrides,
  };
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

/** Another writer's commit on BRANCH, pushed from its own checkout. */
async function pushFromElsewhere(name: string, content: string): Promise<string> {
  const other = await remote.checkout(name);
  await writeFile(path.join(other, 'README.md'), content);
  await plainGit(['commit', '-qam', `${name} was here`], other);
  await plainGit(['push', '-q', '--force', 'origin', `HEAD:refs/heads/${BRANCH}`], other, tokenEnvironment(remote.url, remote.token));
  return plainGit(['rev-parse', 'HEAD'], other);
}

describe('publishFix', () => {
  beforeEach(async () => {
    remote = await startRemote({ 'src/app.py': 'x=1\n', 'src/other.py': 'y = 2\n', 'README.md': '# app\n' });
    work = await remote.checkout('work');
    calls = [];
    git = createGit({ exec: recordingExec(calls), cwd: work, logger: testLogger(), env: ISOLATED_ENV });
  });
  afterEach(async () => {
    await remote.close();
  });

  it('pushes one bot commit with exactly the given files and leaves the checkout as it was', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    await writeFile(path.join(work, 'src/other.py'), 'not part of the fix\n');
    const before = await workspaceState(work);

    const published = await publishFix(options());

    expect(published.branch).toBe(BRANCH);
    expect((await remote.server.branches('octo', 'app'))[BRANCH]).toBe(published.commitSha);
    const bare = remote.server.bareDir('octo', 'app');
    expect(await plainGit(['show', `${published.commitSha}:src/app.py`], bare)).toBe('x = 1');
    expect(await plainGit(['diff-tree', '--no-commit-id', '--name-only', '-r', published.commitSha], bare)).toBe('src/app.py');
    expect(await plainGit(['rev-parse', `${published.commitSha}^`], bare)).toBe(remote.headSha);
    expect(await plainGit(['log', '-1', '--format=%an <%ae>%n%cn <%ce>%n%B', published.commitSha], bare)).toBe(
      `${BOT_AUTHOR.name} <${BOT_AUTHOR.email}>\n${BOT_AUTHOR.name} <${BOT_AUTHOR.email}>\nstyle: apply CI Autofixer fixes\n\n${AUTOFIXER_TRAILER}: run 101`,
    );
    expect(remote.server.pushes.map((push) => push.updates)).toEqual([
      [{ ref: `refs/heads/${BRANCH}`, oldSha: ZERO, newSha: published.commitSha }],
    ]);

    // HEAD and index untouched, the fix still in the work tree; the local branch names the commit.
    const after = await workspaceState(work);
    expect({ ...after, branches: '' }).toEqual({ ...before, branches: '' });
    expect(after.branches).toBe(`refs/heads/${BRANCH} ${published.commitSha}`);
  });

  it('hands the token to git only through the environment: not in argv, not in .git/config', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    await publishFix(options());
    const basic = Buffer.from(`x-access-token:${remote.token}`).toString('base64');
    expect(calls.length).toBeGreaterThan(5);
    for (const call of calls) {
      expect(call.command).toBe('git');
      expect(call.args.join('\u0000')).not.toContain(remote.token);
      expect(call.args.join('\u0000')).not.toContain(basic);
    }
    const withToken = calls.filter((call) => Object.values(call.options.env ?? {}).some((value) => value?.includes(basic)));
    expect(withToken.map((call) => call.args.find((arg) => ['ls-remote', 'push'].includes(arg)))).toEqual(['ls-remote', 'push']);
    for (const call of withToken) {
      expect(call.options.env?.GIT_CONFIG_KEY_1).toBe(`http.${remote.server.url}/.extraheader`);
      expect(call.options.env?.GIT_TERMINAL_PROMPT).toBe('0');
    }
    const config = await readFile(path.join(work, '.git', 'config'), 'utf8');
    expect(config).not.toContain(remote.token);
    expect(config).not.toContain(basic);
    expect(config).not.toMatch(/extraheader/i);
    expect(remote.server.pushes[0]?.user).toBe('x-access-token');
  });

  it('updates the branch on a second run, with the lease on the sha it saw', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const first = await publishFix(options());
    // The next run starts from a fresh state of the same checkout, as the integration test does.
    await plainGit(['checkout', '-q', '--', 'src/app.py'], work);
    await writeFile(path.join(work, 'src/app.py'), 'x = 1  # fixed again\n');

    const second = await publishFix(options({ trailer: 'run 102' }));

    expect(second.commitSha).not.toBe(first.commitSha);
    expect((await remote.server.branches('octo', 'app'))[BRANCH]).toBe(second.commitSha);
    expect(remote.server.pushes.at(-1)?.updates).toEqual([
      { ref: `refs/heads/${BRANCH}`, oldSha: first.commitSha, newSha: second.commitSha },
    ]);
    // Force-with-lease replaced the first fix instead of stacking on it.
    expect(await plainGit(['rev-parse', `${second.commitSha}^`], remote.server.bareDir('octo', 'app'))).toBe(remote.headSha);
    expect(await git.resolveCommit(`refs/heads/${BRANCH}`)).toBe(second.commitSha);
  });

  it('fails cleanly when someone else pushes between our read and our push (lease mismatch)', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const first = await publishFix(options());
    let theirs = '';
    const racing = createGit({
      exec: recordingExec(calls, async (call) => {
        if (call.args.includes('push') && theirs === '') theirs = await pushFromElsewhere('racer', 'someone else\n');
      }),
      cwd: work,
      logger: testLogger(),
      env: ISOLATED_ENV,
    });
    await writeFile(path.join(work, 'src/app.py'), 'x = 1  # second\n');
    const stateWithEdit = await workspaceState(work);

    const error = await caught(publishFix(options({ git: racing })));

    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toMatch(/stale info/);
    expect(error.message).toMatch(/someone else pushed/);
    expect(error.message).not.toContain(remote.token);
    // Their commit stands; our local branch is back on our previous fix; HEAD and index unchanged.
    expect((await remote.server.branches('octo', 'app'))[BRANCH]).toBe(theirs);
    expect(await workspaceState(work)).toEqual(stateWithEdit);
    expect(await git.resolveCommit(`refs/heads/${BRANCH}`)).toBe(first.commitSha);
  });

  it('a wrong token fails with a clear GitError and leaves nothing behind', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const before = await workspaceState(work);
    const wrong = 'ghs_definitely_wrong';

    const error = await caught(publishFix(options({ token: wrong })));

    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toMatch(/refused the credentials/);
    expect(error.message).not.toContain(wrong);
    expect(await workspaceState(work)).toEqual(before);
    expect(await remote.server.branches('octo', 'app')).toEqual({ main: remote.headSha });
    expect(remote.server.pushes).toEqual([]);
  });

  it('a push the server applied but the client saw fail is undone on the remote', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const before = await workspaceState(work);
    let dropped = false;
    // The real push runs; then the client reports a failure, as on a connection dropped after the server's answer.
    const flaky = createGit({
      exec: async (command, args, execOptions) => {
        calls.push({ command, args, options: execOptions });
        const result = await nodeExec(command, args, execOptions);
        if (!dropped && args.includes('push')) {
          dropped = true;
          return { exitCode: 128, stdout: '', stderr: 'fatal: the remote end hung up unexpectedly\n' };
        }
        return result;
      },
      cwd: work,
      logger: testLogger(),
      env: ISOLATED_ENV,
    });

    const error = await caught(publishFix(options({ git: flaky })));

    expect(error).toBeInstanceOf(GitError);
    expect(error.message).toMatch(/hung up/);
    expect(await remote.server.branches('octo', 'app')).toEqual({ main: remote.headSha });
    expect(remote.server.pushes.map((push) => push.updates[0]?.newSha)).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/), ZERO]);
    expect(await workspaceState(work)).toEqual(before);
  });

  it('a push that was moved back is put back where it was, with its objects fetched first', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const theirs = await pushFromElsewhere('earlier', 'an earlier fix\n');
    let dropped = false;
    const flaky = createGit({
      exec: async (command, args, execOptions) => {
        const result = await nodeExec(command, args, execOptions);
        if (!dropped && args.includes('push')) {
          dropped = true;
          return { exitCode: 128, stdout: '', stderr: 'fatal: the remote end hung up unexpectedly\n' };
        }
        return result;
      },
      cwd: work,
      logger: testLogger(),
      env: ISOLATED_ENV,
    });
    await caught(publishFix(options({ git: flaky })));
    expect((await remote.server.branches('octo', 'app'))[BRANCH]).toBe(theirs);
  });

  it('publishes from a shallow checkout (fetch-depth: 1, as actions/checkout does)', async () => {
    const shallow = await remote.checkout('shallow', 1);
    expect(await plainGit(['rev-parse', '--is-shallow-repository'], shallow)).toBe('true');
    await writeFile(path.join(shallow, 'src/app.py'), 'x = 1\n');
    const shallowGit = createGit({ exec: recordingExec([]), cwd: shallow, logger: testLogger(), env: ISOLATED_ENV });
    const published = await publishFix(options({ git: shallowGit }));
    expect((await remote.server.branches('octo', 'app'))[BRANCH]).toBe(published.commitSha);
  });

  it('replaces an extraheader that actions/checkout persisted, instead of sending two', async () => {
    // persist-credentials: true leaves a header in .git/config; here it carries a stale token.
    const stale = `AUTHORIZATION: basic ${Buffer.from('x-access-token:stale').toString('base64')}`;
    await plainGit(['config', '--local', `http.${remote.server.url}/.extraheader`, stale], work);
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const published = await publishFix(options());
    expect((await remote.server.branches('octo', 'app'))[BRANCH]).toBe(published.commitSha);
    expect(await readFile(path.join(work, '.git', 'config'), 'utf8')).toContain(stale);
  });

  it('uses the configured author when one is given', async () => {
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    const published = await publishFix(options({ author: { name: 'Fixer Bot', email: 'fixer@example.com' } }));
    expect(await plainGit(['log', '-1', '--format=%an <%ae>', published.commitSha], remote.server.bareDir('octo', 'app'))).toBe(
      'Fixer Bot <fixer@example.com>',
    );
  });

  it('rejects invalid branch names with a ConfigurationError before doing anything', async () => {
    for (const branch of ['autofix/bad name', 'autofix/a..b', '-autofix', 'autofix/x.lock', 'autofix/x~1', 'autofix/', 'autofix/a:b']) {
      const error = await caught(publishFix(options({ branch })));
      expect(error, branch).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('check-ref-format');
    }
    expect(calls.some((call) => call.args.includes('ls-remote') || call.args.includes('push'))).toBe(false);
  });

  it('rejects files outside the workspace, no files, and a base commit the checkout lacks', async () => {
    await expect(publishFix(options({ files: ['../escape.py'] }))).rejects.toBeInstanceOf(ConfigurationError);
    await expect(publishFix(options({ files: ['/etc/passwd'] }))).rejects.toBeInstanceOf(ConfigurationError);
    await expect(publishFix(options({ files: [] }))).rejects.toBeInstanceOf(ConfigurationError);
    await expect(publishFix(options({ baseSha: 'f'.repeat(40) }))).rejects.toThrow(/not in the checkout/);
  });

  it('refuses to publish nothing, and leaves no branch', async () => {
    const before = await workspaceState(work);
    await expect(publishFix(options())).rejects.toThrow(/nothing to publish/);
    expect(await workspaceState(work)).toEqual(before);
    expect(await remote.server.branches('octo', 'app')).toEqual({ main: remote.headSha });
  });

  it('refuses when the fix branch itself is checked out', async () => {
    await plainGit(['checkout', '-q', '-b', BRANCH], work);
    await writeFile(path.join(work, 'src/app.py'), 'x = 1\n');
    await expect(publishFix(options())).rejects.toThrow(/checked out/);
  });
});

describe('isAutofixerCommit', () => {
  it.each([
    ['style: apply CI Autofixer fixes\n\nCI-Autofixer: run 41\n', true],
    ['fix\n\nSigned-off-by: A <a@example.com>\nCI-Autofixer: run 1', true],
    ['fix\n\nci-autofixer: run 1\n', true],
    ['Squashed\n\n* style\n\nCI-Autofixer: run 3\n\n* more work\n', true],
    ['fix: mention CI-Autofixer in prose\n', false],
    ['fix\n\nCI-Autofixer:\n', false],
    ['fix\n\nCI-Autofixer-Like: run 1\n', false],
    ['', false],
  ])('%j → %s', (message, expected) => {
    expect(isAutofixerCommit(message)).toBe(expected);
  });
});
