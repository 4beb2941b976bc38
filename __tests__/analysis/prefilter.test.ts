import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPrefilter, extractTrigger } from '../../src/analysis/prefilter.js';
import { DETECTORS } from '../../src/analysis/registry.js';
import { createNormalizer } from '../../src/analysis/normalize.js';
import { splitText } from '../../src/analysis/reader.js';

const FIXTURES = join(__dirname, '..', '__fixtures__');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every normalised line of every fixture log, as the engine sees them. */
function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const file of filesUnder(FIXTURES)) {
    if (!/\.(?:log|txt)$/.test(file)) continue;
    const normalize = createNormalizer();
    splitText(readFileSync(file, 'utf8'), (raw, n) => lines.push(normalize(raw, n).text));
  }
  return lines;
}

/** The same text as another tool or terminal might print it: other case, other blanks. */
function variants(text: string): string[] {
  return [text, text.toUpperCase(), text.toLowerCase(), text.replace(/ /g, '\t'), text.replace(/ /g, '\u00a0'), `  ${text}`, `\t${text}`];
}

const triggers = DETECTORS.map((d) => d.trigger);

describe('trigger pre-filter', () => {
  it('never rejects a line a trigger matches (every fixture line, every example, in every case and blank)', () => {
    const prefilter = buildPrefilter(triggers);
    const texts = [...fixtureLines(), ...DETECTORS.map((d) => d.example)].flatMap(variants);
    expect(texts.length).toBeGreaterThan(10_000);
    const misses: string[] = [];
    let matched = 0;
    for (const text of texts) {
      prefilter.scan(text);
      triggers.forEach((trigger, index) => {
        if (!trigger.test(text)) return;
        matched++;
        if (!prefilter.isCandidate(index)) misses.push(`${DETECTORS[index]?.id}: ${JSON.stringify(text.slice(0, 120))}`);
      });
    }
    expect(matched).toBeGreaterThan(1000);
    expect(misses).toEqual([]);
  });

  it('passes few ordinary lines: lines no trigger matches rarely reach a trigger test', () => {
    const prefilter = buildPrefilter(triggers);
    const quiet = fixtureLines().filter((text) => !triggers.some((t) => t.test(text)));
    const passed = quiet.filter((text) => prefilter.scan(text) > 0).length;
    // A count, not a timing: each passed line costs regex tests the pre-filter exists to avoid.
    expect(passed / quiet.length).toBeLessThan(0.25);
  });

  it.each([
    // [pattern, literals, line starts, starts after blanks, residual]
    [
      /error TS\d/,
      ['error ts0', 'error ts1', 'error ts2', 'error ts3', 'error ts4', 'error ts5', 'error ts6', 'error ts7', 'error ts8', 'error ts9'],
      [],
      [],
      [],
    ],
    [/\) (?:test|doctest) /, [') test ', ') doctest '], [], [], []],
    [/\d+\) (?:test|doctest|property) /, [') test ', ') doctest ', ') property '], [], [], []],
    [/\.\.\.(?:\(skip\))?(?:Passed|Failed)\s*$/, ['...(skip)passed', '...(skip)failed', '...passed', '...failed'], [], [], []],
    [/RUN\s+v\d/, ['run '], [], [], []],
    [/: [CWEF]: /, [': c: ', ': w: ', ': e: ', ': f: '], [], [], []],
    [/^FAIL(?:ED)? /, [], ['failed ', 'fail '], [], []],
    [/^\s*× |^\s{0,4}Error: /, [], [], ['× ', 'error: '], []],
    [/^[A-Z]{1,4}\d{1,4} /, [], [], [], ['^[A-Z]{1,4}\\d{1,4} ']],
    [/(?:a|b)(?:c|d)[^x]+/, ['ac', 'ad', 'bc', 'bd'], [], [], []],
    [/x.*y/, [], [], [], ['x.*y']],
  ] as const)('extracts %s', (pattern, literals, starts, afterBlanks, residual) => {
    expect(extractTrigger(pattern)).toEqual({ literals, starts, startsAfterBlanks: afterBlanks, residual });
  });

  it('finds literals across chunks of a long line and at its very end', () => {
    const prefilter = buildPrefilter([/needle in/, /^start/, /✖/]);
    const long = `${'x'.repeat(70_000)}NEEDLE\tIN`;
    prefilter.scan(long);
    expect([0, 1, 2].map((i) => prefilter.isCandidate(i))).toEqual([true, false, false]);
    prefilter.scan('START ✖');
    expect([0, 1, 2].map((i) => prefilter.isCandidate(i))).toEqual([false, true, true]);
    prefilter.scan('');
    expect([0, 1, 2].map((i) => prefilter.isCandidate(i))).toEqual([false, false, false]);
  });
});
