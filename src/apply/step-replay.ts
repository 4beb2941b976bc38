/**
 * Verification by replay, per failed step. Several fixers can answer one step (a script running
 * isort and black; black reporting files that isort also reported), so a step's command is replayed
 * once, after the last planned fixer that addresses a failure of that step has run. When it passes,
 * every kept fix of that step records the replay (and a fix that only had a sanity check is now
 * verified: the failing check itself passed). When it fails, every kept fix of that step is
 * reverted, together with any later kept fix that changed the same files (their changes cannot be
 * told apart), and each reason names the replayed command and its exit status.
 */
import type { Failure } from '../analysis/types.js';
import { childEnvironment, createPrivateDirs } from '../environment.js';
import { getErrorMessage } from '../errors.js';
import type { Exec } from '../exec.js';
import { toolPath, workspaceBinDirs } from '../fixers/tools.js';
import type { FixContext } from '../fixers/types.js';
import type { Logger } from '../logging.js';
import type { FixResult, StepCommand, VerificationCheck } from '../model.js';
import type { PlannedFix } from '../plan/plan.js';
import type { GuardSnapshot, TreeChange, WorkspaceGuard } from './guard.js';
import { planReplay, runReplay, type ReplayPlan } from './replay.js';

/** A fix kept in the workspace (verified or applied, not verified), with the change it made. */
export interface KeptFix {
  fix: FixResult;
  before: GuardSnapshot;
  changes: TreeChange[];
  /** The failures it was given (with `job` and `step`). */
  failures: readonly Failure[];
}

interface StepEntry {
  command: StepCommand & { job: string };
  plan: ReplayPlan;
  /** Index of the last planned fixer with a failure in this step. */
  lastFixer: number;
}

export interface StepReplayOptions {
  guard: WorkspaceGuard;
  exec: Exec;
  logger: Logger;
  env: Record<string, string | undefined>;
  useRepositoryTools: boolean;
  signal?: AbortSignal;
}

const stepKey = (job: string | undefined, step: string | undefined): string => `${job ?? ''}\u0000${step ?? ''}`;

/** How the report quotes a step's script: its lines joined with `; ` would suggest a shell, so ` ⏎ `. */
function scriptText(script: readonly string[]): string {
  const text = script.map((line) => line.trim()).join(' ⏎ ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export class StepReplays {
  private readonly steps = new Map<string, StepEntry>();
  private readonly kept: KeptFix[] = [];

  private constructor(private readonly options: StepReplayOptions) {}

  /** Plans each step's replay (parsing only: nothing runs yet). */
  static async plan(
    commands: readonly (StepCommand & { job: string })[],
    planned: readonly PlannedFix[],
    options: StepReplayOptions,
  ): Promise<StepReplays> {
    const replays = new StepReplays(options);
    for (const command of commands) {
      const key = stepKey(command.job, command.step);
      if (replays.steps.has(key)) continue;
      const lastFixer = planned.findLastIndex((fix) => fix.failures.some((failure) => stepKey(failure.job, failure.step) === key));
      if (lastFixer === -1) continue;
      replays.steps.set(key, { command, plan: await planReplay(command.script, options.guard.workspace), lastFixer });
    }
    return replays;
  }

  /**
   * Why a fix of these failures is not checked by a replay, or undefined when each of its failures
   * belongs to a step whose command will be replayed.
   */
  notReplayedNote(failures: readonly Failure[]): string | undefined {
    const notes = new Set<string>();
    for (const failure of failures) {
      const entry = this.steps.get(stepKey(failure.job, failure.step));
      if (entry === undefined) notes.add('the log does not show the command of a failed step that reported it');
      else if (!entry.plan.ok)
        notes.add(`the step's command \`${scriptText(entry.command.script)}\` was not replayed: ${entry.plan.reason}`);
    }
    return notes.size > 0 ? [...notes].join('; ') : undefined;
  }

  /** Records a fix (kept or not) and runs the replays of the steps whose last fixer this was. */
  async afterFixer(index: number, fix: FixResult, kept: Omit<KeptFix, 'fix'> | undefined): Promise<void> {
    if (kept !== undefined) this.kept.push({ fix, ...kept });
    for (const [key, entry] of this.steps) {
      if (entry.lastFixer === index && entry.plan.ok) await this.replayStep(key, entry);
    }
  }

  private fixesOf(key: string): KeptFix[] {
    return this.kept.filter(
      (kept) => kept.fix.files.length > 0 && kept.failures.some((failure) => stepKey(failure.job, failure.step) === key),
    );
  }

  private async replayStep(key: string, entry: StepEntry): Promise<void> {
    const group = this.fixesOf(key);
    if (group.length === 0 || !entry.plan.ok) return;
    const { guard, logger } = this.options;
    const shown = entry.plan.invocations.map((invocation) => invocation.line).join(' ⏎ ');
    await logger.group(`Replay: ${entry.command.step}`, async () => {
      const before = await guard.snapshot();
      const run = await this.run(entry);
      const after = await guard.snapshot();
      const changed = await guard.changes(before, after);
      if (changed.length > 0) await guard.revert(before, changed);
      if (run.unavailable === true) {
        for (const kept of group) kept.fix.notReplayed = `the step's command \`${shown}\` was not replayed: ${run.detail ?? ''}`;
        logger.info(`not replayed: ${run.detail ?? ''}`);
        return;
      }
      if (run.passed && changed.length === 0) {
        const tools = entry.plan.ok ? entry.plan.invocations.map((invocation) => invocation.tool as string) : [];
        for (const kept of group) this.recordPass(kept.fix, run.checks, reportedByOneOf(kept.failures, tools));
        logger.info(`replayed ${run.checks.map(checkText).join(', ')}: kept ${group.map((kept) => kept.fix.fixer).join(', ')}`);
        return;
      }
      const why =
        changed.length > 0
          ? `the replayed step command \`${shown}\` changed files (${changed.map((change) => change.repoPath).join(', ')})`
          : `the failed step's command was replayed and did not pass: ${run.detail ?? ''}`;
      await this.revertGroup(group, run.checks, why);
    });
  }

  private async run(entry: StepEntry): Promise<Awaited<ReturnType<typeof runReplay>>> {
    if (!entry.plan.ok) return { passed: false, checks: [] };
    const { guard, exec, logger, env, useRepositoryTools, signal } = this.options;
    const dirs = await createPrivateDirs();
    try {
      const bins = useRepositoryTools ? await workspaceBinDirs(guard.workspace) : [];
      const ctx: FixContext = {
        workspace: guard.workspace,
        failures: [],
        exec,
        logger,
        env: childEnvironment(env, dirs, { PATH: toolPath(bins, env.PATH) }),
        useRepositoryTools,
        ...(signal !== undefined ? { signal } : {}),
      };
      return await runReplay(ctx, entry.plan.invocations);
    } catch (error: unknown) {
      return { passed: false, checks: [], detail: `the replay could not run: ${getErrorMessage(error)}` };
    } finally {
      await dirs.dispose();
    }
  }

  /** `rechecked`: the replayed tools are the ones that reported the fix's failures, so their pass checks it. */
  private recordPass(fix: FixResult, checks: readonly VerificationCheck[], rechecked: boolean): void {
    fix.checks = [...(fix.checks ?? []), ...checks];
    delete fix.notReplayed;
    if (fix.status === 'applied-unverified' && rechecked) {
      // The failing check itself passed: that is verification, whatever the fixer's own check was.
      fix.status = 'verified';
      delete fix.reason;
    }
  }

  /**
   * Reverts the step's kept fixes and every later kept fix that changed one of their files, back to
   * the state before the first of them; the others stay.
   */
  private async revertGroup(group: readonly KeptFix[], checks: readonly VerificationCheck[], why: string): Promise<void> {
    const set = new Set(group);
    const paths = new Set(group.flatMap((kept) => kept.changes.map((change) => change.repoPath)));
    const first = Math.min(...group.map((kept) => this.kept.indexOf(kept)));
    let grew = true;
    while (grew) {
      grew = false;
      for (const kept of this.kept.slice(first)) {
        if (set.has(kept) || kept.fix.files.length === 0 || !kept.changes.some((change) => paths.has(change.repoPath))) continue;
        set.add(kept);
        for (const change of kept.changes) paths.add(change.repoPath);
        grew = true;
      }
    }
    const { guard } = this.options;
    const start = (this.kept[first] as KeptFix).before;
    const now = await guard.snapshot();
    const changes = (await guard.changes(start, now)).filter((change) => paths.has(change.repoPath));
    let left = '';
    try {
      await guard.revertPaths(start, changes);
    } catch (error: unknown) {
      left = ` Not restored: ${getErrorMessage(error)}.`;
    }
    const names = [...set].map((kept) => kept.fix.fixer);
    for (const kept of set) {
      const together = names.length > 1 ? ` (reverted together with ${names.filter((name) => name !== kept.fix.fixer).join(', ')})` : '';
      kept.fix.status = 'reverted-unverified';
      kept.fix.files = [];
      kept.fix.checks = [...(kept.fix.checks ?? []), ...(group.includes(kept) ? checks : [])];
      kept.fix.reason = group.includes(kept)
        ? `${why}${together}${left}`
        : `it changed files that fixes reverted by a failed replay also changed${together}${left}`;
      delete kept.fix.notReplayed;
    }
    this.options.logger.warning(`${why}: reverted ${names.join(', ')}`);
  }
}

/**
 * Whether every failure was reported by one of the replayed tools (itself or as the formatter a
 * hook ran). A missing module in a `black --check .` step is not checked by black passing: only
 * the tool that failed can say its failure is gone.
 */
function reportedByOneOf(failures: readonly Failure[], tools: readonly string[]): boolean {
  return failures.every((failure) => tools.includes(failure.tool) || tools.includes(String(failure.data?.formatter ?? '')));
}

/** `black --check . (exit 0)`. */
export function checkText(check: VerificationCheck): string {
  return `\`${check.command}\` (${check.exitCode !== undefined ? `exit ${check.exitCode}` : check.passed ? 'passed' : 'failed'})`;
}
