import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

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

interface VitestScan {
  blocks: BlockReader;
  /** FAIL blocks reported: the fallbacks (`×` lines, the summary) are only for a log without any. */
  reported: number;
  crosses: FailureDraft[];
  summary: FailureDraft | undefined;
  vitestRan: boolean;
}

type VitestHandler = LineHandler<[scan: VitestScan, line: LogLine, ctx: DetectorContext]>;

/** A syntax error with no location of its own is located by esbuild's `File: /abs/file.ts:4:13` (column counted from 0). */
function locateSyntaxError(draft: FailureDraft, body: readonly string[]): void {
  const at = body.map((line) => ESBUILD_FILE.exec(line)?.groups).find((g) => g !== undefined);
  if (at?.file === undefined) return;
  // esbuild names the file by its absolute path: keep the suite's relative name when it is that file.
  if (draft.file === undefined || !at.file.endsWith(`/${draft.file}`)) draft.file = at.file;
  draft.line = Number(at.line);
  draft.column = Number(at.column) + 1;
}

/** A ` FAIL  file > test` block (or a file-level ` FAIL  file [ file ]` one, `title` undefined) up to the `⎯⎯⎯` separator. */
function failBlock(scan: VitestScan, line: LogLine, file: string, title: string | undefined): OpenBlock {
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'vitest',
    message: clip(line.text),
    file,
    logLines: [line.n, line.n],
    confidence: 0.95,
    data: title === undefined ? { suite: file } : { suite: file, test: title },
  };
  const body: string[] = [];
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (FAIL_TEST.test(text) || FAIL_FILE.test(text)) return false;
      if (SEPARATOR.test(text.trim()) || body.length > 300) return 'end';
      if (text.trim() !== '') {
        draft.logLines[1] = next.n;
        body.push(text);
        const location = LOCATION.exec(text)?.groups;
        if (location && draft.line === undefined && !/node_modules/.test(location.file ?? '')) {
          draft.file = location.file;
          draft.line = Number(location.line);
          draft.column = Number(location.column);
        }
      }
      return true;
    },
    finish() {
      if (title === undefined) draft.category = classifyFileFailure(body, draft);
      if (draft.category === 'syntax_error' && draft.line === undefined) locateSyntaxError(draft, body);
      const firstError = body.find((bodyLine) => bodyLine.trim() !== '');
      if (firstError !== undefined) draft.data = { ...draft.data, error: clip(firstError) };
      scan.reported++;
      return true;
    },
  };
}

/** Notes the signs that Vitest ran (the fallbacks need one); the line is read on. */
const vitestRan: VitestHandler = (scan, line) => {
  if (VITEST_RAN.test(line.text)) scan.vitestRan = true;
  return undefined;
};

const failLine: VitestHandler = (scan, line, ctx) => {
  const failTest = FAIL_TEST.exec(line.text)?.groups;
  const failFile = failTest ? undefined : FAIL_FILE.exec(line.text)?.groups;
  if (failTest?.file !== undefined) return scan.blocks.open(failBlock(scan, line, failTest.file, failTest.title?.trim()), ctx);
  if (failFile?.file !== undefined) return scan.blocks.open(failBlock(scan, line, failFile.file, undefined), ctx);
  return undefined;
};

const cross: VitestHandler = (scan, line) => {
  const title = CROSS.exec(line.text)?.groups?.title;
  if (title === undefined) return undefined;
  scan.crosses.push({
    category: 'test_failure',
    tool: 'vitest',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.7,
    data: { test: title },
  });
  return false;
};

const summary: VitestHandler = (scan, line) => {
  if (!SUMMARY.test(line.text) || scan.summary !== undefined) return undefined;
  scan.summary = { category: 'test_failure', tool: 'vitest', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.5 };
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly VitestHandler[] = [vitestRan, failLine, cross, summary];

/** Reporters such as `--reporter=dot` or a truncated log leave only `×` lines and the summary. */
function reportFallbacks(scan: VitestScan, ctx: DetectorContext): void {
  if (scan.reported > 0 || !scan.vitestRan) return;
  for (const crossed of scan.crosses) ctx.report(crossed);
  if (scan.crosses.length === 0 && scan.summary) ctx.report(scan.summary);
}

export const vitestDetector: Detector = {
  id: 'vitest',
  description:
    'Vitest `FAIL file > test` blocks with their assertion and location, file-level load failures, `×` lines and the summary as fallbacks.',
  categories: ['test_failure', 'import_missing_module', 'missing_file', 'syntax_error'],
  example: ' FAIL  src/math.test.ts > math > adds',
  trigger: /FAIL\s|^\s*× |^\s*Tests\s+\d+ failed|^\s*RUN\s+v\d|^\s*Test Files\s+\d|tests? \| \d+ failed\)/,
  start() {
    const scan: VitestScan = { blocks: new BlockReader(), reported: 0, crosses: [], summary: undefined, vitestRan: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        scan.blocks.close(ctx);
        reportFallbacks(scan, ctx);
      },
    };
  },
};
