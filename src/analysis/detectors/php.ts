import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * PHP: PHPUnit failure blocks (`There was 1 failure:` + `1) Class::test` … `/path/x.php:43`),
 * PHPStan tables (`Line   src/x.php` + `1174   msg`), PHP parse and fatal errors, and Composer's
 * `Your requirements could not be resolved` problems.
 */

const PHPUNIT_SECTION = /^There (?:was|were) \d+ (?<kind>failure|error|risky test|warning)s?:$/;
const PHPUNIT_ITEM = /^(?<index>\d+)\) (?<test>\S+::\S+|\S+)(?: with data set .*)?$/;
const PHPUNIT_LOCATION = /^(?<file>(?:[A-Za-z]:)?\/?[^\s:]+\.php):(?<line>\d+)$/;
const PHPUNIT_SUMMARY = /^(?:FAILURES!|ERRORS!)$|^Tests: \d+, Assertions: \d+, (?:Failures|Errors): \d+/;

const PHPSTAN_HEADER = /^\s*Line\s+(?<file>\S+\.php)\s*$/;
const PHPSTAN_ROW = /^\s*(?<line>\d+)\s{2,}(?<message>\S.*?)\s*$/;
const PHPSTAN_CONTINUATION = /^\s{3,}\S.*$/;
const PHPSTAN_RULE = /^\s*-{3,}\s+-{3,}\s*$/;
const PHPSTAN_TOTAL = /^\s*\[ERROR\] Found \d+ errors?/;

const PHP_ERROR =
  /^(?:PHP )?(?<kind>Parse error|Fatal error|Warning|Catchable fatal error):\s+(?<message>.*?) in (?<file>\S+\.php)(?: on line |:)(?<line>\d+)/;

const COMPOSER_UNRESOLVABLE =
  /^Your requirements could not be resolved to an installable set of packages\.|^Your lock file does not contain a compatible set of packages/;
const COMPOSER_PROBLEM = /^\s+- (?<message>.+)$/;

interface OpenBlock {
  draft: FailureDraft;
  /** A table header that never got a row: nothing to report. */
  empty?: boolean;
  accepts(line: LogLine): boolean;
}

export const phpDetector: Detector = {
  id: 'php',
  description: 'PHPUnit failures, PHPStan error tables, PHP parse/fatal errors and Composer resolution problems.',
  categories: ['test_failure', 'type_check', 'syntax_error', 'compilation_error', 'dependency_resolution', 'other'],
  example: 'PHP Parse error:  syntax error, unexpected end of file in /app/src/Kernel.php on line 42',
  trigger:
    /^There (?:was|were) \d+ |^\d+\) \S|^FAILURES!|^ERRORS!|^\s*Line\s+\S+\.php|error:|Fatal error|Your requirements could not be resolved|Your lock file does not contain|^Illegal switch '/,
  start() {
    let open: OpenBlock | undefined;
    let phpunitKind: string | undefined;
    let sawTestFailure = false;

    const close = (ctx: DetectorContext) => {
      if (open && !open.empty) ctx.report(open.draft);
      open = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.accepts(line)) return true;
          close(ctx);
        }

        // php-src's run-tests.php rejects an option it does not know and prints its usage.
        if (/^Illegal switch '[^']*' specified!$/.test(text)) {
          ctx.report({ category: 'other', tool: 'run-tests', message: clip(text), logLines: [line.n, line.n], confidence: 0.7 });
          return false;
        }

        const section = PHPUNIT_SECTION.exec(text);
        if (section) {
          phpunitKind = section.groups?.kind;
          return true;
        }

        const item = phpunitKind && (phpunitKind === 'failure' || phpunitKind === 'error') ? PHPUNIT_ITEM.exec(text) : null;
        if (item) {
          sawTestFailure = true;
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'phpunit',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { test: item.groups?.test },
          };
          let blankRun = 0;
          open = {
            draft,
            accepts(next) {
              // The block ends with the stack of `file.php:line` lines, then a blank line.
              if (PHPUNIT_ITEM.test(next.text) || PHPUNIT_SUMMARY.test(next.text) || next.n - draft.logLines[0] > 60) return false;
              const location = PHPUNIT_LOCATION.exec(next.text.trim());
              if (location) {
                if (draft.file === undefined) {
                  draft.file = location.groups?.file;
                  draft.line = Number(location.groups?.line);
                }
                draft.logLines[1] = next.n;
                blankRun = 0;
                return true;
              }
              if (next.text.trim() === '') {
                blankRun++;
                return draft.file === undefined && blankRun < 3;
              }
              if (draft.file !== undefined) return false;
              blankRun = 0;
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }
        if (phpunitKind && text.trim() === '') return true;

        if (PHPUNIT_SUMMARY.test(text)) {
          phpunitKind = undefined;
          ctx.report({
            category: 'test_failure',
            tool: 'phpunit',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: sawTestFailure ? 0.3 : 0.6,
          });
          return false;
        }

        const phpstan = PHPSTAN_HEADER.exec(text);
        if (phpstan) {
          const file = phpstan.groups?.file;
          let current: FailureDraft | undefined;
          const header = line.n;
          const draftFor = (n: number, row: RegExpExecArray): FailureDraft => ({
            category: 'type_check',
            tool: 'phpstan',
            message: clip(row.groups?.message ?? ''),
            file,
            line: Number(row.groups?.line),
            logLines: [n === header + 2 ? header : n, n],
            confidence: 0.9,
          });
          open = {
            empty: true,
            // A placeholder until the first row: replaced as rows arrive.
            draft: { category: 'type_check', tool: 'phpstan', message: clip(text), file, logLines: [line.n, line.n], confidence: 0.5 },
            accepts(next) {
              if (PHPSTAN_RULE.test(next.text)) return true;
              const row = PHPSTAN_ROW.exec(next.text);
              if (row) {
                if (current) ctx.report(current);
                current = draftFor(next.n, row);
                this.draft = current;
                this.empty = false;
                return true;
              }
              if (current && PHPSTAN_CONTINUATION.test(next.text)) {
                current.message = clip(`${current.message} ${next.text.trim()}`);
                current.logLines[1] = next.n;
                return true;
              }
              return false;
            },
          };
          return true;
        }
        if (PHPSTAN_TOTAL.test(text)) return false;

        const phpError = PHP_ERROR.exec(text);
        if (phpError) {
          const kind = phpError.groups?.kind ?? '';
          if (kind === 'Warning') return false;
          const isParse = kind === 'Parse error';
          ctx.report({
            category: isParse ? 'syntax_error' : 'compilation_error',
            tool: 'php',
            message: clip(text),
            file: phpError.groups?.file,
            line: Number(phpError.groups?.line),
            logLines: [line.n, line.n],
            confidence: isParse ? 0.95 : 0.7,
          });
          return false;
        }

        if (COMPOSER_UNRESOLVABLE.test(text)) {
          const draft: FailureDraft = {
            category: 'dependency_resolution',
            tool: 'composer',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          open = {
            draft,
            accepts(next) {
              if (next.n - draft.logLines[0] > 40) return false;
              if (/^\s*Problem \d+$/.test(next.text) || next.text.trim() === '') return true;
              const problem = COMPOSER_PROBLEM.exec(next.text);
              if (!problem) return false;
              // The first problem line is the one that names the conflict; use it as the message.
              if (draft.message.startsWith('Your ')) {
                draft.message = clip(`${problem.groups?.message ?? ''}`);
                draft.logLines[0] = next.n;
              }
              draft.logLines[1] = next.n;
              return true;
            },
          };
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
