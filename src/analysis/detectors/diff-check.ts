import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * A check that prints the changes it wants as a git diff (`diff --git a/x b/x`, `@@ -1,3 +1,4 @@`):
 * a formatter run followed by `git diff --exit-code`, a project's "please apply the changes below"
 * script. One failure per file in the diff, weak on its own (a diff is also printed for other
 * reasons), located at the file's first hunk.
 */

const FILE_HEADER = /^diff --git a\/(?<a>\S+) b\/(?<b>\S+)$/;
const HUNK = /^@@ -\d+(?:,\d+)? \+(?<line>\d+)(?:,\d+)? @@/;
// What a git diff's lines can be: metadata, hunks, context, removals, additions, `\ No newline`.
const DIFF_LINE =
  /^(?:index [0-9a-f]|--- |\+\+\+ |@@ |[-+ \\]|(?:new|deleted) file mode |old mode |new mode |similarity index |rename (?:from|to) |Binary files |$)/;
/** Blank lines a diff may hold (logs drop the context line's single space). */
const MAX_BLANKS = 2;

interface DiffScan {
  current: FailureDraft | undefined;
  blanks: number;
}

function flush(scan: DiffScan, ctx: DetectorContext): void {
  if (scan.current !== undefined) ctx.report(scan.current);
  scan.current = undefined;
  scan.blanks = 0;
}

function fileDraft(line: LogLine, file: string): FailureDraft {
  return {
    category: 'lint_format',
    tool: 'git diff',
    message: clip(`changes wanted in ${file}`),
    file,
    logLines: [line.n, line.n],
    confidence: 0.6,
  };
}

function readLine(scan: DiffScan, line: LogLine, ctx: DetectorContext): boolean {
  const header = FILE_HEADER.exec(line.text);
  if (header?.groups) {
    flush(scan, ctx);
    scan.current = fileDraft(line, header.groups.b ?? header.groups.a ?? '');
    return true;
  }
  const current = scan.current;
  if (current === undefined) return false;
  if (!DIFF_LINE.test(line.text)) {
    flush(scan, ctx);
    return false;
  }
  if (line.text.trim() === '') {
    scan.blanks++;
    if (scan.blanks > MAX_BLANKS) flush(scan, ctx);
    return scan.current !== undefined;
  }
  scan.blanks = 0;
  const hunk = HUNK.exec(line.text);
  if (hunk?.groups && current.line === undefined) current.line = Number(hunk.groups.line);
  current.logLines[1] = line.n;
  return true;
}

export const diffCheckDetector: Detector = {
  id: 'diff-check',
  description:
    'Checks that print the changes they want as a git diff (a formatter followed by `git diff --exit-code`): one weak failure per file.',
  categories: ['lint_format'],
  example: 'diff --git a/src/main.c b/src/main.c',
  trigger: /^diff --git a\//,
  start() {
    const scan: DiffScan = { current: undefined, blanks: 0 };
    return {
      line: (line, ctx) => readLine(scan, line, ctx),
      end: (ctx) => flush(scan, ctx),
    };
  },
};
