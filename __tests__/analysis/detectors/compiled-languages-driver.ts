/**
 * A small stand-in for the analysis engine, used by the compiled-language detector tests
 * independently of src/analysis/engine.ts: it normalises lines the way types.ts describes,
 * applies a detector's trigger and the continuation rule, and keeps `before()` context.
 */
import { CONTEXT_LINES, MAX_LINE_CHARS, type Detector, type FailureDraft, type LogLine } from '../../../src/analysis/types.js';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex -- strips ANSI escape sequences, which start with the ESC byte
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\^\[\[[0-9;]*m/g;
const WORKFLOW_COMMAND = /^##\[(error|warning|notice|debug|group|endgroup|command|section)\]/;

export function normalizeLine(raw: string, n: number): LogLine {
  let text = raw.replace(/\r+$/, '');
  // Travis progress output: only the last bare-CR segment is what a terminal would show.
  const lastCr = text.lastIndexOf('\r');
  if (lastCr >= 0) text = text.slice(lastCr + 1);
  text = text.replace(/^\uFEFF/, '');
  text = text.replace(ANSI, '');
  text = text.replace(TIMESTAMP, '');
  let command: LogLine['command'];
  const marker = WORKFLOW_COMMAND.exec(text);
  if (marker) {
    command = marker[1] as LogLine['command'];
    text = text.slice(marker[0].length);
  }
  text = text.slice(0, MAX_LINE_CHARS);
  return command ? { n, text, command } : { n, text };
}

/** Runs one detector over a whole log the way the engine does and returns what it reported. */
export function runDetector(detector: Detector, log: string): FailureDraft[] {
  const reported: FailureDraft[] = [];
  const seen: LogLine[] = [];
  const scan = detector.start();
  const ctx = (index: number) => ({
    before(count: number): readonly LogLine[] {
      const take = Math.min(count, CONTEXT_LINES);
      return seen.slice(Math.max(0, index - take), index);
    },
    report(failure: FailureDraft): void {
      reported.push(failure);
    },
  });
  const rawLines = log.split('\n');
  if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines.pop();
  let wantsNext = false;
  rawLines.forEach((raw, index) => {
    const line = normalizeLine(raw, index + 1);
    seen.push(line);
    detector.trigger.lastIndex = 0;
    if (wantsNext || detector.trigger.test(line.text)) {
      wantsNext = scan.line(line, ctx(index)) === true;
    }
  });
  scan.end?.(ctx(seen.length));
  return reported;
}
