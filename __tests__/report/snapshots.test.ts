/**
 * Rendered outputs of whole reports, compared with the expected text beside each case in
 * __tests__/__fixtures__/report/ (`<case>.report.json` → `<case>.summary.md`, `.pr-body.md`,
 * `.commit.txt`, `.text.txt`, `.annotations.json`). After a deliberate change, rewrite them with
 * `UPDATE_REPORT_FIXTURES=1 npx vitest run __tests__/report` and review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/model.js';
import { annotationsFor } from '../../src/report/annotations.js';
import { parseJsonReport } from '../../src/report/json.js';
import { commitMessage, pullRequestBody } from '../../src/report/pull-request.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderTextReport } from '../../src/report/text.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', 'report');
const UPDATE = process.env.UPDATE_REPORT_FIXTURES === '1';

const RENDERINGS: ReadonlyArray<{
  suffix: string;
  render: (report: RunReport) => string;
}> = [
  {
    suffix: 'summary.md',
    render: (report) => renderSummary(report, { serverUrl: 'https://github.com' }),
  },
  { suffix: 'pr-body.md', render: (report) => pullRequestBody(report) },
  {
    suffix: 'commit.txt',
    render: (report) => commitMessage(report, `run ${report.target.runId}`),
  },
  {
    suffix: 'text.txt',
    render: (report) => renderTextReport(report, { serverUrl: 'https://github.com' }),
  },
  {
    suffix: 'annotations.json',
    render: (report) => `${JSON.stringify(annotationsFor(report), null, 2)}\n`,
  },
];

const cases = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.report.json'))
  .map((name) => name.slice(0, -'.report.json'.length))
  .sort();

describe('report renderings match their fixtures', () => {
  it('has cases', () => {
    expect(cases).toEqual(['basic', 'fork', 'hostile']);
  });
  for (const name of cases) {
    const report = parseJsonReport(readFileSync(path.join(FIXTURES, `${name}.report.json`), 'utf8'));
    for (const { suffix, render } of RENDERINGS) {
      it(`${name}.${suffix}`, () => {
        const actual = render(report);
        const expectedPath = path.join(FIXTURES, `${name}.${suffix}`);
        if (UPDATE) writeFileSync(expectedPath, actual);
        expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
      });
    }
  }
});
