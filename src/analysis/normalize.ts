/**
 * Raw log line → `LogLine`. This runs once per line of logs that can be hundreds of megabytes, so
 * every step first checks a character or two and only then runs a (linear, anchored) regex.
 *
 * Formats handled: GitHub Actions raw job logs (BOM, `2026-07-30T13:21:30.7886920Z ` timestamps,
 * `##[group]` / `##[error]` … markers, `::error ...::msg` commands echoed by scripts), the
 * `gh run view --log` form (`job<TAB>step<TAB>timestamp text`), Travis CI (`travis_fold`,
 * `travis_time`, bare-CR progress lines), and plain tool output.
 */
import { MAX_LINE_CHARS, type LogLine } from './types.js';

type Command = NonNullable<LogLine['command']>;

const TIMEZONE = /^[+-]\d\d:?\d\d/;
const TIMESTAMP_DIGITS: readonly number[] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
// Bounded columns: a line without tabs fails after at most 257 characters.
const GH_RUN_VIEW = /^([^\t]{1,256})\t([^\t]{0,256})\t(?=\d{4}-\d\d-\d\dT)/;
// CSI (colours, cursor moves), OSC (titles, hyperlinks), two-character escapes, and the caret
// notation (`^[[31m`) that some log exports write instead of the ESC byte.
// eslint-disable-next-line no-control-regex -- matching the ESC and BEL bytes of escape sequences is the point
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\^\[\[[0-9;?]*[A-Za-z]/g;
const WORKFLOW_MARKER = /^##\[(error|warning|notice|debug|group|endgroup|command|section)\]/;
// `::error file=a.py,line=3::message` and `::error::message`; properties hold no `::`.
const WORKFLOW_COMMAND = /^::(error|warning|notice|debug|group|endgroup)(?: [^:]{0,1024}(?::(?!:)[^:]{0,1024}){0,16})?::/;
const TRAVIS_FOLD_START = /travis_fold:start:([^\r\s]{1,200})/;

const COMMAND_OF: Readonly<Record<string, Command>> = {
  error: 'error',
  warning: 'warning',
  notice: 'notice',
  debug: 'debug',
  group: 'group',
  endgroup: 'endgroup',
  command: 'command',
  section: 'section',
};

/** Removes ANSI/VT escape sequences (both the ESC byte and the `^[[` caret form). */
export function stripAnsi(text: string): string {
  if (text.indexOf('\x1b') === -1 && text.indexOf('^[[') === -1) return text;
  return text.replace(ANSI, '');
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Removes a leading `2026-07-30T13:21:30.7886920Z ` (fraction, zone and space optional). Checked by
 * hand rather than by regex: it runs on every line of every GitHub log.
 */
function stripTimestamp(text: string): string {
  if (text.length < 19 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return text;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return text;
  for (const at of TIMESTAMP_DIGITS) if (!isDigit(text.charCodeAt(at))) return text;
  let end = 19;
  if (text.charCodeAt(end) === 46 /* . */) {
    let digits = end + 1;
    while (digits < text.length && digits - end <= 9 && isDigit(text.charCodeAt(digits))) digits++;
    if (digits === end + 1) return text;
    end = digits;
  }
  const zone = text.charCodeAt(end);
  if (zone === 90 /* Z */) end++;
  else if (zone === 43 || zone === 45) {
    const match = TIMEZONE.exec(text.slice(end, end + 6));
    if (match) end += match[0].length;
  }
  if (text.charCodeAt(end) === 32) end++;
  return text.slice(end);
}

/** The last segment of a line holding bare CRs that is not blank: what a terminal showed last. */
function lastCrSegment(text: string): string {
  let end = text.length;
  while (end > 0) {
    const cr = text.lastIndexOf('\r', end - 1);
    const segment = text.slice(cr + 1, end);
    if (segment.trim() !== '') return segment;
    if (cr === -1) break;
    end = cr;
  }
  return '';
}

/**
 * A line's workflow command: the runner's `##[error]` markers, `::error ...::` commands echoed by
 * scripts, and `[command]` echoes; the text after it. Undefined for an ordinary line.
 */
function workflowCommandOf(text: string): { command: Command | undefined; text: string; marker: boolean } | undefined {
  const lead = text.charCodeAt(0);
  if (lead === 35 /* # */ && text.charCodeAt(1) === 35) {
    const marker = WORKFLOW_MARKER.exec(text);
    if (marker?.[1]) return { command: COMMAND_OF[marker[1]], text: text.slice(marker[0].length), marker: true };
  } else if (lead === 58 /* : */ && text.charCodeAt(1) === 58) {
    const workflow = WORKFLOW_COMMAND.exec(text);
    if (workflow?.[1]) return { command: COMMAND_OF[workflow[1]], text: text.slice(workflow[0].length), marker: false };
  } else if (lead === 91 /* [ */ && text.startsWith('[command]')) {
    // The runner's echo of a command it runs (`##[command]` once the marker is rendered).
    return { command: 'command', text: text.slice('[command]'.length), marker: false };
  }
  return undefined;
}

export interface Normalizer {
  (raw: string, n: number): LogLine;
}

/**
 * A normaliser for one log. It is stateful: it remembers the current step (GitHub `##[group]Run …`,
 * the gh-run-view step column, Travis folds and commands) so that each line carries its step.
 */
export function createNormalizer(): Normalizer {
  let step: string | undefined;
  let job: string | undefined;
  // Counts step starts, so two runs of the same command are two steps.
  let stepIndex = 0;
  const enter = (name: string): void => {
    step = name;
    stepIndex++;
  };
  // Travis prints `travis_time:start` then `$ command`; the command names the step better than the fold.
  let travisCommandPending = false;

  return (raw: string, n: number): LogLine => {
    let text = raw;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

    let lineJob: string | undefined;
    let lineStep: string | undefined;
    const first = text.charCodeAt(0);
    if (first >= 48 && first <= 57) {
      text = stripTimestamp(text);
    } else if (text.length > 2 && text.indexOf('\t') !== -1) {
      const columns = GH_RUN_VIEW.exec(text);
      if (columns) {
        lineJob = columns[1];
        lineStep = columns[2];
        text = stripTimestamp(text.slice(columns[0].length));
      }
    }

    text = stripAnsi(text);

    // CRs: strip the CRLF one, then keep the last visible progress segment.
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 13) end--;
    if (end !== text.length) text = text.slice(0, end);
    if (text.indexOf('\r') !== -1) {
      // Several folds can open and close on one line; the last one opened is the current step.
      const lastFold = text.lastIndexOf('travis_fold:start:');
      if (lastFold !== -1) {
        const fold = TRAVIS_FOLD_START.exec(text.slice(lastFold));
        if (fold?.[1]) enter(fold[1]);
      }
      if (text.indexOf('travis_time:start:') !== -1) travisCommandPending = true;
      text = lastCrSegment(text);
    } else if (text.charCodeAt(0) === 116 /* t */ && text.startsWith('travis_')) {
      const fold = TRAVIS_FOLD_START.exec(text);
      if (fold?.[1]) enter(fold[1]);
      else if (text.startsWith('travis_time:start:')) travisCommandPending = true;
    }
    if (travisCommandPending && text.charCodeAt(0) === 36 /* $ */ && text.charCodeAt(1) === 32) {
      enter(text.slice(2, 202).trim());
      travisCommandPending = false;
    }

    const marked = workflowCommandOf(text);
    const command = marked?.command;
    if (marked !== undefined) {
      text = marked.text;
      // Each `run:`/`uses:` step opens with `##[group]Run <what>`; other groups are inside a step.
      if (marked.marker && command === 'group' && text.startsWith('Run ')) enter(text.slice(0, 200).trim());
    }

    if (lineStep !== undefined) {
      if (lineStep !== step || lineJob !== job) enter(lineStep);
      job = lineJob;
    }
    if (text.length > MAX_LINE_CHARS) text = text.slice(0, MAX_LINE_CHARS);

    const line: { n: number; text: string; command?: Command; step?: string; stepIndex: number; job?: string } = { n, text, stepIndex };
    if (command !== undefined) line.command = command;
    if (step !== undefined) line.step = step;
    if (job !== undefined) line.job = job;
    return line;
  };
}
