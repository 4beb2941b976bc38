import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * Ruby: RSpec failure blocks (`1) Thing does x` … `# ./spec/x_spec.rb:12`), files RSpec could not
 * load (`An error occurred while loading`), `rspec ./spec/x_spec.rb:12` rerun lines, Minitest
 * `Failure:`/`Error:` blocks, RuboCop offenses, Bundler resolution errors, and Ruby's own
 * SyntaxError / LoadError.
 */

const RSPEC_ITEM = /^\s{0,4}(?<index>\d+)\) (?<description>\S.*)$/;
const RSPEC_BACKTRACE = /^\s*#(?: (?<file>\.?\/?[^\s:]+\.rb):(?<line>\d+)|\s|$)/;
const RSPEC_RERUN = /^rspec (?<file>\.\/\S+_spec\.rb):(?<line>\d+) # (?<description>.*)$/;
const RSPEC_LOAD_ERROR = /^An error occurred while loading (?<file>\S+?)\.?$/;

// Minitest numbers its reports (`  1) Failure:`); minitest-reporters' default reporter prints a bare
// `Failure:` / `Error:` above the `TestClass#test_name [file.rb:12]` line.
const MINITEST_HEADER = /^\s*(?:(?<index>\d+)\) )?(?<kind>Failure|Error):$/;
// Minitest counts `runs`, minitest-reporters and test-unit count `tests`.
const MINITEST_TEST_NAME = /^\s*[A-Z][\w:]*#\S/;
const MINITEST_SUMMARY = /^\d+ (?:runs|tests), \d+ assertions, (?<failures>\d+) failures, (?<errors>\d+) errors/;

const RUBOCOP_OFFENSE =
  /^(?<file>[^\s:]+\.(?:rb|rake|gemspec|ru)|Gemfile|Rakefile):(?<line>\d+):(?<column>\d+): (?<severity>[CWEF]): (?:\[Correctable\] )?(?<message>.*)$/;

const SYNTAX_ERROR = /^(?:\s*)(?<file>(?:[A-Za-z]:)?\/?[^\s:]+\.rb):(?<line>\d+): syntax error,? (?<message>.*)$/;
const LOAD_ERROR = /cannot load such file -- (?<feature>\S+) \(LoadError\)|^(?:\S+: )?cannot load such file -- (?<feature2>\S+)/;

// Psych (Ruby's YAML) parse errors: `(<file>): <problem> at line 8 column 1`.
const YAML_ERROR = /^(?:\S+: )?\((?<file>[^()\s]+)\): (?<message>.+) at line (?<line>\d+) column (?<column>\d+)$/;
// `rake aborted!` is followed by the exception message on the next line.
const RAKE_ABORTED = /^rake aborted!$/;
const RAKE_MISSING_FILE = /^No Rakefile found|No such file or directory|Errno::ENOENT/;
const BUNDLER =
  /^(?:Could not find gem '(?<gem>[^']+)'|Bundler could not find compatible versions for gem "(?<gem2>[^"]+)"|Could not find (?<gem3>[\w.-]+)-[\d.]+ in any of the sources|Could not find compatible versions|Your bundle is locked to (?<gem4>\S+)|Bundler::GemNotFound)/;

interface RubyScan {
  blocks: BlockReader;
  /** The `rake aborted!` line just read: the exception message follows it. */
  rakeAbortedAt: number | undefined;
  inRspecFailures: boolean;
  sawSpecificFailure: boolean;
}

type RubyHandler = LineHandler<[scan: RubyScan, line: LogLine, ctx: DetectorContext]>;

/** An RSpec failure (or a spec file that did not load): its explanation, then the `# ./spec/x.rb:12` backtrace. */
function rspecBlock(draft: FailureDraft, maxLines: number): OpenBlock {
  let backtraceSeen = false;
  // Jasmine numbers its failures the same way, under `  Message:` and `  Stack:` headings.
  let jasmine = false;
  return {
    draft,
    finish: () => !jasmine,
    accepts(next) {
      const text = next.text;
      if (next.n - draft.logLines[0] > maxLines) return false;
      if (/^ {2}(?:Message|Stack):$/.test(text)) jasmine = true;
      const frame = RSPEC_BACKTRACE.exec(text);
      if (frame) {
        backtraceSeen = true;
        // The first frame in the project (not an installed gem) is where the example failed.
        const file = frame.groups?.file ?? '';
        if (file !== '' && draft.file === undefined && !/\/gems\/|\/ruby\/\d|\/rubygems\//.test(file)) {
          draft.file = file;
          draft.line = Number(frame.groups?.line);
        }
        draft.logLines[1] = next.n;
        return true;
      }
      if (text.trim() === '') return !backtraceSeen;
      if (backtraceSeen || RSPEC_ITEM.test(text) || RSPEC_RERUN.test(text)) return false;
      const syntax = SYNTAX_ERROR.exec(text);
      if (syntax) {
        draft.category = 'syntax_error';
        draft.file = syntax.groups?.file;
        draft.line = Number(syntax.groups?.line);
      }
      if (LOAD_ERROR.test(text) && draft.category === 'test_failure') draft.category = 'import_missing_module';
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** A Minitest `1) Failure:` block: the test name on the next line, then the message and `file.rb:12`. */
function minitestBlock(line: LogLine): OpenBlock {
  const text = line.text;
  // A bare `Failure:` is minitest-reporters' only when the test's `Class#test_name` follows it.
  let confirmed = MINITEST_HEADER.exec(text)?.groups?.index !== undefined;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'minitest',
    message: clip(text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  return {
    draft,
    accepts(next) {
      if (next.text.trim() === '' || MINITEST_HEADER.test(next.text) || next.n - draft.logLines[0] > 30) return false;
      if (draft.logLines[1] === line.n) {
        draft.message = clip(`${text.trim()} ${next.text.trim()}`);
        if (MINITEST_TEST_NAME.test(next.text)) confirmed = true;
      }
      const located = /\[?(?<file>[^\s:[]+\.rb):(?<line>\d+)\]?/.exec(next.text);
      if (located && draft.file === undefined) {
        draft.file = located.groups?.file;
        draft.line = Number(located.groups?.line);
      }
      draft.logLines[1] = next.n;
      return true;
    },
    finish: () => confirmed,
  };
}

/** A RuboCop offense, with the source line and the caret line it prints under it. */
function rubocopBlock(line: LogLine, offense: RegExpExecArray): OpenBlock {
  const text = line.text;
  const severity = offense.groups?.severity;
  const isSyntax = severity === 'F' || (severity === 'E' && /Lint\/Syntax/.test(text));
  const draft: FailureDraft = {
    category: isSyntax ? 'syntax_error' : 'lint_format',
    tool: 'rubocop',
    message: clip(offense.groups?.message ?? ''),
    file: offense.groups?.file,
    line: Number(offense.groups?.line),
    column: Number(offense.groups?.column),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  const cop = /^(?<cop>[A-Z]\w+\/\w+):/.exec(offense.groups?.message ?? '')?.groups?.cop;
  if (cop) draft.data = { cop };
  return {
    draft,
    accepts(next) {
      if (next.n - line.n > 2 || RUBOCOP_OFFENSE.test(next.text) || next.text.trim() === '') return false;
      draft.logLines[1] = next.n;
      return true;
    },
  };
}

/** A Bundler resolution error and the indented tree that explains the conflict under it. */
function bundlerBlock(line: LogLine, bundler: RegExpExecArray): OpenBlock {
  const gem = bundler.groups?.gem ?? bundler.groups?.gem2 ?? bundler.groups?.gem3 ?? bundler.groups?.gem4;
  const category: Category = 'dependency_resolution';
  const draft: FailureDraft = { category, tool: 'bundler', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.85 };
  if (gem) draft.data = { gem };
  return {
    draft,
    accepts(next) {
      // Bundler explains the conflict in an indented tree under the headline.
      if (next.n - draft.logLines[0] > 25 || !/^\s+\S|^\s*$|^Deleting|^Could not find/.test(next.text)) return false;
      if (next.text.trim() !== '') draft.logLines[1] = next.n;
      return true;
    },
  };
}

const failuresHeader: RubyHandler = (scan, line) => {
  if (!/^Failures:$/.test(line.text)) return undefined;
  scan.inRspecFailures = true;
  return false;
};

const rspecLoadError: RubyHandler = (scan, line, ctx) => {
  if (!RSPEC_LOAD_ERROR.test(line.text)) return undefined;
  scan.sawSpecificFailure = true;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'rspec',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.9,
  };
  return scan.blocks.open(rspecBlock(draft, 60), ctx);
};

const minitestHeader: RubyHandler = (scan, line, ctx) => {
  if (!MINITEST_HEADER.test(line.text)) return undefined;
  scan.sawSpecificFailure = true;
  return scan.blocks.open(minitestBlock(line), ctx);
};

const rspecItem: RubyHandler = (scan, line, ctx) => {
  if (!scan.inRspecFailures || !RSPEC_ITEM.test(line.text)) return undefined;
  scan.sawSpecificFailure = true;
  const draft: FailureDraft = {
    category: 'test_failure',
    tool: 'rspec',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.95,
  };
  return scan.blocks.open(rspecBlock(draft, 40), ctx);
};

const rspecRerun: RubyHandler = (scan, line, ctx) => {
  const rerun = RSPEC_RERUN.exec(line.text);
  if (!rerun) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'rspec',
    message: clip(line.text),
    file: rerun.groups?.file,
    line: Number(rerun.groups?.line),
    logLines: [line.n, line.n],
    confidence: scan.sawSpecificFailure ? 0.5 : 0.8,
  });
  return false;
};

const rubocopOffense: RubyHandler = (scan, line, ctx) => {
  const offense = RUBOCOP_OFFENSE.exec(line.text);
  // RuboCop prints the source line and a caret line under each offense.
  return offense ? scan.blocks.open(rubocopBlock(line, offense), ctx) : undefined;
};

/** The line right after `rake aborted!`: the exception that stopped the task. */
const rakeMessage: RubyHandler = (scan, line, ctx) => {
  const abortedAt = scan.rakeAbortedAt;
  if (abortedAt === undefined) return undefined;
  scan.rakeAbortedAt = undefined;
  const text = line.text;
  // `Command failed with status (N)` only restates that a shell command run by the task
  // failed; that command's own output, above, explains it.
  if (line.n !== abortedAt + 1 || text.trim() === '' || /^Command failed with status/.test(text)) return undefined;
  const missing = RAKE_MISSING_FILE.test(text);
  ctx.report({
    category: missing ? 'missing_file' : 'other',
    tool: 'rake',
    message: clip(text),
    logLines: [abortedAt, line.n],
    confidence: missing ? 0.8 : 0.5,
  });
  return true;
};

const rakeAborted: RubyHandler = (scan, line) => {
  if (!RAKE_ABORTED.test(line.text)) return undefined;
  scan.rakeAbortedAt = line.n;
  return true;
};

const yamlError: RubyHandler = (_scan, line, ctx) => {
  const yaml = YAML_ERROR.exec(line.text);
  if (!yaml) return undefined;
  ctx.report({
    category: 'syntax_error',
    tool: 'yaml',
    message: clip(line.text),
    file: yaml.groups?.file,
    line: Number(yaml.groups?.line),
    column: Number(yaml.groups?.column),
    logLines: [line.n, line.n],
    confidence: 0.85,
  });
  return true;
};

const syntaxError: RubyHandler = (_scan, line, ctx) => {
  const syntax = SYNTAX_ERROR.exec(line.text);
  if (!syntax) return undefined;
  ctx.report({
    category: 'syntax_error',
    tool: 'ruby',
    message: clip(line.text),
    file: syntax.groups?.file,
    line: Number(syntax.groups?.line),
    logLines: [line.n, line.n],
    confidence: 0.9,
  });
  return false;
};

const loadError: RubyHandler = (_scan, line, ctx) => {
  const load = LOAD_ERROR.exec(line.text);
  if (!load) return undefined;
  const feature = load.groups?.feature ?? load.groups?.feature2;
  ctx.report({
    category: 'import_missing_module',
    tool: 'ruby',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: 0.85,
    ...(feature ? { data: { feature } } : {}),
  });
  return false;
};

const bundlerError: RubyHandler = (scan, line, ctx) => {
  const bundler = BUNDLER.exec(line.text);
  return bundler ? scan.blocks.open(bundlerBlock(line, bundler), ctx) : undefined;
};

const minitestSummary: RubyHandler = (scan, line, ctx) => {
  const summary = MINITEST_SUMMARY.exec(line.text);
  if (!summary || (Number(summary.groups?.failures) === 0 && Number(summary.groups?.errors) === 0)) return undefined;
  ctx.report({
    category: 'test_failure',
    tool: 'minitest',
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: scan.sawSpecificFailure ? 0.3 : 0.6,
  });
  return false;
};

/** What a line can start, in this order; a line the open block takes never reaches them. */
const LINE_HANDLERS: readonly RubyHandler[] = [
  failuresHeader,
  rspecLoadError,
  minitestHeader,
  rspecItem,
  rspecRerun,
  rubocopOffense,
  rakeMessage,
  rakeAborted,
  yamlError,
  syntaxError,
  loadError,
  bundlerError,
  minitestSummary,
];

export const rubyDetector: Detector = {
  id: 'ruby',
  description:
    'RSpec and Minitest failures, RuboCop offenses, Bundler resolution errors, Ruby SyntaxError and LoadError, Psych YAML parse errors, `rake aborted!` messages.',
  categories: ['test_failure', 'syntax_error', 'import_missing_module', 'lint_format', 'dependency_resolution', 'missing_file', 'other'],
  example: 'rspec ./spec/models/user_spec.rb:12 # User validates the email',
  trigger:
    /^Failures:$|^\s{0,4}\d+\) \S|^rspec \.\/|^An error occurred while loading|(?:runs|tests), \d+ assertions|^\s*(?:\d+\) )?(?:Failure|Error):$|\.rb:\d+|: [CWEF]: |cannot load such file|Could not find|Bundler could not find|Your bundle is locked|Bundler::GemNotFound|^rake aborted!$| at line \d+ column \d+$/,
  start() {
    const scan: RubyScan = { blocks: new BlockReader(), rakeAbortedAt: undefined, inRspecFailures: false, sawSpecificFailure: false };
    return {
      line: (line, ctx) => scan.blocks.read(line, ctx) ?? firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => scan.blocks.close(ctx),
    };
  },
};
