import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogError } from '../../src/errors.js';
import { LineSplitter, MAX_RAW_LINE_BYTES, readLogLines, splitText } from '../../src/analysis/reader.js';

function collect(text: string): { lines: [string, number][]; count: number } {
  const lines: [string, number][] = [];
  const { lines: count } = splitText(text, (raw, n) => lines.push([raw, n]));
  return { lines, count };
}

const dir = mkdtempSync(join(tmpdir(), 'reader-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('splitText', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['a\n', 1],
    ['a\nb', 2],
    ['\n\n', 2],
    ['a\r\nb\r\n', 2],
    ['a\rb\rc\n', 1],
  ])('counts %j as %i lines (grep -c)', (text, expected) => {
    expect(collect(text).count).toBe(expected);
  });

  it('keeps CRs for normalize and numbers lines from 1', () => {
    expect(collect('x\r\ny\rz\n\nlast').lines).toEqual([
      ['x\r', 1],
      ['y\rz', 2],
      ['', 3],
      ['last', 4],
    ]);
  });
});

describe('LineSplitter', () => {
  it('decodes multi-byte characters split at every chunk boundary', () => {
    const text = 'héllo ✓ wörld\n● 失败 – done\n😀 end';
    const bytes = Buffer.from(text, 'utf8');
    const expected = collect(text).lines;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const lines: [string, number][] = [];
      const splitter = new LineSplitter((raw, n) => lines.push([raw, n]));
      // A reused buffer, as readLogLines does, to prove nothing keeps a view into it.
      const scratch = Buffer.alloc(bytes.length);
      bytes.copy(scratch, 0, 0, cut);
      splitter.push(scratch, cut);
      scratch.fill(0x41);
      bytes.copy(scratch, 0, cut);
      splitter.push(scratch, bytes.length - cut);
      splitter.end();
      expect(lines).toEqual(expected);
    }
  });

  it('caps a huge line without LF and counts on', () => {
    const lines: [string, number][] = [];
    const splitter = new LineSplitter((raw, n) => lines.push([raw, n]));
    const chunk = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 10; i++) splitter.push(chunk);
    splitter.push(Buffer.from('\nnext\n'));
    splitter.end();
    expect(lines).toHaveLength(2);
    expect(lines[0]?.[0].length).toBe(MAX_RAW_LINE_BYTES);
    expect(lines[1]).toEqual(['next', 2]);
    expect(splitter.totalBytes).toBe(10 * (1 << 20) + 6);
  });

  it('keeps the last progress segment of a huge CR line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((raw) => lines.push(raw));
    splitter.push(Buffer.from(`${'x'.repeat(MAX_RAW_LINE_BYTES * 3)}\rDone 100%\r\n`));
    splitter.end();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\rDone 100%')).toBe(true);
    expect(lines[0]?.length).toBeLessThanOrEqual(2 * MAX_RAW_LINE_BYTES + 1);
  });
});

describe('readLogLines', () => {
  it('agrees with grep -c and grep -n on a file with CRLF, bare CR and no final LF', async () => {
    const path = join(dir, 'mixed.log');
    const body =
      Array.from({ length: 5000 }, (_, i) =>
        i % 7 === 0 ? `line ${i}\r\n` : i % 11 === 0 ? `p 10%\rp 50%\rline ${i}\n` : `line ${i} ünïcode\n`,
      ).join('') + 'tail';
    writeFileSync(path, body);
    const seen: string[] = [];
    const summary = await readLogLines(path, (raw, n) => {
      if (raw.endsWith('line 4999 ünïcode')) seen.push(`${n}`);
    });
    const grepCount = Number(execFileSync('grep', ['-c', '', path], { encoding: 'utf8' }).trim());
    const grepLine = execFileSync('grep', ['-n', 'line 4999 ', path], { encoding: 'utf8' }).split(':')[0];
    expect(summary.lines).toBe(grepCount);
    expect(seen).toEqual([grepLine]);
    expect(summary.bytes).toBe(Buffer.byteLength(body));
  });

  it('throws a LogError for a missing file', async () => {
    await expect(readLogLines(join(dir, 'missing.log'), () => undefined)).rejects.toBeInstanceOf(LogError);
  });
});
