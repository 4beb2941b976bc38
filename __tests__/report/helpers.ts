/** Shared by the report tests: fixture loading, a report generator and a model of the runner's command parser. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Failure } from '../../src/analysis/types.js';
import type { RunReport } from '../../src/model.js';
import { parseJsonReport } from '../../src/report/json.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', 'report');
export const REPO_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadReport(name: string): RunReport {
  return parseJsonReport(readFileSync(path.join(FIXTURES, `${name}.report.json`), 'utf8'));
}

/** The basic report with `count` failures of `messageChars` characters each, none fixed. */
export function largeReport(count: number, messageChars: number): RunReport {
  const base = loadReport('basic');
  const failures: Failure[] = [];
  // One shared filler: 5,000 failures of 100 KB must not cost 500 MB in the test itself.
  const filler = 'x|<'.repeat(Math.ceil(messageChars / 3));
  for (let i = 0; i < count; i += 1) {
    failures.push({
      category: 'test_failure',
      tool: 'pytest',
      message: `FAILED tests/test_${i}.py::test_case - AssertionError: ${filler}`,
      file: `tests/test_${i}.py`,
      line: i + 1,
      logLines: [i + 1, i + 1],
      confidence: 0.9,
      detector: 'pytest',
      fingerprint: `fp-${i}`,
      occurrences: 1,
      job: 'test',
      step: 'Run pytest',
    });
  }
  return {
    ...base,
    failures,
    jobs: [{ ...base.jobs[1]!, failures }],
    needsHuman: failures.map((failure) => failure.fingerprint),
  };
}

/**
 * Whether the Actions runner would read any line of `output` as a workflow command: its line
 * reader splits at LF, CR and CRLF; the current parser trims leading whitespace and looks for
 * `::` at the start; the legacy parser looks for `##[` anywhere in the line
 * (actions/runner src/Runner.Common/ActionCommand.cs, TryParseV2 and TryParse). The whitespace
 * class here is a superset of .NET's char.IsWhiteSpace, so the check errs towards "yes".
 */
export function runnerWouldReadACommand(output: string): boolean {
  return output.split(/\r\n|\r|\n/).some((line) => /^[\s\u0085]*::/.test(line) || line.includes('##['));
}

/**
 * Splits a GFM table row into cells as cmark-gfm does: a backslash escapes the next character
 * (so `\|` is not a boundary, but in `\\|` the pipe is), the outer pipes are dropped.
 */
export function tableCells(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  const body = row.trim().replace(/^\|/, '');
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i]!;
    if (char === '\\' && i + 1 < body.length) {
      current += char + body[i + 1]!;
      i += 1;
    } else if (char === '|') {
      cells.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') cells.push(current);
  return cells;
}

/** Table rows of a Markdown text (lines that start with `|`). */
export function tableRows(markdown: string): string[] {
  return markdown.split('\n').filter((line) => line.startsWith('|'));
}
