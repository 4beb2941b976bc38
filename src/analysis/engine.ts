/**
 * Runs detectors over a stream of `LogLine`s. Most lines of a CI log are noise no detector cares
 * about, so a pre-filter built from every trigger (see prefilter.ts: required literals found in one
 * pass) first says which detectors could want the line; only their triggers are then tested.
 */
import { getErrorMessage } from '../errors.js';
import { buildPrefilter, type TriggerPrefilter } from './prefilter.js';
import { DETECTORS } from './registry.js';
import { CONTEXT_LINES, type Detector, type DetectorContext, type DetectorScan, type FailureDraft, type LogLine } from './types.js';

/** Drafts kept per detector and per log; past these the least confident and latest are dropped. */
export const MAX_DRAFTS_PER_DETECTOR = 200;
export const MAX_DRAFTS = 1000;
/** Characters of a draft's message kept (detectors are asked for one line; some paste more). */
const MAX_MESSAGE_CHARS = 1000;

export interface EngineDraft {
  detector: string;
  draft: FailureDraft;
  /** Report order, across detectors: the tie-breaker that keeps ranking stable. */
  order: number;
  step?: string;
  /** Ordinal of that step (see LogLine.stepIndex). */
  stepIndex?: number;
  job?: string;
}

export interface DetectorFailure {
  detector: string;
  /** Line being scanned when it threw (0 in `end`). */
  line: number;
  message: string;
}

export interface EngineResult {
  drafts: EngineDraft[];
  /** Detectors that threw; each was disabled for the rest of the log. */
  detectorErrors: DetectorFailure[];
  lines: number;
}

export interface EngineOptions {
  detectors?: readonly Detector[];
  /**
   * 'literal' (default): required-literal scan (prefilter.ts), then the candidates' triggers;
   * 'combined': one alternation of all triggers tested first; 'each': every trigger on every line.
   * Kept selectable so the bench can compare them.
   */
  prefilter?: 'literal' | 'combined' | 'each';
}

function withoutStatefulFlags(flags: string): string {
  return flags.replace(/[gy]/g, '');
}

/**
 * One alternation per flag set (a case-insensitive trigger cannot join a case-sensitive one).
 * Returns undefined when the pieces do not combine (e.g. duplicate group names on an old engine).
 */
export function combineTriggers(triggers: readonly RegExp[]): RegExp[] | undefined {
  const byFlags = new Map<string, string[]>();
  for (const trigger of triggers) {
    const flags = withoutStatefulFlags(trigger.flags);
    const sources = byFlags.get(flags) ?? [];
    sources.push(`(?:${trigger.source})`);
    byFlags.set(flags, sources);
  }
  try {
    return [...byFlags].map(([flags, sources]) => new RegExp(sources.join('|'), flags));
  } catch {
    return undefined;
  }
}

interface Running {
  detector: Detector;
  trigger: RegExp;
  scan: DetectorScan | undefined;
  wantsNext: boolean;
  drafts: EngineDraft[];
  commands: ReadonlySet<string> | undefined;
}

/** The per-log run of all detectors. Push every line in order, then call `finish` once. */
export class AnalysisEngine {
  private readonly running: Running[];
  private readonly prefilters: RegExp[] | undefined;
  private readonly literalPrefilter: TriggerPrefilter | undefined;
  /** Scratch for `feedCandidates`: one slot per detector. */
  private readonly candidateOrder: Uint16Array;
  /** Commands some detector listens to regardless of text. */
  private readonly listenedCommands: ReadonlySet<string>;
  private readonly ring: (LogLine | undefined)[] = new Array<LogLine | undefined>(CONTEXT_LINES + 1);
  private ringSize = 0;
  private ringHead = 0;
  private waiting = 0;
  private order = 0;
  private totalDrafts = 0;
  private lineCount = 0;
  private readonly errors: DetectorFailure[] = [];
  private current: Running | undefined;
  /** The line being pushed (not yet in the ring). */
  private currentLine: LogLine | undefined;
  private readonly context: DetectorContext;

  constructor(options: EngineOptions = {}) {
    const detectors = options.detectors ?? DETECTORS;
    this.running = detectors.map((detector) => {
      let scan: DetectorScan | undefined;
      try {
        scan = detector.start();
      } catch (error: unknown) {
        this.errors.push({ detector: detector.id, line: 0, message: getErrorMessage(error) });
      }
      return {
        detector,
        // A private copy without g/y, so `test` never depends on lastIndex left by someone else.
        trigger: new RegExp(detector.trigger.source, withoutStatefulFlags(detector.trigger.flags)),
        scan,
        wantsNext: false,
        drafts: [],
        commands: detector.commands && detector.commands.length > 0 ? new Set<string>(detector.commands) : undefined,
      };
    });
    this.candidateOrder = new Uint16Array(this.running.length);
    const mode = options.prefilter ?? 'literal';
    this.literalPrefilter = mode === 'literal' ? buildPrefilter(this.running.map((r) => r.trigger)) : undefined;
    this.prefilters = mode === 'combined' ? combineTriggers(this.running.map((r) => r.trigger)) : undefined;
    this.listenedCommands = new Set(this.running.flatMap((r) => [...(r.commands ?? [])]));
    this.context = {
      before: (count: number) => this.before(count),
      report: (failure: FailureDraft) => this.report(failure),
    };
  }

  push(line: LogLine): void {
    this.lineCount++;
    this.currentLine = line;
    const literal = this.literalPrefilter;
    if (literal !== undefined) {
      const candidates = literal.scan(line.text);
      const byCommand = line.command !== undefined && this.listenedCommands.has(line.command);
      if (this.waiting === 0 && !byCommand) {
        if (candidates > 0) this.feedCandidates(literal, candidates, line);
      } else {
        for (let i = 0; i < this.running.length; i++) {
          const running = this.running[i] as Running;
          if (running.scan === undefined) continue;
          if (
            running.wantsNext ||
            (byCommand && running.commands !== undefined && running.commands.has(line.command as string)) ||
            (literal.isCandidate(i) && running.trigger.test(line.text))
          ) {
            this.scanLine(running, line);
          }
        }
      }
    } else if (this.waiting > 0 || this.mayInterest(line)) {
      for (const running of this.running) {
        if (running.scan === undefined) continue;
        if (
          running.wantsNext ||
          (running.commands !== undefined && line.command !== undefined && running.commands.has(line.command)) ||
          running.trigger.test(line.text)
        ) {
          this.scanLine(running, line);
        }
      }
    }
    this.remember(line);
    this.currentLine = undefined;
  }

  /** The common case: no scan waits for this line; only the pre-filter's candidates, in registry order. */
  private feedCandidates(literal: TriggerPrefilter, count: number, line: LogLine): void {
    const order = this.candidateOrder;
    for (let k = 0; k < count; k++) order[k] = literal.candidate(k);
    if (count > 1) order.subarray(0, count).sort();
    for (let k = 0; k < count; k++) {
      const running = this.running[order[k] as number] as Running;
      if (running.scan !== undefined && running.trigger.test(line.text)) this.scanLine(running, line);
    }
  }

  finish(): EngineResult {
    for (const running of this.running) {
      if (running.scan?.end === undefined) continue;
      this.current = running;
      try {
        running.scan.end(this.context);
      } catch (error: unknown) {
        this.errors.push({ detector: running.detector.id, line: 0, message: getErrorMessage(error) });
      }
    }
    this.current = undefined;
    const drafts = this.running.flatMap((r) => r.drafts).sort((a, b) => a.order - b.order);
    return { drafts, detectorErrors: this.errors, lines: this.lineCount };
  }

  private mayInterest(line: LogLine): boolean {
    if (line.command !== undefined && this.listenedCommands.has(line.command)) return true;
    if (this.prefilters === undefined) return true;
    for (const prefilter of this.prefilters) if (prefilter.test(line.text)) return true;
    return false;
  }

  private scanLine(running: Running, line: LogLine): void {
    const scan = running.scan;
    if (scan === undefined) return;
    this.current = running;
    const wanted = running.wantsNext;
    let wantsNext = false;
    try {
      wantsNext = scan.line(line, this.context) === true;
    } catch (error: unknown) {
      // One broken detector must not cost the whole analysis: note it and stop feeding it.
      this.errors.push({ detector: running.detector.id, line: line.n, message: getErrorMessage(error) });
      running.scan = undefined;
    }
    this.current = undefined;
    running.wantsNext = wantsNext;
    if (wanted !== wantsNext) this.waiting += wantsNext ? 1 : -1;
  }

  private remember(line: LogLine): void {
    const capacity = this.ring.length;
    this.ring[(this.ringHead + this.ringSize) % capacity] = line;
    if (this.ringSize < capacity) this.ringSize++;
    else this.ringHead = (this.ringHead + 1) % capacity;
  }

  /** Lines before the current one: the ring holds them all while a line is being scanned. */
  private before(count: number): readonly LogLine[] {
    const wanted = Math.max(0, Math.min(Math.floor(count), CONTEXT_LINES, this.ringSize));
    const result: LogLine[] = new Array<LogLine>(wanted);
    const capacity = this.ring.length;
    const start = this.ringHead + this.ringSize - wanted;
    for (let i = 0; i < wanted; i++) result[i] = this.ring[(start + i) % capacity] as LogLine;
    return result;
  }

  /** The remembered line numbered `n`, if still in the ring. */
  private lineAt(n: number): LogLine | undefined {
    if (this.ringSize === 0) return undefined;
    const capacity = this.ring.length;
    const newest = this.ring[(this.ringHead + this.ringSize - 1) % capacity];
    if (newest === undefined) return undefined;
    const back = newest.n - n;
    if (back < 0 || back >= this.ringSize) return undefined;
    return this.ring[(this.ringHead + this.ringSize - 1 - back) % capacity];
  }

  private report(failure: FailureDraft): void {
    const running = this.current;
    if (running === undefined) return;
    const draft = sanitizeDraft(failure);
    if (draft === undefined) {
      this.errors.push({ detector: running.detector.id, line: this.lineCount, message: 'reported a malformed failure (ignored)' });
      return;
    }
    const first = draft.logLines[0];
    const anchor = this.currentLine?.n === first ? this.currentLine : (this.lineAt(first) ?? this.currentLine ?? this.before(1)[0]);
    const entry: EngineDraft = { detector: running.detector.id, draft, order: this.order++ };
    if (anchor?.step !== undefined) entry.step = anchor.step;
    if (anchor?.stepIndex !== undefined) entry.stepIndex = anchor.stepIndex;
    if (anchor?.job !== undefined) entry.job = anchor.job;
    running.drafts.push(entry);
    this.totalDrafts++;
    if (running.drafts.length >= 2 * MAX_DRAFTS_PER_DETECTOR) this.totalDrafts -= prune(running.drafts, MAX_DRAFTS_PER_DETECTOR);
    if (this.totalDrafts >= 2 * MAX_DRAFTS) {
      // Overall cap: shrink the largest lists first, so a flood from one detector cannot push others out.
      const share = Math.max(1, Math.floor(MAX_DRAFTS / this.running.length));
      for (const other of this.running) if (other.drafts.length > share) this.totalDrafts -= prune(other.drafts, share);
    }
  }
}

/** Keeps the `keep` most confident, earliest drafts (in report order); returns how many were dropped. */
function prune(drafts: EngineDraft[], keep: number): number {
  const kept = [...drafts]
    .sort((a, b) => b.draft.confidence - a.draft.confidence || a.order - b.order)
    .slice(0, keep)
    .sort((a, b) => a.order - b.order);
  const dropped = drafts.length - kept.length;
  drafts.splice(0, drafts.length, ...kept);
  return dropped;
}

function isLineNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** A copy of a detector's draft with its numbers checked, or undefined when it cannot be used. */
function sanitizeDraft(failure: FailureDraft): FailureDraft | undefined {
  const [first, last] = Array.isArray(failure.logLines) ? failure.logLines : [undefined, undefined];
  if (!isLineNumber(first) || !isLineNumber(last) || typeof failure.message !== 'string') return undefined;
  const draft: FailureDraft = {
    ...failure,
    message: failure.message.length > MAX_MESSAGE_CHARS ? failure.message.slice(0, MAX_MESSAGE_CHARS) : failure.message,
    logLines: first <= last ? [first, last] : [last, first],
    confidence: Number.isFinite(failure.confidence) ? Math.min(1, Math.max(0, failure.confidence)) : 0,
  };
  if (draft.line !== undefined && !isLineNumber(draft.line)) delete draft.line;
  if (draft.column !== undefined && !isLineNumber(draft.column)) delete draft.column;
  if (draft.file !== undefined && (typeof draft.file !== 'string' || draft.file.trim() === '')) delete draft.file;
  return draft;
}
