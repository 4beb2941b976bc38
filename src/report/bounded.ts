/**
 * A text that refuses to grow past a limit. Summaries and PR bodies have hard size limits on
 * GitHub (1 MiB per step summary, 65,536 characters per PR body) and a run can have thousands of
 * failures; rather than cut the Markdown mid-row (which can leave an open code span or table), we
 * add whole lines while they fit and then say how many were left out.
 */
export type Measure = (text: string) => number;

export const measureChars: Measure = (text) => text.length;
export const measureUtf8: Measure = (text) => Buffer.byteLength(text, 'utf8');

export class BoundedText {
  private readonly parts: string[] = [];
  private used = 0;
  /** true once anything was left out. */
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly measure: Measure,
  ) {}

  /** Whether `text` fits while still leaving `reserve` units free. */
  fits(text: string, reserve = 0): boolean {
    return this.used + this.measure(text) + reserve <= this.limit;
  }

  /** Appends `text` when it fits (keeping `reserve` free); returns whether it was added. */
  add(text: string, reserve = 0): boolean {
    if (!this.fits(text, reserve)) {
      this.truncated = true;
      return false;
    }
    this.parts.push(text);
    this.used += this.measure(text);
    return true;
  }

  /**
   * Appends rows (each a complete line, ending in a newline) while fewer than `maxRows` are in and
   * they fit, keeping room for the line that counts the rest; then adds that line if any were left.
   * Rows are rendered on demand, so a report with 100,000 failures renders only the rows shown.
   */
  addRows(
    count: number,
    renderRow: (index: number) => string,
    options: {
      maxRows: number;
      more: (leftOut: number) => string;
      reserve?: number;
    },
  ): number {
    const reserve = options.reserve ?? 0;
    const moreRoom = this.measure(options.more(count)) + reserve;
    let added = 0;
    while (added < count && added < options.maxRows) {
      const row = renderRow(added);
      if (!this.fits(row, moreRoom)) break;
      this.parts.push(row);
      this.used += this.measure(row);
      added += 1;
    }
    if (added < count) {
      this.truncated = true;
      this.add(options.more(count - added), reserve);
    }
    return added;
  }

  /** `addRows` over a list, rendering each item only if it is reached. */
  addItems<T>(
    items: readonly T[],
    renderItem: (item: T, index: number) => string,
    options: {
      maxRows: number;
      more: (leftOut: number) => string;
      reserve?: number;
    },
  ): number {
    return this.addRows(items.length, (index) => renderItem(items[index] as T, index), options);
  }

  get size(): number {
    return this.used;
  }

  toString(): string {
    return this.parts.join('');
  }
}
