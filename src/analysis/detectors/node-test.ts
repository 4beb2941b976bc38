import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';

/**
 * The Node.js test runner and other TAP producers: `not ok N - name` with its YAML diagnostics
 * (`location`, `error`, `failureType`), and the spec reporter's `✖ name (2.1ms)` with the indented
 * error under it. A suite whose only fault is its failed subtests (`failureType: 'subtestsFailed'`,
 * or a `✖` with nothing under it) is a wrapper. The spec reporter's closing "failing tests" list
 * repeats what was already read and is skipped.
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
const FRAME = /^\s+at (?:.*? \()?(?:file:\/\/)?(?<file>(?:[A-Za-z]:)?\/[^\s():]+\.\w+):(?<line>\d+):(?<column>\d+)\)?(?: \{)?$/;

function clip(text: string): string {
  return text.trim().slice(0, 500);
}

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
  description: 'node:test and TAP failures (`not ok N - name` with YAML diagnostics, spec reporter `✖ name`), located by the test location.',
  categories: ['test_failure'],
  example: 'not ok 1 - adds two numbers',
  trigger: /not ok \d|✖ .+\(\d+(?:\.\d+)?m?s\)$|^✖ failing tests:/,
  start() {
    let open: OpenBlock | undefined;
    let inSummary = false;

    const close = (ctx: DetectorContext) => {
      if (!open) return;
      if (open.kind === 'spec' && open.bodyLines === 0) open.draft.confidence = 0.4;
      ctx.report(open.draft);
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
          return false;
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
              if (inline !== undefined && open.draft.data?.error === undefined) open.draft.data = { ...open.draft.data, error: clip(inline) };
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
        if (inSummary) return false;
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
      },
    };
  },
};
