import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * The TypeScript compiler: `src/x.ts(12,5): error TS2322: msg` (plain), `src/x.ts:12:5 - error
 * TS2322: msg` (--pretty, followed by a code frame), the old ts-node shape `src/x.ts (12,5): msg
 * (2322)` and file-less ones such as `error TS5023: Unknown compiler option`. ts-node's
 * `TSError: ⨯ Unable to compile TypeScript` header is reported once over the diagnostics it wraps.
 */

const PLAIN = /^\s*(?<file>[^\s(][^(]*?)\((?<line>\d+),(?<column>\d+)\): error (?<code>TS\d+): (?<message>.*)$/;
const PRETTY = /^\s*(?<file>(?:[A-Za-z]:)?[^\s:][^:]*?):(?<line>\d+):(?<column>\d+) - error (?<code>TS\d+): (?<message>.*)$/;
// The code closes the message, which may run over indented continuation lines first.
const TS_NODE = /^\s*(?<file>[^\s(]+\.[cm]?tsx?) \((?<line>\d+),(?<column>\d+)\): (?<message>.*?)(?: \((?<code>\d{4,5})\))?$/;
const TS_NODE_CODE = / \((?<code>\d{4,5})\)$/;
const FILELESS = /^\s*error (?<code>TS\d+): (?<message>.*)$/;
const TS_NODE_HEADER = /TSError: ⨯ Unable to compile TypeScript/;
const MISSING_MODULE = /^Cannot find module '(?<module>[^']+)'/;

/**
 * Codes TS1000–TS1199 are parser diagnostics (`';' expected`, `Declaration or statement expected`),
 * except these few, which the checker reports in that range.
 */
const NON_SYNTAX_1XXX = new Set([1002, 1016, 1046, 1055, 1056, 1064, 1066, 1084, 1086, 1149, 1192]);

function categoryOf(code: string): Category {
  const number = Number(code.replace(/^TS/, ''));
  return number >= 1000 && number < 1200 && !NON_SYNTAX_1XXX.has(number) ? 'syntax_error' : 'type_check';
}

function normaliseCode(code: string): string {
  return code.startsWith('TS') ? code : `TS${code}`;
}

function draftFrom(line: LogLine, groups: Record<string, string | undefined>): FailureDraft {
  const code = groups.code === undefined ? undefined : normaliseCode(groups.code);
  const message = (groups.message ?? '').trim();
  const data: Record<string, unknown> = {};
  if (code !== undefined) data.code = code;
  const missing = MISSING_MODULE.exec(message)?.groups?.module;
  if (missing !== undefined) data.module = missing;
  const draft: FailureDraft = {
    category: code === undefined ? 'type_check' : categoryOf(code),
    tool: 'tsc',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
    data,
  };
  if (groups.file !== undefined) {
    draft.file = groups.file.trim();
    // A parse error inside a declaration file is a typings/compiler version mismatch, not broken
    // source; one inside a dependency's typings (`node_modules/@types/x`) is rarely the project's
    // own mistake, so it ranks below the project's diagnostics.
    if (/\.d\.[cm]?ts$/.test(draft.file)) draft.category = 'type_check';
    if (/(?:^|[\\/])node_modules[\\/]/.test(draft.file)) draft.confidence = 0.7;
  }
  if (groups.line !== undefined) draft.line = Number(groups.line);
  if (groups.column !== undefined) draft.column = Number(groups.column);
  return draft;
}

/** Lines that continue a diagnostic: chained messages, code frames, related-information locations. */
function continuesDiagnostic(text: string): boolean {
  if (/^\s+at /.test(text)) return false;
  return /^\s+\S/.test(text) || /^\d+ /.test(text) || text.trim() === '';
}

export const tscDetector: Detector = {
  id: 'tsc',
  description: 'TypeScript compiler and ts-node diagnostics (plain, --pretty and old ts-node shapes), with the TS code.',
  categories: ['type_check', 'syntax_error'],
  example: "src/index.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
  trigger: /error TS\d|TSError: |\.[cm]?tsx? \(\d+,\d+\): /,
  start() {
    let open: FailureDraft | undefined;
    let blankRun = 0;
    let wrapper: FailureDraft | undefined;

    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };
    const closeWrapper = (ctx: DetectorContext) => {
      if (wrapper) ctx.report(wrapper);
      wrapper = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        const match = PLAIN.exec(text) ?? PRETTY.exec(text) ?? TS_NODE.exec(text) ?? FILELESS.exec(text);
        if (match?.groups) {
          close(ctx);
          open = draftFrom(line, match.groups);
          blankRun = 0;
          if (wrapper) {
            wrapper.logLines[1] = line.n;
            if (wrapper.file === undefined && open.file !== undefined) {
              wrapper.file = open.file;
              wrapper.line = open.line;
              wrapper.column = open.column;
              wrapper.data = open.data;
              wrapper.category = open.category;
            }
          }
          return true;
        }
        if (TS_NODE_HEADER.test(text)) {
          close(ctx);
          closeWrapper(ctx);
          wrapper = {
            category: 'type_check',
            tool: 'ts-node',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.96,
          };
          return true;
        }
        if (open && continuesDiagnostic(text) && blankRun < 2) {
          if (text.trim() === '') {
            blankRun++;
          } else {
            blankRun = 0;
            open.logLines[1] = line.n;
            const lateCode = open.data?.code === undefined ? TS_NODE_CODE.exec(text)?.groups?.code : undefined;
            if (lateCode !== undefined) {
              open.data = { ...open.data, code: normaliseCode(lateCode) };
              open.category = categoryOf(lateCode);
              if (wrapper?.data !== undefined && wrapper.data.code === undefined) wrapper.data = open.data;
            }
            if (wrapper) wrapper.logLines[1] = line.n;
          }
          return true;
        }
        close(ctx);
        // ts-node throws: its stack belongs to the wrapper's block, not to the last diagnostic.
        if (wrapper && /^\s+at /.test(text)) {
          wrapper.logLines[1] = line.n;
          return true;
        }
        closeWrapper(ctx);
        return false;
      },
      end(ctx) {
        close(ctx);
        closeWrapper(ctx);
      },
    };
  },
};
