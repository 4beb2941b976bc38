import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip, withoutProjectSuffix } from '../detector-helpers.js';

/**
 * .NET: Roslyn/MSBuild diagnostics (`x.cs(12,5): error CS0103: msg [proj.csproj]`), NuGet
 * restore errors (`error NU1101`, `NU1605` → dependency resolution), MSBuild task errors
 * (`error MSB3073`), and `dotnet test` failures (`Failed X [12 ms]` blocks, `Failed!  - Failed: 1`).
 */

const CODED =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s(:][^(:]*?\.(?:cs|fs|vb|csproj|fsproj|vbproj|props|targets|sln|xaml|razor|cshtml))?(?:\((?<line>\d+)(?:,(?<column>\d+))?(?:,\d+,\d+)?\))?\s?:\s(?:\w+ )?error (?<code>[A-Z]{2,4}\d{3,5}):\s?(?<message>.*)$/;
const PROJECT_SUFFIX = /^\[[^\]]+\.(?:csproj|fsproj|vbproj|sln|proj)(?:::[^\]]*)?\]$/;
const TEST_FAILED = /^\s*Failed (?<test>\S+) \[[^\]]+\]$/;
const TEST_SUMMARY = /^\s*Failed!\s+-\s+Failed:\s+(?<failed>\d+)/;
const STACK_LOCATION = /\bin (?<file>(?:[A-Za-z]:)?[^:]+\.(?:cs|fs|vb)):line (?<line>\d+)/;

/** The message, without the project MSBuild names after it. */
function messageOf(text: string): string {
  return clip(withoutProjectSuffix(text, PROJECT_SUFFIX));
}

function codeCategory(code: string, file: string | undefined): Category {
  if (code.startsWith('NU')) return 'dependency_resolution';
  if (code.startsWith('CS') || code.startsWith('FS') || code.startsWith('BC')) {
    // Analyzer and style rules promoted to errors by TreatWarningsAsErrors.
    if (/^(?:CS1591|CS8019)$/.test(code)) return 'lint_format';
    return 'compilation_error';
  }
  if (/^(?:IDE|SA|CA|RCS)\d/.test(code)) return 'lint_format';
  if (code === 'MSB3073' || code === 'MSB3075') return 'other';
  if (code.startsWith('MSB') && file === undefined) return 'compilation_error';
  return 'compilation_error';
}

export const dotnetDetector: Detector = {
  id: 'dotnet',
  description: 'C#/F#/VB compiler and analyzer errors, NuGet restore errors, MSBuild task errors and dotnet test failures.',
  categories: ['compilation_error', 'dependency_resolution', 'lint_format', 'test_failure', 'other'],
  example:
    "/home/runner/work/app/app/src/Program.cs(12,5): error CS0103: The name 'foo' does not exist in the current context [/home/runner/work/app/app/src/App.csproj]",
  trigger: /error [A-Z]{2,4}\d{3,5}:|^\s*Failed \S+ \[|^\s*Failed!\s+-/,
  start() {
    let open: { draft: FailureDraft; accepts(line: LogLine): boolean } | undefined;
    let sawSpecificFailure = false;
    // MSBuild repeats every error in its final summary; report each distinct one once.
    const seen = new Set<string>();
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open.draft);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.accepts(line)) return true;
          close(ctx);
        }

        const coded = CODED.exec(text);
        if (coded) {
          const groups = coded.groups ?? {};
          const code = groups.code ?? '';
          const key = `${groups.file ?? ''}|${groups.line ?? ''}|${code}|${groups.message ?? ''}`;
          if (seen.has(key)) return false;
          seen.add(key);
          const file = groups.file?.trim() || undefined;
          const category = codeCategory(code, file);
          sawSpecificFailure ||= category !== 'other';
          const draft: FailureDraft = {
            category,
            tool: code.startsWith('NU') ? 'nuget' : code.startsWith('MSB') ? 'msbuild' : 'dotnet',
            message: `error ${code}: ${messageOf(groups.message ?? '')}`,
            logLines: [line.n, line.n],
            confidence: category === 'other' ? 0.3 : 0.95,
            data: { code },
          };
          if (file) draft.file = file;
          if (groups.line) draft.line = Number(groups.line);
          if (groups.column) draft.column = Number(groups.column);
          ctx.report(draft);
          return false;
        }

        const failed = TEST_FAILED.exec(text);
        if (failed) {
          sawSpecificFailure = true;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'dotnet test',
            message: messageOf(text),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { test: failed.groups?.test },
          };
          open = {
            draft,
            accepts(next) {
              // `Error Message:` and `Stack Trace:` sections under the test name; assertion output may start at column 0.
              if (next.text.trim() === '' || TEST_FAILED.test(next.text) || TEST_SUMMARY.test(next.text) || next.n - draft.logLines[0] > 30)
                return false;
              const location = STACK_LOCATION.exec(next.text);
              if (location && draft.file === undefined) {
                draft.file = location.groups?.file;
                draft.line = Number(location.groups?.line);
              }
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        if (TEST_SUMMARY.test(text)) {
          ctx.report({
            category: 'test_failure',
            tool: 'dotnet test',
            message: messageOf(text),
            logLines: [line.n, line.n],
            confidence: sawSpecificFailure ? 0.3 : 0.6,
          });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
