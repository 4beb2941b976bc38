import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * GCC / Clang diagnostics for C-family sources (`x.c:12:5: error: msg`, `fatal error: foo.h: No such
 * file or directory`) and the GNU/LLVM linker (`undefined reference to`, `collect2: error: ld
 * returned 1 exit status`). cgo errors in `.go` files use the same format, so `.go` is accepted too.
 * An error's block runs from the context gcc prints before it (`In function …`, `In file included
 * from …`) through its source excerpt and the `note:` lines that follow it.
 */

// The path may start with a Windows drive (MinGW); the extension list keeps other compilers that
// share the `file:line:col: error:` shape (swiftc, coffee, tsc --pretty=false) out of this detector.
const DIAGNOSTIC =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s:][^:]*?\.(?:c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx|ipp|inl|inc|tcc|m|mm|cu|cuh|go|pyx|pxd)):(?<line>\d+):(?:(?<column>\d+):)?\s(?<severity>fatal error|error|warning|note):\s?(?<message>.*)$/;
const MISSING_HEADER = /^(?:'(?<quoted>[^']+)'|(?<bare>[^\s:]+)): No such file or directory$|^'(?<clang>[^']+)' file not found$/;
const WERROR_FLAG = /\[(-Werror[=\w-]*)\]\s*$/;

const LINKER_PROBLEM =
  /: (?:undefined reference to|multiple definition of|cannot find -l)|^(?:\/\S*\/)?ld(?:\.\w+)?: (?:error: |cannot find )|^Undefined symbols for architecture/;
const LINKER_DONE =
  /(?:collect2(?:\.exe)?: error: ld returned \d+ exit status|(?:clang|gcc|g\+\+|c\+\+)(?:-[\d.]+)?: error: linker command failed)/;
const LINKER_CONTEXT =
  /: [Ii]n function [`'‘]|^\s+"?_?\S+"?, referenced from:|^\s+\S.* in \S+\.o$|^ld: symbol\(s\) not found|: more undefined references to/;
const MISSING_LIBRARY = /cannot find -l(?<lib>[\w.+-]+)/;

// Lines gcc prints before the error they belong to.
const LEADING_CONTEXT =
  /^\s*(?:In file included from |from \S+:\d+[:,]|\S+: (?:In (?:member |static member )?function|In instantiation of|In constructor|In destructor|In lambda function|At global scope|At top level)|\S+:\d+:\d+:\s+required from )/;
// Source excerpt and caret lines that follow a diagnostic (gcc ≥ 9 prints `  12 | code` / `     |    ^~~`).
const SNIPPET = /^\s*\d*\s*\|(?:\s|$)|^\s*[~^][~^\s+]*$/;

const COMPILER_SUMMARY = /^\s*\d+ errors? generated\.$/;

function leadingContextStart(line: LogLine, ctx: DetectorContext): number {
  const previous = ctx.before(12);
  let first = line.n;
  for (let i = previous.length - 1; i >= 0; i--) {
    const candidate = previous[i];
    if (!candidate || !LEADING_CONTEXT.test(candidate.text)) break;
    first = candidate.n;
  }
  return first;
}

function diagnosticDraft(line: LogLine, ctx: DetectorContext, match: RegExpExecArray): FailureDraft {
  const groups = match.groups ?? {};
  const message = clip(groups.message ?? '');
  const severity = groups.severity ?? 'error';
  const data: Record<string, unknown> = { severity };
  const header = MISSING_HEADER.exec(message);
  const headerName = header?.groups?.quoted ?? header?.groups?.bare ?? header?.groups?.clang;
  if (headerName) data.header = headerName;
  const flag = WERROR_FLAG.exec(message)?.[1];
  if (flag) data.flag = flag;
  const draft: FailureDraft = {
    category: 'compilation_error',
    tool: 'gcc',
    message: `${severity}: ${message}`,
    file: groups.file,
    line: Number(groups.line),
    logLines: [leadingContextStart(line, ctx), line.n],
    confidence: 0.95,
    data,
  };
  if (groups.column) draft.column = Number(groups.column);
  return draft;
}

/** An error with its source excerpt and the notes that follow it. */
function diagnosticBlock(draft: FailureDraft, errorLine: number): OpenBlock {
  /** A plain line after the error that is a source excerpt only if a caret line follows it (gcc < 9). */
  let tentativeSnippet: number | undefined;
  return {
    draft,
    accepts(next) {
      // The notes an error brings (`note: candidate template ignored`) and their excerpts are part of it.
      if (DIAGNOSTIC.exec(next.text)?.groups?.severity === 'note') {
        draft.logLines[1] = next.n;
        tentativeSnippet = undefined;
        return true;
      }
      if (SNIPPET.test(next.text) || (COMPILER_SUMMARY.test(next.text) && draft.logLines[1] === next.n - 1)) {
        draft.logLines[1] = next.n;
        tentativeSnippet = undefined;
        return true;
      }
      // gcc < 9 prints the source line without a gutter, then the caret line.
      if (tentativeSnippet === undefined && next.n === errorLine + 1 && next.text.trim() !== '' && !DIAGNOSTIC.test(next.text)) {
        tentativeSnippet = next.n;
        return true;
      }
      return false;
    },
  };
}

/** A linker problem, the context lines around it and the `ld returned 1 exit status` that ends it. */
function linkerBlock(line: LogLine, ctx: DetectorContext): OpenBlock {
  const text = line.text;
  const missingLibrary = MISSING_LIBRARY.exec(text)?.groups?.lib;
  const previous = ctx.before(1)[0];
  const first = previous && LINKER_CONTEXT.test(previous.text) ? previous.n : line.n;
  const draft: FailureDraft = missingLibrary
    ? {
        category: 'import_missing_module',
        tool: 'ld',
        message: clip(text),
        logLines: [first, line.n],
        confidence: 0.85,
        data: { library: missingLibrary },
      }
    : { category: 'compilation_error', tool: 'ld', message: clip(text), logLines: [first, line.n], confidence: 0.9 };
  return {
    draft,
    accepts(next) {
      if (LINKER_PROBLEM.test(next.text) || LINKER_CONTEXT.test(next.text)) {
        draft.logLines[1] = next.n;
        return true;
      }
      if (LINKER_DONE.test(next.text)) {
        draft.logLines[1] = next.n;
        return 'end';
      }
      return false;
    },
  };
}

interface GccScan {
  diagnostics: BlockReader;
  linker: BlockReader;
}

type GccHandler = LineHandler<[scan: GccScan, line: LogLine, ctx: DetectorContext]>;

const diagnostic: GccHandler = (scan, line, ctx) => {
  const match = DIAGNOSTIC.exec(line.text);
  if (!match) return undefined;
  const severity = match.groups?.severity;
  if (severity !== 'error' && severity !== 'fatal error') return false;
  return scan.diagnostics.open(diagnosticBlock(diagnosticDraft(line, ctx, match), line.n), ctx);
};

const compilerSummary: GccHandler = (_scan, line) => (COMPILER_SUMMARY.test(line.text) ? false : undefined);

const linkerProblem: GccHandler = (scan, line, ctx) =>
  LINKER_PROBLEM.test(line.text) ? scan.linker.open(linkerBlock(line, ctx), ctx) : undefined;

/** Only the linker's summary line: the real linker message was not recognised, so stay modest. */
const linkerDone: GccHandler = (_scan, line, ctx) => {
  if (!LINKER_DONE.test(line.text)) return undefined;
  ctx.report({ category: 'compilation_error', tool: 'ld', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.6 });
  return false;
};

/** What a line can start, in this order; a line an open block takes never reaches them. */
const LINE_HANDLERS: readonly GccHandler[] = [diagnostic, compilerSummary, linkerProblem, linkerDone];

export const gccDetector: Detector = {
  id: 'gcc',
  description: 'GCC/Clang errors in C, C++, Objective-C and cgo sources, and GNU/LLVM linker failures.',
  categories: ['compilation_error', 'import_missing_module'],
  example: "vis-subprocess.h:21:29: error: unknown type name 'fd_set'",
  trigger: /error|undefined reference|multiple definition|cannot find -l|Undefined symbols|ld returned/,
  start() {
    const scan: GccScan = { diagnostics: new BlockReader(), linker: new BlockReader() };
    return {
      line: (line, ctx) => scan.diagnostics.read(line, ctx) ?? scan.linker.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        scan.diagnostics.close(ctx);
        scan.linker.close(ctx);
      },
    };
  },
};
