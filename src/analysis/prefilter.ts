/**
 * A fast, conservative pre-filter over all detector triggers. Most lines of a CI log match no
 * trigger; testing one big alternation of every trigger costs irregexp tens of nanoseconds per
 * character, because it tries hundreds of alternatives at each position. Instead:
 *
 * 1. each trigger is split into its top-level alternatives, and for each the literal text it
 *    cannot match without is extracted from the pattern (`error TS\d` → "error ts");
 * 2. a line passes when it contains one of those literals (ASCII case folded), found with a
 *    bigram table in one pass over the line;
 * 3. alternatives with no usable literal (`^\s+\d+:\d+`) go into a small residual regex.
 *
 * The filter may pass lines no trigger matches (the engine then tests the real triggers); it
 * never rejects a line a trigger matches, because every literal is required by its alternative.
 */

/** What one trigger contributed: literals that imply "maybe", and alternatives kept as regexes. */
interface Extraction {
  /** Some of these must occur anywhere in the line (folded). */
  literals: string[];
  /** The line must start with one of these (folded)... */
  starts: string[];
  /** ...or, for these, its first non-blank text must. */
  startsAfterBlanks: string[];
  /** Alternatives with no usable literal, tested as regular expressions. */
  residual: string[];
}

/** Most strings one literal set may hold (cross products of classes and groups grow fast). */
const MAX_SET = 24;
/** Widest character class expanded into single characters (`[CWEF]` yes, `[a-z]` no). */
const MAX_CLASS = 10;

/**
 * A parsed piece of a pattern. `chars` is a class of single characters, already folded (see
 * `foldChar`), and `width0` marks zero-width assertions (`^`, `$`, `\b`, lookarounds).
 */
type Item =
  | { kind: 'chars'; chars: string[]; min: number; max: number }
  | { kind: 'group'; alternatives: Item[][]; min: number; max: number }
  | { kind: 'width0' }
  | { kind: 'other'; min: number; max: number };

const DIGITS = '0123456789'.split('');

/** `foldChar` as a table over UTF-16 code units: ASCII upper case to lower, white space to a space. */
const FOLD = ((): Uint16Array => {
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < 0x10000; code++) table[code] = code;
  for (let code = 65; code <= 90; code++) table[code] = code | 32;
  for (const ch of '\t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff') {
    table[ch.charCodeAt(0)] = 32;
  }
  return table;
})();

/** The scan's view of a character: ASCII upper case to lower, every white-space character to a space. */
function foldChar(ch: string): string {
  return ch.length === 1 ? String.fromCharCode(FOLD[ch.charCodeAt(0)] as number) : ch;
}

class Parser {
  private index = 0;
  constructor(private readonly source: string) {}

  /** Top-level alternatives as source slices plus parsed items. */
  parseTop(): { source: string; items: Item[] }[] {
    const result: { source: string; items: Item[] }[] = [];
    for (;;) {
      const start = this.index;
      const items = this.parseSequence();
      result.push({ source: this.source.slice(start, this.index), items });
      if (this.source[this.index] === '|') {
        this.index++;
        continue;
      }
      if (this.index < this.source.length) throw new Error('unbalanced )');
      return result;
    }
  }

  private parseAlternatives(): Item[][] {
    const alternatives: Item[][] = [this.parseSequence()];
    while (this.source[this.index] === '|') {
      this.index++;
      alternatives.push(this.parseSequence());
    }
    return alternatives;
  }

  private parseSequence(): Item[] {
    const items: Item[] = [];
    while (this.index < this.source.length) {
      const c = this.source[this.index] as string;
      if (c === '|' || c === ')') break;
      const atom = this.parseAtom();
      const { min, max } = this.parseQuantifier();
      if (atom.kind === 'width0') items.push(atom);
      else items.push({ ...atom, min, max });
    }
    return items;
  }

  private parseAtom():
    { kind: 'chars'; chars: string[] } | { kind: 'group'; alternatives: Item[][] } | { kind: 'width0' } | { kind: 'other' } {
    const c = this.source[this.index] as string;
    if (c === '(') return this.parseGroup();
    if (c === '[') return this.parseClass();
    if (c === '\\') {
      const escaped = this.parseEscape();
      return escaped === 'width0' ? { kind: 'width0' } : escaped === undefined ? { kind: 'other' } : { kind: 'chars', chars: escaped };
    }
    this.index++;
    if (c === '^' || c === '$') return { kind: 'width0' };
    if (c === '.') return { kind: 'other' };
    return { kind: 'chars', chars: [foldChar(c)] };
  }

  private parseGroup(): { kind: 'group'; alternatives: Item[][] } | { kind: 'width0' } {
    this.index++;
    let lookaround = false;
    if (this.source[this.index] === '?') {
      const next = this.source[this.index + 1];
      const third = this.source[this.index + 2];
      if (next === ':') this.index += 2;
      else if (next === '=' || next === '!') {
        lookaround = true;
        this.index += 2;
      } else if (next === '<' && (third === '=' || third === '!')) {
        lookaround = true;
        this.index += 3;
      } else if (next === '<') {
        const close = this.source.indexOf('>', this.index);
        if (close === -1) throw new Error('bad group name');
        this.index = close + 1;
      } else throw new Error('unsupported group');
    }
    const alternatives = this.parseAlternatives();
    if (this.source[this.index] !== ')') throw new Error('unclosed group');
    this.index++;
    return lookaround ? { kind: 'width0' } : { kind: 'group', alternatives };
  }

  /** A class becomes its set of folded characters when it is small and not negated; else "other". */
  private parseClass(): { kind: 'chars'; chars: string[] } | { kind: 'other' } {
    this.index++;
    const negated = this.source[this.index] === '^';
    if (negated) this.index++;
    const members = new Set<string>();
    let wide = negated;
    let first = true;
    while (this.index < this.source.length && (this.source[this.index] !== ']' || first)) {
      first = false;
      let single: string[] | undefined;
      if (this.source[this.index] === '\\') {
        const escaped = this.parseEscape();
        single = escaped === 'width0' ? undefined : escaped;
      } else single = [this.source[this.index++] as string];
      if (single === undefined) {
        wide = true;
        continue;
      }
      if (single.length === 1 && this.source[this.index] === '-' && this.source[this.index + 1] !== ']') {
        this.index++;
        const to = this.source[this.index] === '\\' ? this.parseEscape() : [this.source[this.index++] as string];
        const from = (single[0] as string).charCodeAt(0);
        const last = Array.isArray(to) && to.length === 1 ? (to[0] as string).charCodeAt(0) : -1;
        if (last < from || last - from >= MAX_CLASS) wide = true;
        else for (let code = from; code <= last; code++) members.add(foldChar(String.fromCharCode(code)));
        continue;
      }
      for (const ch of single) members.add(foldChar(ch));
    }
    if (this.index >= this.source.length) throw new Error('unclosed class');
    this.index++;
    return wide || members.size === 0 || members.size > MAX_CLASS ? { kind: 'other' } : { kind: 'chars', chars: [...members] };
  }

  /** One escape: its characters, 'width0' for `\b`/`\B`, or undefined for a wide class. */
  private parseEscape(): string[] | 'width0' | undefined {
    const next = this.source[this.index + 1];
    if (next === undefined) throw new Error('trailing backslash');
    this.index += 2;
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };
    if (simple[next] !== undefined && !(next === '0' && /\d/.test(this.source[this.index] ?? ''))) return [foldChar(simple[next])];
    if (next === 'b' || next === 'B') return 'width0';
    if (next === 'd') return DIGITS;
    if (next === 's') return [' '];
    if (next === 'x' && /^[0-9a-fA-F]{2}/.test(this.source.slice(this.index, this.index + 2))) {
      const ch = String.fromCharCode(parseInt(this.source.slice(this.index, this.index + 2), 16));
      this.index += 2;
      return [foldChar(ch)];
    }
    if (next === 'u' && /^[0-9a-fA-F]{4}/.test(this.source.slice(this.index, this.index + 4))) {
      const ch = String.fromCharCode(parseInt(this.source.slice(this.index, this.index + 4), 16));
      this.index += 4;
      return [foldChar(ch)];
    }
    if (next === 'p' || next === 'P' || next === 'k' || next === 'u' || next === 'c') {
      // \p{…}, \k<name>, \u{…}, \cX: skip the argument; not literal.
      if (this.source[this.index] === '{' || this.source[this.index] === '<') {
        const close = this.source.indexOf(this.source[this.index] === '{' ? '}' : '>', this.index);
        this.index = close === -1 ? this.source.length : close + 1;
      } else if (next === 'c') this.index++;
      return undefined;
    }
    if (/[A-Za-z0-9]/.test(next)) return undefined;
    return [foldChar(next)];
  }

  private parseQuantifier(): { min: number; max: number } {
    const c = this.source[this.index];
    let min = 1;
    let max = 1;
    if (c === '*' || c === '?') {
      min = 0;
      max = c === '?' ? 1 : Infinity;
      this.index++;
    } else if (c === '+') {
      max = Infinity;
      this.index++;
    } else if (c === '{') {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.index, this.index + 24));
      if (!match) return { min, max };
      min = Number(match[1]);
      max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
      this.index += match[0].length;
    } else return { min, max };
    if (this.source[this.index] === '?') this.index++;
    return { min, max };
  }
}

/** Text whose case folding is ASCII-only, so the line scan can fold on the fly. */
function asciiFolded(text: string): boolean {
  for (const ch of text) {
    if (ch.charCodeAt(0) > 127 && (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch)) return false;
  }
  return true;
}

/** A literal the scan can look for anywhere: folded, not blank, and not a lone ASCII character. */
function usableLiteral(literal: string): boolean {
  if (!asciiFolded(literal) || literal.trim() === '') return false;
  return literal.length >= 2 || (literal.length === 1 && literal.charCodeAt(0) > 127);
}

/**
 * How much a literal narrows the lines that pass: letters and punctuation count 1, a space or a
 * digit less (they are everywhere in logs, and digit classes expand into many short literals), a
 * non-ASCII symbol (●, ✖) 3. A set counts as its weakest member, a little less when large.
 */
function weight(literal: string): number {
  let total = 0;
  for (const ch of literal) {
    const code = ch.charCodeAt(0);
    total += code > 127 ? 3 : code === 32 ? 0.5 : code >= 48 && code <= 57 ? 0.3 : 1;
  }
  return total;
}

function score(set: readonly string[]): number {
  return Math.min(...set.map(weight)) - 0.1 * Math.log2(set.length);
}

/** Every concatenation of a string of `left` with one of `right`, or undefined when too many. */
function cross(left: readonly string[], right: readonly string[]): string[] | undefined {
  if (left.length === 1 && right.length === 1) return [(left[0] as string) + (right[0] as string)];
  if (left.length * right.length > MAX_SET) return undefined;
  return [...new Set(left.flatMap((a) => right.map((b) => a + b)))];
}

/**
 * `cross` after cutting `left` down to its longest common tails that keep the product small:
 * `\d+\) (?:test|doctest|property)` keeps ") " before the names rather than starting over.
 */
function crossTails(left: readonly string[], right: readonly string[]): string[] | undefined {
  const longest = Math.max(...left.map((text) => text.length));
  for (let keep = longest - 1; keep >= 1; keep--) {
    const tails = [...new Set(left.map((text) => text.slice(-keep)))];
    if (tails.includes('')) continue;
    const joined = cross(tails, right);
    if (joined !== undefined) return joined;
  }
  return undefined;
}

const groupLanguages = new WeakMap<Item, string[] | null>();

/** The finite set of texts one occurrence of `item` can match, when small; undefined otherwise. */
function oneOccurrence(item: Item): string[] | undefined {
  if (item.kind === 'chars') return item.chars;
  if (item.kind === 'width0') return [''];
  if (item.kind === 'other') return undefined;
  const known = groupLanguages.get(item);
  if (known !== undefined) return known ?? undefined;
  let texts: Set<string> | undefined = new Set<string>();
  for (const alternative of item.alternatives) {
    const language = sequenceLanguage(alternative);
    if (language === undefined) texts = undefined;
    else for (const text of language) texts?.add(text);
    if (texts === undefined || texts.size > MAX_SET) {
      texts = undefined;
      break;
    }
  }
  const result = texts === undefined ? undefined : [...texts];
  groupLanguages.set(item, result ?? null);
  return result;
}

/** The finite set of texts a whole sequence can match, when small. */
function sequenceLanguage(items: readonly Item[]): string[] | undefined {
  let language: string[] | undefined = [''];
  for (const item of items) {
    if (item.kind !== 'width0' && (item.max !== 1 || item.min > 1)) return undefined;
    const one = oneOccurrence(item);
    if (one === undefined) return undefined;
    language = cross(language, item.kind !== 'width0' && item.min === 0 ? [...one, ''] : one);
    if (language === undefined) return undefined;
  }
  return language;
}

/**
 * Sets of literals of which every match of `items` contains at least one, best first is picked by
 * the caller. Runs of exactly-once pieces are concatenated (`\) (?:test|doctest) ` gives ") test "
 * and ") doctest "), a repeated piece ends one run and starts the next (`RUN\s+v` gives "run " and
 * " v"), and optional or wide pieces break runs.
 */
function candidateSets(items: readonly Item[]): string[][] {
  const candidates: string[][] = [];
  let run: string[] = [''];
  const endRun = (next: string[] = ['']): void => {
    if (!run.includes('')) candidates.push(run);
    run = next;
  };
  for (const item of items) {
    if (item.kind === 'width0') continue;
    let one = oneOccurrence(item);
    // An optional piece with a small language joins the run as "one of these, or nothing".
    if (item.min === 0 && item.max === 1 && one !== undefined) one = [...new Set([...one, ''])];
    else if (item.min === 0) one = undefined;
    if (one === undefined) {
      if (item.kind === 'group' && item.min > 0) {
        // A group too rich to expand still needs one of its alternatives' own literals.
        endRun();
        const sets = item.alternatives.map(bestSet);
        if (sets.every((set): set is string[] => set !== undefined)) candidates.push([...new Set(sets.flat())]);
      } else endRun();
      continue;
    }
    let joined = cross(run, one);
    if (joined === undefined && !run.includes('')) {
      // Too many combinations: keep the whole run as a candidate, go on with its common tails.
      candidates.push(run);
      joined = crossTails(run, one);
    }
    run = joined ?? one;
    // Repeated: the first occurrence ends this run, the last one starts the next.
    if (item.max !== 1) endRun(one);
  }
  endRun();
  return candidates;
}

function bestSet(items: readonly Item[]): string[] | undefined {
  const usable = candidateSets(items).filter((set) => set.length > 0 && set.every(usableLiteral));
  if (usable.length === 0) return undefined;
  return usable.reduce((best, set) => (score(set) > score(best) || (score(set) === score(best) && set.length < best.length) ? set : best));
}

/**
 * For an alternative anchored at the line start: the texts the line must begin with, either at
 * column 0 or, when the pattern first allows white space (`^\s*`, `^ {0,4}`), at the first non-blank
 * column. Undefined when the line's start is not fixed text.
 */
function leadingTexts(items: readonly Item[]): { texts: string[]; afterBlanks: boolean } | undefined {
  let index = 0;
  while (items[index]?.kind === 'width0') index++;
  let afterBlanks = false;
  for (let item = items[index]; item?.kind === 'chars' && item.chars.length === 1 && item.chars[0] === ' '; item = items[index]) {
    afterBlanks = true;
    index++;
  }
  let texts: string[] = [''];
  for (; index < items.length; index++) {
    const item = items[index] as Item;
    if (item.kind === 'width0') continue;
    let one = oneOccurrence(item);
    if (one !== undefined && item.min === 0) one = item.max === 1 ? [...new Set([...one, ''])] : undefined;
    const joined = one === undefined ? undefined : cross(texts, one);
    if (joined === undefined) break;
    texts = joined;
    if (item.max !== 1) break; // a repeated piece: its first occurrence is still fixed text
  }
  if (texts.length === 0 || texts.some((text) => text === '' || !asciiFolded(text))) return undefined;
  return { texts, afterBlanks };
}

/** How much a fixed line start narrows the lines that pass, on the same scale as `score`. */
function leadingScore(texts: readonly string[]): number {
  // Fixed position: even a short start ("FAIL", "E: ") passes few lines.
  return score(texts) + 3;
}

/**
 * An anchored alternative with no fixed start and only a weak literal is cheaper as a regular
 * expression (tried at column 0 only) than as a literal that passes many lines. An unanchored one
 * always prefers any literal: as a regex it would be tried at every column of every line.
 */
const ANCHORED_MIN_SCORE = 3;

/** Extractions by pattern source: detectors' triggers are constants, and logs are analysed many at a time. */
const extracted = new Map<string, Extraction>();

/** Splits a trigger into line-start texts, literal-backed alternatives and residual alternatives. */
export function extractTrigger(trigger: RegExp): Extraction {
  const known = extracted.get(trigger.source);
  if (known !== undefined) return known;
  const result = extractUncached(trigger);
  if (extracted.size < 1000) extracted.set(trigger.source, result);
  return result;
}

function extractUncached(trigger: RegExp): Extraction {
  let top: { source: string; items: Item[] }[];
  try {
    top = new Parser(trigger.source).parseTop();
  } catch {
    return { literals: [], starts: [], startsAfterBlanks: [], residual: [trigger.source] };
  }
  const result: Extraction = { literals: [], starts: [], startsAfterBlanks: [], residual: [] };
  for (const alternative of top) {
    const set = bestSet(alternative.items);
    const leading = alternative.source.startsWith('^') ? leadingTexts(alternative.items) : undefined;
    if (leading && leadingScore(leading.texts) >= (set ? score(set) : 0)) {
      (leading.afterBlanks ? result.startsAfterBlanks : result.starts).push(...leading.texts);
    } else if (set && (!alternative.source.startsWith('^') || score(set) >= ANCHORED_MIN_SCORE)) result.literals.push(...set);
    else result.residual.push(alternative.source);
  }
  return result;
}

interface GramEntry {
  literal: string;
  owners: number[];
  back: number;
}

/** Where in `literal` the `size` characters least likely in ordinary text start (letters are everywhere). */
function rarestGram(literal: string, size: number): number {
  const rarity = (code: number): number =>
    code >= 97 && code <= 122 ? 0 : code === 32 ? 1 : code >= 48 && code <= 57 ? 1.5 : code > 127 ? 3 : 2;
  let best = 0;
  let bestScore = -1;
  for (let offset = 0; offset + size <= literal.length; offset++) {
    let total = 0;
    for (let k = offset; k < offset + size; k++) total += rarity(literal.charCodeAt(k));
    if (total > bestScore) {
      best = offset;
      bestScore = total;
    }
  }
  return best;
}

/** Multiplier of the gram hash (the scan inlines `gramKey` with it). */
const GRAM_HASH = 0x9e3779b1;

/** The table key of the last `size` characters (low bytes, newest last) packed in `window`. */
function gramKey(window: number, size: number): number {
  if (size === 2) return window & 0xffff;
  return Math.imul(size === 3 ? window & 0xffffff : window, GRAM_HASH) >>> 16;
}

export interface TriggerPrefilter {
  /**
   * Marks the triggers that may match `text` and returns how many. False negatives never happen;
   * false positives are settled by testing the real trigger.
   */
  scan(text: string): number;
  /** After `scan`: may trigger `index` (position in the list given to `buildPrefilter`) match? */
  isCandidate(index: number): boolean;
  /** After `scan` returned n: the k-th (0 ≤ k < n) trigger that may match, in the order found. */
  candidate(k: number): number;
}

/** Texts a line must have at one column, found by the column's first two characters. */
class StartTable {
  /** Texts of one character by that character; longer ones by their first two (low bytes). */
  private readonly single = new Array<number[] | undefined>(0x10000);
  private readonly byPair = new Array<{ text: string; owners: number[] }[] | undefined>(0x10000);
  add(text: string, owner: number): void {
    if (text.length === 1) {
      (this.single[text.charCodeAt(0)] ??= []).push(owner);
      return;
    }
    const list = (this.byPair[((text.charCodeAt(0) & 0xff) << 8) | (text.charCodeAt(1) & 0xff)] ??= []);
    const entry = list.find((e) => e.text === text);
    if (entry) entry.owners.push(owner);
    else list.push({ text, owners: [owner] });
  }

  /** Marks the owners of every text found at `at`. */
  scanAt(text: string, at: number, mark: (owners: readonly number[]) => void): void {
    const first = FOLD[text.charCodeAt(at)] as number;
    const single = this.single[first];
    if (single !== undefined) mark(single);
    if (at + 1 >= text.length) return;
    const list = this.byPair[((first & 0xff) << 8) | ((FOLD[text.charCodeAt(at + 1)] as number) & 0xff)];
    if (list === undefined) return;
    for (const entry of list) {
      const wanted = entry.text;
      if (at + wanted.length > text.length) continue;
      let k = 0;
      while (k < wanted.length && FOLD[text.charCodeAt(at + k)] === wanted.charCodeAt(k)) k++;
      if (k === wanted.length) mark(entry.owners);
    }
  }
}

/** Where each literal of a list of triggers is looked for; shared by every pre-filter of that list. */
interface Tables {
  starts: StartTable;
  startsAfterBlanks: StartTable;
  residual: { index: number; regex: RegExp }[];
  /** Literals holding a non-ASCII symbol (●, ✖, ×), by that symbol. */
  symbols: (GramEntry[] | undefined)[];
  /** Other literals by a hash of 2, 3 or 4 of their characters. */
  two: GramTable;
  three: GramTable;
  four: GramTable;
  /** Whether `two` or `three` hold anything (ASCII literals of 2-3 characters are rare). */
  shortAscii: boolean;
}

interface GramTable {
  flags: Uint8Array;
  buckets: (GramEntry[] | undefined)[];
}

const tablesByTriggers = new Map<string, Tables>();

/**
 * The tables for a list of triggers. A literal with a non-ASCII symbol is found by the symbol; any
 * other of 4+ characters by a hash of the 4 characters ending at each column, keyed by its least
 * common-looking 4 ("g 12" of "returning 124", not "retu"); shorter ones by 2- and 3-character hashes.
 */
function tablesFor(triggers: readonly RegExp[]): Tables {
  const key = triggers.map((trigger) => trigger.source).join('\u0000');
  const known = tablesByTriggers.get(key);
  if (known !== undefined) return known;
  const owners = new Map<string, number[]>();
  const tables: Tables = {
    starts: new StartTable(),
    startsAfterBlanks: new StartTable(),
    residual: [],
    symbols: new Array<GramEntry[] | undefined>(0x10000),
    two: newGramTable(),
    three: newGramTable(),
    four: newGramTable(),
    shortAscii: false,
  };
  triggers.forEach((trigger, index) => {
    const { literals, starts, startsAfterBlanks, residual } = extractTrigger(trigger);
    for (const literal of new Set(literals)) owners.set(literal, [...(owners.get(literal) ?? []), index]);
    for (const text of new Set(starts)) tables.starts.add(text, index);
    for (const text of new Set(startsAfterBlanks)) tables.startsAfterBlanks.add(text, index);
    // `^(?!)`: a trigger that never matches (its detector listens to workflow commands only).
    const live = residual.filter((alternative) => !/^\^?\(\?!\)$/.test(alternative));
    if (live.length > 0) {
      const source = live.map((alternative) => `(?:${alternative})`).join('|');
      tables.residual.push({ index, regex: new RegExp(source, trigger.flags.replace(/[gy]/g, '')) });
    }
  });
  for (const [literal, indices] of owners) placeLiteral(tables, literal, indices);
  if (tablesByTriggers.size < 16) tablesByTriggers.set(key, tables);
  return tables;
}

function newGramTable(): GramTable {
  return { flags: new Uint8Array(0x10000), buckets: new Array<GramEntry[] | undefined>(0x10000) };
}

function placeLiteral(tables: Tables, literal: string, owners: number[]): void {
  let symbol = 0;
  while (symbol < literal.length && literal.charCodeAt(symbol) <= 127) symbol++;
  if (symbol < literal.length) {
    (tables.symbols[literal.charCodeAt(symbol)] ??= []).push({ literal, owners, back: symbol });
    return;
  }
  const size = Math.min(literal.length, 4);
  const offset = rarestGram(literal, size);
  let window = 0;
  for (let k = offset; k < offset + size; k++) window = (window << 8) | (literal.charCodeAt(k) & 0xff);
  const key = gramKey(window, size);
  const table = size === 2 ? tables.two : size === 3 ? tables.three : tables.four;
  if (size < 4) tables.shortAscii = true;
  table.flags[key] = 1;
  // `back`: from the gram's last column to the literal's first.
  (table.buckets[key] ??= []).push({ literal, owners, back: offset + size - 1 });
}

/** Builds the pre-filter for a list of triggers (g/y flags are ignored). */
export function buildPrefilter(triggers: readonly RegExp[]): TriggerPrefilter {
  const { starts, startsAfterBlanks, residual, symbols, two, three, four, shortAscii } = tablesFor(triggers);
  // A stamp per trigger instead of clearing flags for every line.
  const stamps = new Uint32Array(triggers.length);
  let stamp = 0;
  let marked = 0;
  const candidates: number[] = [];
  const mark = (indices: readonly number[]): void => {
    for (const index of indices) {
      if (stamps[index] !== stamp) {
        stamps[index] = stamp;
        candidates[marked++] = index;
      }
    }
  };
  /** Marks the owners of the literals in `list` whose gram ends at column `end`. */
  const check = (text: string, end: number, list: readonly GramEntry[] | undefined): void => {
    if (list === undefined) return;
    for (let e = 0; e < list.length; e++) {
      const entry = list[e] as GramEntry;
      const at = end - entry.back;
      const literal = entry.literal;
      if (at < 0 || at + literal.length > text.length) continue;
      let k = 0;
      while (k < literal.length && FOLD[text.charCodeAt(at + k)] === literal.charCodeAt(k)) k++;
      if (k === literal.length) mark(entry.owners);
    }
  };

  return {
    scan(text: string): number {
      stamp = stamp === 0xffffffff ? 1 : stamp + 1;
      if (stamp === 1) stamps.fill(0);
      marked = 0;
      const length = text.length;
      if (length > 0) {
        starts.scanAt(text, 0, mark);
        let first = 0;
        while (first < length && FOLD[text.charCodeAt(first)] === 32) first++;
        if (first < length) startsAfterBlanks.scanAt(text, first, mark);
        let window = 0;
        for (let i = 0; i < length; i++) {
          const code = text.charCodeAt(i);
          const current = FOLD[code] as number;
          if (code > 127 && symbols[current] !== undefined) check(text, i, symbols[current]);
          window = (window << 8) | (current & 0xff);
          const key4 = Math.imul(window, GRAM_HASH) >>> 16;
          if (four.flags[key4] === 1) check(text, i, four.buckets[key4]);
          if (shortAscii) {
            if (two.flags[window & 0xffff] === 1) check(text, i, two.buckets[window & 0xffff]);
            const key3 = Math.imul(window & 0xffffff, GRAM_HASH) >>> 16;
            if (three.flags[key3] === 1) check(text, i, three.buckets[key3]);
          }
        }
      }
      for (const { index, regex } of residual) if (stamps[index] !== stamp && regex.test(text)) mark([index]);
      return marked;
    },
    candidate(k: number): number {
      return candidates[k] as number;
    },
    isCandidate(index: number): boolean {
      return stamps[index] === stamp;
    },
  };
}
