import type { Detector, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, type OpenBlock } from '../detector-helpers.js';

/**
 * Reports of the LLVM/GCC sanitizers, printed by a test binary that hit a memory or threading bug:
 * AddressSanitizer / LeakSanitizer / MemorySanitizer (`==123==ERROR: AddressSanitizer:
 * heap-use-after-free …` … `==123==ABORTING`), ThreadSanitizer (`WARNING: ThreadSanitizer: data
 * race (pid=1)` … `SUMMARY: ThreadSanitizer: …`) and UndefinedBehaviorSanitizer (`file.cpp:10:5:
 * runtime error: …`, one line). The report is a test failure (a crash inside tests); its lines
 * run from the header to the `ABORTING` line or the `SUMMARY` line and its `====` rule, and the
 * source location is the SUMMARY's, else the first stack frame outside system headers.
 */

const HEADER =
  /^(?:==\d+==)?(?:ERROR|WARNING): (?<sanitizer>Address|Leak|Memory|Thread|Hardware)Sanitizer: (?<kind>[\w-]+(?: [\w-]+){0,3})/;
const SUMMARY = /^SUMMARY: \w+Sanitizer: /;
const ABORTING = /^==\d+==ABORTING/;
const RULE = /^={10,}\s*$/;
const SHADOW = /^(?:\s|=>|Shadow byte)/;
const FRAME = /^\s+#\d+ /;
const LOCATION_TOKEN = /^(?<file>[^\s:]*[/\\][^\s:]+|[^\s:]+\.\w+):(?<line>\d+)(?::(?<column>\d+))?$/;
const UBSAN = /^(?<file>[^\s:]+\.\w+):(?<line>\d+):(?<column>\d+): runtime error: (?<message>.+)$/;
/** A report longer than this is cut (shadow-byte legends and long stacks). */
const MAX_REPORT_LINES = 400;

/** The first `file:line[:column]` word of a frame or SUMMARY line (`/src/net.cpp:1636:25`). */
function locationIn(text: string): { file: string; line: number; column?: number } | undefined {
  for (const word of text.split(/\s+/)) {
    const groups = LOCATION_TOKEN.exec(word)?.groups;
    if (groups?.file === undefined) continue;
    const found: { file: string; line: number; column?: number } = { file: groups.file, line: Number(groups.line) };
    if (groups.column !== undefined) found.column = Number(groups.column);
    return found;
  }
  return undefined;
}

function setLocation(draft: FailureDraft, location: { file: string; line: number; column?: number }): void {
  draft.file = location.file;
  draft.line = location.line;
  if (location.column !== undefined) draft.column = location.column;
  else delete draft.column;
}

interface OpenReport {
  draft: FailureDraft;
  /** The SUMMARY line was read: only AddressSanitizer's shadow-byte map may follow. */
  summarized: boolean;
}

/** Sets the draft's location from a frame or SUMMARY line, unless it points into system code. */
function locate(draft: FailureDraft, text: string): void {
  const location = locationIn(text);
  if (location && !isSystemPath(location.file)) setLocation(draft, location);
}

/** One more line of an open report: part of it ('more'), its last line ('last'), or past its end ('past'). */
function extendReport(open: OpenReport, n: number, text: string): 'more' | 'last' | 'past' {
  if (n - open.draft.logLines[0] > MAX_REPORT_LINES) return 'past';
  if (ABORTING.test(text) || (open.summarized && RULE.test(text))) return 'last';
  if (open.summarized) return SHADOW.test(text) ? 'more' : 'past';
  if (SUMMARY.test(text)) {
    open.summarized = true;
    locate(open.draft, text);
  } else if (FRAME.test(text) && open.draft.file === undefined) {
    locate(open.draft, text);
  }
  return 'more';
}

function isSystemPath(file: string): boolean {
  return /^\/usr\/|\/lib\/gcc\/|\/include\/c\+\+\/|compiler-rt|\/llvm-project\//.test(file);
}

/** A sanitizer report, from its header line. */
function reportBlock(line: LogLine, header: Record<string, string>): OpenBlock {
  const report: OpenReport = {
    draft: {
      category: 'test_failure',
      tool: `${(header.sanitizer as string).toLowerCase()}-sanitizer`,
      message: clip(line.text),
      logLines: [line.n, line.n],
      confidence: 0.9,
      data: { kind: (header.kind as string).split(/ (?:on|at|in|of) /)[0] },
    },
    summarized: false,
  };
  return {
    draft: report.draft,
    accepts(next) {
      const verdict = extendReport(report, next.n, next.text);
      if (verdict !== 'past') report.draft.logLines[1] = next.n;
      return verdict === 'more' ? true : verdict === 'last' ? 'end' : false;
    },
  };
}

export const sanitizerDetector: Detector = {
  id: 'sanitizer',
  description:
    'AddressSanitizer, LeakSanitizer, MemorySanitizer and ThreadSanitizer reports (header through `ABORTING` or `SUMMARY`), UndefinedBehaviorSanitizer `runtime error:` lines.',
  categories: ['test_failure'],
  example:
    '==30799==ERROR: AddressSanitizer: heap-use-after-free on address 0x61b000080607 at pc 0x555888669d4c bp 0x7f3822083810 sp 0x7f3822083808',
  trigger: /Sanitizer: |: runtime error: /,
  start() {
    const blocks = new BlockReader();
    return {
      line(line, ctx) {
        const taken = blocks.read(line, ctx);
        if (taken !== undefined) return taken;
        const text = line.text;
        const header = HEADER.exec(text)?.groups;
        if (header) return blocks.open(reportBlock(line, header), ctx);
        const ubsan = UBSAN.exec(text)?.groups;
        if (ubsan) {
          ctx.report({
            category: 'test_failure',
            tool: 'ub-sanitizer',
            message: clip(text),
            file: ubsan.file as string,
            line: Number(ubsan.line),
            column: Number(ubsan.column),
            logLines: [line.n, line.n],
            confidence: 0.85,
          });
        }
        return false;
      },
      end: (ctx) => blocks.close(ctx),
    };
  },
};
