/**
 * Helpers the detectors in ./detectors/ share. This module is not a detector, so it lives beside
 * that folder: the registry test wants every file there to be one.
 */

/** Characters of a message a detector keeps: one line's worth, the start of what the tool said. */
const MESSAGE_CHARS = 500;

/** A detector's message from a log line or a piece of one: trimmed, at most 500 characters. */
export function clip(text: string): string {
  return text.trim().slice(0, MESSAGE_CHARS);
}

/**
 * `text` without the ` [path/to/app.csproj]` suffix MSBuild appends to the messages of the tools it
 * runs, when `suffix` accepts the last bracket (e.g. the project file extensions a detector knows).
 * Only the last `[` is looked at: a `\s+\[…\]\s*$` regex backtracks quadratically on long runs of
 * spaces. Trailing space is dropped either way.
 */
export function withoutProjectSuffix(text: string, suffix: RegExp): string {
  const body = text.trimEnd();
  const open = body.lastIndexOf('[');
  if (open > 0 && /\s/.test(body[open - 1] ?? '') && suffix.test(body.slice(open))) return body.slice(0, open);
  return body;
}
