/**
 * The analyzer's data. A log is read as a stream of raw lines; `normalize` turns each raw line
 * into a `LogLine`; detectors scan `LogLine`s and report `FailureDraft`s; `classify` ranks and
 * deduplicates them into `Failure`s.
 */

export const CATEGORIES = [
  'lint_format',
  'import_missing_module',
  'syntax_error',
  'type_check',
  'test_failure',
  'missing_file',
  'dependency_resolution',
  'compilation_error',
  'network_infra_timeout',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Longest text a detector sees of one line. Longer lines are cut: error messages start early. */
export const MAX_LINE_CHARS = 4096;

/** One line of a log after normalisation. */
export interface LogLine {
  /** 1-based number of this line in the raw file, counting LF only (as `grep -n`). */
  readonly n: number;
  /**
   * Text with the GitHub Actions timestamp, `gh run view --log` job/step prefix, ANSI escapes,
   * BOM, trailing CR and workflow-command marker removed. For Travis lines that hold bare-CR
   * progress updates, the last segment. At most MAX_LINE_CHARS characters.
   */
  readonly text: string;
  /** Workflow command that opened the raw line (`##[error]msg` → kind 'error', text 'msg'). */
  readonly command?: 'error' | 'warning' | 'notice' | 'debug' | 'group' | 'endgroup' | 'command' | 'section';
  /** Step (GitHub `##[group]Run …` / gh-run-view step column / Travis fold) this line belongs to, when known. */
  readonly step?: string;
  /** Ordinal of that step in the log (0 before the first one): two runs of one command are two steps. */
  readonly stepIndex?: number;
  /** Job name, when the log names it (gh run view form). */
  readonly job?: string;
}

/** What a detector reports. `classify` fills in the rest of `Failure`. */
export interface FailureDraft {
  category: Category;
  /** Tool that produced the failure: 'pytest', 'black', 'tsc', 'gcc', 'npm', 'network' … */
  tool: string;
  /** One-line message, as the tool wrote it (normalised text, trimmed). */
  message: string;
  /** Source location, as the log names it (may be an absolute runner path; mapped later). */
  file?: string;
  line?: number;
  column?: number;
  /** Raw line numbers [first, last] (1-based, inclusive) of the lines that explain this failure. */
  logLines: [number, number];
  /** 0..1: how sure the detector is of the category and that this is a real failure. */
  confidence: number;
  /** Tool-specific facts a fixer needs (e.g. { module: 'yaml' }, { files: ['a.py'] }, { code: 'E501' }). */
  data?: Record<string, unknown>;
}

export interface Failure extends FailureDraft {
  /** Detector id that reported it. */
  detector: string;
  /** Stable id: hash of normalised message + tool + file (numbers, hashes, temp paths, timestamps ignored). */
  fingerprint: string;
  /** How many times this failure was seen (across the log or across jobs) before deduplication. */
  occurrences: number;
  /** Step and job, copied from the first line of `logLines` when known. */
  step?: string;
  job?: string;
}

/** What a detector scan can use while it reads lines. */
export interface DetectorContext {
  /**
   * The lines just before the current one (oldest first, the current line excluded), at most
   * `count` and at most CONTEXT_LINES. Lines are kept whether or not they matched any trigger.
   */
  before(count: number): readonly LogLine[];
  report(failure: FailureDraft): void;
}

/** Lines kept for `DetectorContext.before`. */
export const CONTEXT_LINES = 1000;

/**
 * The per-log state of one detector. `line` is called for every line that matches the detector's
 * `trigger`, and also for the next line whenever the previous call returned `true` (so a scan can
 * read a block: a traceback, a tsc continuation, a pytest summary). `end` is called once at the end
 * of the log, for scans that report what they gathered.
 */
export interface DetectorScan {
  line(line: LogLine, ctx: DetectorContext): boolean | void;
  end?(ctx: DetectorContext): void;
}

export interface Detector {
  /** kebab-case, unique, equals the file name in src/analysis/detectors/. */
  id: string;
  /** One sentence for docs/detectors.md. */
  description: string;
  categories: readonly Category[];
  /** A real line this detector recognises, for docs/detectors.md. */
  example: string;
  /**
   * Cheap pre-filter over `LogLine.text`. Only matching lines (and lines asked for by returning
   * `true`) reach the scan. Must be linear-time (no nested quantifiers, no backreferences), should
   * start with or contain a literal so the engine can combine triggers.
   */
  trigger: RegExp;
  /**
   * Lines opened by one of these workflow commands also reach the scan, whatever their text (the
   * marker is not part of `LogLine.text`, so a trigger cannot see it). Optional; for generic
   * detectors of `##[error]` annotations.
   */
  commands?: readonly NonNullable<LogLine['command']>[];
  /** A new scan for each log. */
  start(): DetectorScan;
}
