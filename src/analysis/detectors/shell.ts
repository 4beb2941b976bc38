import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, type OpenBlock } from '../detector-helpers.js';

/**
 * Shell-level failures: a command that is not installed (`bash: foo: command not found`,
 * `sh: 1: foo: not found`, `zsh: command not found: foo`, `/usr/bin/env: 'node': No such file or
 * directory`) and a file that does not exist as coreutils, the shell or Python report it
 * (`cp: cannot stat 'x': No such file or directory`, `bash: ./x.sh: No such file or directory`,
 * `can't open file 'x.py': [Errno 2]`). A target with a slash is a missing file, not a tool.
 * `make: *** … Error N` wrappers belong to the cmake detector.
 */

// `bash: foo: command not found`, `/home/runner/work/_temp/x.sh: line 3: foo: command not found`,
// `sh: 1: foo: not found`, `bash: ./run.sh: No such file or directory`.
const SHELL =
  /^(?:\+ )?(?<shell>(?:\S*\/)?(?:ba|z|da|k|c|tc)?sh|\S+\.sh|bash\.exe): (?:line \d+: |\d+: )?(?:cannot open |(?:source|\.): )?(?<target>[^:]+?): (?<what>command not found|not found|No such file(?: or directory)?|cannot open: No such file)\s*$/;
const BARE_COMMAND_NOT_FOUND = /^(?<target>[^\s:/'"]+): command not found\s*$/;
const ZSH = /^zsh: command not found: (?<target>\S+)/;
const ENV = /^(?:\S*\/)?env: ['‘]?(?<target>[^'’\s:]+)['’]?: No such file or directory/;
const COREUTILS =
  /^(?<tool>cp|mv|ls|cat|chmod|chown|stat|tail|head|wc|grep|sed|diff|cmp|ln|cd|tar|unzip|sha256sum|md5sum|rsync|install|readlink|realpath|xargs|source|tee|find|du|mkdir|sort): (?:cannot (?:stat|access|open|create regular file|create directory|remove|open directory) |open failed: )?['‘]?(?<target>[^'’]+?)['’]?(?:: Cannot open)?: No such file or directory\s*$/;
const PYTHON_OPEN = /can't open file ['"](?<target>[^'"]+)['"]: \[Errno 2\] No such file or directory/;
const EXIT_127 = /\b127\b/;

function missingTarget(text: string): { target: string; command: boolean; confidence: number } | undefined {
  const shell = SHELL.exec(text)?.groups;
  if (shell?.target !== undefined) {
    const notFound = shell.what === 'command not found' || shell.what === 'not found';
    return { target: shell.target.trim(), command: notFound, confidence: notFound ? 0.92 : 0.85 };
  }
  const bare = BARE_COMMAND_NOT_FOUND.exec(text)?.groups?.target ?? ZSH.exec(text)?.groups?.target;
  if (bare !== undefined) return { target: bare, command: true, confidence: 0.9 };
  const env = ENV.exec(text)?.groups?.target;
  if (env !== undefined) return { target: env, command: true, confidence: 0.9 };
  const coreutils = COREUTILS.exec(text)?.groups?.target ?? PYTHON_OPEN.exec(text)?.groups?.target;
  // cleanup steps `cat` logs that may not exist: less sure than a shell failing to run something.
  // A glob that matched nothing (`cat logs/*.log`) is usually a log-collection step, not the failure.
  // A file utility in a CI script (`mv report.json out/`) often trips over a file an earlier failure did not write.
  // `mkdir` without `-p` failing is the step's own failure, not a trip over a file something else did not write.
  if (coreutils !== undefined && text.startsWith('mkdir: ')) return { target: coreutils, command: false, confidence: 0.85 };
  if (coreutils !== undefined) return { target: coreutils, command: false, confidence: /[*?]/.test(coreutils) ? 0.4 : 0.58 };
  return undefined;
}

/** The echoed command line (`+ pnpm format`, `$ pnpm format`, `pnpm format`) just before the error. */
function echoedCommand(ctx: DetectorContext, command: string): LogLine | undefined {
  const previous = ctx.before(1)[0];
  if (!previous) return undefined;
  const first = previous.text
    .trim()
    .replace(/^[+$>] /, '')
    .split(/\s+/)[0];
  return first === command ? previous : undefined;
}

/** Lines looked back through, within the step, for the command that wrote to a missing path. */
const WRITER_LOOKBACK = 200;

/**
 * The step's command line that writes to `target` (`echo x > out/a.txt`, `| tee out/a.log`,
 * `sort -o out/s.txt`, `--output out/r.json`), when the log shows it above the error: the missing
 * path is then an output whose directory is missing, the step's own failure.
 */
function writingCommand(ctx: DetectorContext, line: LogLine, target: string): LogLine | undefined {
  const earlier = ctx.before(WRITER_LOOKBACK);
  for (let i = earlier.length - 1; i >= 0; i--) {
    const candidate = earlier[i] as LogLine;
    if (candidate.stepIndex !== line.stepIndex) break;
    const at = candidate.text.indexOf(target);
    if (at > 0 && /(?:>|\btee(?: -a)?|\s-o|--output(?:-file)?=?)\s*['"]?$/.test(candidate.text.slice(0, at))) return candidate;
  }
  return undefined;
}

/** A missing command or file, with the wrappers right after it that only repeat it. */
function missingBlock(line: LogLine, ctx: DetectorContext, found: { target: string; command: boolean; confidence: number }): OpenBlock {
  const text = line.text;
  const isFile = !found.command || /[\\/]/.test(found.target);
  const draft: FailureDraft = {
    category: isFile ? 'missing_file' : 'import_missing_module',
    tool: 'shell',
    message: clip(text),
    logLines: [line.n, line.n],
    confidence: found.confidence,
    data: isFile ? { path: found.target } : { command: found.target },
  };
  if (!isFile) {
    const echoed = echoedCommand(ctx, found.target);
    if (echoed) draft.logLines[0] = echoed.n;
  } else {
    const writer = text.startsWith('mkdir: ') ? line : writingCommand(ctx, line, found.target);
    // What made the failing call, for the missing-file fixer: it creates a directory only for a write.
    if (writer !== undefined) {
      draft.data = { ...draft.data, call: clip(writer.text.trim()) };
      draft.confidence = Math.max(draft.confidence, 0.85);
    }
  }
  let extra = 0;
  return {
    draft,
    accepts(next) {
      // Wrappers right after it (`make: *** Error 127`, `Process completed with exit code 127`) say the same.
      if (draft.category !== 'import_missing_module' || !EXIT_127.test(next.text) || extra >= 4) return false;
      draft.logLines[1] = next.n;
      extra++;
      return true;
    },
  };
}

export const shellDetector: Detector = {
  id: 'shell',
  description: 'Commands that are not installed (`command not found`, exit 127) and files the shell, coreutils or Python could not find.',
  categories: ['import_missing_module', 'missing_file'],
  example: 'bash: pnpm: command not found',
  trigger: /not found|No such file|can't open file/,
  start() {
    const blocks = new BlockReader();
    return {
      line(line, ctx) {
        const taken = blocks.read(line, ctx);
        if (taken !== undefined) return taken;
        const found = missingTarget(line.text);
        return found ? blocks.open(missingBlock(line, ctx, found), ctx) : false;
      },
      end: (ctx) => blocks.close(ctx),
    };
  },
};
