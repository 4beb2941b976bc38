/**
 * Whole-pipeline cases: each directory under __fixtures__/pipeline/<fixer>/<case>/ holds a job log
 * (`job.log`, or `job-*.log` for several jobs), the repository (`input/`) and `case.json`. The log
 * goes through the code the action and the CLI run — analyzeJobLogs (analysis, path mapping,
 * merging across jobs) and repairWorkspace (plan, guarded apply, verify) from src/pipeline.ts — on
 * a temporary git repository made from `input/`. Then the step's own command (an argument array,
 * never a shell) runs in the repository: it must pass after a verified fix and still fail after a
 * refusal, which must leave the repository exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Failure } from '../../src/analysis/types.js';
import { nodeExec } from '../../src/exec.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { createMemoryLogger } from '../../src/logging.js';
import type { JobLog } from '../../src/model.js';
import { analyzeJobLogs, failedStepCommands, repairWorkspace } from '../../src/pipeline.js';
import { FIX_TYPES } from '../../src/plan/plan.js';
import { DEFAULTS } from '../../src/settings.js';
import { PROJECT_ROOT, UNREACHABLE_INDEX, git, hashTree, linkNodeTool, makeRepo, removeRepo } from '../fixers/helpers.js';

const FIXTURES = path.join(PROJECT_ROOT, '__tests__', '__fixtures__', 'pipeline');

interface PipelineCase {
  /** Repository name the runner checked out (paths like /home/runner/work/<repo>/<repo>/…). */
  repoName?: string;
  nodeTools?: string[];
  /** Symlinks made in the repository before it is committed: link path → target ('$OUTSIDE' is a directory outside it). */
  symlinks?: Record<string, string>;
  /** The failed steps' own commands, as argument arrays, run in the repository after the fix. */
  commands?: string[][];
  expected: {
    status: 'verified' | 'applied-unverified' | 'skipped' | 'reverted-unverified' | 'reverted-guard';
    /** What the failures handled by the fixer name (file, missing path or module), workspace-relative, all of them. */
    named: string[];
    /** Files the verified fix changed or created. */
    files?: string[];
    /** Lines requirements.txt must hold afterwards (dependency fixes cannot be installed offline). */
    requirements?: string[];
    reasonIncludes?: string[];
  };
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((fixerDir) =>
    readdirSync(path.join(FIXTURES, fixerDir.name), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ fixer: fixerDir.name, name: entry.name, dir: path.join(FIXTURES, fixerDir.name, entry.name) })),
  );

const cleanups: string[] = [];
afterEach(() => {
  for (const dir of cleanups.splice(0)) removeRepo(dir);
});

function jobLogs(dir: string): JobLog[] {
  return readdirSync(dir)
    .filter((name) => /^job(?:-[\w-]+)?\.log$/.test(name))
    .sort()
    .map((name, index) => ({
      jobId: index + 1,
      jobName: name.replace(/\.log$/, ''),
      path: path.join(dir, name),
      bytes: statSync(path.join(dir, name)).size,
      truncated: false,
    }));
}

/** What a failure names for its fixer: a missing module, a missing path (as mapped, or as logged when outside), else its file. */
function named(failure: Failure): string | undefined {
  const subject =
    failure.category === 'import_missing_module'
      ? failure.data?.module
      : failure.category === 'missing_file'
        ? (failure.data?.path ?? failure.data?.logPath)
        : failure.file;
  return typeof subject === 'string' ? subject : undefined;
}

/** Runs a step's command as an argument array in the repository, with its node_modules/.bin first on PATH. */
function runStep(repo: string, argv: readonly string[]): { status: number | null; output: string } {
  const [command, ...args] = argv as [string, ...string[]];
  const PATH = [path.join(repo, 'node_modules', '.bin'), process.env.PATH ?? ''].join(path.delimiter);
  const result = spawnSync(command, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, PATH }, timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}` };
}

function prepareRepo(dir: string, spec: PipelineCase): string {
  const repo = makeRepo({}, path.join(dir, 'input'));
  cleanups.push(repo);
  for (const bin of spec.nodeTools ?? []) linkNodeTool(repo, bin);
  const links = Object.entries(spec.symlinks ?? {});
  if (links.length > 0) {
    const outside = makeRepo();
    cleanups.push(outside);
    for (const [link, target] of links) symlinkSync(target.replace('$OUTSIDE', outside), path.join(repo, link));
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'symlinks']);
  }
  return repo;
}

// The run takes its environment from the process: the dependency fix's wheel check must find no
// package index here (nothing in a test may reach the internet), so it stays applied, not verified.
let savedIndex: string | undefined;
beforeAll(() => {
  savedIndex = process.env.PIP_INDEX_URL;
  process.env.PIP_INDEX_URL = UNREACHABLE_INDEX;
});
afterAll(() => {
  if (savedIndex === undefined) delete process.env.PIP_INDEX_URL;
  else process.env.PIP_INDEX_URL = savedIndex;
});

describe('whole-pipeline cases', () => {
  it('has cases for every registered fixer', () => {
    for (const fixer of FIXERS) expect(cases.filter((c) => c.fixer === fixer.id).length, fixer.id).toBeGreaterThanOrEqual(2);
  });

  it.each(cases)('$fixer / $name', async ({ fixer: fixerId, dir }) => {
    const fixer = FIXERS.find((candidate) => candidate.id === fixerId);
    if (fixer === undefined) throw new Error(`no registered fixer ${fixerId}`);
    const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as PipelineCase;
    const repo = prepareRepo(dir, spec);
    const logger = createMemoryLogger();

    const analysis = await analyzeJobLogs(jobLogs(dir), { repoName: spec.repoName ?? 'app', logger });
    const handled = analysis.failures.filter((failure) => fixer.handles(failure));
    const context = JSON.stringify(analysis.failures, null, 2);
    // Every file the log names reaches the fixer: none is lost in detection, merging or mapping.
    expect([...new Set(handled.map(named))].sort(), context).toEqual([...spec.expected.named].sort());

    const before = hashTree(repo);
    const fixes = await repairWorkspace(
      repo,
      analysis.failures,
      // The action's defaults, with every fix type enabled (dependency and missing-file are opt-in).
      {
        confidenceThreshold: DEFAULTS.confidenceThreshold,
        maxFixes: DEFAULTS.maxFixes,
        fixTypes: FIX_TYPES,
        dryRun: false,
        useRepositoryTools: true,
      },
      { exec: nodeExec, logger },
      // The failed steps' own commands, replayed where they are recognised invocations, as in a run.
      failedStepCommands(analysis.jobs),
    );
    const fix = fixes.find((candidate) => candidate.fixer === fixerId);
    const fixText = JSON.stringify(fixes, null, 2);
    expect(fix?.status, fixText).toBe(spec.expected.status);
    for (const part of spec.expected.reasonIncludes ?? [])
      expect(`${fix?.reason ?? ''} ${fix?.description ?? ''}`, fixText).toContain(part);

    const kept = spec.expected.status === 'verified' || spec.expected.status === 'applied-unverified';
    if (kept) {
      // The fix answers for every failure it was given, and changed exactly the expected files.
      expect([...(fix?.failures ?? [])].sort(), fixText).toEqual(handled.map((failure) => failure.fingerprint).sort());
      expect([...(fix?.files ?? [])].sort(), fixText).toEqual([...(spec.expected.files ?? spec.expected.named)].sort());
    } else {
      expect(hashTree(repo)).toEqual(before);
      expect(git(repo, ['status', '--porcelain'])).toBe('');
    }
    if (spec.expected.requirements !== undefined) {
      const lines = readFileSync(path.join(repo, 'requirements.txt'), 'utf8').split('\n').filter(Boolean);
      expect(lines).toEqual(spec.expected.requirements);
    }
    for (const argv of spec.commands ?? []) {
      const step = runStep(repo, argv);
      if (kept) expect(step.status, `${argv.join(' ')}:\n${step.output}`).toBe(0);
      else expect(step.status, `${argv.join(' ')} should still fail:\n${step.output}`).not.toBe(0);
    }
  });
});
