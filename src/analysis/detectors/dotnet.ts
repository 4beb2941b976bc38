import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, withoutProjectSuffix, type LineHandler, type OpenBlock } from '../detector-helpers.js';

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

interface DotnetScan {
  blocks: BlockReader;
  sawSpecificFailure: boolean;
  /** MSBuild repeats every error in its final summary; each distinct one is reported once. */
  seen: Set<string>;
}

type DotnetHandler = LineHandler<[scan: DotnetScan, line: LogLine, ctx: DetectorContext]>;

/** A `Failed X [12 ms]` test with its `Error Message:` and `Stack Trace:` sections. */
function testFailedBlock(line: LogLine, failed: RegExpExecArray): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'dotnet test',
    message: messageOf(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: { test: failed.groups?.test },
  };
  return {
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
}

const codedError: DotnetHandler = (scan, line, ctx) => {
  const coded = CODED.exec(line.text);
  if (!coded) return undefined;
  const groups = coded.groups ?? {};
  const code = groups.code ?? '';
  const key = `${groups.file ?? ''}|${groups.line ?? ''}|${code}|${groups.message ?? ''}`;
  if (scan.seen.has(key)) return false;
  scan.seen.add(key);
  const file = groups.file?.trim() || undefined;
  const category = codeCategory(code, file);
  scan.sawSpecificFailure ||= category !== 'other';
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
};

const testFailed: DotnetHandler = (scan, line, ctx) => {
  const failed = TEST_FAILED.exec(line.text);
  if (!failed) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(testFailedBlock(line, failed), ctx);
};

const testSummary: DotnetHandler = (scan, line, ctx) => {
  if (!TEST_SUMMARY.test(line.text)) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'dotnet test',
    message: messageOf(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawSpecificFailure ? 0.3 : 0.6,
  });
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly DotnetHandler[] = [codedError, testFailed, testSummary];

export const dotnetDetector: Detector = {
  id: 'dotnet',
  description: 'C#/F#/VB compiler and analyzer errors, NuGet restore errors, MSBuild task errors and dotnet test failures.',
  categories: ['compilation_error', 'dependency_resolution', 'lint_format', 'test_failure', 'other'],
  example:
    "/home/runner/work/app/app/src/Program.cs(12,5): error CS0103: The name 'foo' does not exist in the current context [/home/runner/work/app/app/src/App.csproj]",
  trigger: /error [A-Z]{2,4}\d{3,5}:|^\s*Failed \S+ \[|^\s*Failed!\s+-/,
  start() {
    const scan: DotnetScan = { blocks: new BlockReader(), sawSpecificFailure: false, seen: new Set<string>() };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
