import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

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

interface OpenBlock {
  draft: FailureDraft;
  kind: 'esbuild' | 'webpack' | 'next';
  classified: boolean;
  blanks: number;
}

export const bundlerDetector: Detector = {
  id: 'bundler',
  description:
    'esbuild, webpack, Vite/Rollup, Next.js and CoffeeScript build errors: unresolved imports, parse errors and type errors with their location.',
  categories: ['import_missing_module', 'missing_file', 'syntax_error', 'type_check', 'compilation_error'],
  example: '✘ [ERROR] Could not resolve "lodash-es"',
  trigger:
    /(?:✘|X) \[ERROR\] |: (?:ERROR|error): |^ERROR in |Module not found: |Rollup failed to resolve|Could not resolve ["'].* from |^Type error: /,
  start() {
    let open: OpenBlock | undefined;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      if (!open.classified) open.draft.category = 'compilation_error';
      ctx.report(open.draft);
      open = undefined;
    };

    /** A `error during build:` / `Failed to compile.` header just above belongs to the block. */
    const headerStart = (ctx: DetectorContext, line: LogLine): number => {
      for (const earlier of ctx.before(3)) if (BUILD_HEADER.test(earlier.text.trim())) return earlier.n;
      return line.n;
    };

    const draftAt = (line: LogLine, tool: string, ctx: DetectorContext): FailureDraft => ({
      category: 'compilation_error',
      tool,
      message: clip(line.text),
      logLines: [headerStart(ctx, line), line.n],
      confidence: 0.92,
    });

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          const blank = text.trim() === '';
          if (open.kind === 'esbuild') {
            if (!ESBUILD.test(text) && (blank || /^\s/.test(text))) {
              const location = ESBUILD_LOCATION.exec(text)?.groups;
              if (location && open.draft.file === undefined) {
                open.draft.file = location.file;
                open.draft.line = Number(location.line);
                open.draft.column = Number(location.column);
              }
              // The code frame is the explanation; esbuild's advice paragraph after it is not.
              if (!blank && (open.draft.file === undefined || /[│╵|^~]/.test(text) || location)) open.draft.logLines[1] = line.n;
              return true;
            }
          } else if (open.kind === 'webpack') {
            if (!blank && !WEBPACK.test(text)) {
              open.draft.logLines[1] = line.n;
              if (!open.classified) {
                open.draft.category = classifyMessage(text.trim(), open.draft);
                open.classified = true;
                open.draft.message = clip(text);
                const parsed = /\((?<line>\d+):(?<column>\d+)\)/.exec(text)?.groups;
                if (parsed && open.draft.line === undefined) {
                  open.draft.line = Number(parsed.line);
                  open.draft.column = Number(parsed.column);
                }
              }
              return open.draft.logLines[1] - open.draft.logLines[0] < 40;
            }
          } else if (open.kind === 'next') {
            if (blank && open.blanks < 1) {
              open.blanks++;
              return true;
            }
            if (!blank && !NEXT_LOCATION.test(text) && /^\s|^>/.test(text)) {
              open.draft.logLines[1] = line.n;
              return true;
            }
          }
          close(ctx);
        }

        const esbuild = ESBUILD.exec(text)?.groups?.message;
        if (esbuild !== undefined) {
          const draft = draftAt(line, 'esbuild', ctx);
          draft.category = classifyMessage(esbuild, draft);
          open = { draft, kind: 'esbuild', classified: true, blanks: 0 };
          return true;
        }

        const inline = INLINE.exec(text)?.groups;
        if (inline?.message !== undefined) {
          const draft = draftAt(line, /coffee$/.test(inline.file ?? '') ? 'coffee' : 'esbuild', ctx);
          draft.category = classifyMessage(inline.message, draft);
          draft.file = inline.file;
          draft.line = Number(inline.line);
          draft.column = Number(inline.column);
          // CoffeeScript follows with the source line and a caret.
          const next: FailureDraft = draft;
          open = { draft: next, kind: 'next', classified: true, blanks: 0 };
          return true;
        }

        const webpack = WEBPACK.exec(text)?.groups;
        if (webpack?.file !== undefined) {
          const draft = draftAt(line, 'webpack', ctx);
          draft.file = webpack.file;
          const lineNumber = webpack.line ?? webpack.line2;
          const column = webpack.column ?? webpack.column2;
          if (lineNumber !== undefined) draft.line = Number(lineNumber);
          if (column !== undefined) draft.column = Number(column);
          open = { draft, kind: 'webpack', classified: false, blanks: 0 };
          return true;
        }

        const cantResolve = CANT_RESOLVE.exec(text)?.groups?.spec;
        if (cantResolve !== undefined) {
          const draft = draftAt(line, 'webpack', ctx);
          const previous = ctx.before(1)[0];
          // Create React App / Next.js print the importing file on the line above.
          if (previous && /^\.\/\S+$/.test(previous.text.trim())) {
            draft.file = previous.text.trim();
            draft.logLines[0] = Math.min(draft.logLines[0], previous.n);
          }
          draft.category = classifySpecifier(cantResolve, draft);
          ctx.report(draft);
          return false;
        }

        const rollup = ROLLUP_RESOLVE.exec(text)?.groups;
        const rollupSpec = rollup?.spec ?? rollup?.spec2;
        if (rollupSpec !== undefined) {
          const draft = draftAt(line, 'vite', ctx);
          const importer = rollup?.file ?? rollup?.file2;
          if (importer !== undefined) draft.file = importer;
          draft.category = classifySpecifier(rollupSpec, draft);
          ctx.report(draft);
          return false;
        }

        const typeError = NEXT_TYPE_ERROR.exec(text);
        if (typeError) {
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
          open = { draft, kind: 'next', classified: true, blanks: 0 };
          return true;
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
