/**
 * The generic finder through the real analyzer (normalise, every detector, ranking), on output of
 * tools no specific detector needs to know: table-driven, one fixture log per case with its
 * expectation beside it (`__fixtures__/analysis/generic`, see SOURCES.md). Each case is run twice:
 * with every detector, and with only the tool-agnostic ones (what `eval --generic-only` measures).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_AGNOSTIC_DETECTORS } from '../../src/analysis/classify.js';
import { findBlocks, judge, locationIn, pickBlock } from '../../src/analysis/detectors/generic-error.js';
import { analyzeText } from '../../src/analysis/index.js';
import { DETECTORS } from '../../src/analysis/registry.js';
import type { LogLine } from '../../src/analysis/types.js';

const DIR = join(import.meta.dirname, '../__fixtures__/analysis/generic');
const GENERIC = DETECTORS.filter((detector) => TOOL_AGNOSTIC_DETECTORS.has(detector.id));

interface Expected {
  category: string;
  file?: string;
  line?: number;
}

const cases = readdirSync(DIR)
  .filter((name) => name.endsWith('.log'))
  .sort();

function primary(analysis: Awaited<ReturnType<typeof analyzeText>>): Expected {
  const first = analysis.failures[0];
  return {
    category: analysis.category,
    ...(first?.file !== undefined ? { file: first.file } : {}),
    ...(first?.line !== undefined ? { line: first.line } : {}),
  };
}

describe('generic finder on tools without a detector', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(cases)('%s', async (name) => {
    const log = readFileSync(join(DIR, name), 'utf8');
    const expected = JSON.parse(readFileSync(join(DIR, name.replace(/\.log$/, '.expected.json')), 'utf8')) as {
      full: Expected;
      genericOnly: Expected;
    };
    expect(primary(await analyzeText(log))).toEqual(expected.full);
    expect(primary(await analyzeText(log, { detectors: GENERIC }))).toEqual(expected.genericOnly);
  });
});

function lines(...texts: string[]): LogLine[] {
  return texts.map((text, i) => ({ n: i + 1, text }));
}

describe('generic finder parts', () => {
  it('groups an error with its frames, carets and indented lines, and bridges one blank line inside a list', () => {
    const blocks = findBlocks(
      lines(
        'compiling',
        'Traceback (most recent call last):',
        '  File "app/x.py", line 3, in <module>',
        '    import y',
        'ImportError: no y',
        '',
        'done',
        'PackagesNotFoundError: missing:',
        '',
        '  - a=1',
        '  - b=2',
      ),
    );
    expect(blocks.map((block) => block.lines.map((line) => line.n))).toEqual([
      [2, 3, 4, 5],
      [8, 9, 10, 11],
    ]);
  });

  it('picks the strongest block nearest the end, passing over an epilogue that only restates the failure', () => {
    const blocks = findBlocks(
      lines('src/a.c:3:1: error: boom', 'ok', 'Error: not that', 'ok', 'npm ERR! code ELIFECYCLE', 'npm ERR! errno 1'),
    );
    expect(pickBlock(blocks)?.lines[0]?.n).toBe(3);
  });

  it('takes the first location outside libraries', () => {
    expect(locationIn(lines('    (elixir) lib/enum.ex:1755: Enum.reduce/3', '    check.exs:9: Awesome.check/1'))).toEqual({
      file: 'check.exs',
      line: 9,
    });
    expect(locationIn(lines('  File "/usr/lib/python3/dist-packages/x.py", line 1', '  File "src/app.py", line 7'))).toEqual({
      file: 'src/app.py',
      line: 7,
    });
    expect(locationIn(lines('see https://example.com:443/x'))).toBeUndefined();
  });

  it.each([
    ['SyntaxError: invalid syntax', 'pytest -q', 'syntax_error'],
    ['bash: foo: command not found', 'make test', 'import_missing_module'],
    ['expected 2 but got 3', 'bundle exec rspec', 'test_failure'],
    ['something odd happened: failed', 'pip install -r requirements.txt', 'dependency_resolution'],
    ['x.c:1: error: boom', 'cmake --build build', 'compilation_error'],
    ['Words not in order', 'mix run check.exs', 'lint_format'],
    ['Issues :-(', 'awesome_bot README.md', 'other'],
    ['it broke', './weird.sh', 'other'],
  ])('judges %j after %j as %s', (text, command, category) => {
    expect(judge(text, command).category).toBe(category);
  });
});
