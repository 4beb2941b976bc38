import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Jest: each `● Suite › test` block under a `FAIL path` header is one failure, located by the first
 * stack frame in the project (else the suite file). `● Test suite failed to run` blocks are
 * classified by what they hold (a missing module, a syntax error, ts-jest type errors); a syntax
 * error with no project frame is located by Babel's `SyntaxError: /abs/file.js: msg (line:col)`
 * (its column counted from 0). The `Tests: N failed` summary is reported only when no block was
 * read, and the repeated "Summary of all failing tests" section is skipped.
 */

const FAIL_HEADER = /^\s*FAIL\s+(?<file>[^\s>]+\.[A-Za-z0-9]+)(?:\s+\([\d.]+ ?m?s\))?\s*$/;
const BULLET = /^\s{0,4}● (?<title>\S.*)$/;
const NOT_A_FAILURE = /^(?:Console|Deprecation Warning|Validation (?:Warning|Error))\b/;
const FRAME = /^\s+at (?:.*? \()?(?<file>(?:[A-Za-z]:)?[^\s():]+):(?<line>\d+):(?<column>\d+)\)?$/;
const SUMMARY = /^Tests:\s+(?<failed>\d+) failed/;
const REPEATED_SUMMARY = /^Summary of all failing tests/;
const MISSING_MODULE = /Cannot find module '(?<module>[^']+)'(?: from '(?<from>[^']+)')?/;
const SYNTAX = /SyntaxError|Jest encountered an unexpected token|Unexpected token/;
const TYPE_ERROR = /error TS\d+:|TS\d{4,5}:/;
// Jest fails a run that matched no test file unless `--passWithNoTests` is given.
const NO_TESTS = /^No tests found, exiting with code 1\s*$/;
const NO_TESTS_DETAIL = /^Run with `--passWithNoTests`|^In \S|^\s{2,}\S/;
const BABEL_SYNTAX = /^\s*SyntaxError: (?<file>(?:[A-Za-z]:)?[^\s:]+): .*\((?<line>\d+):(?<column>\d+)\)$/;

function isProjectFrame(file: string): boolean {
  return !/node_modules|^node:|^internal\/|^\/?<anonymous>/.test(file);
}

function isRelativeSpecifier(module: string): boolean {
  return module.startsWith('.') || module.startsWith('/');
}

interface OpenBlock {
  draft: FailureDraft;
  indent: number;
  suiteFailedToRun: boolean;
  body: string[];
}

export const jestDetector: Detector = {
  id: 'jest',
  description: 'Jest `● Suite › test` failure blocks (assertions, snapshots, suites that failed to run) and the `Tests: N failed` summary.',
  categories: ['test_failure', 'import_missing_module', 'missing_file', 'syntax_error', 'type_check'],
  example: '  ● Button › renders the label',
  trigger: /FAIL\s|● |^Tests:\s+\d+ failed|^Summary of all failing tests|^No tests found, exiting with code 1/,
  start() {
    let suite: { file: string; n: number; used: boolean } | undefined;
    let open: OpenBlock | undefined;
    let noTests: FailureDraft | undefined;
    let blocksReported = 0;
    let inRepeatedSummary = false;
    let summaryReported = false;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      const { draft, body } = open;
      const text = body.join('\n');
      let category: Category = 'test_failure';
      const missing = MISSING_MODULE.exec(text)?.groups;
      if (open.suiteFailedToRun && missing?.module !== undefined) {
        if (isRelativeSpecifier(missing.module)) {
          category = 'missing_file';
          draft.data = { ...draft.data, path: missing.module };
        } else {
          category = 'import_missing_module';
          draft.data = { ...draft.data, ecosystem: 'node', module: missing.module };
        }
      } else if (open.suiteFailedToRun && TYPE_ERROR.test(text)) {
        category = 'type_check';
      } else if (open.suiteFailedToRun && SYNTAX.test(text)) {
        category = 'syntax_error';
        const at = draft.line === undefined ? body.map((line) => BABEL_SYNTAX.exec(line)?.groups).find((g) => g !== undefined) : undefined;
        if (at?.file !== undefined) {
          // Babel names the file by its absolute path: keep the suite's relative name when it is that file.
          if (draft.file === undefined || !at.file.endsWith(`/${draft.file}`)) draft.file = at.file;
          draft.line = Number(at.line);
          draft.column = Number(at.column) + 1; // Babel counts columns from 0
        }
      }
      draft.category = category;
      if (/toMatch(?:Inline)?Snapshot|Snapshot name: /.test(text)) draft.data = { ...draft.data, snapshot: true };
      const firstError = body.find((line) => line.trim() !== '');
      if (firstError !== undefined) draft.data = { ...draft.data, error: clip(firstError) };
      ctx.report(draft);
      blocksReported++;
      open = undefined;
    };

    const openBlock = (line: LogLine, title: string, indent: number): OpenBlock => {
      const draft: FailureDraft = {
        category: 'test_failure',
        tool: 'jest',
        message: clip(line.text),
        logLines: [line.n, line.n],
        confidence: 0.95,
        data: { test: title },
      };
      // The first block under a FAIL header starts at the header: it names the suite that failed.
      if (suite && !suite.used) {
        draft.logLines[0] = suite.n;
        suite.used = true;
      }
      if (suite) {
        draft.file = suite.file;
        draft.data = { ...draft.data, suite: suite.file };
      }
      return { draft, indent, suiteFailedToRun: /^Test suite failed to run/.test(title), body: [] };
    };

    return {
      line(line, ctx) {
        const text = line.text;
        const bullet = BULLET.exec(text);

        if (open && !bullet) {
          const indent = text.length - text.trimStart().length;
          if (text.trim() === '' || indent > open.indent) {
            if (text.trim() !== '') {
              open.draft.logLines[1] = line.n;
              open.body.push(text);
              const frame = FRAME.exec(text)?.groups;
              if (frame?.file !== undefined && isProjectFrame(frame.file) && open.draft.line === undefined) {
                open.draft.file = frame.file;
                open.draft.line = Number(frame.line);
                open.draft.column = Number(frame.column);
              }
            }
            return open.body.length < 400;
          }
        }
        close(ctx);

        if (noTests !== undefined) {
          // Jest's explanation (`Run with --passWithNoTests`, the roots and testMatch it tried) follows.
          if (NO_TESTS_DETAIL.test(text) && line.n - noTests.logLines[0] < 30) {
            noTests.logLines[1] = line.n;
            return true;
          }
          ctx.report(noTests);
          noTests = undefined;
        }
        if (NO_TESTS.test(text)) {
          noTests = {
            category: 'test_failure',
            tool: 'jest',
            message: text.trim(),
            logLines: [line.n, line.n],
            confidence: 0.85,
            data: { noTests: true },
          };
          return true;
        }

        if (REPEATED_SUMMARY.test(text)) {
          inRepeatedSummary = true;
          return false;
        }

        const header = FAIL_HEADER.exec(text);
        if (header?.groups?.file !== undefined) {
          suite = { file: header.groups.file, n: line.n, used: false };
          return false;
        }

        if (bullet?.groups?.title !== undefined) {
          const title = bullet.groups.title.trim();
          if (NOT_A_FAILURE.test(title) || inRepeatedSummary) return false;
          open = openBlock(line, title, text.length - text.trimStart().length);
          return true;
        }

        const summary = SUMMARY.exec(text);
        if (summary && blocksReported === 0 && !summaryReported) {
          summaryReported = true;
          ctx.report({
            category: 'test_failure',
            tool: 'jest',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.5,
          });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
        if (noTests !== undefined) ctx.report(noTests);
      },
    };
  },
};
