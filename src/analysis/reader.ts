/**
 * Streams a log as raw lines. Lines are split on LF only and numbered as `grep -n` does; the
 * trailing CR of CRLF and bare CRs inside a line are left for `normalize` to interpret.
 *
 * Splitting is done here on bytes rather than with readline: LF (0x0A) never occurs inside a UTF-8
 * multi-byte sequence, so a line is always decoded whole, whatever the chunk boundaries, and the
 * common case (a line inside one chunk) is decoded straight from the chunk without copying.
 */
import { open } from 'node:fs/promises';
import { LogError, getErrorMessage } from '../errors.js';
import { MAX_LINE_CHARS } from './types.js';

/**
 * Raw bytes kept of one line. Generous against MAX_LINE_CHARS because timestamps, ANSI codes and
 * multi-byte characters are removed or counted after decoding; a longer line is cut here so that
 * a 10 MB line without LF costs no more memory than this.
 */
export const MAX_RAW_LINE_BYTES = 16 * MAX_LINE_CHARS;

const CHUNK_BYTES = 1 << 20;
const LF = 0x0a;
const CR = 0x0d;

/** Receives each raw line (without its LF) and its 1-based number. */
export type RawLineSink = (raw: string, n: number) => void;

/**
 * Incremental LF splitter. Feed it buffers with `push`, then call `end` once. Memory is bounded by
 * about 2 × MAX_RAW_LINE_BYTES for the pending line whatever the input.
 */
export class LineSplitter {
  private readonly sink: RawLineSink;
  private lineNumber = 0;
  private bytes = 0;
  /** Head of the pending line (bytes after the last LF), at most MAX_RAW_LINE_BYTES. */
  private head: Buffer[] = [];
  private headBytes = 0;
  /** True once the pending line grew past MAX_RAW_LINE_BYTES; the rest is counted, not kept. */
  private overflowing = false;
  /**
   * For an overflowing line holding bare CRs (progress bars), the start of its last CR segment:
   * that is what the terminal showed last and what `normalize` keeps, so it survives the cut.
   */
  private lastSegment: Buffer[] | undefined;
  private lastSegmentBytes = 0;
  /** A CR was seen in the overflow: the next bytes (if any before LF) begin a new segment. */
  private crPending = false;

  constructor(sink: RawLineSink) {
    this.sink = sink;
  }

  /** Lines emitted so far (after `end`: the lines of the whole input, as `grep -c ''` counts them). */
  get lines(): number {
    return this.lineNumber;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** Feeds the first `length` bytes of `chunk`. The caller may reuse the buffer afterwards. */
  push(chunk: Buffer, length: number = chunk.length): void {
    this.bytes += length;
    let start = 0;
    while (start < length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1 || lf >= length) {
        this.keep(chunk, start, length);
        return;
      }
      if (this.headBytes === 0 && !this.overflowing && lf - start <= MAX_RAW_LINE_BYTES) {
        this.sink(chunk.toString('utf8', start, lf), ++this.lineNumber);
      } else {
        this.keep(chunk, start, lf);
        this.flush();
      }
      start = lf + 1;
    }
  }

  /** Emits the last line when the input does not end with LF. */
  end(): void {
    if (this.headBytes > 0 || this.overflowing) this.flush();
  }

  private keep(chunk: Buffer, start: number, stop: number): void {
    if (stop <= start) return;
    const room = MAX_RAW_LINE_BYTES - this.headBytes;
    if (room > 0) {
      const take = Math.min(room, stop - start);
      // Copied: the caller reuses its buffer.
      this.head.push(Buffer.from(chunk.subarray(start, start + take)));
      this.headBytes += take;
      start += take;
      if (start >= stop) return;
    }
    this.overflowing = true;
    let position = start;
    for (;;) {
      const cr = chunk.indexOf(CR, position);
      if (cr === -1 || cr >= stop) {
        this.appendSegment(chunk, position, stop);
        return;
      }
      this.appendSegment(chunk, position, cr);
      this.crPending = true;
      position = cr + 1;
    }
  }

  /** Bytes of the overflow: after a CR they start a new last segment, else they extend it. */
  private appendSegment(chunk: Buffer, start: number, stop: number): void {
    if (stop <= start) return;
    if (this.crPending) {
      this.lastSegment = [];
      this.lastSegmentBytes = 0;
      this.crPending = false;
    }
    if (this.lastSegment === undefined || this.lastSegmentBytes >= MAX_RAW_LINE_BYTES) return;
    const take = Math.min(MAX_RAW_LINE_BYTES - this.lastSegmentBytes, stop - start);
    this.lastSegment.push(Buffer.from(chunk.subarray(start, start + take)));
    this.lastSegmentBytes += take;
  }

  private flush(): void {
    let raw = Buffer.concat(this.head, this.headBytes).toString('utf8');
    if (this.lastSegment !== undefined) {
      raw += `\r${Buffer.concat(this.lastSegment, this.lastSegmentBytes).toString('utf8')}`;
    }
    this.head = [];
    this.headBytes = 0;
    this.overflowing = false;
    this.lastSegment = undefined;
    this.lastSegmentBytes = 0;
    this.crPending = false;
    this.sink(raw, ++this.lineNumber);
  }
}

export interface ReadSummary {
  lines: number;
  bytes: number;
}

/** Streams the file at `path` through `sink`, one raw line at a time. */
export async function readLogLines(path: string, sink: RawLineSink): Promise<ReadSummary> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error: unknown) {
    throw new LogError(`Cannot open log ${path}: ${getErrorMessage(error)}. Pass the path of a readable log file.`, { cause: error });
  }
  const splitter = new LineSplitter(sink);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null));
      } catch (error: unknown) {
        throw new LogError(`Cannot read log ${path}: ${getErrorMessage(error)}.`, { cause: error });
      }
      if (bytesRead === 0) break;
      splitter.push(buffer, bytesRead);
    }
    splitter.end();
  } finally {
    await handle.close();
  }
  return { lines: splitter.lines, bytes: splitter.totalBytes };
}

/** The same split over an in-memory text (tests, small logs). */
export function splitText(text: string, sink: RawLineSink): ReadSummary {
  const splitter = new LineSplitter(sink);
  splitter.push(Buffer.from(text, 'utf8'));
  splitter.end();
  return { lines: splitter.lines, bytes: splitter.totalBytes };
}
