/**
 * Applies a fix plan in the workspace, one fixer at a time: resolve the tool, snapshot, apply,
 * guard, verify; keep a verified change, revert everything else. In a dry run every change is
 * reverted after verification, so the workspace ends exactly as it started.
 */
import type { Failure } from '../analysis/types.js';
import { getErrorMessage } from '../errors.js';
import type { Exec } from '../exec.js';
import { toolEnvironment } from '../fixers/tools.js';
import type { FixContext, Fixer, FixOutcome, VerifyOutcome } from '../fixers/types.js';
import type { Logger } from '../logging.js';
import type { FixResult } from '../model.js';
import type { FixPlan, PlannedFix } from '../plan/plan.js';
import { checkWorkspacePath } from '../validate/paths.js';
import { DEFAULT_GUARD_LIMITS, type GuardLimits, type TreeChange, WorkspaceGuard } from './guard.js';

export interface ApplyOptions {
  workspace: string;
  plan: Pick<FixPlan, 'planned'>;
  exec: Exec;
  logger: Logger;
  /** Environment tools start from; the workspace's tool directories are put first on its PATH. */
  env: Record<string, string | undefined>;
  dryRun: boolean;
  limits?: GuardLimits;
}

const DRY_RUN_NOTE = 'dry run: reverted';

/** Failures whose `file` passes path validation; the others with the reason they were refused. */
async function acceptedFailures(workspace: string, failures: readonly Failure[]): Promise<{ accepted: Failure[]; refused: string[] }> {
  const accepted: Failure[] = [];
  const refused: string[] = [];
  for (const failure of failures) {
    if (failure.file === undefined) {
      accepted.push(failure);
      continue;
    }
    const checked = await checkWorkspacePath(workspace, failure.file);
    if (checked.ok) accepted.push({ ...failure, file: checked.path });
    else refused.push(checked.reason);
  }
  return { accepted, refused };
}

function result(fixer: Fixer, failures: readonly Failure[], fields: Omit<FixResult, 'fixer' | 'failures'>): FixResult {
  return { fixer: fixer.id, failures: failures.map((failure) => failure.fingerprint), ...fields };
}

function workspacePaths(changes: readonly TreeChange[]): string[] {
  return changes.map((change) => change.path ?? change.repoPath);
}

async function applyOne(planned: PlannedFix, guard: WorkspaceGuard, options: ApplyOptions, env: Record<string, string | undefined>): Promise<FixResult> {
  const { fixer } = planned;
  const { accepted, refused } = await acceptedFailures(guard.workspace, planned.failures);
  const refusedNote = refused.length > 0 ? ` Refused paths from the log: ${refused.join('; ')}.` : '';
  if (accepted.length === 0) {
    return result(fixer, [], { status: 'skipped', description: `${fixer.id} not applied`, files: [], reason: `every path it was given was refused.${refusedNote}` });
  }
  const ctx: FixContext = { workspace: guard.workspace, failures: accepted, exec: options.exec, logger: options.logger, env };

  let tool;
  try {
    tool = await fixer.resolveTool(ctx);
  } catch (error: unknown) {
    return result(fixer, accepted, { status: 'skipped', description: `${fixer.id} not applied`, files: [], reason: `finding its tool failed: ${getErrorMessage(error)}` });
  }
  if (tool === undefined) {
    const hint = fixer.toolHint !== undefined ? `: ${fixer.toolHint}` : '';
    return result(fixer, accepted, { status: 'skipped', description: `${fixer.id} not applied`, files: [], reason: `the tool for ${fixer.id} was not found in the workspace or on PATH${hint}` });
  }

  const before = await guard.snapshot();
  let outcome: FixOutcome;
  try {
    outcome = await fixer.apply(ctx, tool);
  } catch (error: unknown) {
    const changes = await guard.changes(before, await guard.snapshot());
    if (changes.length > 0) await guard.revert(before, changes);
    return result(fixer, accepted, { status: 'reverted-unverified', description: `${fixer.id} failed`, files: [], reason: `applying failed: ${getErrorMessage(error)}${refusedNote}` });
  }
  const changes = await guard.changes(before, await guard.snapshot());
  if (changes.length === 0) {
    const why = outcome.changed ? 'it ran but changed nothing git tracks' : outcome.description;
    return result(fixer, accepted, { status: 'skipped', description: outcome.description, files: [], reason: `no change: ${why}${refusedNote}` });
  }

  const violations = await guard.violations(changes, fixer.touches);
  if (violations.length > 0) {
    await guard.revert(before, changes);
    return result(fixer, accepted, { status: 'reverted-guard', description: outcome.description, files: [], reason: `guard: ${violations.join('; ')}` });
  }

  let verified: VerifyOutcome;
  try {
    verified = await fixer.verify(ctx, tool, outcome);
  } catch (error: unknown) {
    verified = { ok: false, command: `${fixer.id} verify`, detail: getErrorMessage(error) };
  }
  if (!verified.ok) {
    await guard.revert(before, changes);
    return result(fixer, accepted, {
      status: 'reverted-unverified',
      description: outcome.description,
      files: [],
      verifyCommand: verified.command,
      reason: `verification failed: ${verified.detail ?? 'the check did not pass'}${refusedNote}`,
    });
  }
  const files = workspacePaths(changes);
  if (options.dryRun) await guard.revert(before, changes);
  return result(fixer, accepted, {
    status: 'verified',
    description: options.dryRun ? `${outcome.description} (${DRY_RUN_NOTE})` : outcome.description,
    files,
    verifyCommand: verified.command,
    ...(refused.length > 0 ? { reason: refusedNote.trim() } : {}),
  });
}

function logResult(logger: Logger, fix: FixResult): void {
  const verify = fix.verifyCommand !== undefined ? ` [${fix.verifyCommand}]` : '';
  switch (fix.status) {
    case 'verified':
      logger.info(`${fix.fixer}: verified${verify}: ${fix.description}; files: ${fix.files.join(', ')}`);
      break;
    case 'reverted-guard':
      logger.warning(`${fix.fixer}: reverted by the guard: ${fix.reason ?? ''}`);
      break;
    case 'reverted-unverified':
      logger.warning(`${fix.fixer}: reverted, not verified${verify}: ${fix.reason ?? ''}`);
      break;
    case 'skipped':
      logger.info(`${fix.fixer}: skipped: ${fix.reason ?? fix.description}`);
      break;
  }
}

export async function applyFixPlan(options: ApplyOptions): Promise<FixResult[]> {
  const guard = await WorkspaceGuard.open(options.workspace, options.exec, options.limits ?? DEFAULT_GUARD_LIMITS);
  try {
    const env = await toolEnvironment(guard.workspace, options.env);
    const start = await guard.snapshot();
    const results: FixResult[] = [];
    for (const planned of options.plan.planned) {
      const fix = await options.logger.group(`Fix: ${planned.fixer.id}`, () => applyOne(planned, guard, options, env));
      logResult(options.logger, fix);
      results.push(fix);
    }
    if (options.dryRun) {
      // Each fixer reverted its own change; this catches anything that slipped between them.
      const changes = await guard.changes(start, await guard.snapshot());
      if (changes.length > 0) await guard.revert(start, changes);
    }
    return results;
  } finally {
    await guard.close();
  }
}
