import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Node.js runtime errors: `Cannot find module 'x'` / `Cannot find package 'x'` (a bare specifier
 * is a missing dependency, a path a missing file), `SyntaxError` under a `file.js:12` header,
 * Babel-style `SyntaxError: /x.js: msg (3:5)`, `ENOENT: no such file or directory, open 'x'` and
 * `spawn x ENOENT` (a tool that is not installed). Each block runs from node's preamble (the
 * `node:internal/...` line and the source excerpt) through the stack frames. Any other error that
 * a script let escape (`Error: Command failed …` followed by `    at` frames and the error's own
 * `{ … }` properties) is a weak 'other' located at its first project frame; the classifier merges
 * it with a more specific error found inside it (the git 403 in the properties of an execa error).
 */

const MISSING =
  /^\s*(?:\w*Error(?: \[\w+\])?: )?Cannot find (?:module|package) '(?<spec>[^']+)'(?! or its corresponding type declarations)/;
const SYNTAX = /^\s*SyntaxError: (?<message>.*)$/;
const BABEL_SYNTAX = /^\s*SyntaxError: (?<file>\S+?\.\w+): (?<message>.*?) \((?<line>\d+):(?<column>\d+)\)$/;
const SOURCE_HEADER = /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.(?:[cm]?[jt]sx?|json|vue|svelte|coffee)):(?<line>\d+)$/;
const ENOENT =
  /ENOENT: no such file or directory, (?:open|stat|lstat|scandir|access|readlink|copyfile|rename|unlink|mkdir|opendir|realpath|chmod|rmdir|watch) '(?<path>[^']+)'/;
const SPAWN_ENOENT = /\bspawn (?<command>[^\s'"]+) ENOENT\b/;
const PREAMBLE = /^node:[\w/]+:\d+$|^(?:[A-Za-z]:)?[^\s:]+\.[cm]?[jt]sx?:\d+$/;
const FRAME = /^\s+at /;
const PROJECT_FRAME = /^\s+at (?:.*? \()?(?<file>(?:[A-Za-z]:)?[^\s():]+\.\w+):(?<line>\d+):(?<column>\d+)\)?(?: \{)?$/;
const REQUIRE_STACK = /^Require stack:$|^- \S/;
// A frame of node's own fs module: `at Object.writeFileSync (node:fs:2482:20)`, `at async writeFile (node:internal/fs/promises:…)`.
const FS_FRAME = /^\s+at (?:async )?(?:Object\.)?(?<call>[\w$]+) \(node:(?:fs|internal\/fs\/[\w/]+):\d+/;
const THROWN = /^\s*(?:Uncaught )?(?:[A-Z]\w*)?Error(?: \[[\w-]+\])?: \S/;
const NPM_PREFIX = /^npm (?:ERR!|error) /;

/** Old Node versions name their own sources bare (`module.js:325`); project files have directories. */
function isProjectFile(file: string | undefined): file is string {
  return file !== undefined && /[\\/]/.test(file) && !/node_modules|^node:|^internal\//.test(file);
}

function isPathSpecifier(spec: string): boolean {
  return /^(?:\.{1,2}\/|\/|[A-Za-z]:[\\/]|file:)/.test(spec);
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/** The preamble node prints above an uncaught error: `node:internal/...:1210`, `throw err;`, `^`. */
function preambleStart(ctx: DetectorContext, line: LogLine): number {
  const earlier = ctx.before(6);
  for (let i = earlier.length - 1; i >= 0; i--) {
    const candidate = earlier[i];
    if (candidate && PREAMBLE.test(candidate.text.trim())) return candidate.n;
  }
  return line.n;
}

/**
 * An error and its stack: frames and `Require stack:` lines, then the error's printed properties
 * (`at main (x.js:1:2) {` … `}`). `locate`: the first project frame locates it; `needsFrames`: it is
 * reported only when stack frames follow (a bare `Error: x` line may be anything).
 */
function errorBlock(draft: FailureDraft, locate: boolean, needsFrames = false): OpenBlock {
  let frames = 0;
  let inProperties = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (inProperties) {
        draft.logLines[1] = next.n;
        return /^\s*\}\s*$/.test(text) || next.n - draft.logLines[0] > 80 ? 'end' : true;
      }
      if (!FRAME.test(text) && !REQUIRE_STACK.test(text)) return false;
      draft.logLines[1] = next.n;
      const frame = PROJECT_FRAME.exec(text)?.groups;
      if (locate && draft.file === undefined && isProjectFile(frame?.file)) {
        draft.file = frame?.file;
        draft.line = Number(frame.line);
        draft.column = Number(frame.column);
      }
      const fsCall = draft.category === 'missing_file' ? FS_FRAME.exec(text)?.groups?.call : undefined;
      // The fs calls on the stack (`openSync readFileSync`, `writeFileSync`): was the missing file read or written?
      if (fsCall !== undefined && frames < 8) {
        const call = typeof draft.data?.call === 'string' ? `${draft.data.call} ${fsCall}` : fsCall;
        draft.data = { ...draft.data, call };
      }
      if (FRAME.test(text)) frames++;
      if (/ \{\s*$/.test(text)) inProperties = true;
      return inProperties || frames < 30 || 'end';
    },
    finish: () => !(needsFrames && frames === 0),
  };
}

type NodeHandler = LineHandler<[blocks: BlockReader, line: LogLine, ctx: DetectorContext]>;

const npmPrefix: NodeHandler = (_blocks, line) => (NPM_PREFIX.test(line.text) ? false : undefined);

const missingModule: NodeHandler = (blocks, line, ctx) => {
  const missing = MISSING.exec(line.text)?.groups?.spec;
  if (missing === undefined) return undefined;
  const isPath = isPathSpecifier(missing);
  const draft: FailureDraft = {
    category: isPath ? 'missing_file' : 'import_missing_module',
    tool: 'node',
    message: clip(line.text),
    logLines: [preambleStart(ctx, line), line.n],
    confidence: 0.92,
    data: isPath ? { path: missing } : { ecosystem: 'node', module: packageName(missing) },
  };
  return blocks.open(errorBlock(draft, true), ctx);
};

const babelSyntax: NodeHandler = (blocks, line, ctx) => {
  const babel = BABEL_SYNTAX.exec(line.text)?.groups;
  if (babel?.file === undefined) return undefined;
  const draft: FailureDraft = {
    category: 'syntax_error',
    tool: 'node',
    message: clip(line.text),
    file: babel.file,
    line: Number(babel.line),
    column: Number(babel.column),
    logLines: [line.n, line.n],
    confidence: 0.88,
  };
  return blocks.open(errorBlock(draft, false), ctx);
};

/**
 * Node prints the offending source line between `file.js:12` and the SyntaxError; without that
 * header the text may be Python's or a test's own output.
 */
const syntaxError: NodeHandler = (blocks, line, ctx) => {
  if (!SYNTAX.test(line.text)) return undefined;
  const earlier = ctx.before(6);
  for (let i = earlier.length - 1; i >= 0; i--) {
    const header = earlier[i];
    const source = header ? SOURCE_HEADER.exec(header.text.trim())?.groups : undefined;
    if (header && source?.file !== undefined) {
      const draft: FailureDraft = {
        category: 'syntax_error',
        tool: 'node',
        message: clip(line.text),
        file: source.file,
        line: Number(source.line),
        logLines: [header.n, line.n],
        confidence: 0.92,
      };
      return blocks.open(errorBlock(draft, false), ctx);
    }
  }
  return false;
};

const spawnEnoent: NodeHandler = (blocks, line, ctx) => {
  const spawn = SPAWN_ENOENT.exec(line.text)?.groups?.command;
  if (spawn === undefined) return undefined;
  const draft: FailureDraft = {
    category: 'import_missing_module',
    tool: 'node',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.85,
    data: { command: spawn },
  };
  return blocks.open(errorBlock(draft, true), ctx);
};

const fileEnoent: NodeHandler = (blocks, line, ctx) => {
  const text = line.text;
  const enoent = ENOENT.exec(text)?.groups?.path;
  if (enoent === undefined) return undefined;
  const draft: FailureDraft = {
    category: 'missing_file',
    tool: 'node',
    message: clip(text),
    logLines: [preambleStart(ctx, line), line.n],
    // Thrown and uncaught (`Error: ENOENT` at the start) fails the run; quoted inside another
    // message it is often a tool reporting what it skipped.
    confidence: /^\s*\[?(?:Error: )?ENOENT\b/.test(text) ? 0.85 : 0.6,
    data: { path: enoent },
  };
  return blocks.open(errorBlock(draft, true), ctx);
};

const thrown: NodeHandler = (blocks, line, ctx) => {
  if (!THROWN.test(line.text)) return undefined;
  const draft: FailureDraft = { category: 'other', tool: 'node', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.45 };
  return blocks.open(errorBlock(draft, true, true), ctx);
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly NodeHandler[] = [npmPrefix, missingModule, babelSyntax, syntaxError, spawnEnoent, fileEnoent, thrown];

export const nodeDetector: Detector = {
  id: 'node',
  description:
    'Node.js runtime errors: missing modules and packages, SyntaxError with its source header, ENOENT on files, spawn ENOENT for missing tools.',
  categories: ['import_missing_module', 'missing_file', 'syntax_error', 'other'],
  example: "Error: Cannot find module 'fast-deep-equal'",
  trigger: /Cannot find (?:module|package) '|SyntaxError: |ENOENT|Error(?: \[[\w-]+\])?: /,
  start() {
    const blocks = new BlockReader();
    return {
      line: (line, ctx) => blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, blocks, line, ctx),
      end: (ctx) => blocks.close(ctx),
    };
  },
};
