/**
 * Applies a fix plan in the workspace, one fixer at a time: resolve the tool, snapshot, apply,
 * guard, verify; keep a verified change, revert everything else. In a dry run every change is
 * reverted after verification, so the workspace ends exactly as it started.
 */
import type { Failure } from '../analysis/types.js';
import { getErrorMessage, ToolUnavailableError } from '../errors.js';
import type { Exec } from '../exec.js';
import { childEnvironment, createPrivateDirs } from '../environment.js';
import { toolPath, workspaceBinDirs } from '../fixers/tools.js';
import type { FixContext, Fixer, FixOutcome, ToolResolution, VerifyOutcome } from '../fixers/types.js';
import type { Logger } from '../logging.js';
import type { FixResult, StepCommand, VerificationCheck } from '../model.js';
import type { FixPlan, PlannedFix } from '../plan/plan.js';
import { checkWorkspacePath } from '../validate/paths.js';
import { DEFAULT_GUARD_LIMITS, type GuardLimits, type GuardSnapshot, type TreeChange, WorkspaceGuard } from './guard.js';
import type { ProtectedChange } from './protected.js';
import { checkText, StepReplays, type KeptFix } from './step-replay.js';

export interface ApplyOptions {
  workspace: string;
  plan: Pick<FixPlan, 'planned'>;
  exec: Exec;
  logger: Logger;
  /**
   * The environment whose allow-listed variables (PATH, locale) tools inherit; never passed on
   * whole (see ../environment.ts). Each fixer gets its own private HOME and TMPDIR.
   */
  env: Record<string, string | undefined>;
  /** Let fixers run the repository's own tools (node_modules/.bin, .venv/bin): its author's code. */
  useRepositoryTools: boolean;
  /** install-tools: install a tool's pinned version when another (or none) is found. Default false. */
  installTools?: boolean;
  dryRun: boolean;
  limits?: GuardLimits;
  /** When it aborts (the run's time budget), no further fixer starts and running tools are stopped. */
  signal?: AbortSignal;
  /** A session the caller opened (to restore the workspace itself later); one is opened otherwise. */
  session?: RepairSession;
  /**
   * The failed steps' commands, by job: a fix of a failure reported in such a step is also checked
   * by replaying the step's command when it is a recognised invocation (./replay.ts).
   */
  steps?: readonly JobStepCommand[];
}

/** A failed step's command and the job it ran in (failures carry both in `job` and `step`). */
export interface JobStepCommand extends StepCommand {
  job: string;
}

/** The guard and the workspace's state before any fixer ran, for restoring it whatever happens. */
export interface RepairSession {
  guard: WorkspaceGuard;
  start: GuardSnapshot;
}

export async function openRepairSession(workspace: string, exec: Exec, limits: GuardLimits = DEFAULT_GUARD_LIMITS): Promise<RepairSession> {
  const guard = await WorkspaceGuard.open(workspace, exec, limits);
  try {
    return { guard, start: await guard.snapshot() };
  } catch (error: unknown) {
    await guard.close();
    throw error;
  }
}

const DRY_RUN_NOTE = 'dry run: reverted';

/** A fix's result and, when it is kept in the workspace, the change it made (for a later replay's revert). */
interface AppliedFix {
  fix: FixResult;
  kept?: Omit<KeptFix, 'fix'>;
}

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

/**
 * Undoes everything since `before`; the note names what could not be put back. When the changes
 * since `before` are already known they are reverted as they are, without another snapshot.
 */
async function undo(
  guard: WorkspaceGuard,
  before: GuardSnapshot,
  known?: { changes: readonly TreeChange[]; protectedChanges: readonly ProtectedChange[] },
): Promise<string> {
  const left = known === undefined ? await guard.restore(before) : await guard.revert(before, known.changes, known.protectedChanges);
  return left.length > 0 ? ` Not restored: ${left.join('; ')}.` : '';
}

interface FixRun {
  planned: PlannedFix;
  guard: WorkspaceGuard;
  options: ApplyOptions;
  env: Record<string, string>;
}

/** A fixer that has its failures and its tool, ready to run. */
interface ReadyFix {
  fixer: Fixer;
  guard: WorkspaceGuard;
  options: ApplyOptions;
  ctx: FixContext;
  tool: ToolResolution;
  accepted: Failure[];
  /** The sentence on the log's refused paths, or ''. */
  refusedNote: string;
  refused: string[];
}

/** A fix's change that the guard let through: the snapshots around it and what it changed. */
interface GuardedChange {
  outcome: FixOutcome;
  before: GuardSnapshot;
  after: GuardSnapshot;
  changes: TreeChange[];
  protectedChanges: ProtectedChange[];
}

async function applyOne({ planned, guard, options, env }: FixRun): Promise<AppliedFix> {
  const ready = await prepareFix(planned, guard, options, env);
  if ('status' in ready) return { fix: ready };
  const guarded = await applyAndGuard(ready);
  if ('status' in guarded) return { fix: guarded };
  return verifyAndKeep(ready, guarded);
}

/**
 * The runner's package index settings (PIP_INDEX_URL, npm's registry), for our own downloads and
 * tool installs only (see FixContext.packageIndexEnv).
 */
function packageIndexOf(env: Record<string, string | undefined>): { packageIndexEnv?: Record<string, string> } {
  const names = ['PIP_INDEX_URL', 'npm_config_registry', 'NPM_CONFIG_REGISTRY'];
  const found = Object.fromEntries(names.flatMap((name) => (env[name] !== undefined && env[name] !== '' ? [[name, env[name]]] : [])));
  return Object.keys(found).length > 0 ? { packageIndexEnv: found } : {};
}

/** Checks the failures' paths and finds the tool; a skipped result when either leaves nothing to run. */
async function prepareFix(
  planned: PlannedFix,
  guard: WorkspaceGuard,
  options: ApplyOptions,
  env: Record<string, string>,
): Promise<ReadyFix | FixResult> {
  const { fixer } = planned;
  const { accepted, refused } = await acceptedFailures(guard.workspace, planned.failures);
  const refusedNote = refused.length > 0 ? ` Refused paths from the log: ${refused.join('; ')}.` : '';
  if (accepted.length === 0) {
    return result(fixer, [], {
      status: 'skipped',
      description: `${fixer.id} not applied`,
      files: [],
      reason: `every path it was given was refused.${refusedNote}`,
    });
  }
  const ctx: FixContext = {
    workspace: guard.workspace,
    failures: accepted,
    exec: options.exec,
    logger: options.logger,
    env,
    useRepositoryTools: options.useRepositoryTools,
    installTools: options.installTools ?? false,
    ...packageIndexOf(options.env),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };

  let tool;
  try {
    tool = await fixer.resolveTool(ctx);
  } catch (error: unknown) {
    const why = error instanceof ToolUnavailableError ? error.message : `finding its tool failed: ${getErrorMessage(error)}`;
    return result(fixer, accepted, { status: 'skipped', description: `${fixer.id} not applied`, files: [], reason: why });
  }
  if (tool === undefined) {
    const hint = fixer.toolHint !== undefined ? `; ${fixer.toolHint}` : '';
    const where = options.useRepositoryTools
      ? 'in the workspace or on PATH'
      : "on PATH (the repository's own tools are not used: use-repository-tools is false)";
    return result(fixer, accepted, {
      status: 'skipped',
      description: `${fixer.id} not applied`,
      files: [],
      reason: `${fixer.toolName ?? fixer.id} not available: not found ${where}${hint}`,
    });
  }
  return { fixer, guard, options, ctx, tool, accepted, refusedNote, refused };
}

/** Runs the fixer between two snapshots; a result when it failed, changed nothing or broke the guard's rules (reverted). */
async function applyAndGuard({ fixer, guard, ctx, tool, accepted, refusedNote }: ReadyFix): Promise<GuardedChange | FixResult> {
  const before = await guard.snapshot();
  let outcome: FixOutcome;
  try {
    outcome = await fixer.apply(ctx, tool);
  } catch (error: unknown) {
    const left = await undo(guard, before);
    return result(fixer, accepted, {
      status: 'reverted-unverified',
      description: `${fixer.id} failed`,
      files: [],
      reason: `applying failed: ${getErrorMessage(error)}${refusedNote}${left}`,
    });
  }
  const after = await guard.snapshot();
  const changes = await guard.changes(before, after);
  const protectedChanges = guard.protectedChanges(before, after);
  if (changes.length === 0 && protectedChanges.length === 0) {
    const why = outcome.changed ? 'it ran but changed nothing git tracks' : outcome.description;
    return result(fixer, accepted, {
      status: 'skipped',
      description: outcome.description,
      files: [],
      reason: `no change: ${why}${refusedNote}`,
    });
  }

  const violations = await guard.violations(
    changes,
    { touches: fixer.touches, creates: fixer.creates ?? [], named: outcome.files },
    protectedChanges,
  );
  if (violations.length > 0) {
    const left = await undo(guard, before, { changes, protectedChanges });
    return result(fixer, accepted, {
      status: 'reverted-guard',
      description: outcome.description,
      files: [],
      reason: `guard: ${violations.join('; ')}${left}`,
    });
  }
  return { outcome, before, after, changes, protectedChanges };
}

/** The fixer's check as a report entry: 'sanity' unless the fixer says it re-ran the failing check. */
function checkOf(verified: VerifyOutcome): VerificationCheck {
  return {
    kind: verified.strength === 'check' ? 'fixer-check' : 'sanity',
    command: verified.command,
    ...(verified.exitCode !== undefined ? { exitCode: verified.exitCode } : {}),
    passed: verified.ok,
  };
}

async function runVerify(fixer: Fixer, ctx: FixContext, tool: ToolResolution, outcome: FixOutcome): Promise<VerifyOutcome> {
  try {
    return await fixer.verify(ctx, tool, outcome);
  } catch (error: unknown) {
    return { ok: false, command: `${fixer.id} verify`, detail: getErrorMessage(error) };
  }
}

/**
 * Runs the fixer's check; keeps the change when it passes and changed nothing itself, reverts it
 * otherwise. A check that is only a sanity check keeps the change as "applied, not verified". In a
 * dry run kept changes are reverted at the end of the plan, after the replays.
 */
async function verifyAndKeep(ready: ReadyFix, guarded: GuardedChange): Promise<AppliedFix> {
  const { fixer, guard, options, ctx, tool, accepted, refusedNote, refused } = ready;
  const { outcome, before, after, changes, protectedChanges } = guarded;
  const verified = await runVerify(fixer, ctx, tool, outcome);
  const checks = [checkOf(verified)];
  // The check runs tools too: what it changed is judged like the fix itself.
  const checked = await guard.snapshot();
  const sneaked = guard.protectedChanges(after, checked);
  const alsoChanged = await guard.changes(after, checked);
  if (sneaked.length > 0 || alsoChanged.length > 0) {
    const left = await undo(guard, before);
    const what = [...sneaked.map((change) => change.path), ...alsoChanged.map((change) => change.repoPath)].join(', ');
    return {
      fix: result(fixer, accepted, {
        status: 'reverted-guard',
        description: outcome.description,
        files: [],
        checks,
        reason: `guard: the check changed files (${what})${left}`,
      }),
    };
  }
  if (!verified.ok) {
    // The check changed nothing (above): the changes since `before` are the fix's.
    const left = await undo(guard, before, { changes, protectedChanges });
    return {
      fix: result(fixer, accepted, {
        status: 'reverted-unverified',
        description: outcome.description,
        files: [],
        verifyCommand: verified.command,
        checks,
        reason: `verification failed: \`${verified.command}\`${verified.exitCode !== undefined ? ` exited with ${verified.exitCode}` : ' did not pass'}: ${verified.detail ?? 'the check did not pass'}${refusedNote}${left}`,
      }),
    };
  }
  const sanityOnly = verified.strength !== 'check';
  const why = sanityOnly
    ? `not verified: only a sanity check ran (\`${verified.command}\`), nothing re-ran the failing check${verified.detail !== undefined ? `: ${verified.detail}` : ''}`
    : undefined;
  const reason = [why, refused.length > 0 ? refusedNote.trim() : undefined].filter((part) => part !== undefined).join(' ');
  const fix = result(fixer, accepted, {
    status: sanityOnly ? 'applied-unverified' : 'verified',
    description: options.dryRun ? `${outcome.description} (${DRY_RUN_NOTE})` : outcome.description,
    files: workspacePaths(changes),
    verifyCommand: verified.command,
    checks,
    ...(reason !== '' ? { reason } : {}),
  });
  return { fix, kept: { before, changes, failures: accepted } };
}

function checksText(fix: FixResult): string {
  const checks = fix.checks ?? [];
  if (checks.length === 0) return fix.verifyCommand !== undefined ? ` [${fix.verifyCommand}]` : '';
  return ` [${checks.map(checkText).join('; ')}]`;
}

function logResult(logger: Logger, fix: FixResult): void {
  const checks = checksText(fix);
  const notReplayed = fix.notReplayed !== undefined ? ` (${fix.notReplayed})` : '';
  switch (fix.status) {
    case 'verified':
      logger.info(`${fix.fixer}: verified${checks}${notReplayed}: ${fix.description}; files: ${fix.files.join(', ')}`);
      break;
    case 'applied-unverified':
      logger.warning(`${fix.fixer}: applied, not verified${checks}: ${fix.reason ?? ''}; files: ${fix.files.join(', ')}`);
      break;
    case 'reverted-guard':
      logger.warning(`${fix.fixer}: reverted by the guard: ${fix.reason ?? ''}`);
      break;
    case 'reverted-unverified':
      logger.warning(`${fix.fixer}: reverted, not verified${checks}: ${fix.reason ?? ''}`);
      break;
    case 'skipped':
      logger.info(`${fix.fixer}: skipped: ${fix.reason ?? fix.description}`);
      break;
  }
}

/** One fixer in its own private HOME and TMPDIR; whatever it throws becomes its result. */
async function runFixer(planned: PlannedFix, session: RepairSession, options: ApplyOptions): Promise<AppliedFix> {
  const dirs = await createPrivateDirs();
  try {
    const bins = options.useRepositoryTools ? await workspaceBinDirs(session.guard.workspace) : [];
    const env = childEnvironment(options.env, dirs, { PATH: toolPath(bins, options.env.PATH) });
    return await applyOne({ planned, guard: session.guard, options, env });
  } catch (error: unknown) {
    // The guard itself failed (git missing mid-run, a file it could not read): put back what can be.
    const left = await undo(session.guard, session.start).catch(
      (undoError: unknown) => ` Restoring failed: ${getErrorMessage(undoError)}.`,
    );
    return {
      fix: result(planned.fixer, planned.failures, {
        status: 'reverted-unverified',
        description: `${planned.fixer.id} failed`,
        files: [],
        reason: `the guard could not check it: ${getErrorMessage(error)}${left}`,
      }),
    };
  } finally {
    await dirs.dispose();
  }
}

/**
 * Runs each planned fixer in order, then (after the last fixer of a failed step) replays that
 * step's command. Kept fixes stay in the workspace; in a dry run everything is put back at the end.
 */
export async function applyFixPlan(options: ApplyOptions): Promise<FixResult[]> {
  const session = options.session ?? (await openRepairSession(options.workspace, options.exec, options.limits ?? DEFAULT_GUARD_LIMITS));
  try {
    const replays = await StepReplays.plan(options.steps ?? [], options.plan.planned, {
      guard: session.guard,
      exec: options.exec,
      logger: options.logger,
      env: options.env,
      useRepositoryTools: options.useRepositoryTools,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    const results: FixResult[] = [];
    for (const [index, planned] of options.plan.planned.entries()) {
      if (options.signal?.aborted) {
        const fix = result(planned.fixer, planned.failures, {
          status: 'skipped',
          description: `${planned.fixer.id} not applied`,
          files: [],
          reason: 'the time budget (timeout-minutes) was used up before it could run',
        });
        results.push(fix);
        await replays.afterFixer(index, fix, undefined);
        continue;
      }
      const applied = await options.logger.group(`Fix: ${planned.fixer.id}`, async () => {
        const outcome = await runFixer(planned, session, options);
        if (outcome.kept !== undefined) {
          const note = replays.notReplayedNote(outcome.kept.failures);
          if (note !== undefined) outcome.fix.notReplayed = note;
        }
        logResult(options.logger, outcome.fix);
        return outcome;
      });
      results.push(applied.fix);
      await replays.afterFixer(index, applied.fix, applied.kept);
    }
    // Kept fixes stayed for the replays; a dry run now puts everything back.
    if (options.dryRun) await session.guard.restore(session.start);
    return results;
  } finally {
    if (options.session === undefined) await session.guard.close();
  }
}
