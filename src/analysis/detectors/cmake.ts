import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

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

interface CmakeScan {
  blocks: BlockReader;
  /** Inside CTest's `The following tests FAILED:` list. */
  inCtestList: boolean;
}

type CmakeHandler = LineHandler<[scan: CmakeScan, line: LogLine, ctx: DetectorContext]>;

/** `CMake Error at CMakeLists.txt:12 (message):` and its indented explanation (a missing package, …). */
function cmakeErrorBlock(line: LogLine, cmake: RegExpExecArray): OpenBlock {
  const text = line.text;
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
  return {
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
}

/** An item of CTest's failed list; the list ends at the first line that is not one. */
const ctestItem: CmakeHandler = (scan, line, ctx) => {
  if (!scan.inCtestList) return undefined;
  const item = CTEST_ITEM.exec(line.text);
  if (!item) {
    scan.inCtestList = false;
    return undefined;
  }
  ctx.report({
    category: 'test_failure',
    tool: 'ctest',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.85,
    data: { test: item.groups?.test },
  });
  return true;
};

const cmakeError: CmakeHandler = (scan, line, ctx) => {
  const cmake = CMAKE_ERROR.exec(line.text);
  return cmake ? scan.blocks.open(cmakeErrorBlock(line, cmake), ctx) : undefined;
};

const ctestFailedList: CmakeHandler = (scan, line) => {
  if (!CTEST_FAILED_LIST.test(line.text)) return undefined;
  scan.inCtestList = true;
  return true;
};

const ctestSummary: CmakeHandler = (_scan, line, ctx) => {
  if (!CTEST_SUMMARY.test(line.text)) return undefined;
  ctx.report({ category: 'test_failure', tool: 'ctest', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.6 });
  return false;
};

const ninjaFailed: CmakeHandler = (_scan, line, ctx) => {
  const ninja = NINJA_FAILED.exec(line.text);
  if (!ninja) return undefined;
  ctx.report({
    category: 'compilation_error',
    tool: 'ninja',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.35,
    data: { target: ninja.groups?.target },
  });
  return false;
};

const makeError: CmakeHandler = (_scan, line, ctx) => {
  const make = MAKE_ERROR.exec(line.text);
  if (!make) return undefined;
  const missing = make.groups?.missing;
  ctx.report({
    category: missing ? 'missing_file' : makeTargetCategory(make.groups?.target ?? ''),
    tool: 'make',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: missing ? 0.8 : 0.2,
    ...(missing ? { file: missing } : {}),
  });
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly CmakeHandler[] = [ctestItem, cmakeError, ctestFailedList, ctestSummary, ninjaFailed, makeError];

export const cmakeDetector: Detector = {
  id: 'cmake',
  description: 'CMake configure errors, CTest failures, and Ninja/Make target failures (low confidence wrappers).',
  categories: ['compilation_error', 'import_missing_module', 'test_failure', 'missing_file', 'lint_format', 'other'],
  example: 'CMake Error at CMakeLists.txt:46 (find_package):',
  trigger: /^CMake Error|tests? failed out of|^The following tests FAILED|FAILED: |make(?:\[\d+\])?: \*\*\*/,
  start() {
    const scan: CmakeScan = { blocks: new BlockReader(), inCtestList: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
