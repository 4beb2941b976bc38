import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * The JVM build family: javac (plain and through Maven), kotlinc, scalac/sbt, Maven goals
 * (compiler, surefire, checkstyle, spotless, enforcer, dependency resolution) and Gradle (task
 * failures, `What went wrong`, test `X > y FAILED` blocks).
 */

const MAVEN_LEVEL = /^\[(?:ERROR|WARNING|INFO)\] ?/;

// `[ERROR] /path/X.java:[12,5] msg` (maven-compiler-plugin, also checkstyle with a `(group) Rule:` message).
const MAVEN_LOCATED =
  /^\[ERROR\] (?<file>(?:[A-Za-z]:)?[^\s[]+\.(?:java|kt|scala|groovy)):\[(?<line>\d+)(?:,(?<column>\d+))?\] (?<message>.*)$/;
// javac without Maven: `X.java:12: error: msg`.
const JAVAC = /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.java):(?<line>\d+): error: (?<message>.*)$/;
// kotlinc: `e: /path/x.kt: (12, 5): msg` or `e: file:///path/x.kt:12:5 msg`.
const KOTLIN =
  /^e: (?:file:\/\/)?(?<file>[^\s:]+\.kts?)(?:: \((?<line>\d+), (?<column>\d+)\):|:(?<line2>\d+):(?<column2>\d+)) (?<message>.*)$/;
// scalac through sbt: `[error] /path/X.scala:12:5: msg` (older sbt: `X.scala:12: msg`).
const SBT_LOCATED = /^\[error\] (?<file>(?:[A-Za-z]:)?[^\s:]+\.(?:scala|java|sc)):(?<line>\d+):(?:(?<column>\d+):)? (?<message>.*)$/;
const SBT_CONTINUATION = /^\[error\] (?!\S+\.(?:scala|java|sc):\d)(?!\(|Total time|\d+ errors? found|\w+ errors? found)/;

const DEPENDENCY =
  /(?:unresolved dependency: |Could not resolve dependencies for project |Could not find artifact |Could not resolve all (?:files|dependencies|artifacts) for configuration |Could not find (?<gradleArtifact>[\w.-]+:[\w.-]+:[\w.+-]+)\.|Could not transfer artifact |Failed to collect dependencies|Non-resolvable (?:parent|import) POM|Dependency convergence error)/;
const STACK_FRAME = /^\s+at \S+\(.*\)$|^\s+\.\.\. \d+ more$|^\s*Caused by: /;

const SUREFIRE_TEST = /^\[ERROR\] (?<method>[\w$]+)(?:\((?<cls>[\w.$]+)\)|\s*$)?.*Time elapsed: .*<<< (?<kind>FAILURE|ERROR)!$/;
const SUREFIRE_CLASS =
  /^\[ERROR\] Tests run: \d+, Failures: (?<failures>\d+), Errors: (?<errors>\d+).*<<< (?:FAILURE|ERROR)! -? ?(?:in )?(?<cls>\S+)?/;
const SUREFIRE_NEW = /^\[ERROR\] (?<cls>[\w.$]+)\.(?<method>[\w$]+)(?:\(\))?\s+(?:--\s+)?Time elapsed: .*<<< (?<kind>FAILURE|ERROR)!$/;

const GRADLE_TEST = /^(?<cls>[\w.$]+) > (?<method>.+?) FAILED$/;
const GRADLE_SHORT_LOCATION = /^\s+\S+ at (?<file>[\w$]+\.(?:java|kt|groovy|scala)):(?<line>\d+)$/;
const GRADLE_TASK_FAILED = /^> Task (?<task>:\S+) FAILED$/;
const GRADLE_EXECUTION_FAILED = /^Execution failed for task '(?<task>:[^']+)'\.$/;

const MAVEN_GOAL_FAILED = /^\[ERROR\] Failed to execute goal (?<plugin>\S+)/;
const SPOTLESS =
  /The following files had format violations:|spotless:\S+ \(.*\) on project|Run 'mvn spotless:apply' to fix|Run '(?:gradlew|gradle) :?\S*spotlessApply' to fix/;
const CHECKSTYLE = /You have \d+ Checkstyle violations?|There (?:is|are) \d+ errors? reported by Checkstyle|\[checkstyle\] .*\.java:\d+/;

const LINT_TASK = /checkstyle|spotless|ktlint|detekt|lint|pmd|spotbugs|projectHealth|apiCheck|ktfmt|format/i;
const TEST_TASK = /test/i;
const COMPILE_TASK = /compile/i;

function taskCategory(task: string): Category {
  if (LINT_TASK.test(task)) return 'lint_format';
  if (COMPILE_TASK.test(task)) return 'compilation_error';
  if (TEST_TASK.test(task)) return 'test_failure';
  return 'other';
}

function pluginCategory(plugin: string): Category | undefined {
  if (/checkstyle|spotless|pmd|spotbugs|fmt-maven|ktlint|detekt|formatter|license/.test(plugin)) return 'lint_format';
  if (/maven-compiler|kotlin-maven|scala-maven/.test(plugin)) return 'compilation_error';
  if (/surefire|failsafe/.test(plugin)) return 'test_failure';
  if (/enforcer|dependency/.test(plugin)) return 'dependency_resolution';
  return undefined;
}

/** A Java exception block (exception line + `at` frames) after a failed test header. */
function testBlock(draft: FailureDraft, testClass: string | undefined, maxLines: number): OpenBlock {
  const simpleClass = testClass?.split('.').pop()?.split('$')[0];
  let exceptionSeen = false;
  return {
    draft,
    accepts(next) {
      const text = next.text;
      if (next.n - draft.logLines[0] > maxLines) return false;
      if (text.trim() === '') return !exceptionSeen;
      const isFrame = STACK_FRAME.test(text);
      if (!isFrame && exceptionSeen && !/^\s/.test(text)) return false;
      if (!isFrame && !exceptionSeen) {
        if (MAVEN_LEVEL.test(text) && !/^\[ERROR\]\s+\S/.test(text)) return false;
        exceptionSeen = true;
        if (/NoSuchFileException|FileNotFoundException/.test(text)) draft.category = 'missing_file';
        if (draft.message.endsWith('FAILED') || draft.message.includes('<<<')) draft.message = clip(`${draft.message} ${text.trim()}`);
      }
      const short = GRADLE_SHORT_LOCATION.exec(text);
      if (short && draft.file === undefined) {
        draft.file = short.groups?.file;
        draft.line = Number(short.groups?.line);
      }
      // The first frame in the test class's own file is where the assertion failed.
      const frame = /\((?<file>[\w$]+\.(?:java|kt|groovy|scala)):(?<line>\d+)\)$/.exec(text);
      if (frame && draft.file === undefined && simpleClass && frame.groups?.file?.startsWith(`${simpleClass}.`)) {
        draft.file = frame.groups.file;
        draft.line = Number(frame.groups.line);
      }
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

interface JvmScan {
  blocks: BlockReader;
  sawSpecificFailure: boolean;
}

type JvmHandler = LineHandler<[scan: JvmScan, line: LogLine, ctx: DetectorContext]>;

/** A compiler error and the explanation lines right under it that `continuation` accepts. */
function compilerBlock(draft: FailureDraft, continuation: (text: string) => boolean): OpenBlock {
  return {
    draft,
    accepts(next) {
      if (!continuation(next.text) || next.n - draft.logLines[1] > 1 || next.n - draft.logLines[0] > 12) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** A located compiler error: javac (plain or through Maven), kotlinc, scalac/sbt, or a checkstyle violation. */
function locatedBlock(line: LogLine, located: RegExpExecArray): OpenBlock {
  const text = line.text;
  const groups = located.groups ?? {};
  const message = clip(groups.message ?? '');
  const isCheckstyle = /^\(\w+\) \w+:/.test(message);
  const draft: FailureDraft = {
    category: isCheckstyle ? 'lint_format' : 'compilation_error',
    tool: isCheckstyle ? 'checkstyle' : text.startsWith('[error]') ? 'scalac' : text.startsWith('e: ') ? 'kotlinc' : 'javac',
    message,
    file: groups.file,
    line: Number(groups.line ?? groups.line2),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  const column = groups.column ?? groups.column2;
  if (column) draft.column = Number(column);
  if (text.startsWith('[error]')) return compilerBlock(draft, (next) => SBT_CONTINUATION.test(next));
  // javac's explanation lines under a Maven error carry no level prefix.
  if (text.startsWith('[ERROR]')) return compilerBlock(draft, (next) => next.trim() !== '' && !/^\[|^\S+\.java:/.test(next));
  return compilerBlock(draft, (next) => /^\s/.test(next) && next.trim() !== '');
}

/** A dependency that did not resolve, with the resolver's stack trace and Gradle's `> Could not find x` lines. */
function dependencyBlock(line: LogLine, dependency: RegExpExecArray): OpenBlock {
  const text = line.text;
  const draft: FailureDraft = {
    category: 'dependency_resolution',
    tool: /^\[(?:ERROR|INFO|WARNING)\]/.test(text) ? 'maven' : /sbt\.|^\[error\]/.test(text) ? 'sbt' : 'gradle',
    message: clip(text.replace(MAVEN_LEVEL, '')),
    logLines: [line.n, line.n],
    confidence: 0.97,
  };
  const artifact = dependency.groups?.gradleArtifact;
  if (artifact) draft.data = { artifact };
  return {
    draft,
    accepts(next) {
      // The resolver's stack trace and Gradle's `> Could not find x` lines explain the same failure.
      if (next.n - draft.logLines[0] > 120) return false;
      if (!(
        STACK_FRAME.test(next.text) ||
        /^\s*(?:> |- |Required by:|\s+project :|Searched in the following locations:|\s+- https?:)/.test(next.text)
      ))
        return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** Spotless's or Checkstyle's headline and the files and diff it lists under it. */
function formatCheckBlock(line: LogLine): OpenBlock {
  const text = line.text;
  const draft: FailureDraft = {
    category: 'lint_format',
    tool: SPOTLESS.test(text) ? 'spotless' : 'checkstyle',
    message: clip(text.replace(MAVEN_LEVEL, '')),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  return {
    draft,
    accepts(next) {
      // Spotless lists the files and the diff under the header.
      if (next.n - draft.logLines[0] > 30 || !/^(?:\[ERROR\])?\s+\S/.test(next.text)) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** Gradle's `Execution failed for task ':x'.` and the `> reason` lines under it. */
function executionFailedBlock(scan: JvmScan, line: LogLine, task: string): OpenBlock {
  const draft: FailureDraft = {
    category: taskCategory(task),
    tool: 'gradle',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: LINT_TASK.test(task) ? 0.75 : scan.sawSpecificFailure ? 0.3 : 0.5,
    data: { task },
  };
  return {
    draft,
    accepts(next) {
      if (!/^\s*> /.test(next.text) || next.n - draft.logLines[0] > 6) return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

const located: JvmHandler = (scan, line, ctx) => {
  const text = line.text;
  const match = MAVEN_LOCATED.exec(text) ?? JAVAC.exec(text) ?? SBT_LOCATED.exec(text) ?? KOTLIN.exec(text);
  if (!match) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(locatedBlock(line, match), ctx);
};

const dependency: JvmHandler = (scan, line, ctx) => {
  const match = DEPENDENCY.exec(line.text);
  if (!match) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(dependencyBlock(line, match), ctx);
};

const surefireTest: JvmHandler = (scan, line, ctx) => {
  const surefire = SUREFIRE_NEW.exec(line.text) ?? SUREFIRE_TEST.exec(line.text);
  if (!surefire) return undefined;
  scan.sawSpecificFailure = true;
  const cls = surefire.groups?.cls;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'surefire',
    message: clip(line.text.replace(MAVEN_LEVEL, '')),
    logLines: [line.n, line.n],
    confidence: 0.9,
    data: { test: cls ? `${cls}.${surefire.groups?.method}` : surefire.groups?.method },
  };
  return scan.blocks.open(testBlock(draft, cls, 25), ctx);
};

const gradleTest: JvmHandler = (scan, line, ctx) => {
  const text = line.text;
  const match = GRADLE_TEST.exec(text);
  if (!match || text.startsWith('> Task')) return undefined;
  scan.sawSpecificFailure = true;
  const cls = match.groups?.cls;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'gradle test',
    message: clip(text),
    logLines: [line.n, line.n],
    confidence: 0.9,
    data: { test: `${cls} > ${match.groups?.method}` },
  };
  return scan.blocks.open(testBlock(draft, cls, 25), ctx);
};

const surefireClass: JvmHandler = (_scan, line, ctx) => {
  if (!SUREFIRE_CLASS.test(line.text)) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'surefire',
    message: clip(line.text.replace(MAVEN_LEVEL, '')),
    logLines: [line.n, line.n],
    confidence: 0.6,
  });
  return false;
};

const formatCheck: JvmHandler = (scan, line, ctx) =>
  SPOTLESS.test(line.text) || CHECKSTYLE.test(line.text) ? scan.blocks.open(formatCheckBlock(line), ctx) : undefined;

const executionFailed: JvmHandler = (scan, line, ctx) => {
  const execution = GRADLE_EXECUTION_FAILED.exec(line.text);
  if (!execution) return undefined;
  return scan.blocks.open(executionFailedBlock(scan, line, execution.groups?.task ?? ''), ctx);
};

const taskFailed: JvmHandler = (scan, line, ctx) => {
  const match = GRADLE_TASK_FAILED.exec(line.text);
  if (!match) return undefined;
  const task = match.groups?.task ?? '';
  ctx.report({
    category: taskCategory(task),
    tool: 'gradle',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: LINT_TASK.test(task) ? 0.6 : scan.sawSpecificFailure ? 0.25 : 0.45,
    data: { task },
  });
  return false;
};

const goalFailed: JvmHandler = (scan, line, ctx) => {
  const goal = MAVEN_GOAL_FAILED.exec(line.text);
  if (!goal) return undefined;
  const plugin = goal.groups?.plugin ?? '';
  const category = pluginCategory(plugin);
  if (category) {
    ctx.report({
      category,
      tool: 'maven',
      message: clip(line.text.replace(MAVEN_LEVEL, '')),
      logLines: [line.n, line.n],
      confidence: scan.sawSpecificFailure ? 0.3 : 0.55,
      data: { plugin },
    });
  }
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly JvmHandler[] = [
  located,
  dependency,
  surefireTest,
  gradleTest,
  surefireClass,
  formatCheck,
  executionFailed,
  taskFailed,
  goalFailed,
];

export const jvmDetector: Detector = {
  id: 'jvm',
  description: 'javac, kotlinc, scalac/sbt, Maven (compiler, surefire, checkstyle, spotless, enforcer, resolution) and Gradle failures.',
  categories: ['compilation_error', 'test_failure', 'lint_format', 'dependency_resolution', 'missing_file', 'other'],
  example: '[ERROR] /home/runner/work/app/src/main/java/App.java:[42,46] cannot find symbol',
  trigger:
    /^\[ERROR\]|^\[error\]|\.java:\d+: error: |^e: |unresolved dependency|Could not (?:resolve|find|transfer)|Failed to collect dependencies|Non-resolvable|Dependency convergence| FAILED$|^Execution failed for task|format violations|spotless|Checkstyle|\[checkstyle\]/,
  start() {
    const scan: JvmScan = { blocks: new BlockReader(), sawSpecificFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
