/**
 * Failures → which fixer runs on which failures. Pure: no disk, no tools.
 *
 * Confidence rule: a fixer runs on a failure only when BOTH the failure's confidence (how sure the
 * detector is that this failure is real and of this kind) and the fixer's confidence (how sure we
 * are that its fix is right) reach the threshold. Multiplying them would double-count and make the
 * threshold's meaning depend on how many factors there are; with two separate checks a user's
 * `confidence-threshold: 0.9` means the same thing for detectors and fixers.
 */
import type { Failure } from '../analysis/types.js';
import { FIXERS } from '../fixers/registry.js';
import type { Fixer } from '../fixers/types.js';
import type { FixResult } from '../model.js';
import { isWorkflowPath } from '../validate/paths.js';

function uniqueInOrder(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Every fix type a fixer declares (the values `fix-types` accepts, besides 'all'). */
export const FIX_TYPES: readonly string[] = uniqueInOrder(FIXERS.map((fixer) => fixer.fixType));
/** Fix types of the fixers that are safe by default. */
export const DEFAULT_FIX_TYPES: readonly string[] = uniqueInOrder(
  FIXERS.filter((fixer) => fixer.safeByDefault).map((fixer) => fixer.fixType),
);

export interface PlannedFix {
  fixer: Fixer;
  failures: Failure[];
}

export interface FixPlan {
  planned: PlannedFix[];
  /** Fixers that handle some failure but will not run, with the reason. */
  skipped: FixResult[];
}

export interface PlanOptions {
  failures: readonly Failure[];
  fixers: readonly Fixer[];
  confidenceThreshold: number;
  fixTypes: readonly string[];
  maxFixes: number;
}

function skip(fixer: Fixer, failures: readonly Failure[], reason: string): FixResult {
  return {
    fixer: fixer.id,
    status: 'skipped',
    failures: failures.map((failure) => failure.fingerprint),
    description: `${fixer.id} not applied`,
    files: [],
    reason,
  };
}

export function planFixes(options: PlanOptions): FixPlan {
  const planned: PlannedFix[] = [];
  const skipped: FixResult[] = [];
  const threshold = options.confidenceThreshold;
  for (const fixer of options.fixers) {
    const handledAll = options.failures.filter((failure) => fixer.handles(failure));
    if (handledAll.length === 0) continue;
    const inWorkflows = handledAll.filter((failure) => failure.file !== undefined && isWorkflowPath(failure.file));
    if (inWorkflows.length > 0) skipped.push(skip(fixer, inWorkflows, 'files under .github/workflows/ are never changed by the autofixer'));
    const handled = handledAll.filter((failure) => !inWorkflows.includes(failure));
    if (handled.length === 0) continue;
    if (!options.fixTypes.includes(fixer.fixType)) {
      skipped.push(
        skip(fixer, handled, `fix type '${fixer.fixType}' is not enabled (fix-types: ${options.fixTypes.join(', ') || 'none'})`),
      );
      continue;
    }
    if (fixer.confidence < threshold) {
      skipped.push(skip(fixer, handled, `fixer confidence ${fixer.confidence} is below the confidence threshold ${threshold}`));
      continue;
    }
    const confident = handled.filter((failure) => failure.confidence >= threshold);
    const doubtful = handled.filter((failure) => failure.confidence < threshold);
    if (doubtful.length > 0) {
      const lowest = Math.min(...doubtful.map((failure) => failure.confidence));
      skipped.push(
        skip(fixer, doubtful, `${doubtful.length} failure(s) detected with confidence below the threshold ${threshold} (lowest ${lowest})`),
      );
    }
    if (confident.length === 0) continue;
    if (planned.length >= options.maxFixes) {
      skipped.push(skip(fixer, confident, `max-fixes (${options.maxFixes}) reached`));
      continue;
    }
    planned.push({ fixer, failures: confident });
  }
  return { planned, skipped };
}
