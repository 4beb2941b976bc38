/**
 * Escaping for text that came from a CI log (failure messages, file names, job, step and branch
 * names). All of it is hostile input: a test can print anything, and whatever it prints ends up in
 * our job summary, our pull request, our annotations and our own stdout.
 *
 * Three sinks, three rules:
 * - Markdown (summary, PR body): `escapeMarkdown` for prose, `codeSpan` for literal text. Both make
 *   one line, cap the length, and keep the text from becoming HTML, links, images, tables,
 *   mentions, issue references or math.
 * - The runner's stdout: `neutralizeWorkflowCommands`, so a line can never be parsed as a
 *   workflow command (`::set-output`, `::add-mask::`, `::stop-commands::`, `##[error]` …).
 * - Workflow command fields: `escapeAnnotationData` / `escapeAnnotationProperty`, byte-for-byte
 *   what @actions/core does in `issueCommand` (and what the runner unescapes).
 */

/**
 * Zero-width space. Used to break a token that must not be recognised (`::` at the start of a
 * line, `##[`, `@user`, `#123`, `https://`) while the text still reads the same to a person.
 * .NET's `TrimStart` (which the runner applies before looking for `::`) does not strip it, because
 * `char.IsWhiteSpace('\u200B')` is false.
 */
export const ZERO_WIDTH_SPACE = '\u200B';

/** Default cap for one inline value (a message in a table cell, a list item). */
export const DEFAULT_INLINE_CHARS = 500;

const ELLIPSIS = '…';

// CSI/OSC escape sequences that survived normalisation (or came from a file name).
// eslint-disable-next-line no-control-regex -- matching the ESC and BEL bytes of escape sequences is the point
const ANSI_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-_])/g;
// C0 controls other than TAB, LF, CR; DEL; C1 controls; bidi embedding/override/isolate controls
// (the "Trojan Source" characters, which reorder what a reader sees).
// eslint-disable-next-line no-control-regex -- the class lists the control characters to remove
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Removes escape sequences and control characters; keeps TAB and line breaks. */
export function stripControlCharacters(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(CONTROL_CHARACTERS, '');
}

/** One line: control characters removed, every run of line breaks (and the blanks around it) made one space. */
export function oneLine(text: string): string {
  return stripControlCharacters(text)
    .replace(/[ \t]*(?:\r\n|\r|\n|\u2028|\u2029|\u0085)+[ \t]*/g, ' ')
    .replace(/\t/g, ' ')
    .trim();
}

/**
 * `oneLine` then `truncate`, without scanning more of a huge text than can be shown: the text is
 * first cut to a generous multiple of `maxChars` (one-lining only removes characters, and this
 * leaves room for a long run of blanks or control characters to be dropped).
 */
export function clip(text: string, maxChars: number): string {
  const window = maxChars * 4 + 256;
  const head = text.length > window ? `${text.slice(0, window)}${ELLIPSIS}` : text;
  return truncate(oneLine(head), maxChars);
}

/**
 * At most `maxChars` UTF-16 units, ending in `…` when cut. Never splits a surrogate pair, so the
 * result is always valid Unicode.
 */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const keep = Math.max(0, maxChars - ELLIPSIS.length);
  let cut = text.slice(0, keep);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}${ELLIPSIS}`;
}

/**
 * Backslash-escapes what Markdown (CommonMark + GFM) would read as syntax: emphasis, code,
 * links/images/footnotes, headings, tables, strikethrough, math (`$`), and the backslash itself.
 * `<`, `>` and `&` become entities so no HTML tag or entity survives.
 */
const MARKDOWN_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '`': '\\`',
  '*': '\\*',
  _: '\\_',
  '[': '\\[',
  ']': '\\]',
  '#': '\\#',
  '|': '\\|',
  '~': '\\~',
  $: '\\$',
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
};
const MARKDOWN_SPECIAL = /[\\`*_[\]#|~$<>&]/g;

/**
 * GitHub links more than Markdown does: `@user` and `@org/team` notify people, `#12`,
 * `owner/repo#12`, `GH-12` and issue URLs create cross-references in other issues, and bare URLs
 * become links. A zero-width space after the trigger keeps each from being recognised.
 */
function breakGitHubAutolinks(escaped: string): string {
  return escaped
    .replace(/(^|[^A-Za-z0-9_])@(?=[A-Za-z0-9])/g, `$1@${ZERO_WIDTH_SPACE}`)
    .replace(/\\#(?=\d)/g, `\\#${ZERO_WIDTH_SPACE}`)
    .replace(/\bGH-(?=\d)/gi, (match) => `${match.slice(0, 2)}${ZERO_WIDTH_SPACE}-`)
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`)
    .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}${ZERO_WIDTH_SPACE}.`);
}

/**
 * Inline Markdown for untrusted text: one line, at most `maxChars` characters of the original
 * text (cut before escaping, so an escape is never cut in half), safe in a table cell, a list item
 * or a heading. What a reader sees is the original text.
 */
export function escapeMarkdown(text: string, maxChars: number = DEFAULT_INLINE_CHARS): string {
  const flat = clip(text, maxChars);
  const escaped = flat.replace(MARKDOWN_SPECIAL, (char) => MARKDOWN_ESCAPES[char] ?? char);
  return neutralizeWorkflowCommands(breakGitHubAutolinks(escaped));
}

export interface CodeSpanOptions {
  /** Cap on the original text (default DEFAULT_INLINE_CHARS). */
  maxChars?: number;
  /**
   * The span goes into a GFM table cell. The table splitter runs before inline parsing and only
   * `\|` hides a pipe from it, even inside code; so pipes are written `\|`, and a backslash that
   * would stand right before such a pipe is kept apart from it by a zero-width space (otherwise
   * `\\|` reads as an escaped backslash followed by a cell boundary).
   */
  table?: boolean;
}

/**
 * Literal inline code for untrusted text: one line, fenced with a backtick run longer than any run
 * inside, padded with spaces when the text starts or ends with a backtick or a space (CommonMark
 * strips one space from each side). Nothing inside a code span is HTML, a link or a mention.
 */
export function codeSpan(text: string, options: CodeSpanOptions = {}): string {
  let content = clip(text, options.maxChars ?? DEFAULT_INLINE_CHARS);
  if (options.table) content = content.replace(/\\(?=\|)/g, `\\${ZERO_WIDTH_SPACE}`).replace(/\|/g, '\\|');
  if (content === '') return '` `';
  let longestRun = 0;
  for (const run of content.match(/`+/g) ?? []) longestRun = Math.max(longestRun, run.length);
  const fence = '`'.repeat(longestRun + 1);
  const pad = /^[` ]|[` ]$/.test(content) ? ' ' : '';
  return `${fence}${pad}${content}${pad}${fence}`;
}

/**
 * Makes text safe to print on the runner's stdout (or anywhere the runner might read lines).
 *
 * The runner reads its output line by line (a line ends at LF, CR or CRLF) and treats a line as a
 * command when, after leading whitespace is trimmed, it starts with `::` (`::set-output`,
 * `::add-mask::`, `::stop-commands::`, `::error` …), or when it contains `##[` followed by a
 * registered command name and `]` — anywhere in the line, not only at the start (the legacy
 * parser uses IndexOf). So in every line we put a zero-width space between the two colons of a
 * leading `::` and between the two `#` of every `##[`.
 *
 * Why a zero-width space and not a visible prefix: the text still reads (and mostly copies) as
 * the tool wrote it, lines that are not suspicious are left untouched, and it works wherever the
 * text lands (core.info, a summary, a plain console). Control characters are removed as well;
 * line breaks are kept (as LF) so multi-line messages stay readable.
 */
export function neutralizeWorkflowCommands(text: string): string {
  return stripControlCharacters(text)
    .split(/\r\n|\r|\n/)
    .map((line) => line.replaceAll('##[', `#${ZERO_WIDTH_SPACE}#[`).replace(/^([\s\u0085]*):(?=:)/, `$1:${ZERO_WIDTH_SPACE}`))
    .join('\n');
}

/** The value of a workflow command's message, as @actions/core's `escapeData`. */
export function escapeAnnotationData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The value of a workflow command's property (`file=`, `title=` …), as @actions/core's `escapeProperty`. */
export function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A complete workflow command line (without the line break), formatted as @actions/core's
 * `issueCommand` formats it: for writers that are not @actions/core (the CLI inside a job).
 * Properties with an empty or undefined value are left out, as core does.
 */
export function formatWorkflowCommand(
  command: 'error' | 'warning' | 'notice',
  properties: Readonly<Record<string, string | number | undefined>>,
  message: string,
): string {
  const pairs = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${escapeAnnotationProperty(String(value))}`);
  return `::${command}${pairs.length > 0 ? ` ${pairs.join(',')}` : ''}::${escapeAnnotationData(message)}`;
}

/**
 * True for a path we may link to or annotate: relative, inside the workspace (no `..` segment),
 * no drive letter or UNC prefix, no control characters. Log paths are mapped onto the workspace
 * before they reach the report; anything still absolute was outside it.
 */
export function isWorkspaceRelativePath(file: string): boolean {
  if (file === '' || file.length > 1024) return false;
  if (file !== stripControlCharacters(file) || /[\r\n]/.test(file)) return false;
  const slashed = file.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed) || slashed.startsWith('~')) return false;
  const segments = slashed.split('/');
  return !segments.some((segment) => segment === '..');
}

/** A workspace-relative path with forward slashes and no leading `./`. */
export function normalizeWorkspacePath(file: string): string {
  return file.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
}
