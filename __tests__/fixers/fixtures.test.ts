/**
 * Every case under __fixtures__/fixers/<fixer>/<case>/ runs the real tool through applyFixPlan on a
 * temporary git repository made from `input/`: failures.json is what the detectors would hand
 * over, case.json the expected result, `expected/` the files a verified fix must produce. A case
 * that is not verified must leave the repository exactly as it was.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Failure } from '../../src/analysis/types.js';
import { applyFixPlan } from '../../src/apply/apply.js';
import { nodeExec } from '../../src/exec.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { createMemoryLogger } from '../../src/logging.js';
import { FIXTURES, UNREACHABLE_INDEX, failure, git, hashTree, linkNodeTool, makeRepo, removeRepo } from './helpers.js';

interface CaseFile {
  nodeTools?: string[];
  /** Run with an empty PATH (the tool is then only found in the workspace, if at all). */
  emptyPath?: boolean;
  expected: {
    status: string;
    files?: string[];
    verifyCommand?: string;
    reasonIncludes?: string | string[];
    descriptionIncludes?: string;
    /** How many failures the result names (default: all of failures.json). */
    failures?: number;
  };
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((fixerDir) =>
    readdirSync(path.join(FIXTURES, fixerDir.name), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ fixer: fixerDir.name, name: entry.name, dir: path.join(FIXTURES, fixerDir.name, entry.name) })),
  );

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

const repos: string[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) removeRepo(repo);
});

describe('fixer fixtures', () => {
  it('has at least one case for every registered fixer', () => {
    for (const fixer of FIXERS)
      expect(
        cases.some((c) => c.fixer === fixer.id),
        fixer.id,
      ).toBe(true);
  });

  it.each(cases)('$fixer / $name', async ({ fixer: fixerId, dir }) => {
    const fixer = FIXERS.find((candidate) => candidate.id === fixerId);
    expect(fixer, `no registered fixer ${fixerId}`).toBeDefined();
    if (fixer === undefined) return;
    const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as CaseFile;
    const raw = JSON.parse(readFileSync(path.join(dir, 'failures.json'), 'utf8')) as Array<
      Pick<Failure, 'category' | 'tool' | 'message'> & Partial<Failure>
    >;
    const failures = raw.map((fields) => failure(fields));
    for (const f of failures) expect(fixer.handles(f), `${fixerId} should handle ${f.message}`).toBe(true);

    const repo = makeRepo({}, existsSync(path.join(dir, 'input')) ? path.join(dir, 'input') : undefined);
    repos.push(repo);
    for (const bin of spec.nodeTools ?? []) linkNodeTool(repo, bin);
    const before = hashTree(repo);
    const logger = createMemoryLogger();
    // No test needs the internet: the dependency fixer's wheel download goes to a closed local port.
    const env = { ...process.env, PIP_INDEX_URL: UNREACHABLE_INDEX, ...(spec.emptyPath ? { PATH: '' } : {}) };

    const [result, ...rest] = await applyFixPlan({
      workspace: repo,
      plan: { planned: [{ fixer, failures }] },
      exec: nodeExec,
      logger,
      env,
      useRepositoryTools: true,
      dryRun: false,
    });
    expect(rest).toEqual([]);
    const context = JSON.stringify(result, null, 2);
    expect(result?.status, context).toBe(spec.expected.status);
    expect(result?.failures.length, context).toBe(spec.expected.failures ?? failures.length);
    for (const part of [spec.expected.reasonIncludes ?? []].flat()) expect(result?.reason ?? '', context).toContain(part);
    if (spec.expected.descriptionIncludes !== undefined)
      expect(result?.description ?? '', context).toContain(spec.expected.descriptionIncludes);
    if (spec.expected.verifyCommand !== undefined) expect(result?.verifyCommand).toBe(spec.expected.verifyCommand);

    // Both are kept in the workspace (and pushed); only 'verified' counts as fixed.
    if (spec.expected.status === 'verified' || spec.expected.status === 'applied-unverified') {
      expect([...(result?.files ?? [])].sort()).toEqual([...(spec.expected.files ?? [])].sort());
      const expectedDir = path.join(dir, 'expected');
      const expectedFiles = existsSync(expectedDir) ? listFiles(expectedDir) : [];
      expect(expectedFiles.length, `${dir}/expected/ must hold the fixed files`).toBeGreaterThan(0);
      for (const file of expectedFiles) {
        expect(readFileSync(path.join(repo, file), 'utf8'), file).toBe(readFileSync(path.join(expectedDir, file), 'utf8'));
      }
      // The fix is left in the working tree for the publisher: not staged, not committed.
      expect(git(repo, ['diff', '--cached', '--name-only'])).toBe('');
    } else {
      expect(result?.files).toEqual([]);
      expect(hashTree(repo)).toEqual(before);
      expect(git(repo, ['status', '--porcelain'])).toBe('');
    }
  });
});
