/**
 * Helpers the detectors in ./detectors/ share. This module is not a detector, so it lives beside
 * that folder: the registry test wants every file there to be one.
 */

import type { DetectorContext, FailureDraft, LogLine } from './types.js';

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

/**
 * What an open block makes of a line. true: the line continues the block, and the scan wants the
 * next one; false: the block ended before the line, which the scan reads afresh; 'end': the line
 * ends the block and is used up (the block's last line, or the line that reached its length budget).
 */
export type BlockVerdict = boolean | 'end';

/**
 * A failure that spans several lines (a compiler error and its source excerpt, a failed test and its
 * traceback, a resolver's headline and its explanation), read one line at a time by a BlockReader.
 */
export interface OpenBlock {
  /** The failure read so far, reported when the block ends. A block may replace it (PHPStan: one per table row). */
  draft: FailureDraft;
  /** What `line` does to the block; a line it keeps extends the draft (`logLines[1]`, the location, the message). */
  accepts(line: LogLine, ctx: DetectorContext): BlockVerdict;
  /**
   * Called once when the block ends, before it is reported: settles the draft (a category decided by
   * the whole block) and returns false to drop it (a line that only looked like the tool's).
   */
  finish?(): boolean;
}

/** The block a scan is reading, if any: at most one at a time. */
export class BlockReader {
  private block: OpenBlock | undefined;

  /** Starts reading `block` (a block still open ends first); returns true, the scan's answer that asks for the next line. */
  open(block: OpenBlock, ctx: DetectorContext): true {
    this.close(ctx);
    this.block = block;
    return true;
  }

  /**
   * Offers `line` to the open block. A boolean: the block used the line, and this is the scan's
   * answer (true asks for the next line; false after 'end', which closed the block);
   * undefined: the line is not the block's (that block, if any, ended and was reported) and the scan
   * reads it afresh.
   */
  read(line: LogLine, ctx: DetectorContext): boolean | undefined {
    const block = this.block;
    if (block === undefined) return undefined;
    const verdict = block.accepts(line, ctx);
    if (verdict === true) return true;
    this.close(ctx);
    return verdict === 'end' ? false : undefined;
  }

  /** Ends the open block, if any: reports its draft unless `finish` drops it. */
  close(ctx: DetectorContext): void {
    const block = this.block;
    if (block === undefined) return;
    this.block = undefined;
    if (block.finish?.() ?? true) ctx.report(block.draft);
  }
}

/**
 * Reads one kind of line for a scan: a boolean is the scan's answer for a line it recognised (true
 * asks for the next line), undefined leaves the line to the next handler.
 */
export type LineHandler<Args extends unknown[]> = (...args: Args) => boolean | undefined;

/** The answer of the first of `handlers` that recognises the line (they are tried in order); false when none does. */
export function firstAnswer<Args extends unknown[]>(handlers: readonly LineHandler<Args>[], ...args: Args): boolean {
  for (const handler of handlers) {
    const answer = handler(...args);
    if (answer !== undefined) return answer;
  }
  return false;
}
