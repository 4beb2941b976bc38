/**
 * The failed-step model: a log is a sequence of steps (GitHub `##[group]Run …` blocks, `gh run
 * view --log` step columns, Travis `$ command`s, a plain log as one step), each with its command,
 * its output range and, where the log says it, its outcome. The failed step is where the search for
 * the cause starts; what ran after it (uploads, cleanups, post-steps) ranks below it, and what a
 * step that passed printed is not why the job failed.
 *
 * Outcomes come from the CI system's own lines: GitHub `##[error]Process completed with exit code
 * N.`, `##[error]The operation was canceled.`, Travis `The command "…" exited with N.` (0 is a
 * pass), `No output has been received in the last …`, GitLab `ERROR: Job failed: exit code N`.
 * Tool lines that end a command (`make: *** […] Error N`, `npm ERR! code ELIFECYCLE`) mark a step
 * failed only when the CI system says nothing about it (a plain log). A GitHub step followed by
 * another with no failure line passed: the runner only reports failures.
 */
import type { LogLine } from './types.js';

export type StepOutcome = 'failed' | 'passed' | 'unknown';

export interface Step {
  index: number;
  /** The command or name (`Run npm test`, `npm test`, `install.1`), '' for a plain log. */
  name: string;
  /** Raw line numbers [first, last] of the step, its header included. */
  lines: [number, number];
  outcome: StepOutcome;
  exitCode?: number;
  /** Line of the CI system's outcome line, when there is one. */
  outcomeLine?: number;
  /** 'ci' when the CI system said it; 'tool' when only a tool's own line did. */
  outcomeSource?: 'ci' | 'tool';
  /** For a 'ci' outcome: the system whose line it was (a plain log can hold GitHub's exit line). */
  outcomeSystem?: 'github' | 'travis' | 'gitlab';
  /** GitHub, Travis, GitLab or plain: which format named the step. */
  system: 'github' | 'travis' | 'gitlab' | 'plain';
  /**
   * The step's script as the log shows it: for GitHub the lines inside the `Run` group before the
   * runner's `shell:` / `env:` / `with:` lines, for Travis the `$` command. Absent when the log shows
   * none or it is longer than MAX_SCRIPT_LINES / MAX_SCRIPT_CHARS (then it is not known whole).
   */
  script?: string[];
}

/** Longest script kept per step, in lines and in characters; a longer one is dropped, not cut. */
export const MAX_SCRIPT_LINES = 40;
export const MAX_SCRIPT_CHARS = 4000;
/** The runner's lines that end the script inside a `Run` group. */
const SCRIPT_END = /^(?:shell|env|with): ?/;

/** Most steps kept per log; a log with more keeps the first ones (the failed step is among them far more often). */
export const MAX_STEPS = 5000;

const GITHUB_EXIT = /^Process completed with exit code (\d{1,3})\.?$/;
// Commands Travis runs to set a job up (language versions, the clone), before the project's own.
const TRAVIS_SETUP =
  /^(?:rvm (?:use|alias) |nvm (?:install|use) |jdk_switcher use |gimme |phpenv (?:global|rehash)|pyenv |source ~\/virtualenv\/|git clone --depth=|git checkout -qf |git submodule update |export TRAVIS_)/;
const TRAVIS_EXIT = /^The command "(.{0,2000})" (?:failed and )?exited with (\d{1,3})(?: during [^.]{0,200})?\.$/;
const GITLAB_EXIT = /^ERROR: Job failed: (?:exit code|command terminated with exit code) (\d{1,3})\s*$/;

/** A CI system's line that ends a step with an exit code, and which system wrote it. */
export interface CiExitLine {
  system: 'github' | 'travis' | 'gitlab';
  code: number;
}

/**
 * Reads the CI system's own end-of-step line: GitHub `Process completed with exit code N.`, Travis
 * `The command "…" exited with N.`, GitLab `ERROR: Job failed: exit code N`. The one place these
 * formats are known; the step model and the detectors that react to a failed step share it.
 */
export function ciExitLine(text: string): CiExitLine | undefined {
  const first = text.charCodeAt(0);
  if (first === 80 /* P */) {
    const github = GITHUB_EXIT.exec(text);
    return github ? { system: 'github', code: Number(github[1]) } : undefined;
  }
  if (first === 84 /* T */) {
    const travis = TRAVIS_EXIT.exec(text);
    return travis ? { system: 'travis', code: Number(travis[2]) } : undefined;
  }
  if (first === 69 /* E */) {
    const gitlab = GITLAB_EXIT.exec(text);
    return gitlab ? { system: 'gitlab', code: Number(gitlab[1]) } : undefined;
  }
  return undefined;
}

const GITHUB_CANCELED =
  /^The (?:operation|job) was canceled\.?$|^The job running on runner .{0,200} has exceeded the maximum execution time/;
const TRAVIS_SILENT = /^No output has been received in the last \d/;
const MAKE_ERROR = /^(?:g?make(?:\[\d+\])?|ninja): \*\*\* .{0,400}(?:Error|error) (\d{1,3})/;
const NPM_LIFECYCLE = /^npm (?:ERR!|error) code ELIFECYCLE$/;

export interface StepModel {
  steps: readonly Step[];
  /** The step where the search for the cause starts, when the log says which failed. */
  failed: Step | undefined;
}

export class StepTracker {
  private readonly steps: Step[] = [];
  private current: Step | undefined;
  private currentIndex = -1;
  /** Whether the lines now read are the current GitHub step's script (inside its `Run` group). */
  private readingScript = false;
  private scriptChars = 0;

  observe(line: LogLine): void {
    const index = line.stepIndex ?? 0;
    const opens = index !== this.currentIndex || this.current === undefined;
    if (opens) this.open(line, index);
    const step = this.current as Step;
    step.lines[1] = line.n;
    // The `##[group]Run …` line opens the step; its script is on the lines after it.
    if (this.readingScript && !opens) this.readScript(step, line);
    this.readOutcome(step, line);
  }

  private readScript(step: Step, line: LogLine): void {
    if (line.command !== undefined || SCRIPT_END.test(line.text)) {
      this.readingScript = false;
      return;
    }
    const script = step.script;
    if (script === undefined) return;
    this.scriptChars += line.text.length + 1;
    if (script.length >= MAX_SCRIPT_LINES || this.scriptChars > MAX_SCRIPT_CHARS) {
      delete step.script;
      this.readingScript = false;
      return;
    }
    if (line.text.trim() !== '') script.push(line.text);
  }

  private open(line: LogLine, index: number): void {
    const previous = this.current;
    // GitHub reports only failures: a step that ended without one, followed by another, passed.
    if (previous !== undefined && previous.system === 'github' && previous.outcome === 'unknown') previous.outcome = 'passed';
    this.currentIndex = index;
    const name = line.step ?? '';
    const step: Step = { index, name, lines: [line.n, line.n], outcome: 'unknown', system: systemOf(line, name) };
    this.current = step;
    this.readingScript = step.system === 'github' && line.command === 'group' && name.startsWith('Run ');
    this.scriptChars = 0;
    if (this.readingScript) step.script = [];
    else if (step.system === 'travis') step.script = [name];
    if (this.steps.length < MAX_STEPS) this.steps.push(step);
  }

  private readOutcome(step: Step, line: LogLine): void {
    const text = line.text;
    const exit = ciExitLine(text);
    // The runner's GitHub line is an `##[error]`; a script echoing the words is not the runner.
    if (exit !== undefined && (exit.system !== 'github' || line.command === 'error'))
      return this.set(step, line, exit.code, 'ci', exit.system);
    const first = text.charCodeAt(0);
    if (first === 84 /* T */ && line.command === 'error' && GITHUB_CANCELED.test(text)) return this.set(step, line, 143, 'ci', 'github');
    if (first === 78 /* N */ && TRAVIS_SILENT.test(text)) return this.set(step, line, 124, 'ci', 'travis');
    if (step.outcomeSource === 'ci') return;
    if (first === 109 /* m */ || first === 103 /* g */ || first === 110 /* n */) {
      const make = MAKE_ERROR.exec(text);
      if (make) return this.set(step, line, Number(make[1]), 'tool');
      if (NPM_LIFECYCLE.test(text)) return this.set(step, line, 1, 'tool');
    }
  }

  private set(step: Step, line: LogLine, code: number, source: 'ci' | 'tool', system?: Step['outcomeSystem']): void {
    // The CI system's verdict wins over a tool's; a later CI line (a retried command) wins over an earlier one.
    if (source === 'tool' && step.outcomeSource === 'ci') return;
    step.exitCode = code;
    step.outcome = code === 0 ? 'passed' : 'failed';
    step.outcomeLine = line.n;
    step.outcomeSource = source;
    if (system !== undefined) step.outcomeSystem = system;
  }

  finish(): StepModel {
    const failed =
      this.steps.find((step) => step.outcome === 'failed' && step.outcomeSource === 'ci') ??
      this.steps.find((step) => step.outcome === 'failed');
    // Travis's own set-up commands (rvm, nvm, the clone) end the build with their own line when
    // they fail: one it ran past, silent about its outcome, exited 0. A project's install script
    // stays unknown: without `set -e` it may hide the cause and still exit 0.
    if (failed?.system === 'travis' && failed.outcomeSource === 'ci') {
      for (const step of this.steps) {
        if (step.index >= failed.index) break;
        if (step.system === 'travis' && step.outcome === 'unknown' && TRAVIS_SETUP.test(step.name)) step.outcome = 'passed';
      }
    }
    return { steps: this.steps, failed };
  }
}

function systemOf(line: LogLine, name: string): Step['system'] {
  if (line.job !== undefined || name.startsWith('Run ')) return 'github';
  if (name === '') return 'plain';
  return 'travis';
}
