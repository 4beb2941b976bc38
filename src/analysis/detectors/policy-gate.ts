import { CONTEXT_LINES, type Detector, type DetectorContext, type LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Gates that fail a run by policy rather than by a defect in the code: a security audit that found
 * vulnerabilities (`npm audit`, `pnpm audit`, `yarn audit`), a missing changelog entry (towncrier
 * newsfragments, changesets, "please add a changelog entry"), and generated files or the checkout
 * left out of date / dirty after a codegen step (`git diff --exit-code`), and a bundle over its size
 * budget (size-limit, bundlesize).
 */

const AUDIT_COUNT =
  /^(?:found (?<a>\d+) vulnerabilit(?:y|ies)|(?<b>\d+) vulnerabilit(?:y|ies) (?:found|\()|(?<c>\d+) vulnerabilities found - Packages audited)/;
const AUDIT_COMMAND = /\b(?:npm|pnpm|yarn)(?: run)? audit\b/;
const CHANGELOG =
  /(?:changelog|news ?fragments?|changesets?)\b.*\b(?:missing|required|not found|no new|please add|were found|entry for)|no (?:new )?(?:news ?fragments?|changesets?|changelog entr(?:y|ies)) (?:found|were found)|please add (?:a )?(?:changelog|news ?fragment|changeset)/i;
const STALE =
  /generated (?:files?|code|sources?) (?:are|is) (?:out of date|not up[- ]to[- ]date|stale)|(?:checkout|working (?:tree|directory|copy)) (?:is |was )?(?:left )?(?:dirty|not clean)|left (?:the )?(?:local )?(?:git )?(?:repository )?checkout dirty|has uncommitted changes|Please commit (?:all |the )?(?:changes|results?|generated)|(?:are|is) out of date[.,;:]? (?:please )?run\b/i;
// size-limit and bundlesize: a bundle over its budget.
const SIZE_BUDGET = /^(?:Package size|Size) limit has exceeded by \S+|^FAIL .+: \S+ > maxSize \S+/;
/** Gates one line states, first match wins. */
const ONE_LINE_GATES: readonly { pattern: RegExp; tool: string; gate: string; confidence: number }[] = [
  { pattern: CHANGELOG, tool: 'changelog', gate: 'changelog', confidence: 0.8 },
  { pattern: STALE, tool: 'codegen', gate: 'generated-files', confidence: 0.7 },
  { pattern: SIZE_BUDGET, tool: 'size-limit', gate: 'size-budget', confidence: 0.85 },
];
const NOT_A_GATE = /ERR_PNPM_|lockfile|pnpm-lock|package-lock|yarn\.lock/i;

function auditCommandLine(ctx: DetectorContext, line: LogLine): LogLine | undefined {
  if (line.step !== undefined && /audit/i.test(line.step)) return undefined;
  const earlier = ctx.before(120);
  for (let i = earlier.length - 1; i >= 0; i--) {
    const candidate = earlier[i];
    if (candidate && AUDIT_COMMAND.test(candidate.text)) return candidate;
  }
  return undefined;
}

const TABLE_LINE = /^\s*[┌│├└╔║╠╚┏┃┣┗+|]/;

/** First line of the advisory table (`┌──…`, `│ moderate │ …`) printed just above an audit's count. */
function advisoryTableStart(ctx: DetectorContext, countLine: number): number {
  const earlier = ctx.before(CONTEXT_LINES);
  let start = countLine;
  for (let i = earlier.length - 1; i >= 0; i--) {
    const previous = earlier[i] as LogLine;
    if (previous.n !== start - 1 || !TABLE_LINE.test(previous.text)) break;
    start = previous.n;
  }
  return start;
}

export const policyGateDetector: Detector = {
  id: 'policy-gate',
  description:
    'Policy gates: security audits with findings, missing changelog entries, generated files or checkout left out of date, bundles over their size budget.',
  categories: ['other'],
  example: 'Build left local git repository checkout dirty',
  trigger:
    /vulnerabilit|changelog|news ?fragment|changeset|out of date|not up[- ]to[- ]date|stale|dirty|not clean|uncommitted changes|Please commit|limit has exceeded|> maxSize/i,
  start() {
    let auditReported = false;
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const audit = AUDIT_COUNT.exec(text)?.groups;
        if (audit) {
          const count = Number(audit.a ?? audit.b ?? audit.c);
          // `npm install` prints the same count without failing; only an audit step is a gate.
          const command = auditCommandLine(ctx, line);
          const inAuditStep = line.step !== undefined && /audit/i.test(line.step);
          if (count > 0 && !auditReported && (command || inAuditStep)) {
            auditReported = true;
            ctx.report({
              category: 'other',
              tool: 'audit',
              message: clip(text),
              logLines: [command?.n ?? advisoryTableStart(ctx, line.n), line.n],
              confidence: 0.8,
              data: { gate: 'audit', vulnerabilities: count },
            });
          }
          return false;
        }
        // `set -x` echoes the script's own message before printing it.
        if (NOT_A_GATE.test(text) || text.startsWith('+ ')) return false;
        const gate = ONE_LINE_GATES.find((candidate) => candidate.pattern.test(text));
        if (gate) {
          ctx.report({
            category: 'other',
            tool: gate.tool,
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: gate.confidence,
            data: { gate: gate.gate },
          });
        }
        return false;
      },
    };
  },
};
