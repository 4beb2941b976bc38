import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/model.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderTextReport } from '../../src/report/text.js';
import { largeReport, loadReport, runnerWouldReadACommand, tableCells, tableRows } from './helpers.js';

const SERVER = 'https://github.com';

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Every table row has as many cells as its table's header. */
function expectWellFormedTables(markdown: string): void {
  let columns = 0;
  let previousWasRow = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      previousWasRow = false;
      continue;
    }
    const cells = tableCells(line);
    if (!previousWasRow) columns = cells.length;
    expect(cells, line).toHaveLength(columns);
    previousWasRow = true;
  }
}

describe('renderSummary', () => {
  it.each(['basic', 'hostile', 'fork'])('%s: tables keep their columns whatever the log text holds', (name) => {
    const summary = renderSummary(loadReport(name), { serverUrl: SERVER });
    expectWellFormedTables(summary);
    expect(tableRows(summary).length).toBeGreaterThan(2);
  });

  it('lets no HTML, mention or workflow command through from hostile text', () => {
    const summary = renderSummary(loadReport('hostile'), { serverUrl: SERVER });
    const outsideCode = summary.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).not.toMatch(/<(?!!--)/);
    expect(outsideCode).not.toMatch(/(^|[^A-Za-z0-9_\\])@[A-Za-z0-9]/m);
    expect(summary).not.toMatch(/(^|[^\\])\]\(javascript:/m);
    expect(runnerWouldReadACommand(summary)).toBe(false);
  });

  it('links workspace files to the head commit, and only those', () => {
    const summary = renderSummary(loadReport('hostile'), { serverUrl: SERVER });
    expect(summary).toContain('(https://github.com/acme/widgets/blob/3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a/tests/test_a%7Cb.py#L7)');
    expect(summary).not.toMatch(/blob\/[0-9a-f]+\/(\.\.|%2E%2E|home)/);
  });

  it('builds no links from a server URL that is not http(s)', () => {
    const report = loadReport('fork');
    const summary = renderSummary(report, {
      serverUrl: 'javascript:alert(1)//',
    });
    expect(summary).not.toContain('javascript');
    expect(summary).not.toContain('/blob/');
  });

  it('links a fork run to the fork that holds the commit', () => {
    expect(renderSummary(loadReport('fork'), { serverUrl: SERVER })).toContain('https://github.com/mallory/widgets/blob/');
  });

  it('stays under its byte cap with 5,000 failures of 100 KB each and says how many were left out', () => {
    const report = largeReport(5000, 100_000);
    const summary = renderSummary(report, { serverUrl: SERVER });
    expect(utf8(summary)).toBeLessThanOrEqual(64 * 1024);
    expect(summary).toMatch(/… 4950 more failures \(see the JSON report\)/);
    expect(summary).toContain('### Needs a human');
    expectWellFormedTables(summary);
  });

  it('cuts rows at maxRows and at a small byte cap without breaking a row', () => {
    const report = largeReport(30, 200);
    const byRows = renderSummary(report, { serverUrl: SERVER, maxRows: 5 });
    expect(tableRows(byRows).filter((row) => /^\| \d+ \|/.test(row))).toHaveLength(5);
    expect(byRows).toContain('… 25 more failures');

    const byBytes = renderSummary(report, {
      serverUrl: SERVER,
      maxBytes: 6000,
    });
    expect(utf8(byBytes)).toBeLessThanOrEqual(6000);
    expect(byBytes).toMatch(/shortened to stay under/);
    expectWellFormedTables(byBytes);
  });

  it('says what to do when no failure was recognised', () => {
    const base = loadReport('basic');
    const report: RunReport = {
      ...base,
      failures: [],
      jobs: base.jobs.map((job) => ({
        ...job,
        failures: [],
        category: 'other',
      })),
      fixes: [],
      needsHuman: [],
      categories: [],
      publication: {
        mode: 'pull-request',
        skippedReason: 'no fix was verified',
      },
    };
    const summary = renderSummary(report, { serverUrl: SERVER });
    expect(summary).toContain('**0 failures** in **2 failed jobs**');
    expect(summary).toContain('No failure was recognised in the 2 failed jobs. Read the job logs:');
    expect(summary).toContain('- [lint](https://github.com/acme/widgets/actions/runs/123456789/job/111) (step Run black --check .)');
    expect(summary).toContain('Nothing was pushed: no fix was verified.');
  });
});

describe('renderTextReport', () => {
  it('prints hostile text without a line the runner would read as a command', () => {
    const text = renderTextReport(loadReport('hostile'));
    expect(runnerWouldReadACommand(text)).toBe(false);
    expect(text).toContain('Needs a human:');
  });

  it('limits lists to maxRows', () => {
    const text = renderTextReport(largeReport(100, 50), { maxRows: 3 });
    expect(text).toContain('  … 97 more failures');
  });
});
