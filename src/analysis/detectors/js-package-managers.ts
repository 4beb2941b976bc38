import type { Category, Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { BlockReader, clip, firstAnswer, type LineHandler, type OpenBlock } from '../detector-helpers.js';

/**
 * npm, pnpm and yarn errors. An `npm ERR!` / `npm error` block is one failure classified by its
 * `code` (ERESOLVE, ETARGET, E404 → dependency resolution; ENOTFOUND, ECONNRESET, E5xx, E401/E403 →
 * network/credentials; ENOENT → missing file; EJSONPARSE → syntax). pnpm's ` ERR_PNPM_<CODE>  msg`
 * and yarn's classic `error …` / Berry `YN0028`-style lines likewise; pnpm 12 prints
 * `Error: ERR_PNPM_<CODE>` alone and then an indented report (`  × …`, `  ├─▶ cause`, `  help: …`),
 * which the failure spans and whose first cause becomes its message. Yarn Berry's lines of one code
 * printed together (YN0028's lockfile diff, then its message) are one failure with the message that
 * is not a diff line. A failed lifecycle script
 * (`ELIFECYCLE`, `Lifecycle script "test" failed`, `error Command failed with exit code 1`) only
 * wraps the real failure printed above it, so it gets low confidence and a category guessed from the
 * script's name.
 */

const NPM_LINE = /^npm (?:ERR!|error)(?: |$)/;
const NPM_PREFIX = /^npm (?:ERR!|error) ?/;
const NPM_TRAILER = /^A complete log of this run can be found in|^Log files were not written|^\s*\/\S+_logs\/\S+-debug(?:-\d+)?\.log$|^$/;
const PNPM_ERROR = /^\s*(?:\S+ )?\[?ERR_PNPM_(?<code>[A-Z0-9_]+)\]?(?:\s+(?<message>.*))?$/;
/** A line of the report newer pnpm prints under `Error: ERR_PNPM_X`: blank or indented. */
const PNPM_REPORT_LINE = /^(?:\s|$)/;
const PNPM_REPORT_BOX = /^\s*(?:[×│├╰]─*▶?\s*)?/;
const PNPM_CAUSE = /^\s*[├╰]─▶\s*(?<text>.*)$/;
const PNPM_ELIFECYCLE = /^\s*(?:\S+ )?ELIFECYCLE\s+Command failed with exit code (?<exit>\d+)/;
const YARN_CLASSIC =
  /^error (?<message>An unexpected error occurred: .*|Couldn't find (?:any versions for|package|a package\.json|match for) .*|Your lockfile needs to be updated.*|Found incompatible module.*|\S+: The engine "\S+" is incompatible with this module.*|Package "\S+" refers to a non-existing file.*|Received invalid response from npm.*|There appears to be trouble with your network connection.*|Command failed with exit code \d+\.?|Command "\S+" not found\.?|\S+ ENOENT.*)$/;
const YARN_BERRY = /^➤ (?<code>YN\d{4}): (?:│ )?(?<message>.*)$/;

/** What the name of a failed script says about the failure it wraps. */
function categoryOfScript(script: string | undefined): Category {
  if (script === undefined) return 'other';
  if (/test|spec|jest|vitest|mocha|e2e/i.test(script)) return 'test_failure';
  if (/lint|format|prettier|eslint|style/i.test(script)) return 'lint_format';
  if (/typecheck|type-check|tsc|types/i.test(script)) return 'type_check';
  if (/build|compile|bundle/i.test(script)) return 'compilation_error';
  return 'other';
}

const NETWORK_CODE =
  /^(?:ENOTFOUND|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|E5\d\d|E429|ERR_SOCKET_TIMEOUT|FETCH_ERROR)$/;
const CREDENTIAL_CODE = /^(?:E401|E403|ENEEDAUTH|EOTP)$/;
const RESOLUTION_CODE =
  /^(?:ERESOLVE|ETARGET|E404|ENOVERSIONS|EBADENGINE|ENOTSUP|EINTEGRITY|EUSAGE|EBADPLATFORM|EPEERINVALID|EINVALIDTAGNAME)$/;

interface Classified {
  category: Category;
  confidence: number;
  data: Record<string, unknown>;
}

function classifyNpm(body: readonly string[]): Classified {
  const text = body.join('\n');
  const code = /^code (?<code>\S+)/m.exec(text)?.groups?.code;
  const data: Record<string, unknown> = code === undefined ? {} : { code };
  const pkg =
    /404 Not Found - GET \S+?\/(?<name>(?:@[^/\s]+(?:\/|%2[fF]))?[^/\s]+)(?: |$)/m.exec(text)?.groups?.name ??
    /No matching version found for (?<name>@?[^@\s]+)@/.exec(text)?.groups?.name;
  if (pkg !== undefined) data.package = decodeURIComponent(pkg);
  if (/Missing script: "?(?<script>[^"\s]+)"?|missing script: (?<script2>\S+)/i.test(text)) {
    const missing = /[Mm]issing script: "?(?<script>[^"\s]+)"?/.exec(text)?.groups?.script;
    return { category: 'other', confidence: 0.8, data: { ...data, script: missing } };
  }
  if (code !== undefined && NETWORK_CODE.test(code)) return { category: 'network_infra_timeout', confidence: 0.88, data };
  if (code !== undefined && CREDENTIAL_CODE.test(code)) return { category: 'network_infra_timeout', confidence: 0.88, data };
  if (code !== undefined && RESOLUTION_CODE.test(code)) return { category: 'dependency_resolution', confidence: 0.93, data };
  if (code === 'EJSONPARSE') return { category: 'syntax_error', confidence: 0.9, data };
  if (code === 'ENOENT' || /\benoent\b/.test(text)) {
    const path = /no such file or directory, \w+ '(?<path>[^']+)'/.exec(text)?.groups?.path;
    return { category: 'missing_file', confidence: 0.85, data: path === undefined ? data : { ...data, path } };
  }
  if (/gyp ERR!|node-gyp/.test(text)) return { category: 'compilation_error', confidence: 0.6, data };
  // npm 6 `ELIFECYCLE` / npm 7+ `Lifecycle script \`x\` failed` / `command failed`: a wrapper.
  const script =
    /Lifecycle script `(?<script>[^`]+)` failed/.exec(text)?.groups?.script ??
    /Failed at the \S+ (?<script>\S+) script/.exec(text)?.groups?.script ??
    /^\S+@\S+ (?<script>[\w:-]+): `/m.exec(text)?.groups?.script;
  if (script !== undefined) data.script = script;
  return { category: categoryOfScript(script), confidence: 0.3, data };
}

function classifyPnpm(code: string, message: string): Classified {
  const data: Record<string, unknown> = { code: `ERR_PNPM_${code}` };
  if (/^AUDIT/.test(code)) return { category: 'other', confidence: 0.8, data };
  if (
    /^(?:OUTDATED_LOCKFILE|LOCKFILE_|NO_MATCHING_VERSION|FETCH_404|PEER_DEP_ISSUES|UNSUPPORTED_ENGINE|WORKSPACE_PKG_NOT_FOUND|TARBALL_INTEGRITY|BROKEN_LOCKFILE|LOCKFILE_CONFIG_MISMATCH|NO_OFFLINE_TARBALL|INVALID_PEER)/.test(
      code,
    )
  ) {
    const pkg = /No matching version found for (?<name>@?[^@\s]+)@/.exec(message)?.groups?.name;
    if (pkg !== undefined) data.package = pkg;
    return { category: 'dependency_resolution', confidence: 0.93, data };
  }
  if (/^(?:FETCH_(?:5\d\d|429|401|403)|META_FETCH_FAIL|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|SOCKET_TIMEOUT)|NETWORK_ERROR$/.test(code))
    return { category: 'network_infra_timeout', confidence: 0.88, data };
  if (/^(?:NO_SCRIPT|RECURSIVE_RUN_NO_SCRIPT|RECURSIVE_EXEC_NO_PACKAGE|BAD_PM_VERSION|UNSUPPORTED_PM)/.test(code))
    return { category: 'other', confidence: 0.75, data };
  if (/^(?:NO_IMPORTER_MANIFEST_FOUND|ENOENT|NO_PKG_MANIFEST)/.test(code)) return { category: 'missing_file', confidence: 0.8, data };
  if (/^(?:RECURSIVE_RUN_FIRST_FAIL|RECURSIVE_EXEC_FIRST_FAIL|RECURSIVE_FAIL)/.test(code)) {
    const script = /(?:^|\s)(?<script>[\w:.-]+):\s/.exec(message)?.groups?.script;
    if (script !== undefined) data.script = script;
    return { category: categoryOfScript(script), confidence: 0.3, data };
  }
  return { category: 'other', confidence: 0.5, data };
}

function classifyYarnClassic(message: string): Classified {
  if (/^Command failed with exit code/.test(message)) return { category: 'other', confidence: 0.25, data: {} };
  if (
    /trouble with your network|ESOCKETTIMEDOUT|ETIMEDOUT|ECONNRESET|ENOTFOUND|EAI_AGAIN|getaddrinfo|Request failed "5\d\d|invalid response/.test(
      message,
    )
  ) {
    return { category: 'network_infra_timeout', confidence: 0.85, data: {} };
  }
  if (/^Command "\S+" not found/.test(message)) return { category: 'other', confidence: 0.75, data: {} };
  if (/ENOENT|non-existing file|Couldn't find a package\.json/.test(message))
    return { category: 'missing_file', confidence: 0.8, data: {} };
  const pkg = /Couldn't find (?:any versions for|package|match for) "(?<name>@?[^"@\s]+)/.exec(message)?.groups?.name;
  return { category: 'dependency_resolution', confidence: 0.9, data: pkg === undefined ? {} : { package: pkg } };
}

function classifyYarnBerry(code: string, message: string): Classified | undefined {
  const data = { code };
  if (code === 'YN0028' || code === 'YN0035' || code === 'YN0018' || code === 'YN0082' || code === 'YN0016' || code === 'YN0060') {
    return { category: 'dependency_resolution', confidence: 0.92, data };
  }
  if (code === 'YN0009') return { category: 'compilation_error', confidence: 0.6, data };
  if (code === 'YN0001' && /ETIMEDOUT|ECONNRESET|ENOTFOUND|EAI_AGAIN|socket hang up|Request Error|\b5\d\d\b/.test(message)) {
    return { category: 'network_infra_timeout', confidence: 0.85, data };
  }
  if (code === 'YN0001') return { category: 'other', confidence: 0.5, data };
  return undefined;
}

interface PackageManagersScan {
  /** The `npm ERR!` / `npm error` lines read so far (prefix removed), one npm process's block. */
  npm: { first: number; last: number; body: string[]; firstMessage: string } | undefined;
  /** Newer pnpm's `Error: ERR_PNPM_X` and the report under it. */
  pnpm: BlockReader;
  /** Yarn Berry lines of one code printed together: one failure. */
  berry: { draft: FailureDraft; code: string; messageSet: boolean } | undefined;
}

type PackageManagersHandler = LineHandler<[scan: PackageManagersScan, line: LogLine, ctx: DetectorContext]>;

/** Reports the npm block read so far, classified by its code; a block of trailers only is dropped. */
function closeNpm(scan: PackageManagersScan, ctx: DetectorContext): void {
  const block = scan.npm;
  if (!block) return;
  scan.npm = undefined;
  const meaningful = block.body.filter((line) => !NPM_TRAILER.test(line.trim()));
  if (meaningful.length === 0) return;
  const { category, confidence, data } = classifyNpm(meaningful);
  // The most telling line: the one after `code X`, else the first.
  const messageLine =
    meaningful.find((line) =>
      /ERESOLVE unable|notarget|404 Not Found|Missing script|can only install|network|Lifecycle script|Failed at the|JSON\.parse|enoent|Unsupported engine|requires you to be logged in|403 Forbidden|401 Unauthorized/i.test(
        line,
      ),
    ) ??
    meaningful[0] ??
    block.firstMessage;
  ctx.report({
    category,
    tool: 'npm',
    message: clip(messageLine),
    logLines: [block.first, block.last],
    confidence,
    data,
  });
}

/** The first cause of a pnpm report (`├─▶ …` and its wrapped lines), if it has one. */
function pnpmCause(lines: readonly string[]): string | undefined {
  const start = lines.findIndex((line) => PNPM_CAUSE.test(line));
  if (start < 0) return undefined;
  const cause = [PNPM_CAUSE.exec(lines[start] ?? '')?.groups?.text ?? ''];
  for (const line of lines.slice(start + 1)) {
    const rest = line.replace(PNPM_REPORT_BOX, '').trim();
    if (PNPM_CAUSE.test(line) || rest === '' || /^help:/.test(rest)) break;
    cause.push(rest);
  }
  return cause.join(' ');
}

/** `Error: ERR_PNPM_X` alone, then the indented report: classified by the code and what the report says. */
function pnpmBlock(line: LogLine, code: string): OpenBlock {
  const draft: FailureDraft = { category: 'other', tool: 'pnpm', message: clip(line.text), logLines: [line.n, line.n], confidence: 0.5 };
  const lines: string[] = [];
  return {
    draft,
    accepts(next) {
      if (!PNPM_REPORT_LINE.test(next.text) || next.command !== undefined || lines.length >= 80) return false;
      lines.push(next.text);
      if (next.text.trim() !== '') draft.logLines[1] = next.n;
      return true;
    },
    finish() {
      const joined = lines
        .map((reportLine) => reportLine.replace(PNPM_REPORT_BOX, '').trim())
        .filter((reportLine) => reportLine !== '')
        .join(' ');
      const classified = classifyPnpm(code, joined);
      // The first cause (`├─▶ …` and its wrapped lines) says what went wrong.
      const cause = pnpmCause(lines);
      if (cause !== undefined) draft.message = clip(`${draft.message}: ${cause}`);
      draft.category = classified.category;
      draft.confidence = classified.confidence;
      if (Object.keys(classified.data).length > 0) draft.data = classified.data;
      return true;
    },
  };
}

function closeBerry(scan: PackageManagersScan, ctx: DetectorContext): void {
  if (scan.berry) ctx.report(scan.berry.draft);
  scan.berry = undefined;
}

function reportLine(ctx: DetectorContext, line: LogLine, tool: string, classified: Classified): void {
  const draft: FailureDraft = {
    category: classified.category,
    tool,
    message: clip(line.text),
    logLines: [line.n, line.n],
    confidence: classified.confidence,
  };
  if (Object.keys(classified.data).length > 0) draft.data = classified.data;
  ctx.report(draft);
}

/** A Berry run ends at a line of another kind or after a gap; the line is read on. */
const berryRunEnd: PackageManagersHandler = (scan, line, ctx) => {
  const berry = scan.berry;
  if (berry && (!YARN_BERRY.test(line.text) || line.n > berry.draft.logLines[1] + 2)) closeBerry(scan, ctx);
  return undefined;
};

const pnpmReport: PackageManagersHandler = (scan, line, ctx) => scan.pnpm.read(line, ctx);

/** An `npm ERR!` line joins the block; any other line ends it (and is read on). */
const npmLine: PackageManagersHandler = (scan, line, ctx) => {
  const text = line.text;
  if (!NPM_LINE.test(text)) {
    closeNpm(scan, ctx);
    return undefined;
  }
  const body = text.replace(NPM_PREFIX, '');
  // `npm run a` that ran `npm run b` prints one block per npm process, back to back.
  if (scan.npm && /^code \S/.test(body) && scan.npm.body.some((earlier) => /^code \S/.test(earlier))) closeNpm(scan, ctx);
  scan.npm ??= { first: line.n, last: line.n, body: [], firstMessage: body };
  const block = scan.npm;
  if (!NPM_TRAILER.test(body.trim())) {
    // A block that so far only said where npm's debug log is starts at its first real line.
    if (block.body.every((earlier) => NPM_TRAILER.test(earlier.trim()))) block.first = line.n;
    block.last = line.n;
  }
  block.body.push(body);
  return true;
};

const pnpmError: PackageManagersHandler = (scan, line, ctx) => {
  const pnpm = PNPM_ERROR.exec(line.text)?.groups;
  if (pnpm?.code === undefined) return undefined;
  if ((pnpm.message ?? '').trim() === '') return scan.pnpm.open(pnpmBlock(line, pnpm.code), ctx);
  reportLine(ctx, line, 'pnpm', classifyPnpm(pnpm.code, pnpm.message ?? ''));
  return false;
};

const pnpmLifecycle: PackageManagersHandler = (_scan, line, ctx) => {
  if (!PNPM_ELIFECYCLE.test(line.text)) return undefined;
  reportLine(ctx, line, 'pnpm', { category: 'other', confidence: 0.25, data: {} });
  return false;
};

const yarnClassic: PackageManagersHandler = (_scan, line, ctx) => {
  const classic = YARN_CLASSIC.exec(line.text)?.groups?.message;
  if (classic === undefined) return undefined;
  reportLine(ctx, line, 'yarn', classifyYarnClassic(classic));
  return false;
};

const yarnBerry: PackageManagersHandler = (scan, line, ctx) => {
  const text = line.text;
  const berry = YARN_BERRY.exec(text)?.groups;
  if (berry?.code === undefined) return undefined;
  // A diff line of YN0028 (`+  version: 10`, `@@ -1,0 +1,20 @@`) says less than its message.
  const isDiff = /^(?:[+-]|@@ |\s|$)/.test(berry.message ?? '');
  const run = scan.berry;
  if (run && run.code === berry.code) {
    run.draft.logLines[1] = line.n;
    if (!run.messageSet && !isDiff) {
      run.draft.message = clip(text);
      run.messageSet = true;
    }
    return true;
  }
  const classified = classifyYarnBerry(berry.code, berry.message ?? '');
  if (classified) {
    closeBerry(scan, ctx);
    const draft: FailureDraft = {
      category: classified.category,
      tool: 'yarn',
      message: clip(text),
      logLines: [line.n, line.n],
      confidence: classified.confidence,
      data: classified.data,
    };
    scan.berry = { draft, code: berry.code, messageSet: !isDiff };
  }
  return scan.berry !== undefined;
};

/** What a line is, in this order. */
const LINE_HANDLERS: readonly PackageManagersHandler[] = [
  berryRunEnd,
  pnpmReport,
  npmLine,
  pnpmError,
  pnpmLifecycle,
  yarnClassic,
  yarnBerry,
];

export const jsPackageManagersDetector: Detector = {
  id: 'js-package-managers',
  description:
    'npm (`npm ERR!` / `npm error` blocks by code), pnpm (`ERR_PNPM_*`) and yarn (classic `error …`, Berry `YNxxxx`) failures; lifecycle-script wrappers at low confidence.',
  categories: [
    'dependency_resolution',
    'network_infra_timeout',
    'missing_file',
    'syntax_error',
    'compilation_error',
    'test_failure',
    'lint_format',
    'type_check',
    'other',
  ],
  example: 'npm ERR! ERESOLVE unable to resolve dependency tree',
  trigger: /npm (?:ERR!|error)|ERR_PNPM_|ELIFECYCLE|^error |^➤ YN\d{4}: /,
  start() {
    const scan: PackageManagersScan = { npm: undefined, pnpm: new BlockReader(), berry: undefined };
    return {
      line: (line, ctx) => firstAnswer(LINE_HANDLERS, scan, line, ctx),
      end(ctx) {
        closeNpm(scan, ctx);
        scan.pnpm.close(ctx);
        closeBerry(scan, ctx);
      },
    };
  },
};
