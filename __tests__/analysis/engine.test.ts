import { describe, expect, it } from 'vitest';
import { AnalysisEngine, MAX_DRAFTS_PER_DETECTOR } from '../../src/analysis/engine.js';
import { createNormalizer } from '../../src/analysis/normalize.js';
import { splitText } from '../../src/analysis/reader.js';
import { CONTEXT_LINES, type Detector, type LogLine } from '../../src/analysis/types.js';

type Mode = 'literal' | 'combined' | 'each';
const MODES: Mode[] = ['literal', 'combined', 'each'];

function run(detectors: Detector[], text: string, prefilter: Mode = 'literal') {
  const engine = new AnalysisEngine({ detectors, prefilter });
  const normalize = createNormalizer();
  splitText(text, (raw, n) => engine.push(normalize(raw, n)));
  return engine.finish();
}

/** Reports every line its trigger matched, with the texts of the two lines before it. */
const echoDetector: Detector = {
  id: 'echo',
  description: 'test',
  categories: ['other'],
  example: 'BOOM here',
  trigger: /BOOM|^FATAL \d+/,
  start: () => ({
    line(line, ctx) {
      ctx.report({
        category: 'other',
        tool: 'echo',
        message: line.text,
        logLines: [line.n, line.n],
        confidence: 0.5,
        data: { before: ctx.before(2).map((l) => l.text) },
      });
    },
  }),
};

/** Reads a block: the trigger line and every indented line after it, reported at the end. */
const blockDetector: Detector = {
  id: 'block',
  description: 'test',
  categories: ['test_failure'],
  example: 'Traceback (most recent call last):',
  trigger: /^Traceback \(most recent call last\):/,
  start: () => {
    let block: LogLine[] = [];
    const blocks: LogLine[][] = [];
    return {
      line(line) {
        if (line.text.startsWith('Traceback')) {
          block = [line];
          blocks.push(block);
          return true;
        }
        if (line.text.startsWith(' ')) {
          block.push(line);
          return true;
        }
        return false;
      },
      end(ctx) {
        for (const b of blocks) {
          const first = b[0] as LogLine;
          const last = b[b.length - 1] as LogLine;
          ctx.report({
            category: 'test_failure',
            tool: 'python',
            message: b.map((l) => l.text.trim()).join(' / '),
            logLines: [first.n, last.n],
            confidence: 0.9,
          });
        }
      },
    };
  },
};

const throwingDetector: Detector = {
  id: 'thrower',
  description: 'test',
  categories: ['other'],
  example: 'BOOM',
  trigger: /BOOM/,
  start: () => ({
    line() {
      throw new Error('detector bug');
    },
  }),
};

describe('AnalysisEngine', () => {
  it.each(MODES)('feeds only trigger lines and gives them context (%s)', (mode) => {
    const result = run([echoDetector], 'one\ntwo\nthree BOOM\nfour\nFATAL 12 x\n', mode);
    expect(result.lines).toBe(5);
    expect(result.drafts.map((d) => [d.draft.logLines, d.draft.data])).toEqual([
      [[3, 3], { before: ['one', 'two'] }],
      [[5, 5], { before: ['three BOOM', 'four'] }],
    ]);
  });

  it.each(MODES)('honours `return true` to read a block, including non-matching lines (%s)', (mode) => {
    const text = ['x', 'Traceback (most recent call last):', '  File "a.py", line 3', '    boom()', 'ValueError: bad', '  not part'].join(
      '\n',
    );
    const result = run([blockDetector], text, mode);
    expect(result.drafts.map((d) => d.draft)).toEqual([
      {
        category: 'test_failure',
        tool: 'python',
        message: 'Traceback (most recent call last): / File "a.py", line 3 / boom()',
        logLines: [2, 4],
        confidence: 0.9,
      },
    ]);
  });

  it('before() never returns more than CONTEXT_LINES, oldest first', () => {
    let seen: readonly LogLine[] = [];
    const detector: Detector = {
      ...echoDetector,
      start: () => ({
        line(_line, ctx) {
          seen = ctx.before(10_000);
        },
      }),
    };
    const total = CONTEXT_LINES + 300;
    const text = `${Array.from({ length: total }, (_, i) => `l${i + 1}`).join('\n')}\nBOOM`;
    run([detector], text);
    expect(seen).toHaveLength(CONTEXT_LINES);
    expect(seen[0]?.text).toBe(`l${total - CONTEXT_LINES + 1}`);
    expect(seen[seen.length - 1]?.text).toBe(`l${total}`);
  });

  it('a detector that throws is recorded and disabled; the others go on', () => {
    const result = run([throwingDetector, echoDetector], 'BOOM 1\nBOOM 2\n');
    expect(result.detectorErrors).toEqual([{ detector: 'thrower', line: 1, message: 'detector bug' }]);
    expect(result.drafts.map((d) => d.detector)).toEqual(['echo', 'echo']);
  });

  it('a detector whose start() throws is skipped', () => {
    const broken: Detector = {
      ...echoDetector,
      id: 'broken',
      start: () => {
        throw new Error('no');
      },
    };
    const result = run([broken, echoDetector], 'BOOM\n');
    expect(result.detectorErrors.map((e) => e.detector)).toEqual(['broken']);
    expect(result.drafts).toHaveLength(1);
  });

  it('drops malformed drafts and clamps confidence', () => {
    const sloppy: Detector = {
      ...echoDetector,
      id: 'sloppy',
      start: () => ({
        line(line, ctx) {
          ctx.report({ category: 'other', tool: 't', message: 'bad lines', logLines: [0, 0], confidence: 1 });
          ctx.report({ category: 'other', tool: 't', message: 'ok', logLines: [line.n + 1, line.n], confidence: 7, line: -3 });
        },
      }),
    };
    const result = run([sloppy], 'BOOM\n');
    expect(result.drafts.map((d) => d.draft)).toEqual([{ category: 'other', tool: 't', message: 'ok', logLines: [1, 2], confidence: 1 }]);
    expect(result.detectorErrors).toHaveLength(1);
  });

  it('caps drafts per detector, keeping the most confident and earliest', () => {
    const flood: Detector = {
      ...echoDetector,
      id: 'flood',
      start: () => ({
        line(line, ctx) {
          ctx.report({
            category: 'other',
            tool: 't',
            message: line.text,
            logLines: [line.n, line.n],
            confidence: line.n === 4000 ? 0.99 : 0.4,
          });
        },
      }),
    };
    const text = Array.from({ length: 5000 }, (_, i) => `BOOM ${i + 1}`).join('\n');
    const result = run([flood], text);
    expect(result.drafts.length).toBeLessThanOrEqual(2 * MAX_DRAFTS_PER_DETECTOR);
    expect(result.drafts[0]?.draft.message).toBe('BOOM 1');
    expect(result.drafts.some((d) => d.draft.message === 'BOOM 4000')).toBe(true);
  });

  it('routes lines by workflow command to detectors that list it', () => {
    const annotations: Detector = {
      ...echoDetector,
      id: 'annotations',
      trigger: /^(?!)/,
      commands: ['error'],
    };
    const result = run([annotations], '##[error]something broke\n##[warning]meh\nplain error\n');
    expect(result.drafts.map((d) => d.draft.message)).toEqual(['something broke']);
  });

  it('fills step and job from the first line of the failure', () => {
    const text = ['##[group]Run pytest', 'Traceback (most recent call last):', '  File "a.py", line 1', '##[group]Run later'].join('\n');
    const result = run([blockDetector], text);
    expect(result.drafts[0]?.step).toBe('Run pytest');
  });
});
