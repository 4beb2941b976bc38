/**
 * Typed errors. Every error the autofixer raises on purpose is one of these; `main.ts` and
 * `cli.ts` turn them into a single failure line. Messages say what was wrong, what is allowed
 * and what to do.
 */
export class AutofixerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad input, flag, config file value or environment. */
export class ConfigurationError extends AutofixerError {}

/** The GitHub API answered with an error, or could not be reached. */
export class GitHubApiError extends AutofixerError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** A git command failed. */
export class GitError extends AutofixerError {}

/** A fixer could not be applied, or broke the guard. */
export class FixError extends AutofixerError {}

/**
 * A fixer's tool cannot be used as the repository needs it: not found, another version than the
 * one the repository pins, or the pinned version could not be installed. The fixer is skipped with
 * this message as the reason.
 */
export class ToolUnavailableError extends FixError {}

/** A notification (Slack …) could not be sent. A warning in the report, an error with notify-strict. */
export class NotificationError extends AutofixerError {}

/** A log could not be read or parsed. */
export class LogError extends AutofixerError {}

export function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
