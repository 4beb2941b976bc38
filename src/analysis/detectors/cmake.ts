import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Native build drivers: CMake configure errors (`CMake Error at CMakeLists.txt:12 (message):` and
 * its indented explanation; `Could NOT find X` is a missing library), CTest failures, Ninja
 * `FAILED: obj/x.o` and Make `*** [x] Error 1` lines. The driver lines only say that something
 * under them failed, so they get a low confidence and the compiler's own line wins.
 */

const CMAKE_ERROR = /^CMake Error(?: at (?<file>[^\s:]+):(?<line>\d+))?(?: \((?<command>\w+)\))?:?\s*(?<message>.*)$/;
const CMAKE_BODY = /^\s{2,}\S|^Call Stack \(most recent call first\):$|^\s*$/;
const MISSING_PACKAGE =
  /Could NOT find (?<pkg>\S+)|Could not find a package configuration file provided by "(?<pkg2>[^"]+)"|No package '(?<pkg3>[^']+)' found|Package '(?<pkg4>[^']+)', required by '[^']*', not found/;
const CTEST_SUMMARY = /^\d+% tests passed, (?<failed>\d+) tests? failed out of \d+/;
const CTEST_FAILED_LIST = /^The following tests FAILED:$/;
const CTEST_ITEM = /^\s+\d+ - (?<test>\S+) \((?<why>Failed|SEGFAULT|Timeout|Subprocess aborted|Exception|Not Run)\)/;
const NINJA_FAILED = /^\s*FAILED: (?:\[code=\d+\] )?(?<target>\S+)/;
const MAKE_ERROR =
  /^(?:g?make(?:\[\d+\])?: \*\*\* \[(?<target>[^\]]+)\] Error \d+|g?make(?:\[\d+\])?: \*\*\* No rule to make target '(?<missing>[^']+)')/;

/** What a failed Make target most likely was, from its name alone. */
function makeTargetCategory(target: string): Category {
  if (/lint|format|fmt|style/i.test(target)) return 'lint_format';
  if (/test|check|spec/i.test(target)) return 'test_failure';
  if (/\.(?:o|obj|a|so|lib|dll|exe|bin|app|elf)$|^(?:all|build|compile)$/i.test(target)) return 'compilation_error';
  return 'other';
}

export const cmakeDetector: Detector = {
  id: 'cmake',
  description: 'CMake configure errors, CTest failures, and Ninja/Make target failures (low confidence wrappers).',
  categories: ['compilation_error', 'import_missing_module', 'test_failure', 'missing_file', 'lint_format', 'other'],
  example: 'CMake Error at CMakeLists.txt:46 (find_package):',
  trigger: /^CMake Error|tests? failed out of|^The following tests FAILED|FAILED: |make(?:\[\d+\])?: \*\*\*/,
  start() {
    let open: { draft: FailureDraft; accepts(line: LogLine): boolean } | undefined;
    let inCtestList = false;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open.draft);
      open = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.accepts(line)) return true;
          close(ctx);
        }
        if (inCtestList) {
          const item = CTEST_ITEM.exec(text);
          if (item) {
            ctx.report({
              category: 'test_failure',
              tool: 'ctest',
              message: clip(text),
              logLines: [line.n, line.n],
              confidence: 0.85,
              data: { test: item.groups?.test },
            });
            return true;
          }
          inCtestList = false;
        }

        const cmake = CMAKE_ERROR.exec(text);
        if (cmake) {
          const draft: FailureDraft = {
            category: 'compilation_error',
            tool: 'cmake',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.85,
          };
          if (cmake.groups?.file) {
            draft.file = cmake.groups.file;
            draft.line = Number(cmake.groups.line);
          }
          let explained = false;
          open = {
            draft,
            accepts(next) {
              if (!CMAKE_BODY.test(next.text) || next.n - draft.logLines[0] > 30) return false;
              if (next.text.trim() === '') return !explained || next.n - draft.logLines[1] < 2;
              const missing = MISSING_PACKAGE.exec(next.text);
              if (missing) {
                const pkg = missing.groups?.pkg ?? missing.groups?.pkg2 ?? missing.groups?.pkg3 ?? missing.groups?.pkg4;
                draft.category = 'import_missing_module';
                draft.data = { package: pkg };
              }
              if (!explained && /^\s{2,}\S/.test(next.text)) draft.message = clip(`${text.trim()} ${next.text.trim()}`);
              explained = true;
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        if (CTEST_FAILED_LIST.test(text)) {
          inCtestList = true;
          return true;
        }
        const summary = CTEST_SUMMARY.exec(text);
        if (summary) {
          ctx.report({ category: 'test_failure', tool: 'ctest', message: clip(text), logLines: [line.n, line.n], confidence: 0.6 });
          return false;
        }

        const ninja = NINJA_FAILED.exec(text);
        if (ninja) {
          ctx.report({
            category: 'compilation_error',
            tool: 'ninja',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.35,
            data: { target: ninja.groups?.target },
          });
          return false;
        }
        const make = MAKE_ERROR.exec(text);
        if (make) {
          const missing = make.groups?.missing;
          ctx.report({
            category: missing ? 'missing_file' : makeTargetCategory(make.groups?.target ?? ''),
            tool: 'make',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: missing ? 0.8 : 0.2,
            ...(missing ? { file: missing } : {}),
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
