import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNormalizer, stripAnsi } from '../../src/analysis/normalize.js';
import { splitText } from '../../src/analysis/reader.js';
import { MAX_LINE_CHARS, type LogLine } from '../../src/analysis/types.js';

function normalizeAll(text: string): LogLine[] {
  const normalize = createNormalizer();
  const lines: LogLine[] = [];
  splitText(text, (raw, n) => lines.push(normalize(raw, n)));
  return lines;
}

function one(raw: string): LogLine {
  return createNormalizer()(raw, 1);
}

describe('normalize one line', () => {
  it.each<[string, Partial<LogLine>]>([
    ['plain text', { text: 'plain text' }],
    ['\uFEFF2026-04-23T09:06:21.7015596Z Current runner version', { text: 'Current runner version' }],
    [
      '2026-07-30T13:21:30.7886920Z ##[error]Process completed with exit code 1.',
      { text: 'Process completed with exit code 1.', command: 'error' },
    ],
    ['2026-07-30T13:21:30.7886920Z ##[warning]Node 16 is deprecated', { text: 'Node 16 is deprecated', command: 'warning' }],
    ['2026-07-30T13:21:30Z ##[notice]note', { text: 'note', command: 'notice' }],
    ['##[debug]Evaluating condition', { text: 'Evaluating condition', command: 'debug' }],
    ['##[command]/usr/bin/git version', { text: '/usr/bin/git version', command: 'command' }],
    ['2026-05-07T11:59:44.5069353Z [command]/usr/bin/git version', { text: '/usr/bin/git version', command: 'command' }],
    ['##[section]Starting: Build', { text: 'Starting: Build', command: 'section' }],
    ['##[endgroup]', { text: '', command: 'endgroup' }],
    ['::error file=src/a.py,line=3,col=1::E501 line too long', { text: 'E501 line too long', command: 'error' }],
    ['::error::Doc build failed', { text: 'Doc build failed', command: 'error' }],
    ['::warning file=C:\\x\\y.cs,line=2::careful', { text: 'careful', command: 'warning' }],
    ['2026-07-30T13:21:30.7886920Z \x1b[31mFAILED\x1b[0m tests/test_a.py::test_x', { text: 'FAILED tests/test_a.py::test_x' }],
    [
      '2026-05-06T13:24:29.3229375Z ^[[36;1mgit config --global core.autocrlf false^[[0m',
      { text: 'git config --global core.autocrlf false' },
    ],
    ['\x1b]8;;https://x.y\x07link\x1b]8;;\x07 text\r', { text: 'link text' }],
    ['Downloading 10%\rDownloading 50%\rDone\r', { text: 'Done' }],
    ['Done\r\x1b[0K\r', { text: 'Done' }],
    ['2021-12-01T13:00:40+02:00 zoned', { text: 'zoned' }],
    ['2021-12-01 not a timestamp', { text: '2021-12-01 not a timestamp' }],
  ])('%j', (raw, expected) => {
    const line = one(raw);
    expect(line.text).toBe(expected.text);
    expect(line.command).toBe(expected.command);
  });

  it('cuts text to MAX_LINE_CHARS', () => {
    expect(one(`2026-07-30T13:21:30.7886920Z ${'x'.repeat(MAX_LINE_CHARS * 2)}`).text.length).toBe(MAX_LINE_CHARS);
  });

  it('stripAnsi leaves text without escapes untouched', () => {
    const text = 'no escapes here [1m';
    expect(stripAnsi(text)).toBe(text);
  });
});

describe('steps and jobs', () => {
  it('GitHub: a `##[group]Run …` opens a step; other groups stay inside it', () => {
    const lines = normalizeAll(
      [
        '2026-01-01T00:00:00.0000000Z ##[group]Run npm test',
        '2026-01-01T00:00:00.0000000Z ##[group]Inputs',
        '2026-01-01T00:00:00.0000000Z ##[endgroup]',
        '2026-01-01T00:00:00.0000000Z FAIL src/a.test.ts',
      ].join('\n'),
    );
    expect(lines.map((l) => l.step)).toEqual(['Run npm test', 'Run npm test', 'Run npm test', 'Run npm test']);
  });

  it('gh run view --log: job and step columns', () => {
    const [line] = normalizeAll('build (3.12)\tRun tests\t2021-12-01T13:00:40.1077661Z ##[error]boom');
    expect(line).toEqual({ n: 1, text: 'boom', command: 'error', step: 'Run tests', stepIndex: 1, job: 'build (3.12)' });
  });

  it('Travis: folds and `$ command` after travis_time name the step', () => {
    const lines = normalizeAll(
      [
        'travis_fold:start:install.1\r\x1b[0Ktravis_time:start:0a1b\r\x1b[0K$ pip install -r requirements.txt\r',
        'Collecting six\r',
        'travis_fold:end:install.1\r\x1b[0K\r',
        'travis_time:start:99\r\x1b[0K$ pytest -q\r',
        'E   assert 1 == 2\r',
      ].join('\n'),
    );
    expect(lines.map((l) => [l.text, l.step])).toEqual([
      ['$ pip install -r requirements.txt', 'pip install -r requirements.txt'],
      ['Collecting six', 'pip install -r requirements.txt'],
      ['travis_fold:end:install.1', 'pip install -r requirements.txt'],
      ['$ pytest -q', 'pytest -q'],
      ['E   assert 1 == 2', 'pytest -q'],
    ]);
  });
});

/**
 * Real excerpts of each corpus format (sources in SOURCES.md beside them): normalising the raw
 * excerpt must give exactly the expected LogLines.
 */
describe('real excerpts', () => {
  const dir = join(import.meta.dirname, '../__fixtures__/analysis/engine');
  const cases = readdirSync(dir).filter((name) => name.startsWith('normalize-') && name.endsWith('.log'));
  it('has an excerpt of each format', () => {
    expect(cases.length).toBeGreaterThanOrEqual(4);
  });
  it.each(cases)('%s', (name) => {
    const raw = readFileSync(join(dir, name), 'utf8');
    const expected = JSON.parse(readFileSync(join(dir, name.replace(/\.log$/, '.expected.json')), 'utf8')) as LogLine[];
    expect(normalizeAll(raw)).toEqual(expected);
  });
});
