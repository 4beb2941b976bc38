/**
 * A deliberately small shell-word parser for the failed step's command, which comes from the log
 * and is hostile. It understands words, single quotes, double quotes and backslash escapes, and
 * refuses everything the shell would expand or interpret: parameters and command substitution
 * (`$`, backticks), lists and pipes (`;`, `|`, `&`), redirections (`<`, `>`), subshells and groups
 * (`(`, `)`, `{`, `}`), comments, tilde expansion, unquoted globs and line continuations. What it
 * accepts means the same as it did to bash: a list of argument strings, no shell needed.
 */

export type ShellWords = { ok: true; words: string[] } | { ok: false; reason: string };

/** Characters that make bash do something other than split words, outside quotes. */
const UNQUOTED_REFUSED: Readonly<Record<string, string>> = {
  $: 'a variable or command substitution ($)',
  '`': 'a command substitution (`)',
  ';': 'a command list (;)',
  '|': 'a pipe (|)',
  '&': 'a background job or && list (&)',
  '<': 'a redirection (<)',
  '>': 'a redirection (>)',
  '(': 'a subshell or process substitution (()',
  ')': 'a subshell ())',
  '{': 'a brace expansion or group ({)',
  '}': 'a brace expansion or group (})',
  '*': 'an unquoted glob (*): the shell would expand it',
  '?': 'an unquoted glob (?): the shell would expand it',
  '[': 'an unquoted glob ([): the shell would expand it',
};

interface WordState {
  words: string[];
  current: string;
  /** Whether a word has started (an empty quoted word '' is still a word). */
  started: boolean;
}

function endWord(state: WordState): void {
  if (state.started) state.words.push(state.current);
  state.current = '';
  state.started = false;
}

/** Reads a quoted part starting at `start` (the opening quote); returns the index after the closing quote. */
function readQuoted(line: string, start: number, state: WordState): number | { reason: string } {
  const quote = line[start];
  let i = start + 1;
  while (i < line.length) {
    const char = line[i] as string;
    if (char === quote) {
      state.started = true;
      return i + 1;
    }
    if (quote === '"') {
      if (char === '$' || char === '`') return { reason: `a substitution inside double quotes (${char})` };
      if (char === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
        state.current += line[i + 1];
        i += 2;
        continue;
      }
    }
    state.current += char;
    i += 1;
  }
  return { reason: `an unterminated ${quote === '"' ? 'double' : 'single'} quote` };
}

/** Splits one line of a script into words as bash would, or says why it will not. */
export function parseShellWords(line: string): ShellWords {
  // Control characters (NUL, escape sequences left in the log) never reach a command.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return { ok: false, reason: 'control characters' };
  const state: WordState = { words: [], current: '', started: false };
  let i = 0;
  while (i < line.length) {
    const char = line[i] as string;
    if (char === ' ' || char === '\t') {
      endWord(state);
      i += 1;
      continue;
    }
    if (char === "'" || char === '"') {
      const next = readQuoted(line, i, state);
      if (typeof next !== 'number') return { ok: false, reason: next.reason };
      i = next;
      continue;
    }
    if (char === '\\') {
      if (i + 1 >= line.length) return { ok: false, reason: 'a line continuation (\\ at the end of the line)' };
      state.current += line[i + 1];
      state.started = true;
      i += 2;
      continue;
    }
    const refused = UNQUOTED_REFUSED[char];
    if (refused !== undefined) return { ok: false, reason: refused };
    if (!state.started && (char === '#' || char === '~')) {
      return { ok: false, reason: char === '#' ? 'a comment (#)' : 'a tilde expansion (~)' };
    }
    state.current += char;
    state.started = true;
    i += 1;
  }
  endWord(state);
  return { ok: true, words: state.words };
}

/** A command as text for the report: words that need quoting are quoted (never run through a shell). */
export function wordsText(words: readonly string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}
