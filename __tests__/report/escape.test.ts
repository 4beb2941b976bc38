import { describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import {
  codeSpan,
  escapeAnnotationData,
  escapeAnnotationProperty,
  escapeMarkdown,
  formatWorkflowCommand,
  isWorkspaceRelativePath,
  neutralizeWorkflowCommands,
  truncate,
} from '../../src/report/escape.js';
import { REPO_ROOT, runnerWouldReadACommand } from './helpers.js';

const ZW = '\u200B';

/** Lines a hostile test could print. */
const HOSTILE = [
  '::set-output name=x::y',
  '::add-mask::secret',
  '::stop-commands::pwned',
  '::pwned::',
  '::error file=src/a.py,line=1::fake',
  '##[error]x',
  '##[set-output name=x;]y',
  'text before ##[add-mask]secret',
  '  ::warning::indented',
  '\t::notice::tabbed',
  '\u00a0::error::no-break space',
  '\u3000::error::ideographic space',
  '\u2003::error::em space',
  'ok\r::set-output name=a::b',
  'ok\r\n::set-output name=a::b',
  'ok\n##[group]x',
  '\u000b::error::vertical tab',
  '\u0085::error::next line',
  '\u001b[31m::error::red',
  ':::error::three colons',
  '<img src=x onerror=alert(1)>',
  '`a` ``b`` | c | d',
  '@octocat #1 https://evil.example/',
  'x'.repeat(100_000),
];

const HOSTILE_CASES = HOSTILE.map((text) => [JSON.stringify(text).slice(0, 60), text] as const);

describe('neutralizeWorkflowCommands', () => {
  it.each([
    ['::set-output name=x::y', `:${ZW}:set-output name=x::y`],
    ['::add-mask::secret', `:${ZW}:add-mask::secret`],
    ['  ::stop-commands::pwned', `  :${ZW}:stop-commands::pwned`],
    ['##[error]x', `#${ZW}#[error]x`],
    ['a ##[set-output name=x;]y ##[error]', `a #${ZW}#[set-output name=x;]y #${ZW}#[error]`],
    ['ok\r::error::x', `ok\n:${ZW}:error::x`],
    ['a::b (not at the start)', 'a::b (not at the start)'],
    ['plain text', 'plain text'],
    ['\u001b[1mbold\u001b[0m', 'bold'],
  ])('%j → %j', (input, expected) => {
    expect(neutralizeWorkflowCommands(input)).toBe(expected);
  });

  it.each(HOSTILE_CASES)('leaves no line the runner reads as a command: %s', (_label, input) => {
    expect(runnerWouldReadACommand(neutralizeWorkflowCommands(input))).toBe(false);
  });

  it('keeps line breaks as LF', () => {
    expect(neutralizeWorkflowCommands('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['a*b_c', 'a\\*b\\_c'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a | b', 'a \\| b'],
    ['a\\b', 'a\\\\b'],
    ['`code`', '\\`code\\`'],
    ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['~~gone~~', '\\~\\~gone\\~\\~'],
    ['$x^2$', '\\$x^2\\$'],
    ['&amp;', '&amp;amp;'],
    ['# heading', '\\# heading'],
    ['line1\nline2\r\n  line3', 'line1 line2 line3'],
    ['@octocat and @acme/team', `@${ZW}octocat and @${ZW}acme/team`],
    ['mail me: user@example.com', 'mail me: user@example.com'],
    ['`@octocat`', `\\\`@${ZW}octocat\\\``],
    ['fixes #12 and acme/widgets#3', `fixes \\#${ZW}12 and acme/widgets\\#${ZW}3`],
    ['GH-12', `GH${ZW}-12`],
    ['see https://evil.example/x and www.evil.example', `see https:${ZW}//evil.example/x and www${ZW}.evil.example`],
    ['::set-output name=x::y', `:${ZW}:set-output name=x::y`],
    ['##[error]x', '\\#\\#\\[error\\]x'],
    ['\u202Eevil\u202C', 'evil'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('caps the original text before escaping, so an escape is never cut', () => {
    const escaped = escapeMarkdown('|'.repeat(100_000), 10);
    expect(escaped).toBe(`${'\\|'.repeat(9)}…`);
  });

  it('caps a 100 KB message', () => {
    const escaped = escapeMarkdown('a'.repeat(100_000));
    expect(escaped.length).toBe(500);
    expect(escaped.endsWith('…')).toBe(true);
  });

  it.each(HOSTILE_CASES)('output of %s is one line, has no raw HTML, mention or command', (_label, input) => {
    const escaped = escapeMarkdown(input);
    expect(escaped).not.toMatch(/[\r\n]/);
    expect(escaped).not.toMatch(/<|>/);
    expect(escaped).not.toMatch(/(^|[^A-Za-z0-9_\\])@[A-Za-z0-9]/);
    expect(escaped).not.toMatch(/(^|[^\\])[`*_[\]|~$]/);
    expect(runnerWouldReadACommand(escaped)).toBe(false);
  });
});

describe('codeSpan', () => {
  it.each([
    ['abc', {}, '`abc`'],
    ['a`b', {}, '``a`b``'],
    ['`a', {}, '`` `a ``'],
    ['a``b```c', {}, '````a``b```c````'],
    [' a ', {}, '`a`'],
    ['', {}, '` `'],
    ['x\ny', {}, '`x y`'],
    ['a|b', {}, '`a|b`'],
    ['a|b', { table: true }, '`a\\|b`'],
    ['a\\|b', { table: true }, `\`a\\${ZW}\\|b\``],
    ['<b>@x</b>', {}, '`<b>@x</b>`'],
  ])('%j %j → %j', (input, options, expected) => {
    expect(codeSpan(input, options)).toBe(expected);
  });

  it('caps the text', () => {
    expect(codeSpan('y'.repeat(100_000), { maxChars: 20 })).toBe(`\`${'y'.repeat(19)}…\``);
  });
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    const cut = truncate(`a${'😀'.repeat(10)}`, 5);
    expect(cut).toBe('a😀…');
    // encodeURIComponent throws on a lone surrogate.
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });
});

describe('isWorkspaceRelativePath', () => {
  it.each([
    ['src/a.py', true],
    ['./src/a.py', true],
    ['src\\a.cs', true],
    ['a|b.py', true],
    ['/home/runner/work/x/x/a.py', false],
    ['D:\\a\\x\\x\\a.cs', false],
    ['../../etc/passwd', false],
    ['src/../../x', false],
    ['~/x', false],
    ['a\nb', false],
    ['', false],
  ])('%j → %s', (file, expected) => {
    expect(isWorkspaceRelativePath(file)).toBe(expected);
  });
});

describe('annotation escaping', () => {
  it.each([
    ['100%\r\ndone', '100%25%0D%0Adone', '100%25%0D%0Adone'],
    ['a:b,c', 'a:b,c', 'a%3Ab%2Cc'],
    ['%0A', '%250A', '%250A'],
  ])('%j → data %j, property %j', (input, data, property) => {
    expect(escapeAnnotationData(input)).toBe(data);
    expect(escapeAnnotationProperty(input)).toBe(property);
  });

  it('formats commands exactly as @actions/core does', async () => {
    const cases = HOSTILE.slice(0, 20).map((text, index) => ({
      level: (['error', 'warning', 'notice'] as const)[index % 3]!,
      message: text,
      properties: {
        title: `t ${text}`,
        file: `src/${index},x:y.py`,
        startLine: index + 1,
        startColumn: index % 2 === 0 ? 3 : undefined,
      },
    }));
    const script = `
      import * as core from '@actions/core';
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      for (const c of JSON.parse(input)) core[c.level](c.message, c.properties);
    `;
    const result = await nodeExec(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      input: JSON.stringify(cases),
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const ours = cases.map((c) =>
      formatWorkflowCommand(
        c.level,
        {
          title: c.properties.title,
          file: c.properties.file,
          line: c.properties.startLine,
          col: c.properties.startColumn,
        },
        c.message,
      ),
    );
    expect(result.stdout.split('\n').filter((line) => line !== '')).toEqual(ours);
    // One command per annotation: core's escaping keeps each on its own line, whatever the text.
    expect(result.stdout.split('\n').filter((line) => line !== '')).toHaveLength(cases.length);
  });
});
