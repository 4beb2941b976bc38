import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

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

interface OpenBlock {
  draft: FailureDraft;
  frames: number;
  locate: boolean;
  /** Reported only when stack frames follow (a bare `Error: x` line may be anything). */
  needsFrames?: boolean;
  /** Inside the error's printed properties (`at main (x.js:1:2) {` … `}`). */
  inProperties?: boolean;
}

export const nodeDetector: Detector = {
  id: 'node',
  description:
    'Node.js runtime errors: missing modules and packages, SyntaxError with its source header, ENOENT on files, spawn ENOENT for missing tools.',
  categories: ['import_missing_module', 'missing_file', 'syntax_error', 'other'],
  example: "Error: Cannot find module 'fast-deep-equal'",
  trigger: /Cannot find (?:module|package) '|SyntaxError: |ENOENT|Error(?: \[[\w-]+\])?: /,
  start() {
    let open: OpenBlock | undefined;

    const close = (ctx: DetectorContext) => {
      if (open && !(open.needsFrames && open.frames === 0)) ctx.report(open.draft);
      open = undefined;
    };

    const begin = (line: LogLine, draft: FailureDraft, locate: boolean, needsFrames = false): boolean => {
      open = { draft, frames: 0, locate, needsFrames };
      return true;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.inProperties) {
            open.draft.logLines[1] = line.n;
            if (/^\s*\}\s*$/.test(text) || line.n - open.draft.logLines[0] > 80) {
              open.inProperties = false;
              close(ctx);
              return false;
            }
            return true;
          }
          if (FRAME.test(text) || REQUIRE_STACK.test(text)) {
            open.draft.logLines[1] = line.n;
            const frame = PROJECT_FRAME.exec(text)?.groups;
            if (open.locate && open.draft.file === undefined && isProjectFile(frame?.file)) {
              open.draft.file = frame?.file;
              open.draft.line = Number(frame.line);
              open.draft.column = Number(frame.column);
            }
            if (FRAME.test(text)) open.frames++;
            if (/ \{\s*$/.test(text)) open.inProperties = true;
            return open.inProperties === true || open.frames < 30;
          }
          close(ctx);
        }
        if (NPM_PREFIX.test(text)) return false;

        const missing = MISSING.exec(text)?.groups?.spec;
        if (missing !== undefined) {
          const isPath = isPathSpecifier(missing);
          return begin(
            line,
            {
              category: isPath ? 'missing_file' : 'import_missing_module',
              tool: 'node',
              message: clip(text),
              logLines: [preambleStart(ctx, line), line.n],
              confidence: 0.92,
              data: isPath ? { path: missing } : { ecosystem: 'node', module: packageName(missing) },
            },
            true,
          );
        }

        const babel = BABEL_SYNTAX.exec(text)?.groups;
        if (babel?.file !== undefined) {
          return begin(
            line,
            {
              category: 'syntax_error',
              tool: 'node',
              message: clip(text),
              file: babel.file,
              line: Number(babel.line),
              column: Number(babel.column),
              logLines: [line.n, line.n],
              confidence: 0.88,
            },
            false,
          );
        }

        if (SYNTAX.test(text)) {
          // Node prints the offending source line between `file.js:12` and the SyntaxError;
          // without that header the text may be Python's or a test's own output.
          const earlier = ctx.before(6);
          for (let i = earlier.length - 1; i >= 0; i--) {
            const header = earlier[i];
            const source = header ? SOURCE_HEADER.exec(header.text.trim())?.groups : undefined;
            if (header && source?.file !== undefined) {
              return begin(
                line,
                {
                  category: 'syntax_error',
                  tool: 'node',
                  message: clip(text),
                  file: source.file,
                  line: Number(source.line),
                  logLines: [header.n, line.n],
                  confidence: 0.92,
                },
                false,
              );
            }
          }
          return false;
        }

        const spawn = SPAWN_ENOENT.exec(text)?.groups?.command;
        if (spawn !== undefined) {
          return begin(
            line,
            {
              category: 'import_missing_module',
              tool: 'node',
              message: clip(text),
              logLines: [line.n, line.n],
              confidence: 0.85,
              data: { command: spawn },
            },
            true,
          );
        }

        const enoent = ENOENT.exec(text)?.groups?.path;
        if (enoent !== undefined) {
          return begin(
            line,
            {
              category: 'missing_file',
              tool: 'node',
              message: clip(text),
              logLines: [preambleStart(ctx, line), line.n],
              // Thrown and uncaught (`Error: ENOENT` at the start) fails the run; quoted inside another
              // message it is often a tool reporting what it skipped.
              confidence: /^\s*\[?(?:Error: )?ENOENT\b/.test(text) ? 0.85 : 0.6,
              data: { path: enoent },
            },
            true,
          );
        }

        if (THROWN.test(text)) {
          return begin(
            line,
            { category: 'other', tool: 'node', message: clip(text), logLines: [line.n, line.n], confidence: 0.45 },
            true,
            true,
          );
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
