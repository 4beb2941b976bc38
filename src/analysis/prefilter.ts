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
  literals: string[];
  residual: string[];
}

type Item =
  | { kind: 'char'; ch: string; min: number; exact: boolean }
  | { kind: 'group'; alternatives: Item[][]; min: number; lookaround: boolean }
  | { kind: 'other' };

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
      const { min, exact } = this.parseQuantifier();
      if (atom.kind === 'char') items.push({ ...atom, min, exact });
      else if (atom.kind === 'group') items.push({ ...atom, min: atom.lookaround ? 0 : min });
      else items.push(atom);
    }
    return items;
  }

  private parseAtom():
    | { kind: 'char'; ch: string; min: number; exact: boolean }
    | { kind: 'group'; alternatives: Item[][]; min: number; lookaround: boolean }
    | { kind: 'other' } {
    const c = this.source[this.index] as string;
    if (c === '(') {
      this.index++;
      let lookaround = false;
      if (this.source[this.index] === '?') {
        const next = this.source[this.index + 1];
        if (next === ':') this.index += 2;
        else if (next === '=' || next === '!') {
          lookaround = true;
          this.index += 2;
        } else if (next === '<' && (this.source[this.index + 2] === '=' || this.source[this.index + 2] === '!')) {
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
      return { kind: 'group', alternatives, min: 1, lookaround };
    }
    if (c === '[') {
      this.index++;
      if (this.source[this.index] === '^') this.index++;
      if (this.source[this.index] === ']') this.index++;
      while (this.index < this.source.length && this.source[this.index] !== ']') {
        if (this.source[this.index] === '\\') this.index++;
        this.index++;
      }
      if (this.index >= this.source.length) throw new Error('unclosed class');
      this.index++;
      return { kind: 'other' };
    }
    if (c === '\\') return this.parseEscape();
    this.index++;
    if (c === '.' || c === '^' || c === '$') return { kind: 'other' };
    return { kind: 'char', ch: c, min: 1, exact: true };
  }

  private parseEscape(): { kind: 'char'; ch: string; min: number; exact: boolean } | { kind: 'other' } {
    const next = this.source[this.index + 1];
    if (next === undefined) throw new Error('trailing backslash');
    this.index += 2;
    const simple: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f', v: '\v', '0': '\0' };
    if (simple[next] !== undefined && !(next === '0' && /\d/.test(this.source[this.index] ?? ''))) {
      return { kind: 'char', ch: simple[next], min: 1, exact: true };
    }
    if (next === 'x' && /^[0-9a-fA-F]{2}/.test(this.source.slice(this.index, this.index + 2))) {
      const ch = String.fromCharCode(parseInt(this.source.slice(this.index, this.index + 2), 16));
      this.index += 2;
      return { kind: 'char', ch, min: 1, exact: true };
    }
    if (next === 'u' && /^[0-9a-fA-F]{4}/.test(this.source.slice(this.index, this.index + 4))) {
      const ch = String.fromCharCode(parseInt(this.source.slice(this.index, this.index + 4), 16));
      this.index += 4;
      return { kind: 'char', ch, min: 1, exact: true };
    }
    if (next === 'p' || next === 'P' || next === 'k' || next === 'u' || next === 'c') {
      // \p{…}, \k<name>, \u{…}, \cX: skip the argument; not literal.
      if (this.source[this.index] === '{' || this.source[this.index] === '<') {
        const close = this.source.indexOf(this.source[this.index] === '{' ? '}' : '>', this.index);
        this.index = close === -1 ? this.source.length : close + 1;
      } else if (next === 'c') this.index++;
      return { kind: 'other' };
    }
    if (/[A-Za-z0-9]/.test(next)) return { kind: 'other' };
    return { kind: 'char', ch: next, min: 1, exact: true };
  }

  private parseQuantifier(): { min: number; exact: boolean } {
    const c = this.source[this.index];
    let min = 1;
    let exact = true;
    if (c === '*' || c === '?') {
      min = 0;
      exact = false;
      this.index++;
    } else if (c === '+') {
      exact = false;
      this.index++;
    } else if (c === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.index, this.index + 24));
      if (!match) return { min, exact };
      min = Number(match[1]);
      exact = false;
      this.index += match[0].length;
    } else return { min, exact };
    if (this.source[this.index] === '?') this.index++;
    return { min, exact };
  }
}

/** Literals whose case folding is ASCII-only, so the line scan can fold on the fly. */
function usableLiteral(literal: string): boolean {
  for (const ch of literal) {
    if (ch.charCodeAt(0) > 127 && (ch.toLowerCase() !== ch || ch.toUpperCase() !== ch)) return false;
  }
  return literal.length >= 2 || (literal.length === 1 && literal.charCodeAt(0) > 127);
}

function score(set: readonly string[]): number {
  // Longer required text filters better; a lone non-ASCII symbol (●, ✖) is rare enough to count as 3.
  return Math.min(...set.map((lit) => (lit.length === 1 ? 3 : lit.length)));
}

/** One set of literals of which every match of `items` contains at least one, or undefined. */
function necessaryLiterals(items: readonly Item[]): string[] | undefined {
  const candidates: string[][] = [];
  let run = '';
  const endRun = (): void => {
    if (run !== '') candidates.push([run]);
    run = '';
  };
  for (const item of items) {
    if (item.kind === 'char') {
      if (item.min === 0) endRun();
      else {
        run += item.ch.toLowerCase();
        if (!item.exact) endRun();
      }
    } else if (item.kind === 'group') {
      if (item.lookaround) continue;
      endRun();
      if (item.min === 0) continue;
      const sets = item.alternatives.map(necessaryLiterals);
      if (sets.every((set): set is string[] => set !== undefined)) candidates.push([...new Set(sets.flat())]);
    } else endRun();
  }
  endRun();
  const usable = candidates.filter((set) => set.length > 0 && set.every(usableLiteral));
  if (usable.length === 0) return undefined;
  return usable.reduce((best, set) => (score(set) > score(best) || (score(set) === score(best) && set.length < best.length) ? set : best));
}

/** Splits a trigger into literal-backed alternatives and residual alternatives. */
export function extractTrigger(trigger: RegExp): Extraction {
  let top: { source: string; items: Item[] }[];
  try {
    top = new Parser(trigger.source).parseTop();
  } catch {
    return { literals: [], residual: [trigger.source] };
  }
  const literals: string[] = [];
  const residual: string[] = [];
  for (const alternative of top) {
    const set = necessaryLiterals(alternative.items);
    if (set) literals.push(...set);
    else residual.push(alternative.source);
  }
  return { literals, residual };
}

function fold(code: number): number {
  return code >= 65 && code <= 90 ? code | 32 : code;
}

function pairKey(a: number, b: number): number {
  return (Math.imul(a, 31) + b) & 0xffff;
}

export interface TriggerPrefilter {
  /**
   * Marks the triggers that may match `text` and returns how many. False negatives never happen;
   * false positives are settled by testing the real trigger.
   */
  scan(text: string): number;
  /** After `scan`: may trigger `index` (position in the list given to `buildPrefilter`) match? */
  isCandidate(index: number): boolean;
  /** For diagnostics and tests. */
  readonly literalCount: number;
  readonly residualSources: readonly string[];
}

/** Builds the pre-filter for a list of triggers (g/y flags are ignored). */
export function buildPrefilter(triggers: readonly RegExp[]): TriggerPrefilter {
  const owners = new Map<string, number[]>();
  const residual: { index: number; regex: RegExp }[] = [];
  triggers.forEach((trigger, index) => {
    const { literals, residual: rest } = extractTrigger(trigger);
    for (const literal of new Set(literals)) owners.set(literal, [...(owners.get(literal) ?? []), index]);
    if (rest.length > 0) {
      residual.push({ index, regex: new RegExp(rest.map((source) => `(?:${source})`).join('|'), trigger.flags.replace(/[gy]/g, '')) });
    }
  });

  const singles = new Map<number, number[]>();
  const singleFlags = new Uint8Array(0x10000);
  const pairs = new Uint8Array(0x10000);
  const buckets: ({ literal: string; owners: number[] }[] | undefined)[] = new Array<{ literal: string; owners: number[] }[] | undefined>(
    0x10000,
  );
  for (const [literal, indices] of owners) {
    if (literal.length === 1) {
      singles.set(literal.charCodeAt(0), indices);
      singleFlags[literal.charCodeAt(0)] = 1;
      continue;
    }
    const key = pairKey(literal.charCodeAt(0), literal.charCodeAt(1));
    pairs[key] = 1;
    (buckets[key] ??= []).push({ literal, owners: indices });
  }

  // A stamp per trigger instead of clearing flags for every line.
  const stamps = new Uint32Array(triggers.length);
  let stamp = 0;
  let marked = 0;
  const mark = (indices: readonly number[]): void => {
    for (const index of indices) {
      if (stamps[index] !== stamp) {
        stamps[index] = stamp;
        marked++;
      }
    }
  };
  const matchesAt = (text: string, at: number, literal: string): boolean => {
    if (at + literal.length > text.length) return false;
    for (let k = 2; k < literal.length; k++) {
      if (fold(text.charCodeAt(at + k)) !== literal.charCodeAt(k)) return false;
    }
    return true;
  };

  return {
    literalCount: owners.size,
    residualSources: residual.map((r) => r.regex.source),
    scan(text: string): number {
      stamp = stamp === 0xffffffff ? 1 : stamp + 1;
      if (stamp === 1) stamps.fill(0);
      marked = 0;
      const length = text.length;
      if (length > 0) {
        let previous = fold(text.charCodeAt(0));
        if (singleFlags[previous] === 1) mark(singles.get(previous) ?? []);
        for (let i = 1; i < length; i++) {
          let current = text.charCodeAt(i);
          if (current >= 65 && current <= 90) current |= 32;
          if (singleFlags[current] === 1) mark(singles.get(current) ?? []);
          const key = (Math.imul(previous, 31) + current) & 0xffff;
          if (pairs[key] === 1) {
            const list = buckets[key];
            if (list !== undefined) for (const entry of list) if (matchesAt(text, i - 1, entry.literal)) mark(entry.owners);
          }
          previous = current;
        }
      }
      for (const { index, regex } of residual) if (stamps[index] !== stamp && regex.test(text)) mark([index]);
      return marked;
    },
    isCandidate(index: number): boolean {
      return stamps[index] === stamp;
    },
  };
}
