/**
 * Detector drafts → ranked, deduplicated `Failure`s. The first failure is the root cause: the
 * first confident, specific error of the log. Generic runner lines (`##[error]Process completed
 * with exit code 1`) and low-confidence symptoms rank below every specific hit, whatever their
 * position, because they are consequences of it.
 */
import { createHash } from 'node:crypto';
import type { EngineDraft } from './engine.js';
import type { Step, StepModel } from './steps.js';
import { categoryOfCommand } from './vocabulary.js';
import type { Category, Failure, FailureDraft } from './types.js';

/** Detectors that only restate that something failed; they rank last. */
export const GENERIC_DETECTORS: ReadonlySet<string> = new Set(['github-error', 'exit-code']);

/**
 * Detectors that find an error block without knowing the tool. They rank as what they found, but a
 * block that a specific detector explains too is that detector's failure told again: dropped.
 */
export const FINDER_DETECTORS: ReadonlySet<string> = new Set(['generic-error']);

/** Detectors that need no knowledge of a tool: what `eval --generic-only` runs. */
export const TOOL_AGNOSTIC_DETECTORS: ReadonlySet<string> = new Set([...GENERIC_DETECTORS, ...FINDER_DETECTORS]);

/** Confidence at and above which a specific hit counts as a real, explained failure. */
export const CONFIDENT = 0.6;
/** A first failure this sure explains the log on its own … */
export const SURE = 0.8;
/** … and failures below this are then its symptoms (a `make: *** Error 2`, an `ELIFECYCLE` line): not reported. */
export const SYMPTOM = 0.5;

/** Confidences this close count as a tie between two hits of the same tier. */
export const CLOSE_CALL = 0.15;

/**
 * When two confident hits are close in confidence, the one whose category usually explains the
 * other wins (a missing module explains the failing tests that import it; a network failure
 * explains failing tests and lint hooks, not a compiler error); otherwise the earlier. Lower is
 * stronger.
 */
const CATEGORY_STRENGTH: Readonly<Record<Category, number>> = {
  syntax_error: 0,
  import_missing_module: 1,
  missing_file: 2,
  dependency_resolution: 2,
  compilation_error: 3,
  type_check: 3,
  lint_format: 4,
  test_failure: 4,
  network_infra_timeout: 3.5,
  other: 6,
};

const RUNNER_PREFIXES = [
  /\/home\/runner\/work\/[^/\s]+\/[^/\s]+\//g,
  /\/Users\/runner\/work\/[^/\s]+\/[^/\s]+\//g,
  /\/__w\/[^/\s]+\/[^/\s]+\//g,
  /\/github\/workspace\//g,
  /\b[A-Za-z]:[\\/]a[\\/][^\\/\s]+[\\/][^\\/\s]+[\\/]/g,
  /\/home\/travis\/build\/[^/\s]+\/[^/\s]+\//g,
];
// A temporary directory and its first component (often random: tmpk3j2x_, pytest-of-runner); the
// rest of the path is kept, so two files under one temporary directory stay two files.
const TEMP_PATH =
  /(?:(?:\/private)?\/var\/folders\/[^/\s]+\/[^/\s]+(?:\/T)?|\/tmp|[A-Za-z]:[\\/]Users[\\/][^\\/\s]+[\\/]AppData[\\/]Local[\\/]Temp|\/home\/runner\/work\/_temp)(?:[\\/][^\\/\s'"`,;:)]*)?/g;
// In a path only a leading temporary directory varies between runs: `src/tmp/a.py` and `src/tmp/b.py`
// are two files of the repository, not one temporary path.
const LEADING_TEMP_PATH = new RegExp(`^(?:${TEMP_PATH.source})`);
const TIMESTAMP = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?:0x[0-9a-f]+|[0-9a-f]{7,64})\b/gi;
const NUMBER = /\d+(?:\.\d+)*/g;
const SPACE = /\s+/g;

/** Message (or file) text with everything that varies between runs of the same failure removed. */
export function normalizeForFingerprint(text: string): string {
  let result = text;
  for (const prefix of RUNNER_PREFIXES) result = result.replace(prefix, '');
  return result
    .replace(TIMESTAMP, '<time>')
    .replace(TEMP_PATH, '<tmp>')
    .replace(UUID, '<id>')
    .replace(HEX, (hex) => (/\d/.test(hex) ? '<hex>' : hex))
    .replace(NUMBER, '#')
    .replace(SPACE, ' ')
    .trim()
    .toLowerCase();
}

/**
 * A file path with what varies between runs removed (runner checkout prefix, leading temporary
 * directory, hashes) but its numbers kept: `test_1.py` and `test_2.py`, `posts/20240101.md` and
 * `posts/20240215.md` are two files, not one.
 */
export function normalizePathForFingerprint(path: string): string {
  let result = path.replace(/\\/g, '/');
  for (const prefix of RUNNER_PREFIXES) result = result.replace(prefix, '');
  // A hash has letters and digits; all digits is a name (`changelog/20240101.md`, `2024021501.py`).
  return result
    .replace(LEADING_TEMP_PATH, '<tmp>')
    .replace(UUID, '<id>')
    .replace(HEX, (hex) => (/\d/.test(hex) && /[a-f]/i.test(hex) ? '<hex>' : hex))
    .trim();
}

/** Stable id of a failure: sha1 over tool, file and message, each with run-specific parts removed. */
export function fingerprintOf(draft: { tool: string; message: string; file?: string }): string {
  const parts = [draft.tool.toLowerCase(), normalizePathForFingerprint(draft.file ?? ''), normalizeForFingerprint(draft.message)];
  return createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/** The step model as ranking uses it: steps by ordinal and the failed one. */
export interface RankingSteps {
  byIndex: ReadonlyMap<number, Step>;
  failed: Step | undefined;
}

export function rankingSteps(model: StepModel | undefined): RankingSteps | undefined {
  if (model === undefined || model.failed === undefined) return undefined;
  return { byIndex: new Map(model.steps.map((step) => [step.index, step])), failed: model.failed };
}

/** Where a hit stands relative to the failed step. */
type Placement = 'inside' | 'before' | 'after';

/**
 * Where a hit stands in the story of the failure. A step the log shows passed (Travis `exited with
 * 0`, a GitHub step followed by another with no failure line) did not fail the job: what it printed
 * (a warning-level `ERROR`, a flaky retry, a tool's expected errors) is not why the job failed. A
 * step whose outcome the log does not give (a Travis install script without `set -e`) may hold the
 * cause and keeps its rank. What came after the failed step ended (an `if: always()` upload, a
 * cleanup, a post-step) is a consequence at most. The runner's own messages (timeouts,
 * cancellations) are exempt: they end a step in their own way.
 */
function placementOf(entry: EngineDraft, steps: RankingSteps): Placement {
  const failed = steps.failed as Step;
  if (entry.draft.tool === 'runner') return 'inside';
  if (entry.draft.logLines[0] > failed.lines[1]) return 'after';
  const step = entry.stepIndex === undefined ? undefined : steps.byIndex.get(entry.stepIndex);
  if (step !== undefined && step.outcome === 'passed' && step.index !== failed.index) return 'before';
  return 'inside';
}

/**
 * Ranking tiers, lower first: confident hits, then weaker ones, then generic annotations and the
 * exit-code line. Placement against the failed step of the step model (steps.ts) shifts a hit: one
 * reported after the failed step ended (an `if: always()` upload, a cleanup, a post-step) drops one
 * tier, one in a step the log shows passed drops below every hit of the failed step. Without a
 * failed step (a plain log, a log cut before its end) order of confidence and position decides.
 */
function tierOf(entry: EngineDraft, steps?: RankingSteps): number {
  if (entry.detector === 'exit-code') return 5;
  if (GENERIC_DETECTORS.has(entry.detector)) return 4;
  const base = entry.draft.confidence >= CONFIDENT ? 0 : 2;
  if (steps !== undefined) {
    const placement = placementOf(entry, steps);
    // A step that passed explains nothing: below every hit of the failed step and after it.
    if (placement === 'before') return 3.5;
    return base + (placement === 'after' ? 1 : 0);
  }
  return base;
}

/** Ranking order: most likely root cause first. */
export function compareDrafts(a: EngineDraft, b: EngineDraft, steps?: RankingSteps): number {
  const tier = tierOf(a, steps) - tierOf(b, steps);
  if (tier !== 0) return tier;
  const confidence = b.draft.confidence - a.draft.confidence;
  // Close calls (within CLOSE_CALL) are settled by what usually explains what, then by position.
  if (Math.abs(confidence) > CLOSE_CALL) return confidence;
  const strength = CATEGORY_STRENGTH[a.draft.category] - CATEGORY_STRENGTH[b.draft.category];
  if (strength !== 0) return strength;
  return a.draft.logLines[0] - b.draft.logLines[0] || confidence || a.order - b.order;
}

function overlaps(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

/**
 * Generic annotations that restate a specific hit (same lines, or the specific hit's message)
 * add nothing; drop them so the top of the list stays informative. So does the generic finder's
 * block when a specific detector confidently explains the same step.
 */
function dropRestatements(entries: readonly EngineDraft[]): EngineDraft[] {
  const specific = entries.filter((entry) => !GENERIC_DETECTORS.has(entry.detector) && !FINDER_DETECTORS.has(entry.detector));
  if (specific.length === 0) return [...entries];
  const messages = new Set(specific.map((entry) => entry.draft.message.trim()));
  const confident = specific.filter((entry) => entry.draft.confidence >= CONFIDENT);
  return entries.filter((entry) => {
    // A specific, confident explanation of the same step makes the finder's block redundant.
    if (FINDER_DETECTORS.has(entry.detector)) {
      if (specific.some((other) => overlaps(other.draft.logLines, entry.draft.logLines))) return false;
      return !confident.some((other) => other.stepIndex === entry.stepIndex);
    }
    if (!GENERIC_DETECTORS.has(entry.detector)) return true;
    if (entry.detector === 'exit-code') return true;
    if (messages.has(entry.draft.message.trim())) return false;
    return !specific.some((other) => overlaps(other.draft.logLines, entry.draft.logLines));
  });
}

function toFailure(entry: EngineDraft): Failure {
  const failure: Failure = {
    ...entry.draft,
    logLines: [entry.draft.logLines[0], entry.draft.logLines[1]],
    detector: entry.detector,
    fingerprint: fingerprintOf(entry.draft),
    occurrences: 1,
  };
  if (entry.step !== undefined) failure.step = entry.step;
  if (entry.job !== undefined) failure.job = entry.job;
  return failure;
}

/** The smallest range holding both. */
function union(a: readonly [number, number], b: readonly [number, number]): [number, number] {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

function contains(outer: readonly [number, number], inner: readonly [number, number]): boolean {
  return outer[0] <= inner[0] && inner[1] <= outer[1];
}

/** How much a fixer and a reader can do with a draft: fixer data first, then a source location. */
function specificity(draft: FailureDraft): number {
  const data = draft.data ?? {};
  const actionable = ['module', 'path', 'formatter', 'code', 'rule'].some((key) => data[key] !== undefined) ? 2 : 0;
  return actionable + (draft.file !== undefined && draft.line !== undefined ? 1 : 0);
}

interface Nested {
  entry: EngineDraft;
  absorbed: number;
}

/**
 * One failure told twice: a runner's block (a unittest `ERROR:` block, a pytest section) and the
 * traceback inside it are the same failure. When two drafts of one category nest, keep one at the
 * better rank: the more specific of the two (it names the module, file or rule a fixer needs),
 * spanning the outer block's lines.
 */
/** One detector's reports on two different files are two failures, however their lines nest. */
function separateFiles(a: EngineDraft, b: EngineDraft): boolean {
  const fileA = a.draft.file;
  const fileB = b.draft.file;
  return (
    a.detector === b.detector &&
    fileA !== undefined &&
    fileB !== undefined &&
    normalizePathForFingerprint(fileA) !== normalizePathForFingerprint(fileB)
  );
}

function collapseNested(ranked: readonly EngineDraft[]): Nested[] {
  const kept: Nested[] = [];
  for (const entry of ranked) {
    const lines = entry.draft.logLines;
    if (absorbWrapper(kept, entry)) continue;
    const host = kept.find(
      (k) =>
        k.entry.draft.category === entry.draft.category &&
        !GENERIC_DETECTORS.has(k.entry.detector) &&
        !GENERIC_DETECTORS.has(entry.detector) &&
        (contains(k.entry.draft.logLines, lines) || contains(lines, k.entry.draft.logLines)) &&
        // Last: it normalises two paths, and nested ranges are rare.
        !separateFiles(k.entry, entry),
    );
    if (host === undefined) {
      kept.push({ entry, absorbed: 0 });
      continue;
    }
    host.absorbed += 1;
    if (specificity(entry.draft) > specificity(host.entry.draft)) {
      const span = union(host.entry.draft.logLines, lines);
      const confidence = Math.max(host.entry.draft.confidence, entry.draft.confidence);
      host.entry = { ...entry, order: host.entry.order, draft: { ...entry.draft, logLines: span, confidence } };
    }
  }
  return kept;
}

/**
 * A weak hit a detector could not put in a category (an uncaught error with a stack, nothing more)
 * takes the category of the command its step ran: an uncaught error in a test run is a test
 * failure, in a build a compilation error.
 */
function withCommandCategory(entry: EngineDraft): EngineDraft {
  const { draft } = entry;
  if (
    draft.category !== 'other' ||
    draft.confidence >= CONFIDENT ||
    GENERIC_DETECTORS.has(entry.detector) ||
    FINDER_DETECTORS.has(entry.detector)
  )
    return entry;
  if (entry.step === undefined) return entry;
  const category = categoryOfCommand(entry.step.startsWith('Run ') ? entry.step.slice(4) : entry.step);
  if (category === undefined || category === 'other') return entry;
  return { ...entry, draft: { ...draft, category } };
}

/** Lines between a step's last specific failure and the runner's exit line that still count as its tail. */
export const EXIT_TAIL_LINES = 12;

/**
 * The runner's `Process completed with exit code N` line closes the failing step; the lines between
 * the step's last specific failure and that line (the tool's own `error Command failed`, a task
 * runner's `Failed tasks: …`) are how that failure ended the step, so they join its lines.
 */
function withExitTails(entries: readonly EngineDraft[], exits: readonly number[]): EngineDraft[] {
  if (exits.length === 0) return [...entries];
  const closest = new Map<number, EngineDraft>();
  for (const entry of entries) {
    if (GENERIC_DETECTORS.has(entry.detector) || FINDER_DETECTORS.has(entry.detector) || entry.draft.confidence < CONFIDENT) continue;
    const end = entry.draft.logLines[1];
    const exit = exits.find((line) => line > end);
    if (exit === undefined || exit - end > EXIT_TAIL_LINES) continue;
    const seen = closest.get(exit);
    if (seen === undefined || seen.draft.logLines[1] < end) closest.set(exit, entry);
  }
  const extended = new Map([...closest].map(([exit, entry]) => [entry, exit]));
  return entries.map((entry) => {
    const exit = extended.get(entry);
    return exit === undefined ? entry : { ...entry, draft: { ...entry.draft, logLines: [entry.draft.logLines[0], exit] } };
  });
}

/**
 * The lines where GitHub's runner said a step failed (`Process completed with exit code N`),
 * ascending. Travis' `The command "…" exited with N` comes after the whole command's output and its
 * summary: joining those lines to the failure lowered line precision on Travis logs (69.7 → 57.5 on
 * the design slice), so it is left out.
 */
function failedStepExits(model: StepModel | undefined): number[] {
  if (model === undefined) return [];
  const exits = model.steps.flatMap((step) =>
    step.outcome === 'failed' && step.outcomeLine !== undefined && step.outcomeSystem === 'github' ? [step.outcomeLine] : [],
  );
  return exits.sort((a, b) => a - b);
}

/**
 * A weak, uncategorised wrapper (a script's uncaught `Error: Command failed` with its stack and
 * properties) around a specific error (the git 403 printed inside it) is that error: the specific
 * one keeps its category and message, takes the wrapper's lines and, when it has none, the
 * wrapper's source location; specific hits of that category inside the wrapper join it.
 */
function absorbWrapper(kept: Nested[], entry: EngineDraft): boolean {
  const wrapper = entry.draft;
  if (wrapper.category !== 'other' || wrapper.confidence >= CONFIDENT || GENERIC_DETECTORS.has(entry.detector)) return false;
  const hostIndex = kept.findIndex(
    (k) =>
      !GENERIC_DETECTORS.has(k.entry.detector) &&
      k.entry.draft.confidence >= CONFIDENT &&
      contains(wrapper.logLines, k.entry.draft.logLines),
  );
  const host = kept[hostIndex];
  if (host === undefined) return false;
  const inner = host.entry.draft;
  const draft: FailureDraft = { ...inner, logLines: union(inner.logLines, wrapper.logLines) };
  if (inner.file === undefined && wrapper.file !== undefined) {
    draft.file = wrapper.file;
    if (wrapper.line !== undefined) draft.line = wrapper.line;
    if (wrapper.column !== undefined) draft.column = wrapper.column;
  }
  host.entry = { ...host.entry, draft };
  host.absorbed += 1;
  for (let i = kept.length - 1; i > hostIndex; i--) {
    const other = kept[i] as Nested;
    if (
      other.entry.draft.category === inner.category &&
      !GENERIC_DETECTORS.has(other.entry.detector) &&
      contains(draft.logLines, other.entry.draft.logLines)
    ) {
      host.absorbed += 1 + other.absorbed;
      kept.splice(i, 1);
    }
  }
  return true;
}

/**
 * Drafts of one log → its failures, most relevant first, one per fingerprint (back-to-back repeats
 * widen its lines, see spanOfRepeats). When the first failure is sure, weak symptoms are dropped.
 */
export function classifyDrafts(input: readonly EngineDraft[], model?: StepModel): Failure[] {
  const steps = rankingSteps(model);
  const ranked = dropRestatements(input).sort((a, b) => compareDrafts(a, b, steps));
  // The exit-code line is only worth showing when nothing else explains the failure.
  const hasExplanation = ranked.some((entry) => entry.detector !== 'exit-code');
  const byFingerprint = new Map<string, { failure: Failure; ranges: [number, number][] }>();
  // Tails join the exit line to the lines of a failure once failures are settled: a wider range
  // must not swallow the distinct failures printed between a failure and the exit line.
  const collapsed = collapseNested(ranked);
  const tailed = withExitTails(
    collapsed.map((nested) => nested.entry),
    failedStepExits(model),
  );
  for (const [index, { absorbed }] of collapsed.entries()) {
    const entry = tailed[index] as EngineDraft;
    if (hasExplanation && entry.detector === 'exit-code') continue;
    // Categories from commands are given last: they name a hit, they neither rank nor merge it.
    const failure = toFailure(withCommandCategory(entry));
    const seen = byFingerprint.get(failure.fingerprint);
    if (seen) {
      seen.failure.occurrences += 1 + absorbed;
      seen.ranges.push([failure.logLines[0], failure.logLines[1]]);
    } else {
      failure.occurrences += absorbed;
      byFingerprint.set(failure.fingerprint, { failure, ranges: [] });
    }
  }
  const grouped = collapseVariants([...byFingerprint.values()]);
  const rootIsSure = (grouped[0]?.failure.confidence ?? 0) >= SURE;
  return grouped
    .filter(({ failure }, rank) => rank === 0 || !rootIsSure || failure.confidence >= SYMPTOM)
    .map(({ failure, ranges }) => {
      // Weak symptoms are not stretched over their repeats: they are not what a reader needs to see.
      if (failure.confidence >= CONFIDENT) failure.logLines = spanOfRepeats(failure.logLines, ranges);
      return failure;
    });
}

// A quoted span (closed, or cut off by the end of a clipped message); an apostrophe inside a word
// ("can't") opens none.
const QUOTED = /(?<!\w)(?:"[^"]*(?:"|$)|'[^']*(?:'(?!\w)|$)|`[^`]*(?:`|$))/g;

/** A message with its quoted parts (paths, commands, names) blanked: the error it reports, whatever it names. */
export function messageShape(message: string): string {
  return normalizeForFingerprint(message).replace(QUOTED, '"…"');
}

/**
 * The same error repeated about different quoted things (`The command "make test-…" exited with 2`
 * with its command cut at different places) is one failure with a count. Only for one detector's
 * failures in one category that name no file, line, missing path or module: a located problem (a
 * lint message, a type error, `ENOENT … open 'a.json'` beside `… 'b.json'`) is its own failure.
 */
function collapseVariants<T extends { failure: Failure; ranges: [number, number][] }>(groups: readonly T[]): T[] {
  const byShape = new Map<string, T>();
  const kept: T[] = [];
  for (const group of groups) {
    const { failure } = group;
    const shape = messageShape(failure.message);
    const key = [failure.detector, failure.category, shape].join('\0');
    // A failure with a location is a problem at that place: `F841 … \`total\`` and `F841 … \`l\`` stay two.
    // So is one that names what a fixer acts on: two missing modules or paths need two fixes.
    const located = failure.file !== undefined || failure.line !== undefined || namesSubject(failure);
    const seen = shape.includes('"…"') && !located ? byShape.get(key) : undefined;
    if (seen === undefined) {
      byShape.set(key, group);
      kept.push(group);
      continue;
    }
    seen.failure.occurrences += failure.occurrences;
    seen.ranges.push([failure.logLines[0], failure.logLines[1]], ...group.ranges);
  }
  return kept;
}

/** Facts a fixer acts on: merging two failures that differ in them would lose one fix. */
const SUBJECT_KEYS = ['path', 'module'] as const;

function namesSubject(failure: Failure): boolean {
  return SUBJECT_KEYS.some((key) => typeof failure.data?.[key] === 'string');
}

/** Lines between the end of one occurrence of a failure and the start of the next that still make one block. */
export const REPEAT_GAP_LINES = 12;

/**
 * A failure repeated back to back (a compiler error cascade, `docker pull` retried three times)
 * reads as one block: the kept occurrence's lines grow over the repeats that follow or precede it
 * within REPEAT_GAP_LINES of each other. Distant repeats only count in `occurrences`.
 */
function spanOfRepeats(kept: [number, number], others: readonly [number, number][]): [number, number] {
  const span: [number, number] = [kept[0], kept[1]];
  const sorted = [...others].sort((a, b) => a[0] - b[0]);
  for (const range of sorted) {
    if (range[0] > span[1] && range[0] - span[1] <= REPEAT_GAP_LINES) span[1] = Math.max(span[1], range[1]);
  }
  for (const range of [...sorted].reverse()) {
    if (range[1] < span[0] && span[0] - range[1] <= REPEAT_GAP_LINES) span[0] = Math.min(span[0], range[0]);
  }
  return span;
}

/** The log's category: its first failure's, 'other' when none. */
export function primaryCategory(failures: readonly Failure[]): Category {
  return failures[0]?.category ?? 'other';
}

/**
 * Failures of several jobs (a matrix) → one list: the same fingerprint collapses into the first
 * job's failure with occurrences summed. Order: by rank within its job, then by job order, so each
 * job's root cause comes before any job's second failure.
 */
export function mergeJobAnalyses(perJob: readonly (readonly Failure[])[]): Failure[] {
  const merged = new Map<string, { failure: Failure; rank: number; job: number }>();
  perJob.forEach((failures, jobIndex) => {
    failures.forEach((failure, rank) => {
      const seen = merged.get(failure.fingerprint);
      if (seen) {
        seen.failure.occurrences += failure.occurrences;
        if (rank < seen.rank) seen.rank = rank;
      } else
        merged.set(failure.fingerprint, {
          failure: { ...failure, logLines: [failure.logLines[0], failure.logLines[1]] },
          rank,
          job: jobIndex,
        });
    });
  });
  return [...merged.values()].sort((a, b) => a.rank - b.rank || a.job - b.job).map((entry) => entry.failure);
}
