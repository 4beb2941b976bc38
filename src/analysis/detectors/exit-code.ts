import { ciExitLine, type CiExitLine } from '../steps.js';
import type { Detector, DetectorContext, LogLine } from '../types.js';

/**
 * The CI system's own "the step failed" line: GitHub's `##[error]Process completed with exit code
 * N.`, Travis's `The command "…" exited with N.`, GitLab's `ERROR: Job failed: exit code N`. It says
 * that something failed, never what, so it ranks below every other detector and is kept only when
 * nothing else explains the failure. Exit codes that mean the process was killed (137: SIGKILL,
 * usually the OOM killer; 143: SIGTERM, usually a cancellation or timeout) say a little more.
 * Its lines start at the step's last few output lines, which are what a reader looks at when
 * nothing else was recognised.
 */

/** Output lines of the failed step shown with its exit line (nothing else explained it, so they may). */
export const EXIT_CONTEXT_LINES = 3;

/** The step's last output lines before its exit line: same step, not blank, not a runner marker. */
function lastOutputStart(ctx: DetectorContext, line: LogLine): number {
  let start = line.n;
  let taken = 0;
  const earlier = ctx.before(20);
  for (let i = earlier.length - 1; i >= 0 && taken < EXIT_CONTEXT_LINES; i--) {
    const previous = earlier[i] as LogLine;
    if (previous.step !== line.step || previous.command === 'group' || previous.command === 'endgroup' || previous.command === 'command')
      break;
    if (previous.text.trim() === '') continue;
    start = previous.n;
    taken++;
  }
  return start;
}

const TOOL_OF: Readonly<Record<CiExitLine['system'], string>> = { github: 'github-actions', travis: 'travis', gitlab: 'gitlab' };

function killedBySignal(code: number): boolean {
  return code === 137 || code === 143;
}

export const exitCodeDetector: Detector = {
  id: 'exit-code',
  description:
    "The CI system's step-failed line (GitHub `Process completed with exit code N`, Travis `The command … exited with N`, GitLab `Job failed: exit code N`); used only when nothing else explains the failure.",
  categories: ['other', 'network_infra_timeout'],
  example: '##[error]Process completed with exit code 1.',
  trigger: /^Process completed with exit code |^The command ".*" (?:failed and )?exited with \d|^ERROR: Job failed: /,
  start() {
    return {
      line(line: LogLine, ctx) {
        const exit = ciExitLine(line.text);
        const code = exit?.code;
        const tool = exit === undefined ? 'ci' : TOOL_OF[exit.system];
        if (code === undefined || code === 0) return;
        const killed = killedBySignal(code);
        ctx.report({
          category: killed ? 'network_infra_timeout' : 'other',
          tool,
          message: line.text.trim(),
          logLines: [lastOutputStart(ctx, line), line.n],
          confidence: killed ? 0.3 : 0.1,
          data: { exitCode: code },
        });
      },
    };
  },
};
