import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Swift and Xcode: swiftc diagnostics (`x.swift:12:5: error: msg`), the same through xcpretty
 * (`❌  /path/x.swift:12:5: msg`), missing build inputs, XCTest assertion failures and the
 * `** BUILD FAILED **` / `** TEST FAILED **` trailers.
 */

const SWIFTC = /^(?<file>(?:[A-Za-z]:)?\/?[^\s:]+\.swift):(?<line>\d+):(?<column>\d+): (?<severity>error|warning): (?<message>.*)$/;
// xcpretty drops the severity word; Travis progress output can leave a few characters before the mark.
const XCPRETTY = /❌\s+(?<file>\/?[^\s:]+\.(?:swift|m|mm|h|c|cpp)):(?<line>\d+):(?<column>\d+): (?<message>.*)$/;
// Other tools print ❌ too; only xcpretty's own error lines carry a compiler/linker prefix.
const XCPRETTY_PLAIN = /❌\s+(?<message>(?:error|ld|clang|fatal error): .*)$/;
const MISSING_INPUT = /Build input file cannot be found: '(?<file>[^']+)'/;
const XCTEST = /^(?<file>\/?[^\s:]+\.swift):(?<line>\d+): error: -\[(?<test>[^\]]+)\] : (?<message>.*)$/;
const TRAILER = /^\*\* (?<what>BUILD|TEST|TEST BUILD|ARCHIVE) FAILED \*\*$/;
const SWIFTLINT = /^(?<file>\/?[^\s:]+\.swift):(?<line>\d+):(?:(?<column>\d+):)? (?:error|warning): .*\((?<rule>[a-z_]+)\)$/;

export const swiftDetector: Detector = {
  id: 'swift',
  description: 'swiftc and xcodebuild/xcpretty errors, missing build inputs, XCTest failures, SwiftLint and BUILD/TEST FAILED trailers.',
  categories: ['compilation_error', 'missing_file', 'test_failure', 'lint_format'],
  example: "/Users/runner/work/App/Sources/App/View.swift:47:19: error: 'value' is inaccessible due to 'internal' protection level",
  trigger: /\.swift:\d|❌|Build input file cannot be found|^\*\* [A-Z ]+ FAILED \*\*/,
  start() {
    let open: FailureDraft | undefined;
    let sawSpecificFailure = false;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };
    // Snippet and caret lines follow a diagnostic, with blank or progress lines in between under xcpretty.
    const continues = (line: LogLine): boolean => {
      if (!open || line.n - open.logLines[1] > 6) return false;
      if (/^\s*[~^][~^\s]*$/.test(line.text) || /^\S{0,3}\s+\S/.test(line.text)) {
        open.logLines[1] = line.n;
        return true;
      }
      return line.text.trim() === '' || /^\S{0,3}$/.test(line.text.trim()) || /^\S{0,3}\s+\S/.test(line.text);
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (continues(line)) return true;
        close(ctx);

        const missing = MISSING_INPUT.exec(text);
        if (missing) {
          sawSpecificFailure = true;
          ctx.report({
            category: 'missing_file',
            tool: 'xcodebuild',
            message: clip(text.replace(/^.*?❌\s+/, '')),
            file: missing.groups?.file,
            logLines: [line.n, line.n],
            confidence: 0.9,
          });
          return false;
        }

        const lint = SWIFTLINT.exec(text);
        if (lint) {
          sawSpecificFailure = true;
          const draft: FailureDraft = {
            category: 'lint_format',
            tool: 'swiftlint',
            message: clip(text.slice(text.indexOf(': ') + 2)),
            file: lint.groups?.file,
            line: Number(lint.groups?.line),
            logLines: [line.n, line.n],
            confidence: 0.85,
            data: { rule: lint.groups?.rule },
          };
          if (lint.groups?.column) draft.column = Number(lint.groups.column);
          ctx.report(draft);
          return false;
        }

        const xctest = XCTEST.exec(text);
        if (xctest) {
          sawSpecificFailure = true;
          ctx.report({
            category: 'test_failure',
            tool: 'xctest',
            message: clip(xctest.groups?.message ?? text),
            file: xctest.groups?.file,
            line: Number(xctest.groups?.line),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { test: xctest.groups?.test },
          });
          return false;
        }

        const diagnostic = SWIFTC.exec(text) ?? XCPRETTY.exec(text);
        if (diagnostic) {
          const severity = diagnostic.groups?.severity;
          if (severity === 'warning') return false;
          sawSpecificFailure = true;
          open = {
            category: 'compilation_error',
            tool: 'swiftc',
            message: clip(diagnostic.groups?.message ?? ''),
            file: diagnostic.groups?.file,
            line: Number(diagnostic.groups?.line),
            column: Number(diagnostic.groups?.column),
            logLines: [line.n, line.n],
            confidence: 0.95,
          };
          return true;
        }

        const trailer = TRAILER.exec(text);
        if (trailer) {
          const isTest = trailer.groups?.what === 'TEST';
          ctx.report({
            category: isTest ? 'test_failure' : 'compilation_error',
            tool: 'xcodebuild',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: sawSpecificFailure ? 0.25 : 0.5,
          });
          return false;
        }

        const plain = XCPRETTY_PLAIN.exec(text);
        if (plain && (plain.groups?.message ?? '').trim() !== '') {
          ctx.report({
            category: 'compilation_error',
            tool: 'xcodebuild',
            message: clip(plain.groups?.message ?? ''),
            logLines: [line.n, line.n],
            confidence: 0.6,
          });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
