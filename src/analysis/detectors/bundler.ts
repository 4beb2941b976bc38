import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * JavaScript bundlers and compile-to-JS compilers: esbuild's `✘ [ERROR] msg` blocks with their
 * `file:line:col:` location (also the inline `file:1:2: ERROR: msg` form Vite and CoffeeScript
 * print), webpack's `ERROR in ./src/x.ts` blocks (`Module not found: Error: Can't resolve 'x'`,
 * `Module parse failed`, type errors from fork-ts-checker), Vite/Rollup's failed imports and
 * Next.js's `Type error:` under a `./file:line:col` header. An unresolved bare specifier is a
 * missing dependency, a relative one a missing file, a parse failure a syntax error.
 */

// esbuild marks errors with ✘ (X on Windows consoles); a bare `[ERROR]` is some other logger.
const ESBUILD = /^\s*(?:✘|X) \[ERROR\] (?<message>.+)$/;
const ESBUILD_LOCATION = /^\s+(?<file>[^\s:]+):(?<line>\d+):(?<column>\d+):\s*$/;
const INLINE =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s:]+\.(?:[cm]?[jt]sx?|vue|svelte|coffee|litcoffee|css|scss|sass|less|json|mdx)):(?<line>\d+):(?<column>\d+): (?:ERROR|error): (?<message>.+)$/;
const WEBPACK = /^ERROR in (?<file>\S+?)(?::(?<line>\d+):(?<column>\d+)| (?<line2>\d+):(?<column2>\d+)(?:-\d+)?)?\s*$/;
const CANT_RESOLVE = /Module not found: (?:Error: )?Can't resolve '(?<spec>[^']+)'(?: in '(?<dir>[^']+)')?/;
const ROLLUP_RESOLVE =
  /Rollup failed to resolve import "(?<spec>[^"]+)" from "(?<file>[^"]+)"|Could not resolve ["'](?<spec2>[^"']+)["'] from ["']?(?<file2>[^"'\s]+)/;
const NEXT_LOCATION = /^\.\/(?<file>[^\s:]+):(?<line>\d+):(?<column>\d+)$/;
const NEXT_TYPE_ERROR = /^Type error: (?<message>.+)$/;
const BUILD_HEADER = /^error during build:|^Failed to compile\.?$|^Build failed with \d+ errors?:?$/;
const SYNTAX = /^(?:Expected |Unexpected |Unterminated |Invalid |missing |unmatched |unexpected |Module parse failed|SyntaxError)/;

function classifySpecifier(spec: string, draft: FailureDraft): Category {
  if (/^(?:\.{1,2}\/|\/|[A-Za-z]:[\\/])/.test(spec)) {
    draft.data = { ...draft.data, path: spec };
    return 'missing_file';
  }
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
  draft.data = { ...draft.data, ecosystem: 'node', module: name };
  return 'import_missing_module';
}

function classifyMessage(message: string, draft: FailureDraft): Category {
  const resolve = /^Could not resolve "(?<spec>[^"]+)"/.exec(message)?.groups?.spec ?? CANT_RESOLVE.exec(message)?.groups?.spec;
  if (resolve !== undefined) return classifySpecifier(resolve, draft);
  if (/\bTS\d{4,5}\b|Type error/.test(message)) return 'type_check';
  if (SYNTAX.test(message) || /Unexpected token|SyntaxError/.test(message)) return 'syntax_error';
  return 'compilation_error';
}

/** A `error during build:` / `Failed to compile.` header just above belongs to the block. */
function headerStart(ctx: DetectorContext, line: LogLine): number {
  for (const earlier of ctx.before(3)) if (BUILD_HEADER.test(earlier.text.trim())) return earlier.n;
  return line.n;
}

function draftAt(line: LogLine, tool: string, ctx: DetectorContext): FailureDraft {
  return {
    category: 'compilation_error',
    tool,
    message: clip(line.text),
    logLines: [headerStart(ctx, line), line.n],
    confidence: 0.92,
  };
}

/** esbuild's `✘ [ERROR] msg` and the indented location and code frame under it. */
function esbuildBlock(draft: FailureDraft): OpenBlock {
  return {
    draft,
    accepts(next) {
      const text = next.text;
      const blank = text.trim() === '';
      if (ESBUILD.test(text) || (!blank && !/^\s/.test(text))) return false;
      const location = ESBUILD_LOCATION.exec(text)?.groups;
      if (location && draft.file === undefined) {
        draft.file = location.file;
        draft.line = Number(location.line);
        draft.column = Number(location.column);
      }
      // The code frame is the explanation; esbuild's advice paragraph after it is not.
      if (!blank && (draft.file === undefined || /[│╵|^~]/.test(text) || location)) draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** webpack's `ERROR in ./src/x.ts`: its first line under the header says what the error is. */
function webpackBlock(draft: FailureDraft): OpenBlock {
  let classified = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (text.trim() === '' || WEBPACK.test(text)) return false;
      draft.logLines[1] = next.n;
      if (!classified) {
        draft.category = classifyMessage(text.trim(), draft);
        classified = true;
        draft.message = clip(text);
        const parsed = /\((?<line>\d+):(?<column>\d+)\)/.exec(text)?.groups;
        if (parsed && draft.line === undefined) {
          draft.line = Number(parsed.line);
          draft.column = Number(parsed.column);
        }
      }
      return draft.logLines[1] - draft.logLines[0] < 40 || 'end';
    },
    finish() {
      if (!classified) draft.category = 'compilation_error';
      return true;
    },
  };
}

/** A located error (Next.js `Type error:`, an inline `file:1:2: ERROR:`) and the source excerpt under it. */
function excerptBlock(draft: FailureDraft): OpenBlock {
  let blanks = 0;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      const blank = text.trim() === '';
      if (blank && blanks < 1) {
        blanks++;
        return true;
      }
      if (blank || NEXT_LOCATION.test(text) || !/^\s|^>/.test(text)) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

type BundlerHandler = LineHandler<[blocks: BlockReader, line: LogLine, ctx: DetectorContext]>;

const esbuildError: BundlerHandler = (blocks, line, ctx) => {
  const esbuild = ESBUILD.exec(line.text)?.groups?.message;
  if (esbuild === undefined) return undefined;
  const draft = draftAt(line, 'esbuild', ctx);
  draft.category = classifyMessage(esbuild, draft);
  return blocks.open(esbuildBlock(draft), ctx);
};

const inlineError: BundlerHandler = (blocks, line, ctx) => {
  const inline = INLINE.exec(line.text)?.groups;
  if (inline?.message === undefined) return undefined;
  const draft = draftAt(line, /coffee$/.test(inline.file ?? '') ? 'coffee' : 'esbuild', ctx);
  draft.category = classifyMessage(inline.message, draft);
  draft.file = inline.file;
  draft.line = Number(inline.line);
  draft.column = Number(inline.column);
  // CoffeeScript follows with the source line and a caret.
  return blocks.open(excerptBlock(draft), ctx);
};

const webpackError: BundlerHandler = (blocks, line, ctx) => {
  const webpack = WEBPACK.exec(line.text)?.groups;
  if (webpack?.file === undefined) return undefined;
  const draft = draftAt(line, 'webpack', ctx);
  draft.file = webpack.file;
  const lineNumber = webpack.line ?? webpack.line2;
  const column = webpack.column ?? webpack.column2;
  if (lineNumber !== undefined) draft.line = Number(lineNumber);
  if (column !== undefined) draft.column = Number(column);
  return blocks.open(webpackBlock(draft), ctx);
};

const cantResolve: BundlerHandler = (_blocks, line, ctx) => {
  const spec = CANT_RESOLVE.exec(line.text)?.groups?.spec;
  if (spec === undefined) return undefined;
  const draft = draftAt(line, 'webpack', ctx);
  const previous = ctx.before(1)[0];
  // Create React App / Next.js print the importing file on the line above.
  if (previous && /^\.\/\S+$/.test(previous.text.trim())) {
    draft.file = previous.text.trim();
    draft.logLines[0] = Math.min(draft.logLines[0], previous.n);
  }
  draft.category = classifySpecifier(spec, draft);
  ctx.report(draft);
  return false;
};

const rollupResolve: BundlerHandler = (_blocks, line, ctx) => {
  const rollup = ROLLUP_RESOLVE.exec(line.text)?.groups;
  const spec = rollup?.spec ?? rollup?.spec2;
  if (spec === undefined) return undefined;
  const draft = draftAt(line, 'vite', ctx);
  const importer = rollup?.file ?? rollup?.file2;
  if (importer !== undefined) draft.file = importer;
  draft.category = classifySpecifier(spec, draft);
  ctx.report(draft);
  return false;
};

const nextTypeError: BundlerHandler = (blocks, line, ctx) => {
  if (!NEXT_TYPE_ERROR.test(line.text)) return undefined;
  const earlier = ctx.before(2);
  const header = earlier.find((candidate) => NEXT_LOCATION.test(candidate.text.trim()));
  const location = header ? NEXT_LOCATION.exec(header.text.trim())?.groups : undefined;
  const draft = draftAt(line, 'next', ctx);
  draft.category = 'type_check';
  if (header && location?.file !== undefined) {
    draft.file = location.file;
    draft.line = Number(location.line);
    draft.column = Number(location.column);
    draft.logLines[0] = Math.min(draft.logLines[0], header.n);
  }
  return blocks.open(excerptBlock(draft), ctx);
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly BundlerHandler[] = [esbuildError, inlineError, webpackError, cantResolve, rollupResolve, nextTypeError];

export const bundlerDetector: Detector = {
  id: 'bundler',
  description:
    'esbuild, webpack, Vite/Rollup, Next.js and CoffeeScript build errors: unresolved imports, parse errors and type errors with their location.',
  categories: ['import_missing_module', 'missing_file', 'syntax_error', 'type_check', 'compilation_error'],
  example: '✘ [ERROR] Could not resolve "lodash-es"',
  trigger:
    /(?:✘|X) \[ERROR\] |: (?:ERROR|error): |^ERROR in |Module not found: |Rollup failed to resolve|Could not resolve ["'].* from |^Type error: /,
  start() {
    const blocks = new BlockReader();
    return {
      line: (line, ctx) => blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, blocks, line, ctx),
      end: (ctx) => blocks.close(ctx),
    };
  },
};
