/**
 * The run's total time budget (`timeout-minutes`). When it is used up no new work starts (no
 * further log download, fixer or push), running tools are stopped through the signal, and the
 * report is still written. The job's own `timeout-minutes` would kill the step with no report.
 */
export interface Budget {
  readonly signal: AbortSignal;
  /** true once the budget is used up. */
  readonly exhausted: boolean;
  /** The sentence reports use when work was skipped for want of time. */
  readonly message: string;
  dispose(): void;
}

export function startBudget(minutes: number): Budget {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), minutes * 60_000);
  // The budget must not keep the process alive once the work is done.
  timer.unref();
  const message = `the time budget of ${minutes} minute${minutes === 1 ? '' : 's'} (timeout-minutes) was used up`;
  return {
    signal: controller.signal,
    get exhausted() {
      return controller.signal.aborted;
    },
    message,
    dispose: () => clearTimeout(timer),
  };
}
