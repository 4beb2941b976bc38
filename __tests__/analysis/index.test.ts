import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeDetector } from '../../src/analysis/detectors/exit-code.js';
import { analyzeFile, analyzeText, formatAnalysisText, toAnalyzeJson } from '../../src/analysis/index.js';
import type { Detector } from '../../src/analysis/types.js';

const FIXTURES = join(import.meta.dirname, '../__fixtures__/analysis/engine');

interface Expected {
  category: string;
  lines: number;
  first: {
    category: string;
    tool: string;
    file: string | null;
    line: number | null;
    column: number | null;
    logLines: [number, number];
    step?: string;
    job?: string;
  };
}

/** Whole-pipeline cases over the full registry: only the root cause is pinned, not every detail. */
describe('analyzeFile on engine fixtures', () => {
  const cases = readdirSync(FIXTURES).filter((name) => name.startsWith('analyze-') && name.endsWith('.log'));
  it.each(cases)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, name.replace(/\.log$/, '.expected.json')), 'utf8')) as Expected;
    const analysis = await analyzeFile(join(FIXTURES, name));
    const json = toAnalyzeJson([analysis]).logs[0];
    const first = analysis.failures[0];
    expect({ category: analysis.category, lines: analysis.lines }).toEqual({ category: expected.category, lines: expected.lines });
    expect({ ...json?.failures[0], step: first?.step, job: first?.job }).toMatchObject(expected.first);
  });
});

const fixed: Detector = {
  id: 'fixed',
  description: 'test',
  categories: ['lint_format'],
  example: 'would reformat x',
  trigger: /^would reformat /,
  start: () => ({
    line(line, ctx) {
      ctx.report({
        category: 'lint_format',
        tool: 'black',
        message: line.text,
        file: line.text.slice('would reformat '.length),
        logLines: [line.n, line.n],
        confidence: 0.95,
      });
    },
  }),
};

describe('toAnalyzeJson and formatAnalysisText', () => {
  it('produce exactly the documented shape, nulls for missing locations', async () => {
    const analysis = await analyzeText(
      'a\nwould reformat src/a.py\nwould reformat src/a.py\n##[error]Process completed with exit code 1.\n',
      {
        path: 'job.log',
        detectors: [fixed, exitCodeDetector],
      },
    );
    expect(toAnalyzeJson([analysis])).toEqual({
      logs: [
        {
          path: 'job.log',
          category: 'lint_format',
          failedStep: { name: '', lines: [1, 4], exitCode: 1 },
          failures: [
            {
              category: 'lint_format',
              tool: 'black',
              message: 'would reformat src/a.py',
              file: 'src/a.py',
              line: null,
              column: null,
              logLines: [2, 4],
              confidence: 0.95,
              step: null,
              job: null,
              occurrences: 2,
              fingerprint: analysis.failures[0]?.fingerprint,
            },
          ],
        },
      ],
    });
    expect(analysis.failures[0]?.occurrences).toBe(2);
    const text = formatAnalysisText([analysis]);
    expect(text).toContain('job.log: lint_format (1 failure, 4 lines)\n  failed step: (the whole log) (lines 1-4, exit code 1)');
    expect(text).toContain('[lint_format] black src/a.py (lines 2-4, confidence 0.95, seen 2×)');
  });

  it('reports an empty log as other with no failures', async () => {
    const analysis = await analyzeText('');
    expect(analysis).toMatchObject({ category: 'other', failures: [], lines: 0, bytes: 0 });
    expect(formatAnalysisText([analysis])).toContain('no failure recognised');
  });
});
