import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Vitest: each ` FAIL  file > suite > test` block (up to the `⎯⎯⎯` separator) is one failure,
 * located by its ` ❯ file:line:col` line. A file-level ` FAIL  file [ file ]` block is classified by
 * what it holds (a module that failed to load, a syntax error); a syntax error is located by
 * esbuild's `File: /abs/file.ts:4:13` (column counted from 0). `× test` lines from the run list and
 * the `Tests  N failed` summary are only reported when no FAIL block was read.
 */

const FAIL_TEST = /^\s*FAIL\s+(?<file>\S+) > (?<title>.+)$/;
const FAIL_FILE = /^\s*FAIL\s+(?<file>\S+) \[ (?<inner>\S+) \]\s*$/;
const SEPARATOR = /^⎯{3,}/;
const LOCATION = /^\s*❯ (?<file>(?:[A-Za-z]:)?[^\s:]+):(?<line>\d+):(?<column>\d+)\s*$/;
const CROSS = /^\s*× (?<title>.+?)(?: \d+(?:\.\d+)?m?s)?$/;
const SUMMARY = /^\s*Tests\s+(?<failed>\d+) failed/;
// `×` is also uv's and pip's error marker: the fallbacks need a sign that Vitest ran.
const VITEST_RAN = /^\s*RUN\s+v\d|^\s*Test Files\s+\d|\(\d+ tests? \| \d+ failed\)/;
const LOAD_FAILURE =
  /Failed to load url (?<spec>\S+)|Cannot find (?:module|package) '(?<spec2>[^']+)'|Failed to resolve import "(?<spec3>[^"]+)"/;
const ESBUILD_FILE = /^\s*File: (?<file>(?:[A-Za-z]:)?[^\s:]+):(?<line>\d+):(?<column>\d+)\s*$/;
const SYNTAX = /SyntaxError|Transform failed|Unexpected token|Expected ".*" but found/;

function classifyFileFailure(body: readonly string[], draft: FailureDraft): Category {
  const text = body.join('\n');
  const load = LOAD_FAILURE.exec(text)?.groups;
  const spec = load?.spec ?? load?.spec2 ?? load?.spec3;
  if (spec !== undefined) {
    if (/^(?:\.{1,2}\/|\/)/.test(spec)) {
      draft.data = { ...draft.data, path: spec };
      return 'missing_file';
    }
    draft.data = {
      ...draft.data,
      ecosystem: 'node',
      module: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0],
    };
    return 'import_missing_module';
  }
  return SYNTAX.test(text) ? 'syntax_error' : 'test_failure';
}

interface OpenBlock {
  draft: FailureDraft;
  fileLevel: boolean;
  body: string[];
}

export const vitestDetector: Detector = {
  id: 'vitest',
  description:
    'Vitest `FAIL file > test` blocks with their assertion and location, file-level load failures, `×` lines and the summary as fallbacks.',
  categories: ['test_failure', 'import_missing_module', 'missing_file', 'syntax_error'],
  example: ' FAIL  src/math.test.ts > math > adds',
  trigger: /FAIL\s|^\s*× |^\s*Tests\s+\d+ failed|^\s*RUN\s+v\d|^\s*Test Files\s+\d|tests? \| \d+ failed\)/,
  start() {
    let open: OpenBlock | undefined;
    let blocks = 0;
    const crosses: FailureDraft[] = [];
    let summary: FailureDraft | undefined;
    let vitestRan = false;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      if (open.fileLevel) open.draft.category = classifyFileFailure(open.body, open.draft);
      if (open.draft.category === 'syntax_error' && open.draft.line === undefined) {
        const at = open.body.map((line) => ESBUILD_FILE.exec(line)?.groups).find((g) => g !== undefined);
        if (at?.file !== undefined) {
          // esbuild names the file by its absolute path: keep the suite's relative name when it is that file.
          if (open.draft.file === undefined || !at.file.endsWith(`/${open.draft.file}`)) open.draft.file = at.file;
          open.draft.line = Number(at.line);
          open.draft.column = Number(at.column) + 1;
        }
      }
      const firstError = open.body.find((line) => line.trim() !== '');
      if (firstError !== undefined) open.draft.data = { ...open.draft.data, error: clip(firstError) };
      ctx.report(open.draft);
      blocks++;
      open = undefined;
    };

    const begin = (line: LogLine, file: string, title: string | undefined): boolean => {
      const draft: FailureDraft = {
        category: 'test_failure',
        tool: 'vitest',
        message: clip(line.text),
        file,
        logLines: [line.n, line.n],
        confidence: 0.95,
        data: title === undefined ? { suite: file } : { suite: file, test: title },
      };
      open = { draft, fileLevel: title === undefined, body: [] };
      return true;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        const failTest = FAIL_TEST.exec(text)?.groups;
        const failFile = failTest ? undefined : FAIL_FILE.exec(text)?.groups;
        if (open && !failTest && !failFile) {
          if (SEPARATOR.test(text.trim()) || open.body.length > 300) {
            close(ctx);
            return false;
          }
          if (text.trim() !== '') {
            open.draft.logLines[1] = line.n;
            open.body.push(text);
            const location = LOCATION.exec(text)?.groups;
            if (location && open.draft.line === undefined && !/node_modules/.test(location.file ?? '')) {
              open.draft.file = location.file;
              open.draft.line = Number(location.line);
              open.draft.column = Number(location.column);
            }
          }
          return true;
        }
        close(ctx);
        if (VITEST_RAN.test(text)) vitestRan = true;
        if (failTest?.file !== undefined) return begin(line, failTest.file, failTest.title?.trim());
        if (failFile?.file !== undefined) return begin(line, failFile.file, undefined);

        const cross = CROSS.exec(text)?.groups?.title;
        if (cross !== undefined) {
          crosses.push({
            category: 'test_failure',
            tool: 'vitest',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.7,
            data: { test: cross },
          });
          return false;
        }
        if (SUMMARY.test(text) && summary === undefined) {
          summary = { category: 'test_failure', tool: 'vitest', message: clip(text), logLines: [line.n, line.n], confidence: 0.5 };
        }
        return false;
      },
      end(ctx) {
        close(ctx);
        if (blocks > 0 || !vitestRan) return;
        // Reporters such as `--reporter=dot` or a truncated log leave only these.
        for (const cross of crosses) ctx.report(cross);
        if (crosses.length === 0 && summary) ctx.report(summary);
      },
    };
  },
};
