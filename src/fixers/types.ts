import type { Category, Failure } from '../analysis/types.js';
import type { Exec } from '../exec.js';
import type { Logger } from '../logging.js';

/** What a fixer gets to work with. The workspace is a git working tree. */
export interface FixContext {
  /** Absolute path of the workspace (a git working tree); every write stays inside it. */
  workspace: string;
  /** The failures this fixer handles, already mapped: `file` is relative to the workspace or absent. */
  failures: readonly Failure[];
  exec: Exec;
  logger: Logger;
  /**
   * Environment for tools: allow-listed, no credential, a private HOME and TMPDIR (see
   * ../environment.ts), PATH with the workspace's node_modules/.bin and venv bin first when the
   * repository's tools may be used.
   */
  env: Record<string, string>;
  /**
   * The package index settings of the runner (PIP_INDEX_URL, npm_config_registry), for our own
   * downloads and tool installs only; never part of `env`, so never seen by the repository's tools.
   */
  packageIndexEnv?: Record<string, string>;
  /** Whether the repository's own tools (node_modules/.bin, .venv/bin) may be run. */
  useRepositoryTools: boolean;
  /**
   * install-tools: install the version the repository pins (into a temporary prefix outside the
   * workspace) when the tool found is another version or missing. Absent means false.
   */
  installTools?: boolean;
  /** Aborts when the run's time budget is used up; tools are stopped. */
  signal?: AbortSignal;
}

export interface ToolResolution {
  /** Absolute path or bare command name to run. */
  command: string;
  /** Arguments before the fixer's own (e.g. ['-m', 'black'] when run through a venv python). */
  prefixArgs: readonly string[];
  /** Where it came from: 'workspace' (node_modules/.bin, venv) or 'system' (PATH). */
  source: 'workspace' | 'system';
}

export interface FixOutcome {
  /** true when the fixer changed something it believes fixes the failures. */
  changed: boolean;
  /** Human description of what was done ("reformatted 2 files with black 23.1.0"). */
  description: string;
  /** Files (relative to the workspace) the fixer meant to change. */
  files: string[];
}

export interface VerifyOutcome {
  ok: boolean;
  /** The command that was run to verify, as text for the report (never run through a shell). */
  command: string;
  /**
   * 'check': the failing tool (or a check of the same fact) ran and passed, so the fix may count as
   * verified; 'sanity': only a sanity check ran (a file parse) and the fix is at best "applied, not
   * verified". Absent means 'sanity': a fixer must say that its check re-ran the failing check.
   */
  strength?: 'check' | 'sanity';
  /** Exit status of the command, when one ran. */
  exitCode?: number;
  /** Why it failed (tail of the tool output), when not ok; for a sanity check, why nothing stronger ran. */
  detail?: string;
}

export interface Fixer {
  /** kebab-case, unique, equals the file name in src/fixers/. */
  id: string;
  /** One sentence for docs/fixers.md. */
  description: string;
  /** The `fix-types` name a user enables this fixer with (e.g. 'format', 'lint', 'dependency', 'missing-file'). */
  fixType: string;
  /** Whether this fixer is in the default safe set. */
  safeByDefault: boolean;
  categories: readonly Category[];
  /** How sure we are that applying it is right, 0..1 (compared with the confidence threshold). */
  confidence: number;
  /**
   * Globs (picomatch, relative to the workspace) of the only paths this fixer may modify. It may
   * only modify files it names in its outcome, never delete, never change a mode.
   */
  touches: readonly string[];
  /** Globs of the new files it may create (none when absent). */
  creates?: readonly string[];
  /** Does this fixer handle this failure? */
  handles(failure: Failure): boolean;
  /** The tool's name in a skip reason ("black not available"); default: the fixer's id. */
  toolName?: string;
  /** How to make the tool available, for the skip reason when `resolveTool` finds none. */
  toolHint?: string;
  /**
   * Finds the tool to run, or returns undefined (then the fixer is skipped with a reason). Throws a
   * ToolUnavailableError when the tool found cannot be used (another version than the pinned one).
   */
  resolveTool(ctx: FixContext): Promise<ToolResolution | undefined>;
  apply(ctx: FixContext, tool: ToolResolution): Promise<FixOutcome>;
  /** Re-runs the check that failed, on the touched files. */
  verify(ctx: FixContext, tool: ToolResolution, outcome: FixOutcome): Promise<VerifyOutcome>;
}
