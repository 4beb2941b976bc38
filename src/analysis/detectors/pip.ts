import type { Detector, DetectorContext, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

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

export const pipDetector: Detector = {
  id: 'pip',
  description: 'pip, uv and poetry dependency resolution failures, missing requirements files and wheels that fail to build.',
  categories: ['dependency_resolution', 'compilation_error', 'missing_file'],
  example: 'ERROR: Could not find a version that satisfies the requirement nonexistent-pkg==9.9 (from versions: none)',
  trigger:
    /^\s*ERROR: (?:Could not find a version|No matching distribution|Cannot install |ResolutionImpossible|Failed building wheel|Could not build wheels|Failed to build |Could not open requirements file)|No solution found when resolving|^SolverProblemError|version solving failed/,
  start() {
    let open: FailureDraft | undefined;
    /** Lines of an explanation (uv `╰─▶`, pip conflict list, poetry `Because …`) that continue `open`. */
    let explaining = false;
    let wheelReported = false;

    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
      explaining = false;
    };

    return {
      line(line, ctx) {
        const text = line.text.trim();
        const noVersion = NO_VERSION.exec(text)?.groups?.requirement;
        if (noVersion !== undefined) {
          close(ctx);
          open = {
            category: 'dependency_resolution',
            tool: 'pip',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.93,
            data: { ecosystem: 'python', requirement: noVersion, package: packageName(noVersion) },
          };
          return true;
        }
        const noDistribution = NO_DISTRIBUTION.exec(text)?.groups?.requirement;
        if (noDistribution !== undefined) {
          // pip prints both lines for one requirement: they are one failure.
          if (open?.data?.requirement === noDistribution) {
            open.logLines[1] = line.n;
            close(ctx);
            return false;
          }
          close(ctx);
          ctx.report({
            category: 'dependency_resolution',
            tool: 'pip',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.93,
            data: { ecosystem: 'python', requirement: noDistribution, package: packageName(noDistribution) },
          });
          return false;
        }
        if (CANNOT_INSTALL.test(text)) {
          close(ctx);
          open = {
            category: 'dependency_resolution',
            tool: 'pip',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.93,
            data: { ecosystem: 'python' },
          };
          explaining = true;
          return true;
        }
        if (RESOLUTION_IMPOSSIBLE.test(text)) {
          if (open?.tool === 'pip' && open.category === 'dependency_resolution' && line.n - open.logLines[1] < 30) {
            open.logLines[1] = line.n;
            close(ctx);
          } else {
            close(ctx);
            ctx.report({
              category: 'dependency_resolution',
              tool: 'pip',
              message: clip(text),
              logLines: [line.n, line.n],
              confidence: 0.9,
              data: { ecosystem: 'python' },
            });
          }
          return false;
        }
        if (UV_NO_SOLUTION.test(text) || POETRY_SOLVER.test(text)) {
          const tool = UV_NO_SOLUTION.test(text) ? 'uv' : 'poetry';
          if (open?.tool === tool && explaining) {
            open.logLines[1] = line.n;
            return true;
          }
          close(ctx);
          open = {
            category: 'dependency_resolution',
            tool,
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.93,
            data: { ecosystem: 'python' },
          };
          explaining = true;
          return true;
        }
        const requirements = REQUIREMENTS_FILE.exec(text)?.groups?.path;
        if (requirements !== undefined) {
          close(ctx);
          ctx.report({
            category: 'missing_file',
            tool: 'pip',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.93,
            data: { path: requirements },
          });
          return false;
        }
        const wheel = BUILD_WHEEL.exec(text)?.groups;
        if (wheel) {
          close(ctx);
          // pip repeats the wheel failure in up to three summary lines; the first names the package.
          if (!wheelReported) {
            wheelReported = true;
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
          }
          return false;
        }
        if (open && explaining) {
          // Explanations are indented or boxed (`│`, `╰─▶`) or poetry's `Because …`/`So, …` paragraphs; a blank line may separate them.
          if (text === '' && line.n - open.logLines[1] < 3) return true;
          if (text !== '' && line.n - open.logLines[1] < 3 && line.n - open.logLines[0] < 40) {
            if (
              /^(?:[│╰├]|Because |And because |So, |The conflict is caused by:|To fix this|\d\. |The user requested|\S+ \S+ depends on |hint:)/.test(
                text,
              ) ||
              /^\s/.test(line.text)
            ) {
              open.logLines[1] = line.n;
              return true;
            }
          }
        }
        if (open && open.tool === 'pip' && open.data?.requirement !== undefined && line.n - open.logLines[1] < 2) return true;
        close(ctx);
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
