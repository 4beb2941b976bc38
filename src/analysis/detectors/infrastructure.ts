import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Failures of the world around the build rather than of the code: DNS and connection errors,
 * HTTP 4xx/5xx on downloads, rate limits, missing credentials and 403s, full disks, memory kills,
 * job and step timeouts, cancellations, lost runners, checkout failures and Docker registry errors.
 * Each is one line (plus the runner's `Process completed` line or git's safe.directory advice when
 * they follow); a generic symptom such as `ECONNREFUSED` gets less confidence than a runner's own
 * message, so a test failure printed next to it still ranks first.
 */

type Kind =
  | 'dns'
  | 'connection'
  | 'http'
  | 'rate_limit'
  | 'credentials'
  | 'disk'
  | 'memory'
  | 'timeout'
  | 'cancelled'
  | 'runner'
  | 'checkout'
  | 'docker';

interface Rule {
  pattern: RegExp;
  kind: Kind;
  tool: string;
  confidence: number;
  /** Only when the runner itself printed it (`##[error]…`). */
  runnerOnly?: boolean;
}

const RULES: readonly Rule[] = [
  // Runner, job and step limits: the runner's own words.
  {
    pattern: /has exceeded the maximum execution time|exceeded the maximum time limit for jobs/,
    kind: 'timeout',
    tool: 'runner',
    confidence: 0.97,
  },
  { pattern: /has timed out after \d+ minutes/, kind: 'timeout', tool: 'runner', confidence: 0.95 },
  { pattern: /No output has been received in the last \S+/, kind: 'timeout', tool: 'runner', confidence: 0.95 },
  {
    pattern:
      /The runner has received a shutdown signal|lost communication with the server|The hosted runner encountered an error|Runner connection (?:timed out|was lost)/,
    kind: 'runner',
    tool: 'runner',
    confidence: 0.96,
  },
  {
    pattern: /pod failed to come online|is unhealthy with phase status|[Dd]etect(?:ed)? \d* ?GPUs on the runner/,
    kind: 'runner',
    tool: 'runner',
    confidence: 0.9,
  },
  {
    pattern:
      /^The operation was canceled\.?$|^The job was canceled|^The run was canceled|^Canceling since a higher priority waiting request/,
    kind: 'cancelled',
    tool: 'runner',
    confidence: 0.9,
  },
  { pattern: /timed out/i, kind: 'timeout', tool: 'runner', confidence: 0.85, runnerOnly: true },
  {
    pattern: /(?:exited with (?:code |status )?|exit (?:code|status):? |returning |returned )124\b/,
    kind: 'timeout',
    tool: 'timeout',
    confidence: 0.75,
  },
  { pattern: /^Tests? (?:run )?timed out\b/, kind: 'timeout', tool: 'runner', confidence: 0.6 },
  { pattern: /!{3,} KeyboardInterrupt !{3,}/, kind: 'cancelled', tool: 'runner', confidence: 0.7 },

  // Disk and memory.
  {
    pattern: /No space left on device|\bENOSPC\b|You are running out of disk space|free space left in \S+, which is less than the minimum/,
    kind: 'disk',
    tool: 'runner',
    confidence: 0.95,
  },
  {
    pattern: /Catastrophic error: out of memory|fatal error C1060: compiler is out of heap space/,
    kind: 'memory',
    tool: 'msvc',
    confidence: 0.9,
  },
  { pattern: /JavaScript heap out of memory|Reached heap limit Allocation failed/, kind: 'memory', tool: 'node', confidence: 0.93 },
  {
    pattern:
      /Killed signal terminated program|^Killed$|\bexit code 137\b|exited with (?:code )?137\b|Cannot allocate memory|The runner has run out of memory/,
    kind: 'memory',
    tool: 'runner',
    confidence: 0.85,
  },

  // Rate limits.
  {
    pattern:
      /API rate limit exceeded|secondary rate limit|You have reached your pull rate limit|\btoomanyrequests\b|429 Too Many Requests|rate limit exceeded/i,
    kind: 'rate_limit',
    tool: 'network',
    confidence: 0.93,
  },

  // Credentials and permissions.
  { pattern: /Permission denied \(publickey/, kind: 'credentials', tool: 'git', confidence: 0.95 },
  {
    pattern: /remote: Permission to \S+ denied to |could not read Username for|terminal prompts disabled|Authentication failed for '/,
    kind: 'credentials',
    tool: 'git',
    confidence: 0.95,
  },
  {
    pattern:
      /Resource not accessible by integration|Bad credentials|Credentials could not be loaded|Unable to locate credentials|Input required and not supplied: (?:token|github-token)/,
    kind: 'credentials',
    tool: 'network',
    confidence: 0.93,
  },
  // Cloud APIs print this for a missing permission; CI steps also print it for optional uploads.
  { pattern: /is not authorized to perform/, kind: 'credentials', tool: 'network', confidence: 0.85 },
  {
    pattern: /pull access denied|denied: requested access to the resource is denied|unauthorized: authentication required/,
    kind: 'credentials',
    tool: 'docker',
    confidence: 0.93,
  },
  { pattern: /Docker login for '[^']*' failed/, kind: 'credentials', tool: 'docker', confidence: 0.88 },
  {
    pattern: /\b403 Forbidden\b|\b401 Unauthorized\b|\(HTTP 40[13]\)|\bAccessDenied\b/,
    kind: 'credentials',
    tool: 'network',
    confidence: 0.8,
  },

  // Checkout and git transport.
  {
    pattern:
      /^fatal: repository '[^']*' not found|^fatal: Remote branch \S+ not found|^fatal: couldn't find remote ref|^fatal: reference is not a tree/,
    kind: 'checkout',
    tool: 'git',
    confidence: 0.92,
  },
  { pattern: /^fatal: unable to access '[^']*': /, kind: 'checkout', tool: 'git', confidence: 0.9 },
  {
    pattern: /fatal: detected dubious ownership in repository|fatal: unsafe repository \(/,
    kind: 'checkout',
    tool: 'git',
    confidence: 0.85,
  },
  { pattern: /The process '[^']*git(?:\.exe)?' failed with exit code 128/, kind: 'checkout', tool: 'git', confidence: 0.85 },
  {
    pattern: /RPC failed; curl \d+|The remote end hung up unexpectedly|fetch-pack: unexpected disconnect/,
    kind: 'connection',
    tool: 'git',
    confidence: 0.85,
  },
  {
    pattern: /Failed to download (?:archive|action) '|Unable to resolve action `|Unable to download artifact/,
    kind: 'checkout',
    tool: 'runner',
    confidence: 0.93,
  },
  { pattern: /^List Artifacts failed:/, kind: 'checkout', tool: 'runner', confidence: 0.85 },

  // Docker registries and daemon.
  { pattern: /manifest unknown|manifest for \S+ not found/, kind: 'docker', tool: 'docker', confidence: 0.92 },
  {
    pattern:
      /Cannot connect to the Docker daemon|error pulling image configuration|failed to resolve source metadata|failed to fetch (?:anonymous|oauth) token|failed to do request/,
    kind: 'docker',
    tool: 'docker',
    confidence: 0.88,
  },
  { pattern: /Error response from daemon: (?:No such container|No such object)/, kind: 'docker', tool: 'docker', confidence: 0.55 },
  // The daemon's answer to a registry request that failed in transit is infrastructure...
  {
    pattern:
      /Error response from daemon: (?:(?:Get|Head|Post|Put) "?https?:\/\/|.*(?:toomanyrequests|timeout|timed out|TLS handshake|connection (?:refused|reset)|unexpected (?:HTTP )?status))/,
    kind: 'docker',
    tool: 'docker',
    confidence: 0.85,
  },
  // ...its other refusals (`oci runtime error: exec: "-c": executable file not found`, `invalid
  // filter`, `Conflict. The container name is already in use`) are about what the job asked for: weak.
  { pattern: /(?:^docker: )?Error response from daemon: /, kind: 'docker', tool: 'docker', confidence: 0.5 },

  // DNS.
  {
    pattern:
      /Could not resolve host|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|Temporary failure in name resolution|Name or service not known|nodename nor servname provided|: no such host\b/,
    kind: 'dns',
    tool: 'network',
    confidence: 0.9,
  },

  // Package managers of the runner image (apt, yum/dnf) and uv's interpreter downloads.
  { pattern: /^E: Failed to fetch \S+\s+(?<status>\d{3})\b/, kind: 'http', tool: 'apt', confidence: 0.88 },
  {
    pattern:
      /^E: (?:Failed to fetch|Unable to fetch some archives)|^Error downloading packages:|Error while fetching remote python downloads json/,
    kind: 'connection',
    tool: 'network',
    confidence: 0.85,
  },

  // HTTP errors on downloads.
  { pattern: /Response status code does not indicate success: (?<status>\d{3})/, kind: 'http', tool: 'network', confidence: 0.9 },
  { pattern: /The requested URL returned error: (?<status>\d{3})/, kind: 'http', tool: 'network', confidence: 0.9 },
  {
    pattern:
      /Received HTTP code (?<status>\d{3})|\bERROR (?<status2>[45]\d\d): |Failure (?<status3>[45]\d\d) |HTTP Error (?<status4>[45]\d\d)\b|\bHTTP (?<status5>5\d\d)\b|\b(?<status6>5\d\d) (?:Bad Gateway|Service Unavailable|Gateway Time-?out|Internal Server Error)\b/,
    kind: 'http',
    tool: 'network',
    confidence: 0.85,
  },

  // Connections.
  {
    pattern:
      /Empty reply from server|Failed to connect to \S+ port \d+|Network is unreachable|TLS handshake timeout|Could not create connection to|couldn'?t connect to/i,
    kind: 'connection',
    tool: 'network',
    confidence: 0.88,
  },
  {
    pattern:
      /Connection timed out|Connection reset by peer|Read timed out|ReadTimeoutError|\bESOCKETTIMEDOUT\b|\bETIMEDOUT\b|\bECONNRESET\b|socket hang up|i\/o timeout|curl: \((?:6|7|28|35|52|56)\)/,
    kind: 'connection',
    tool: 'network',
    confidence: 0.8,
  },
  { pattern: /\bECONNREFUSED\b|Connection refused/, kind: 'connection', tool: 'network', confidence: 0.65 },
  // TLS: a certificate the client would not accept (wget, curl, git, OpenSSL through Python/Node).
  {
    pattern:
      /no certificate subject alternative name matches|cannot verify \S+ certificate|The certificate of '[^']*' (?:is not trusted|has expired)|SSL certificate problem|CERTIFICATE_VERIFY_FAILED|server certificate verification failed/i,
    kind: 'connection',
    tool: 'network',
    confidence: 0.85,
  },
];

const TRIGGER = new RegExp(
  [
    'maximum execution time|maximum time limit|timed out|No output has been received|shutdown signal|lost communication|hosted runner|Runner connection',
    'free space left|Catastrophic error|out of heap space|come online|phase status|GPUs on the runner|Docker login|List Artifacts failed|^E: |Error downloading packages',
    'python downloads json|Response status code',
    'canceled|Canceling since|(?:with|code:?|status:?|returning|returned) 124\\b|KeyboardInterrupt|No space left|ENOSPC|running out of disk|heap|Killed',
    '(?:code|with) 137\\b|Cannot allocate memory|out of memory',
    'rate limit|toomanyrequests|429 Too Many|Permission denied \\(publickey|Permission to|could not read Username|terminal prompts|Authentication failed',
    'not accessible by integration|Bad credentials|Credentials could not|locate credentials|not authorized to perform|Input required and not supplied',
    'access denied|requested access|authentication required|403 Forbidden|401 Unauthorized|HTTP 40[13]\\)|AccessDenied|^fatal: |failed with exit code 128|RPC failed|hung up|unexpected disconnect',
    'Failed to download|Unable to resolve action|Unable to download artifact|manifest|Docker daemon|pulling image|source metadata|failed to fetch|failed to do request',
    'Error response from daemon|resolve host|getaddrinfo|name resolution|service not known|servname|no such host|returned error|HTTP code|ERROR [45]\\d\\d|Failure [45]\\d\\d',
    'HTTP Error|HTTP 5\\d\\d|5\\d\\d (?:Bad Gateway|Service Unavailable|Gateway Time-?out|Internal Server Error)|Empty reply|Failed to connect|unreachable|handshake timeout|create connection|connect to|Connection timed|reset by peer',
    'Read timed out|ReadTimeout|ESOCKETTIMEDOUT|ETIMEDOUT|ECONNRESET|socket hang up|i/o timeout|curl: \\(|ECONNREFUSED|Connection refused|certificate|CERTIFICATE_VERIFY',
  ].join('|'),
  'i',
);

const PROCESS_COMPLETED = /^Process completed with exit code \d+/;
const QUOTED_SOURCE = /^\s+(?:raise|throw new|except)\s/;
const SAFE_DIRECTORY_ADVICE = /^To add an exception for this directory|safe\.directory|^\s*$/;
const CLONE_PREAMBLE = /^Cloning into |^warning: Could not find remote branch/;

function matchRule(line: LogLine): { rule: Rule; status?: number } | undefined {
  for (const rule of RULES) {
    if (rule.runnerOnly && line.command !== 'error') continue;
    const match = rule.pattern.exec(line.text);
    if (!match) continue;
    const statusText = Object.values(match.groups ?? {}).find((value) => value !== undefined);
    return statusText === undefined ? { rule } : { rule, status: Number(statusText) };
  }
  return undefined;
}

/** Commands that check links: the network errors they print are about the links they check. */
export const LINK_CHECKER =
  /\b(?:awesome_bot|markdown-link-check|linkchecker|html-?proofer|lychee|muffet|broken-link-checker|linkinator|check[-_]links?)\b/i;

export const infrastructureDetector: Detector = {
  id: 'infrastructure',
  description: 'Network, HTTP, rate-limit, credential, disk, memory, timeout, cancellation, runner, checkout and Docker registry failures.',
  categories: ['network_infra_timeout'],
  example: 'curl: (22) The requested URL returned error: 502',
  trigger: TRIGGER,
  start() {
    let pending: { draft: FailureDraft; kind: Kind; blanks: number } | undefined;

    const flush = (ctx: DetectorContext) => {
      if (pending) ctx.report(pending.draft);
      pending = undefined;
    };

    return {
      line(line, ctx) {
        if (pending) {
          if (line.command === 'error' && PROCESS_COMPLETED.test(line.text)) {
            pending.draft.logLines[1] = line.n;
            flush(ctx);
            return false;
          }
          const text = line.text;
          if (
            pending.draft.data?.kind === 'checkout' &&
            /ownership|unsafe repository/.test(pending.draft.message) &&
            SAFE_DIRECTORY_ADVICE.test(text)
          ) {
            if (text.trim() === '') {
              pending.blanks++;
            } else {
              pending.draft.logLines[1] = line.n;
            }
            if (pending.blanks < 2) return true;
          }
          flush(ctx);
        }

        // Source lines quoted by a traceback (`    raise ReadTimeoutError(`) are not the error itself.
        if (QUOTED_SOURCE.test(line.text)) return false;
        // A link checker's report lists the links that failed: its findings, not this run's network.
        if (line.step !== undefined && LINK_CHECKER.test(line.step)) return false;
        const found = matchRule(line);
        if (!found) return false;
        const { rule, status } = found;
        // A warning names a problem the run survived (an optional upload, a retry); its error would follow.
        const isWarning = line.command === 'warning' || /\b\w*Warning\b|^warning:|^WARN(?:ING)?\b/.test(line.text);
        // Downloads that 404 are often probes (`curl -f … || fallback`, rvm looking for a prebuilt
        // binary before it builds one), so they stay below confident failures; server errors rarely are.
        // Uploading artifacts, metrics or reports runs after the real work, often after the real failure.
        // So does writing a build cache (sccache's storage check): the build goes on without it.
        const afterTheFact = /\bupload|storage write check/i.test(line.text);
        const probe = rule.kind === 'http' && status !== undefined && status >= 400 && status < 500 && status !== 429;
        const draft: FailureDraft = {
          category: 'network_infra_timeout',
          tool: rule.tool,
          message: clip(line.text),
          logLines: [line.n, line.n],
          confidence: Math.round(rule.confidence * (isWarning ? 0.6 : 1) * (probe ? 0.65 : 1) * (afterTheFact ? 0.5 : 1) * 100) / 100,
          data: status === undefined ? { kind: rule.kind } : { kind: rule.kind, status },
        };
        if (rule.kind === 'http' && status !== undefined && status === 429) draft.data = { kind: 'rate_limit', status };
        if (rule.kind === 'checkout') {
          // git prints what it tried to clone just before it gives up.
          const earlier = ctx.before(2);
          for (const previous of earlier) {
            if (CLONE_PREAMBLE.test(previous.text)) {
              draft.logLines[0] = previous.n;
              break;
            }
          }
        }
        pending = { draft, kind: rule.kind, blanks: 0 };
        return true;
      },
      end(ctx) {
        flush(ctx);
      },
    };
  },
};
