import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * The Node.js test runner and other TAP producers: `not ok N - name` with its YAML diagnostics
 * (`location`, `error`, `failureType`), and the spec reporter's `✖ name (2.1ms)` with the indented
 * error under it. A suite whose only fault is its failed subtests (`failureType: 'subtestsFailed'`,
 * or a `✖` with nothing under it) is a wrapper. The spec reporter's closing "failing tests" list
 * (`test at file:line:col`, the `✖` line, the error) repeats what was already read, except where the
 * `✖` line had nothing under it: Node 24 prints a failure's error only there, so a `✖` without a
 * body waits for its block in that list, which then stands for it (located by the first project
 * frame, else by `test at`); what the list does not explain is reported at the end as a wrapper.
 */

const TAP_NOT_OK = /^(?<indent>\s*)not ok \d+(?: -)? ?(?<name>.*)$/;
const TAP_DIRECTIVE = /#\s*(?:TODO|SKIP)\b/i;
const YAML_LOCATION = /^\s*location: '(?:file:\/\/)?(?<file>[^']+?):(?<line>\d+):(?<column>\d+)'/;
const YAML_ERROR_INLINE = /^\s*error: ['"]?(?<error>[^|>].*?)['"]?$/;
const YAML_ERROR_BLOCK = /^\s*error: [|>]-?$/;
const YAML_STACK = /^\s*stack: /;
const YAML_END = /^\s*\.\.\.$/;
const SPEC_FAIL = /^(?<indent>\s*)✖ (?<name>.+?) \((?<ms>\d+(?:\.\d+)?)m?s\)$/;
const SPEC_SUMMARY = /^✖ failing tests:/;
const SUMMARY_TEST_AT = /^test at (?<file>(?:[A-Za-z]:)?[^\s:]+):(?<line>\d+):(?<column>\d+)$/;
const FRAME = /^\s+at (?:.*? \()?(?:file:\/\/)?(?<file>(?:[A-Za-z]:)?\/[^\s():]+\.\w+):(?<line>\d+):(?<column>\d+)\)?(?: \{)?$/;

interface OpenBlock {
  draft: FailureDraft;
  indent: number;
  kind: 'tap' | 'spec';
  wantErrorLine: boolean;
  inStack: boolean;
  bodyLines: number;
}

export const nodeTestDetector: Detector = {
  id: 'node-test',
  description:
    'node:test and TAP failures (`not ok N - name` with YAML diagnostics, spec reporter `✖ name`), located by the test location.',
  categories: ['test_failure'],
  example: 'not ok 1 - adds two numbers',
  trigger: /not ok \d|✖ .+\(\d+(?:\.\d+)?m?s\)$|^✖ failing tests:/,
  start() {
    let open: OpenBlock | undefined;
    let inSummary = false;
    /** Spec `✖` lines with nothing under them, waiting for the "failing tests" list. */
    const bodiless: FailureDraft[] = [];
    /** The `test at file:line:col` line heading a block of the "failing tests" list. */
    let testAt: { n: number; file: string; line: number; column: number } | undefined;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      const { draft } = open;
      if (open.kind === 'spec' && inSummary) {
        // A block of the closing list: it explains a `✖` that had nothing under it, or repeats one.
        const waiting = bodiless.findIndex((earlier) => earlier.data?.test === draft.data?.test);
        if (draft.file === undefined && testAt !== undefined) {
          draft.file = testAt.file;
          draft.line = testAt.line;
          draft.column = testAt.column;
        }
        testAt = undefined;
        if (waiting >= 0 && open.bodyLines > 0) {
          bodiless.splice(waiting, 1);
          ctx.report(draft);
        }
        open = undefined;
        return;
      }
      if (open.kind === 'spec' && open.bodyLines === 0) {
        draft.confidence = 0.4;
        bodiless.push(draft);
      } else {
        ctx.report(draft);
      }
      open = undefined;
    };

    const begin = (line: LogLine, indent: number, name: string, kind: 'tap' | 'spec') => {
      open = {
        draft: {
          category: 'test_failure',
          tool: kind === 'spec' ? 'node:test' : 'tap',
          message: clip(line.text),
          logLines: [line.n, line.n],
          confidence: 0.92,
          data: { test: name.trim() },
        },
        indent,
        kind,
        wantErrorLine: false,
        inStack: false,
        bodyLines: 0,
      };
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (SPEC_SUMMARY.test(text)) {
          close(ctx);
          inSummary = true;
          return bodiless.length > 0;
        }
        if (inSummary) {
          const at = SUMMARY_TEST_AT.exec(text)?.groups;
          if (at?.file !== undefined) {
            close(ctx);
            testAt = { n: line.n, file: at.file, line: Number(at.line), column: Number(at.column) };
            return bodiless.length > 0;
          }
        }
        const tap = TAP_NOT_OK.exec(text)?.groups;
        const spec = tap ? undefined : SPEC_FAIL.exec(text)?.groups;

        if (open && !tap && !spec) {
          const indent = text.length - text.trimStart().length;
          const blank = text.trim() === '';
          if (open.kind === 'tap') {
            if (YAML_END.test(text)) {
              if (!open.inStack) open.draft.logLines[1] = line.n;
              close(ctx);
              return false;
            }
            if (!blank && indent <= open.indent) {
              close(ctx);
              return false;
            }
            if (YAML_STACK.test(text)) open.inStack = true;
            if (!open.inStack && !blank) open.draft.logLines[1] = line.n;
            const location = YAML_LOCATION.exec(text)?.groups;
            if (location?.file !== undefined) {
              open.draft.file = location.file;
              open.draft.line = Number(location.line);
              open.draft.column = Number(location.column);
            }
            if (/failureType: 'subtestsFailed'/.test(text)) open.draft.confidence = 0.4;
            if (/failureType: '\w+'/.test(text)) open.draft.tool = 'node:test';
            if (open.wantErrorLine && !blank) {
              open.draft.data = { ...open.draft.data, error: clip(text) };
              open.wantErrorLine = false;
            } else if (YAML_ERROR_BLOCK.test(text)) {
              open.wantErrorLine = true;
            } else {
              const inline = YAML_ERROR_INLINE.exec(text)?.groups?.error;
              if (inline !== undefined && open.draft.data?.error === undefined)
                open.draft.data = { ...open.draft.data, error: clip(inline) };
            }
            return open.draft.logLines[1] - open.draft.logLines[0] < 200;
          }
          if (!blank && indent <= open.indent) {
            close(ctx);
          } else {
            if (blank) return true;
            open.bodyLines++;
            const frame = FRAME.exec(text)?.groups;
            if (/^\s+at /.test(text)) open.inStack = true;
            if (!open.inStack) open.draft.logLines[1] = line.n;
            if (open.draft.data?.error === undefined) open.draft.data = { ...open.draft.data, error: clip(text) };
            if (frame?.file !== undefined && open.draft.file === undefined && !/node_modules|\/node:/.test(frame.file)) {
              open.draft.file = frame.file;
              open.draft.line = Number(frame.line);
              open.draft.column = Number(frame.column);
              open.draft.logLines[1] = line.n;
            }
            return open.bodyLines < 200;
          }
        }
        close(ctx);
        if (inSummary) {
          if (!spec || bodiless.length === 0) return bodiless.length > 0;
          begin(line, spec.indent?.length ?? 0, spec.name ?? '', 'spec');
          const draft = (open as OpenBlock | undefined)?.draft;
          if (draft && testAt && testAt.n >= line.n - 1) draft.logLines[0] = testAt.n;
          else testAt = undefined;
          return true;
        }
        if (tap && !TAP_DIRECTIVE.test(tap.name ?? '')) {
          begin(line, tap.indent?.length ?? 0, tap.name ?? '', 'tap');
          return true;
        }
        if (spec) {
          begin(line, spec.indent?.length ?? 0, spec.name ?? '', 'spec');
          return true;
        }
        return false;
      },
      end(ctx) {
        close(ctx);
        for (const draft of bodiless) ctx.report(draft);
        bodiless.length = 0;
      },
    };
  },
};
