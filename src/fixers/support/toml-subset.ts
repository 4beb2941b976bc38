/**
 * A reader for the part of TOML that dependency lists use (pyproject.toml): table headers, and
 * `key = value` where the value is a string, an array of strings (over several lines) or an inline
 * table of strings. Everything else (numbers, dates, nested arrays) is skipped, never guessed at.
 * It reads a file to find a version pin; it is not a validating TOML parser.
 */

/** One `key = value` line: the table it is in, its key, and the strings its value holds. */
export interface TomlEntry {
  /** Dotted table path, e.g. ['tool', 'poetry', 'group', 'dev', 'dependencies']. */
  table: string[];
  key: string;
  /** A string value, or the strings of an array. */
  strings: string[];
  /** The string fields of an inline table (`black = { version = "24.3.0" }`). */
  fields?: Record<string, string>;
}

/** `"a".b.'c'` → ['a', 'b', 'c']; undefined when it is not a key this reader understands. */
function splitKey(text: string): string[] | undefined {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    parts.push(match[1] ?? match[2] ?? (match[3] as string));
    if (match[4] === '') break;
  }
  return parts.length > 0 && pattern.lastIndex >= text.length ? parts : undefined;
}

/** The string literals in `text` (basic and literal strings), in order. */
function stringsIn(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** `text` without a trailing comment (a `#` outside any string). */
function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === '\\' && quote === '"') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#') return text.slice(0, index);
  }
  return text;
}

/** Bracket depth change of a line, counting only brackets outside strings. */
function bracketBalance(text: string): number {
  const bare = text.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '');
  return (bare.match(/\[/g)?.length ?? 0) - (bare.match(/\]/g)?.length ?? 0);
}

function entryOf(table: string[], key: string[], value: string): TomlEntry {
  const trimmed = value.trim();
  const full = { table: [...table, ...key.slice(0, -1)], key: key[key.length - 1] as string };
  if (trimmed.startsWith('{')) {
    const fields: Record<string, string> = {};
    for (const match of trimmed.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')/g)) {
      fields[match[1] as string] = match[2] ?? match[3] ?? '';
    }
    return { ...full, strings: [], fields };
  }
  return { ...full, strings: trimmed.startsWith('[') || trimmed.startsWith('"') || trimmed.startsWith("'") ? stringsIn(trimmed) : [] };
}

/** Every `key = value` entry of the document, with the table it belongs to. */
export function readTomlEntries(text: string): TomlEntry[] {
  const entries: TomlEntry[] = [];
  let table: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = withoutComment(lines[index] as string).trim();
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (header) {
      table = splitKey(header[1] as string) ?? ['(unreadable)'];
      continue;
    }
    const assignment = /^((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=\s*(.*)$/.exec(line);
    if (!assignment) continue;
    const key = splitKey(assignment[1] as string);
    let value = assignment[2] as string;
    // A multi-line array: read on until its brackets close.
    let depth = bracketBalance(value);
    while (depth > 0 && index + 1 < lines.length) {
      index += 1;
      const next = withoutComment(lines[index] as string);
      value += `\n${next}`;
      depth += bracketBalance(next);
    }
    if (key !== undefined && key.every((part) => part !== '')) entries.push(entryOf(table, key, value));
  }
  return entries;
}
