/** Temporary git repositories for fixer, guard and apply tests. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Failure } from '../../src/analysis/types.js';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURES = path.join(PROJECT_ROOT, '__tests__', '__fixtures__', 'fixers');

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  });
}

/** A new git repository holding `files` (path → content), committed. */
export function makeRepo(files: Record<string, string> = {}, fromDir?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-fix-'));
  if (fromDir !== undefined) cpSync(fromDir, dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'core.autocrlf', 'false']);
  writeFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules/\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '--allow-empty', '-m', 'fixture']);
  return dir;
}

/** Links this project's copy of a Node tool into the repository's node_modules/.bin (ignored by git). */
export function linkNodeTool(repo: string, bin: string): void {
  mkdirSync(path.join(repo, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', bin), path.join(repo, 'node_modules', '.bin', bin));
}

export function removeRepo(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Relative path → sha256 of every file outside .git (and node_modules), for exact before/after comparison. */
export function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      const full = path.join(current, entry.name);
      if (entry.isSymbolicLink()) hashes[path.relative(dir, full)] = `symlink → ${readlinkSync(full)}`;
      else if (entry.isDirectory()) {
        hashes[`${path.relative(dir, full)}/`] = 'dir';
        walk(full);
      } else hashes[path.relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return hashes;
}

let counter = 0;
export function failure(fields: Partial<Failure> & Pick<Failure, 'category' | 'tool' | 'message'>): Failure {
  counter += 1;
  return { detector: 'test', fingerprint: `fp-${counter}`, occurrences: 1, logLines: [1, 1], confidence: 0.9, ...fields };
}

/** A package index nobody listens on (the discard port): pip fails at once, and no test needs the internet. */
export const UNREACHABLE_INDEX = 'http://127.0.0.1:9/simple/';
