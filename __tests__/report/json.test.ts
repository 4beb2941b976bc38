import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { jsonReportChunks, parseJsonReport, readJsonReport, toJsonReport, writeJsonReport } from '../../src/report/json.js';
import { largeReport, loadReport, runnerWouldReadACommand } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'report-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JSON report', () => {
  it.each(['basic', 'hostile', 'fork'])('%s round-trips unchanged through a file', async (name) => {
    const report = loadReport(name);
    const file = path.join(dir, 'nested', 'report.json');
    await writeJsonReport(report, file);
    expect(await readJsonReport(file)).toEqual(report);
    expect(await readdir(path.dirname(file))).toEqual(['report.json']);
  });

  it('is the RunReport as-is, printable on a runner without issuing commands', () => {
    const report = loadReport('hostile');
    const text = toJsonReport(report);
    expect(JSON.parse(text)).toEqual(report);
    expect(text).toContain('#\\u0023[error]x');
    expect(runnerWouldReadACommand(text)).toBe(false);
  });

  it('replaces an existing file, and replaces a symlink instead of writing through it', async () => {
    const file = path.join(dir, 'report.json');
    await writeFile(file, 'old');
    await writeJsonReport(loadReport('basic'), file);
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);

    const victim = path.join(dir, 'victim.txt');
    await writeFile(victim, 'keep me');
    const linked = path.join(dir, 'linked.json');
    await symlink(victim, linked);
    await writeJsonReport(loadReport('basic'), linked);
    expect(await readFile(victim, 'utf8')).toBe('keep me');
    expect(JSON.parse(await readFile(linked, 'utf8')).version).toBe(1);
  });

  it('refuses a directory as the report path with a typed error', async () => {
    const target = path.join(dir, 'is-a-dir');
    await mkdir(target);
    await expect(writeJsonReport(loadReport('basic'), target)).rejects.toBeInstanceOf(ConfigurationError);
    await expect(writeJsonReport(loadReport('basic'), target)).rejects.toThrow(/is a directory/);
  });

  it('reports an unwritable directory with a typed error and leaves no temporary file', async () => {
    const parentFile = path.join(dir, 'file');
    await writeFile(parentFile, '');
    await expect(writeJsonReport(loadReport('basic'), path.join(parentFile, 'report.json'))).rejects.toBeInstanceOf(ConfigurationError);
    expect(await readdir(dir)).toEqual(['file']);
  });

  it.each([
    ['not json', /not JSON/],
    ['{"version": 2}', /version 1/],
    ['[]', /version 1/],
    ['{"version": 1, "target": {}, "publication": {}}', /"jobs" array/],
  ])('parseJsonReport rejects %j', (text, message) => {
    expect(() => parseJsonReport(text)).toThrow(message);
  });
});

describe('jsonReportChunks', () => {
  it.each(['basic', 'hostile', 'fork'])('%s: the pieces are exactly JSON.stringify(report, null, 2) with ##[ written #\\u0023[', (name) => {
    const report = loadReport(name);
    const expected = `${JSON.stringify(report, null, 2).replaceAll('##[', '#\\u0023[')}\n`;
    expect([...jsonReportChunks(report)].join('')).toBe(expected);
    expect(toJsonReport(report)).toBe(expected);
  });

  it('matches for empty arrays and a report with many failures', () => {
    const empty = { ...loadReport('fork'), fixes: [], notices: [] };
    expect(toJsonReport(empty)).toBe(`${JSON.stringify(empty, null, 2)}\n`);
    const large = largeReport(300, 50);
    expect(toJsonReport(large)).toBe(`${JSON.stringify(large, null, 2)}\n`);
  });
});
