import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip, firstAnswer, type LineHandler } from '../detector-helpers.js';

/**
 * Python tracebacks: `Traceback (most recent call last):`, its `File "x.py", line N` frames and the
 * closing `XxxError: msg` line, read as one failure per exception chain. The exception type decides
 * the category (ModuleNotFoundError → import_missing_module, SyntaxError → syntax_error,
 * FileNotFoundError → missing_file, timeouts → network_infra_timeout …). Bare
 * `ModuleNotFoundError: …` / `SyntaxError: …` / `[Errno 2] No such file or directory` lines that no
 * traceback introduces are reported too. Test runners (pytest, unittest) read their own blocks with
 * higher confidence; this is the fallback for scripts, imports and tools that crash.
 */

export interface PythonFrame {
  file: string;
  line: number;
  /** Raw line number of the `File "…"` line. */
  n: number;
  /** First source line printed under the frame, trimmed. */
  code?: string;
}

export interface PythonExceptionFacts {
  category: Category;
  data?: Record<string, unknown>;
  /** A file the message itself names (ImportError `(…/x.py)`, FileNotFoundError path is data, not this). */
  file?: string;
}

// The whole name, up to its closing quote (Python 3) or the end of the word (Python 2's unquoted
// form): a prefix of a name with other characters in it (`'x; touch …'`, `'ya\0ml'`) is not a module.
const NO_MODULE = /No module named (?:'(?<module>[A-Za-z_][\w.]*)'|(?<bare>[A-Za-z_][\w.]*)(?=\s|$))/;
const CANNOT_IMPORT = /cannot import name '(?<name>[^']+)' from '(?<from>[^']+)'(?: \((?<path>[^)]+)\))?/;
const NO_SUCH_FILE = /\[Errno 2\] No such file or directory: '(?<path>[^']+)'/;

const NETWORK_TYPES =
  /(?:^|\.)(?:TimeoutError|TimeoutExpired|timeout|ConnectionError|ConnectionRefusedError|ConnectionResetError|ConnectionAbortedError|RemoteDisconnected|URLError|HTTPError|ReadTimeout|ConnectTimeout|ReadTimeoutError|ConnectTimeoutError|MaxRetryError|ProxyError|SSLError|NewConnectionError|gaierror|ClientConnectorError|ServerDisconnectedError|RateLimitExceededException)$/;
const NETWORK_MESSAGE =
  /couldn't connect to|Connection refused|Connection reset|timed out|Temporary failure in name resolution|Name or service not known|Network is unreachable|Max retries exceeded|rate limit exceeded|503 Service Unavailable|502 Bad Gateway/i;
const DEPENDENCY_TYPES =
  /(?:^|\.)(?:DistributionNotFound|VersionConflict|PackageNotFoundError|ContextualVersionConflict|SolverProblemError|ResolutionImpossible)$/;

/** The top-level package of a dotted module path: `yaml.foo` → `yaml`. */
function topLevelModule(dotted: string): string {
  return dotted.split('.')[0] ?? dotted;
}

/**
 * What an exception type and message say about a failure. `inTest` is true when the traceback runs
 * through test code: then an exception without a more specific meaning is a test failure.
 */
export function classifyPythonException(type: string, message: string, inTest: boolean): PythonExceptionFacts {
  const shortType = type.slice(type.lastIndexOf('.') + 1);
  if (shortType === 'ModuleNotFoundError' || shortType === 'ImportError') {
    const groups = NO_MODULE.exec(message)?.groups;
    const missing = groups?.module ?? groups?.bare;
    if (missing !== undefined) {
      return { category: 'import_missing_module', data: { ecosystem: 'python', module: topLevelModule(missing) } };
    }
    const cannot = CANNOT_IMPORT.exec(message)?.groups;
    if (cannot?.name !== undefined) {
      const facts: PythonExceptionFacts = {
        category: 'import_missing_module',
        data: { ecosystem: 'python', name: cannot.name, from: cannot.from },
      };
      if (cannot.path !== undefined) facts.file = cannot.path;
      return facts;
    }
    return { category: 'import_missing_module', data: { ecosystem: 'python' } };
  }
  if (shortType === 'SyntaxError' || shortType === 'IndentationError' || shortType === 'TabError') return { category: 'syntax_error' };
  const path = NO_SUCH_FILE.exec(message)?.groups?.path;
  if (shortType === 'FileNotFoundError' || path !== undefined) {
    return path === undefined ? { category: 'missing_file' } : { category: 'missing_file', data: { path } };
  }
  if (DEPENDENCY_TYPES.test(type)) return { category: 'dependency_resolution' };
  if (NETWORK_TYPES.test(type) || ((shortType === 'OSError' || shortType === 'RuntimeError') && NETWORK_MESSAGE.test(message))) {
    return { category: 'network_infra_timeout' };
  }
  // A GPU running out of memory raises in the code under test; the runner itself was not killed.
  if (shortType === 'AssertionError' || shortType === 'OutOfMemoryError' || inTest) return { category: 'test_failure' };
  return { category: 'other' };
}

/** Paths of test code: `test_x.py`, `x_test.py`, `tests/…`, `test/…`, `conftest.py`. */
export function isTestPath(path: string): boolean {
  return /(?:^|[\\/])(?:test_[^\\/]*|[^\\/]*_test|conftest)\.py$|(?:^|[\\/])tests?[\\/]/.test(path);
}

/** Paths of installed or standard-library code, which is rarely where a fix goes. */
export function isLibraryPath(path: string): boolean {
  return /site-packages|dist-packages|[\\/]lib[\\/]python\d|^<frozen |^<string>|[\\/]Lib[\\/](?!test)/.test(path);
}

// `File "x.py", line 12, in fn` (3.x; `in` part absent for SyntaxError frames).
export const FRAME = /^\s*File "(?<file>[^"]+)", line (?<line>\d+)(?:, in .*)?$/;
// `pkg.mod.SomeError: message` or a bare `KeyboardInterrupt`. The last dotted part is a class name.
export const EXCEPTION_LINE = /^(?<type>(?:[A-Za-z_]\w*\.){0,8}[A-Z]\w*)(?::(?<message>.*))?$/;
const CONVENTIONAL_NAME =
  /(?:Error|Exception|Exit|Interrupt|Iteration|Expired|NotFound|Conflict|Failure|Warning|Timeout|timeout|gaierror)$/;

const TRACEBACK = /^(?<indent>\s*)Traceback \(most recent call last\):\s*$/;
const CHAIN =
  /^\s*(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
const BARE_EXCEPTION =
  /^\s*(?:[A-Za-z_]\w*\.){0,8}(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError|TabError|FileNotFoundError): |^\s*(?:OSError|IOError): \[Errno 2\] /;
const CANT_OPEN = /can't open file '(?<path>[^']+)': \[Errno 2\] No such file or directory/;

/** Lines of junk tolerated inside a traceback (other processes write into the same log). */
const MAX_JUNK = 8;

interface RaisedException {
  type: string;
  message: string;
  n: number;
  frames: PythonFrame[];
}

/** Which exception of a chain explains the failure: syntax and import errors are root causes wherever they sit. */
const ROOT_CAUSE_RANK: Partial<Record<Category, number>> = { syntax_error: 3, import_missing_module: 3, missing_file: 2 };

function locate(frames: readonly PythonFrame[], facts: PythonExceptionFacts, category: Category): PythonFrame | undefined {
  if (frames.length === 0) return undefined;
  // A SyntaxError's last frame is the file that does not parse; an import's is the import line.
  if (category === 'syntax_error') return frames[frames.length - 1];
  // `cannot import name 'x' from 'y' (path)`: the module that lacks the name is what to look at.
  if (facts.file !== undefined) return undefined;
  if (category === 'import_missing_module') {
    const importing = [...frames].reverse().find((frame) => !isLibraryPath(frame.file) && /^(?:from|import)\s/.test(frame.code ?? ''));
    if (importing) return importing;
  }
  const own = [...frames].reverse().find((frame) => !isLibraryPath(frame.file));
  return own ?? frames[frames.length - 1];
}

function describeChain(chain: readonly RaisedException[], confidence: number): FailureDraft {
  const inTest = chain.some((raised) => raised.frames.some((frame) => isTestPath(frame.file)));
  const classified = chain.map((raised) => ({ raised, facts: classifyPythonException(raised.type, raised.message, inTest) }));
  const rankOf = (category: Category) => ROOT_CAUSE_RANK[category] ?? 0;
  const topRank = Math.max(...classified.map((entry) => rankOf(entry.facts.category)));
  // The earliest exception of the highest rank is the root cause; without one, the last exception ended the run.
  const root = topRank > 0 ? classified.find((entry) => rankOf(entry.facts.category) === topRank) : undefined;
  const last = classified[classified.length - 1] as { raised: RaisedException; facts: PythonExceptionFacts };
  const chosen = root?.raised ?? last.raised;
  let facts = root?.facts ?? last.facts;
  if (
    !root &&
    (facts.category === 'other' || facts.category === 'test_failure') &&
    classified.some((entry) => entry.facts.category === 'network_infra_timeout')
  ) {
    // A timeout that caused a generic wrapper error: the category comes from the cause, the block stays on the error that ended the run.
    facts = { ...facts, category: 'network_infra_timeout' };
  }
  const frame = locate(chosen.frames, facts, facts.category);
  const lastFrame = chosen.frames[chosen.frames.length - 1];
  const draft: FailureDraft = {
    category: facts.category,
    tool: 'python',
    message: `${chosen.type}:${chosen.message}`.trim().replace(/:$/, '').slice(0, 500),
    logLines: [lastFrame?.n ?? chosen.n, chosen.n],
    confidence,
  };
  // `<string>` (python -c) and `<frozen …>` are not files anyone can open.
  if (frame && !frame.file.startsWith('<')) {
    draft.file = frame.file;
    draft.line = frame.line;
  } else if (facts.file !== undefined) {
    draft.file = facts.file;
  }
  if (facts.data) draft.data = facts.data;
  // The source line that raised (`open(path, "w")`): whether a missing file was being written or read.
  if (facts.category === 'missing_file' && lastFrame?.code !== undefined) draft.data = { ...draft.data, call: clip(lastFrame.code) };
  return draft;
}

function confidenceFor(category: Category): number {
  switch (category) {
    case 'import_missing_module':
    case 'syntax_error':
    case 'missing_file':
      return 0.85;
    case 'network_infra_timeout':
    case 'dependency_resolution':
      return 0.7;
    default:
      return 0.55;
  }
}

/** A bare exception line (no traceback read): location from a `File "x", line N` just before it. */
function bareDraft(line: LogLine, ctx: DetectorContext): FailureDraft | undefined {
  const text = line.text.trim();
  const cantOpen = CANT_OPEN.exec(text)?.groups?.path;
  if (cantOpen !== undefined) {
    return {
      category: 'missing_file',
      tool: 'python',
      message: clip(text),
      logLines: [line.n, line.n],
      confidence: 0.85,
      data: { path: cantOpen },
    };
  }
  const match = EXCEPTION_LINE.exec(text);
  if (!match?.groups?.type) return undefined;
  const facts = classifyPythonException(match.groups.type, match.groups.message ?? '', false);
  const draft: FailureDraft = {
    category: facts.category,
    tool: 'python',
    message: clip(text),
    logLines: [line.n, line.n],
    // A bare line without its traceback is a little less certain to be the failure.
    confidence: Math.round((confidenceFor(facts.category) - 0.05) * 100) / 100,
  };
  const recent = ctx.before(4);
  for (let index = recent.length - 1; index >= 0; index--) {
    const frame = FRAME.exec((recent[index] as LogLine).text)?.groups;
    if (frame?.file !== undefined) {
      draft.file = frame.file;
      draft.line = Number(frame.line);
      draft.logLines[0] = (recent[index] as LogLine).n;
      break;
    }
  }
  if (draft.file === undefined && facts.file !== undefined) draft.file = facts.file;
  if (facts.data) draft.data = facts.data;
  return draft;
}

interface TracebackScan {
  /** Indentation of the `Traceback` line being read; undefined outside a traceback. */
  indent: string | undefined;
  frames: PythonFrame[];
  /** Lines of junk read since the last frame. */
  junk: number;
  /** The exceptions of one chain (`During handling of the above exception, …`), oldest first. */
  chain: RaisedException[];
  /** After an exception line: waiting to see whether a chained traceback follows. */
  awaitingChain: boolean;
  linesSinceException: number;
}

type TracebackHandler = LineHandler<[scan: TracebackScan, line: LogLine, ctx: DetectorContext]>;

/** Reports the chain read so far, if any, and forgets the traceback being read. */
function flush(scan: TracebackScan, ctx: DetectorContext): void {
  if (scan.chain.length > 0) {
    const draft = describeChain(scan.chain, 0);
    draft.confidence = confidenceFor(draft.category);
    ctx.report(draft);
  }
  scan.chain = [];
  scan.indent = undefined;
  scan.frames = [];
  scan.awaitingChain = false;
}

/** A traceback right after a chain message continues the chain; any other one starts afresh. */
const tracebackOpening: TracebackHandler = (scan, line, ctx) => {
  const opening = TRACEBACK.exec(line.text);
  if (!opening) return undefined;
  if (!scan.awaitingChain) flush(scan, ctx);
  scan.awaitingChain = false;
  scan.indent = opening.groups?.indent ?? '';
  scan.frames = [];
  scan.junk = 0;
  return true;
};

/** After an exception: the chain message and a few blank lines wait for the next traceback; anything else ends the chain (and may itself be a bare error). */
const chainGap: TracebackHandler = (scan, line, ctx) => {
  if (!scan.awaitingChain) return undefined;
  scan.linesSinceException++;
  if (CHAIN.test(line.text) || (line.text.trim() === '' && scan.linesSinceException < 4)) return true;
  flush(scan, ctx);
  return undefined;
};

/** A line inside a traceback: a frame, the source line under it, the exception that ends it, or junk. */
function readTracebackLine(scan: TracebackScan, indent: string, line: LogLine, ctx: DetectorContext): boolean {
  const text = line.text;
  const frame = FRAME.exec(text)?.groups;
  if (frame?.file !== undefined) {
    scan.frames.push({ file: frame.file, line: Number(frame.line), n: line.n });
    scan.junk = 0;
    return true;
  }
  const lineIndent = /^\s*/.exec(text)?.[0] ?? '';
  if (lineIndent.length > indent.length && text.trim() !== '') {
    const last = scan.frames[scan.frames.length - 1];
    if (last && last.code === undefined) last.code = text.trim();
    return true;
  }
  const exception = scan.frames.length > 0 && lineIndent.length === indent.length ? EXCEPTION_LINE.exec(text.trim()) : null;
  const type = exception?.groups?.type;
  if (type !== undefined && (exception?.groups?.message !== undefined || CONVENTIONAL_NAME.test(type))) {
    scan.chain.push({ type, message: exception?.groups?.message ?? '', n: line.n, frames: scan.frames });
    scan.indent = undefined;
    scan.frames = [];
    scan.awaitingChain = true;
    scan.linesSinceException = 0;
    return true;
  }
  scan.junk++;
  if (scan.junk <= MAX_JUNK) return true;
  // Too much noise: whatever chain was read before stands on its own.
  scan.indent = undefined;
  scan.frames = [];
  flush(scan, ctx);
  return false;
}

const tracebackLine: TracebackHandler = (scan, line, ctx) =>
  scan.indent !== undefined ? readTracebackLine(scan, scan.indent, line, ctx) : undefined;

const bareException: TracebackHandler = (_scan, line, ctx) => {
  if (BARE_EXCEPTION.test(line.text) || CANT_OPEN.test(line.text)) {
    const draft = bareDraft(line, ctx);
    if (draft) ctx.report(draft);
  }
  return false;
};

/** What a line is, in this order. */
const LINE_HANDLERS: readonly TracebackHandler[] = [tracebackOpening, chainGap, tracebackLine, bareException];

export const pythonTracebackDetector: Detector = {
  id: 'python-traceback',
  description:
    'Python tracebacks and bare ModuleNotFoundError/ImportError/SyntaxError/FileNotFoundError lines, categorised by exception type (low confidence for generic exceptions).',
  categories: [
    'import_missing_module',
    'syntax_error',
    'missing_file',
    'test_failure',
    'network_infra_timeout',
    'dependency_resolution',
    'other',
  ],
  example: "ModuleNotFoundError: No module named 'yaml'",
  trigger:
    /Traceback \(most recent call last\)|(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError|TabError|FileNotFoundError): |(?:OSError|IOError): \[Errno 2\] |can't open file '/,
  start() {
    const scan: TracebackScan = { indent: undefined, frames: [], junk: 0, chain: [], awaitingChain: false, linesSinceException: 0 };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end: (ctx) => flush(scan, ctx),
    };
  },
};
