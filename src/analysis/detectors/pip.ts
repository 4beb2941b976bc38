import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip, firstAnswer, type LineHandler } from '../detector-helpers.js';

/**
 * Python package installation: pip (`Could not find a version that satisfies the requirement X`,
 * `No matching distribution found for X`, `ResolutionImpossible` with its conflict explanation,
 * `Could not open requirements file`), uv (`No solution found when resolving dependencies:` and its
 * `╰─▶ Because …` explanation), poetry (`SolverProblemError`, `… version solving failed.`), and
 * wheels that fail to build (`Failed building wheel for X`: a compiler or build-backend error).
 */

const NO_VERSION = /^ERROR: Could not find a version that satisfies the requirement (?<requirement>\S+)/;
const NO_DISTRIBUTION = /^ERROR: No matching distribution found for (?<requirement>\S+)/;
const CANNOT_INSTALL = /^ERROR: Cannot install .* because these package versions have conflicting dependencies\.?$/;
const RESOLUTION_IMPOSSIBLE = /^ERROR: ResolutionImpossible/;
const UV_NO_SOLUTION = /^(?:× |error: )?No solution found when resolving (?:dependencies|`--with` dependencies)/;
const POETRY_SOLVER = /^SolverProblemError$|version solving failed\.?$/;
const BUILD_WHEEL =
  /^ERROR: (?:Failed building wheel for (?<package>\S+)|Could not build wheels for (?<packages>[^,]+?)(?:,| which)|Failed to build (?:installable wheels for some pyproject\.toml based projects|one or more wheels))/;
const REQUIREMENTS_FILE = /^ERROR: Could not open requirements file: \[Errno 2\] No such file or directory: '(?<path>[^']+)'/;

/** `foo[extra]>=1.0,<2` → `foo`: the name a fixer would look at. */
function packageName(requirement: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(requirement)?.[0] ?? requirement;
}

interface PipScan {
  open: FailureDraft | undefined;
  /** Lines of an explanation (uv `╰─▶`, pip conflict list, poetry `Because …`) continue `open`. */
  explaining: boolean;
  wheelReported: boolean;
}

/** Handlers get the line's text trimmed, and the line. */
type PipHandler = LineHandler<[scan: PipScan, text: string, line: LogLine, ctx: DetectorContext]>;

function close(scan: PipScan, ctx: DetectorContext): void {
  if (scan.open) ctx.report(scan.open);
  scan.open = undefined;
  scan.explaining = false;
}

function resolutionDraft(tool: string, text: string, line: LogLine, confidence: number, data: Record<string, unknown>): FailureDraft {
  return { category: 'dependency_resolution', tool, message: clip(text), logLines: [line.n, line.n], confidence, data };
}

const noVersion: PipHandler = (scan, text, line, ctx) => {
  const requirement = NO_VERSION.exec(text)?.groups?.requirement;
  if (requirement === undefined) return undefined;
  close(scan, ctx);
  scan.open = resolutionDraft('pip', text, line, 0.93, { ecosystem: 'python', requirement, package: packageName(requirement) });
  return true;
};

const noDistribution: PipHandler = (scan, text, line, ctx) => {
  const requirement = NO_DISTRIBUTION.exec(text)?.groups?.requirement;
  if (requirement === undefined) return undefined;
  // pip prints both lines for one requirement: they are one failure.
  if (scan.open?.data?.requirement === requirement) {
    scan.open.logLines[1] = line.n;
    close(scan, ctx);
    return false;
  }
  close(scan, ctx);
  ctx.report(resolutionDraft('pip', text, line, 0.93, { ecosystem: 'python', requirement, package: packageName(requirement) }));
  return false;
};

const cannotInstall: PipHandler = (scan, text, line, ctx) => {
  if (!CANNOT_INSTALL.test(text)) return undefined;
  close(scan, ctx);
  scan.open = resolutionDraft('pip', text, line, 0.93, { ecosystem: 'python' });
  scan.explaining = true;
  return true;
};

const resolutionImpossible: PipHandler = (scan, text, line, ctx) => {
  if (!RESOLUTION_IMPOSSIBLE.test(text)) return undefined;
  const open = scan.open;
  if (open?.tool === 'pip' && open.category === 'dependency_resolution' && line.n - open.logLines[1] < 30) {
    open.logLines[1] = line.n;
    close(scan, ctx);
  } else {
    close(scan, ctx);
    ctx.report(resolutionDraft('pip', text, line, 0.9, { ecosystem: 'python' }));
  }
  return false;
};

const solverFailed: PipHandler = (scan, text, line, ctx) => {
  if (!UV_NO_SOLUTION.test(text) && !POETRY_SOLVER.test(text)) return undefined;
  const tool = UV_NO_SOLUTION.test(text) ? 'uv' : 'poetry';
  if (scan.open?.tool === tool && scan.explaining) {
    scan.open.logLines[1] = line.n;
    return true;
  }
  close(scan, ctx);
  scan.open = resolutionDraft(tool, text, line, 0.93, { ecosystem: 'python' });
  scan.explaining = true;
  return true;
};

const requirementsFile: PipHandler = (scan, text, line, ctx) => {
  const path = REQUIREMENTS_FILE.exec(text)?.groups?.path;
  if (path === undefined) return undefined;
  close(scan, ctx);
  ctx.report({ category: 'missing_file', tool: 'pip', message: clip(text), logLines: [line.n, line.n], confidence: 0.93, data: { path } });
  return false;
};

const buildWheel: PipHandler = (scan, text, line, ctx) => {
  const wheel = BUILD_WHEEL.exec(text)?.groups;
  if (!wheel) return undefined;
  close(scan, ctx);
  // pip repeats the wheel failure in up to three summary lines; the first names the package.
  if (scan.wheelReported) return false;
  scan.wheelReported = true;
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'pip',
    message: clip(text),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  const name = wheel.package ?? wheel.packages;
  if (name !== undefined) draft.data = { ecosystem: 'python', package: name.trim() };
  ctx.report(draft);
  return false;
};

/** Explanations are indented or boxed (`│`, `╰─▶`) or poetry's `Because …`/`So, …` paragraphs; a blank line may separate them. */
const explanation: PipHandler = (scan, text, line) => {
  const open = scan.open;
  if (!open || !scan.explaining) return undefined;
  if (text === '' && line.n - open.logLines[1] < 3) return true;
  if (text === '' || line.n - open.logLines[1] >= 3 || line.n - open.logLines[0] >= 40) return undefined;
  if (
    !/^(?:[│╰├]|Because |And because |So, |The conflict is caused by:|To fix this|\d\. |The user requested|\S+ \S+ depends on |hint:)/.test(
      text,
    ) &&
    !/^\s/.test(line.text)
  )
    return undefined;
  open.logLines[1] = line.n;
  return true;
};

/** Just after `Could not find a version …` the failure stays open for pip's `No matching distribution` line about it. */
const nextToRequirement: PipHandler = (scan, _text, line) => {
  const open = scan.open;
  return open && open.tool === 'pip' && open.data?.requirement !== undefined && line.n - open.logLines[1] < 2 ? true : undefined;
};

/** Any other line ends the open failure. */
const anyOther: PipHandler = (scan, _text, _line, ctx) => {
  close(scan, ctx);
  return false;
};

/** What a line is, in this order. */
const LINE_HANDLERS: readonly PipHandler[] = [
  noVersion,
  noDistribution,
  cannotInstall,
  resolutionImpossible,
  solverFailed,
  requirementsFile,
  buildWheel,
  explanation,
  nextToRequirement,
  anyOther,
];

export const pipDetector: Detector = {
  id: 'pip',
  description: 'pip, uv and poetry dependency resolution failures, missing requirements files and wheels that fail to build.',
  categories: ['dependency_resolution', 'compilation_error', 'missing_file'],
  example: 'ERROR: Could not find a version that satisfies the requirement nonexistent-pkg==9.9 (from versions: none)',
  trigger:
    /^\s*ERROR: (?:Could not find a version|No matching distribution|Cannot install |ResolutionImpossible|Failed building wheel|Could not build wheels|Failed to build |Could not open requirements file)|No solution found when resolving|^SolverProblemError|version solving failed/,
  start() {
    const scan: PipScan = { open: undefined, explaining: false, wheelReported: false };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line.text.trim(), line, ctx),
      end: (ctx) => close(scan, ctx),
    };
  },
};
