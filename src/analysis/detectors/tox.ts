import type { Category, Detector, DetectorContext, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * tox and nox report that an environment or session failed, after the tool inside it printed the
 * real error: `ERROR: InvocationError for command … (exited with code 1)`, `ERROR:   py39: commands
 * failed` (tox 3), `py311: FAIL code 1 (…)` (tox 4), `nox > Session tests-3.11 failed.` They are
 * wrappers, so the confidence is low and the category is a guess from the environment's name.
 */

const TOX3_INVOCATION = /^ERROR: InvocationError for command (?<command>.+?)(?: \(exited with code \d+\))?$/;
const TOX3_SUMMARY = /^ERROR: {1,3}(?<env>[\w.-]+): (?<what>commands failed|InvocationError.*|could not install deps.*)$/;
const TOX4_FAIL = /^\s*(?<env>[\w.-]+): FAIL code \d+/;
const NOX_SESSION = /^nox > Session (?<env>\S+) (?:failed|aborted)/;
const NOX_COMMAND = /^nox > Command (?<command>.+?) failed with exit code \d+/;

function categoryOf(name: string): Category {
  if (/mypy|pyright|type|pytype/i.test(name)) return 'type_check';
  if (/lint|flake8|ruff|black|isort|pylint|format|style|pre-commit|precommit|pep8/i.test(name)) return 'lint_format';
  if (/could not install deps/i.test(name)) return 'dependency_resolution';
  if (/docs?\b|sphinx|build|package|release/i.test(name)) return 'other';
  return 'test_failure';
}

export const toxDetector: Detector = {
  id: 'tox',
  description: 'tox and nox environment/session failures (wrappers around the real error; low confidence, category from the env name).',
  categories: ['test_failure', 'lint_format', 'type_check', 'dependency_resolution', 'other'],
  example: 'ERROR:   py39: commands failed',
  trigger:
    /^ERROR: InvocationError |^ERROR: {1,3}[\w.-]+: (?:commands failed|InvocationError|could not install deps)|: FAIL code \d|^nox > (?:Session|Command) /,
  start() {
    let lastCommand: { text: string; n: number } | undefined;
    const report = (ctx: DetectorContext, draft: FailureDraft) => ctx.report(draft);
    return {
      line(line, ctx) {
        const text = line.text.trimEnd();
        const invocation = TOX3_INVOCATION.exec(text)?.groups?.command;
        const noxCommand = NOX_COMMAND.exec(text)?.groups?.command;
        if (invocation !== undefined || noxCommand !== undefined) {
          lastCommand = { text: invocation ?? noxCommand ?? '', n: line.n };
          return;
        }
        const env = (TOX3_SUMMARY.exec(text) ?? TOX4_FAIL.exec(text) ?? NOX_SESSION.exec(text))?.groups;
        if (env?.env === undefined) return;
        const what = env.what ?? '';
        const hint = `${env.env} ${what} ${lastCommand?.text ?? ''}`;
        const near = lastCommand !== undefined && line.n - lastCommand.n < 40;
        report(ctx, {
          category: /could not install deps/.test(what) ? 'dependency_resolution' : categoryOf(hint),
          tool: text.startsWith('nox') ? 'nox' : 'tox',
          message: clip(text),
          logLines: [near ? (lastCommand as { n: number }).n : line.n, line.n],
          confidence: 0.4,
          data: { env: env.env },
        });
        lastCommand = undefined;
      },
    };
  },
};
