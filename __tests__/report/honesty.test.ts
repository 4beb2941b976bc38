/**
 * A fix that only a sanity check looked at ("applied, not verified") is never called verified or
 * fixed, in any rendering; and a verified fix's every line names the commands that ran and their
 * exit status.
 */
import { describe, expect, it } from 'vitest';
import type { FixResult, RunReport } from '../../src/model.js';
import { annotationsFor } from '../../src/report/annotations.js';
import { countFixes } from '../../src/report/facts.js';
import { toJsonReport } from '../../src/report/json.js';
import { commitMessage, pullRequestBody, pullRequestTitle } from '../../src/report/pull-request.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderTextReport } from '../../src/report/text.js';
import { loadReport } from './helpers.js';

const UNVERIFIED: FixResult = {
  fixer: 'python-requirement',
  status: 'applied-unverified',
  failures: ['fp-import-yaml'],
  description: 'added PyYAML to requirements.txt',
  files: ['requirements.txt'],
  verifyCommand: 'parse requirements.txt',
  checks: [{ kind: 'sanity', command: 'parse requirements.txt', passed: true }],
  reason:
    'not verified: only a sanity check ran (`parse requirements.txt`), nothing re-ran the failing check: pip is not available on PATH',
};

/** The basic report's run with one failure, addressed only by an applied-unverified fix, pushed as a PR. */
function onlyUnverified(): RunReport {
  const base = loadReport('basic');
  const failure = {
    category: 'import_missing_module' as const,
    tool: 'python',
    message: "ModuleNotFoundError: No module named 'yaml'",
    file: 'app/config.py',
    line: 3,
    logLines: [10, 12] as [number, number],
    confidence: 0.95,
    detector: 'python-traceback',
    fingerprint: 'fp-import-yaml',
    occurrences: 1,
  };
  const fixes = [UNVERIFIED];
  return {
    ...base,
    failures: [failure],
    categories: ['import_missing_module'],
    fixes,
    needsHuman: ['fp-import-yaml'],
    publication: { mode: 'pull-request', branch: 'autofix/feature/login', commitSha: 'a'.repeat(40), pullRequestNumber: 58 },
  };
}

describe('applied, not verified', () => {
  it('is counted apart from verified fixes', () => {
    expect(countFixes(onlyUnverified())).toMatchObject({ verified: 0, 'applied-unverified': 1 });
  });

  it('the pull request says so in its title, its opening and its own section', () => {
    const report = onlyUnverified();
    expect(pullRequestTitle(report)).toMatch(/^CI Autofixer: unverified fix python-requirement in /);
    const body = pullRequestBody(report);
    expect(body).toContain('This pull request holds no verified fix. **1 change in this pull request could not be verified**');
    expect(body).toContain('### Applied, not verified');
    expect(body).toContain('a sanity check only; it does not re-run the failing check');
    expect(body.split('### Fixed and verified\n\nNothing.').length).toBe(2);
    expect(body).toContain('### Still failing (needs a human)');
    expect(body).toContain("No module named 'yaml'");
  });

  it('the commit message, the summary, the text report and the annotations never call it verified or fixed', () => {
    const report = onlyUnverified();
    const message = commitMessage(report);
    expect(message.split('\n')[0]).toMatch(/^CI Autofixer: unverified fix python-requirement/);
    expect(message).toContain('(applied, NOT verified;');

    const summary = renderSummary(report, { serverUrl: 'https://github.com' });
    expect(summary).toContain('0 verified, 1 applied but not verified, 0 reverted, 0 skipped.');
    expect(summary).toContain('⚠️ applied, not verified');
    expect(summary).not.toContain('Nothing: a verified fix addressed every failure found.');

    const text = renderTextReport(report);
    expect(text).toContain('[fix applied by python-requirement, not verified]');
    expect(text).toContain('[applied, not verified] python-requirement');
    expect(text).not.toMatch(/fixed by python-requirement/);

    const [annotation] = annotationsFor(report);
    expect(annotation?.level).toBe('error');
    expect(annotation?.message).toContain('A fix was applied by python-requirement but NOT verified');
    expect(annotation?.message).not.toMatch(/Fixed by/);

    const json = JSON.parse(toJsonReport(report)) as RunReport;
    expect(json.fixes[0]).toMatchObject({ status: 'applied-unverified', checks: [{ kind: 'sanity', passed: true }] });
  });

  it('a verified fix names each command that ran and its exit status in every rendering', () => {
    const report = loadReport('basic');
    const replayed = "`black --check .` (the failed step's command, replayed): exit 0";
    expect(pullRequestBody(report)).toContain(replayed);
    expect(renderSummary(report, { serverUrl: 'https://github.com' })).toContain(replayed);
    expect(renderTextReport(report)).toContain(replayed);
    expect(commitMessage(report)).toContain("black --check . (the failed step's command, replayed): exit 0");
    expect(annotationsFor(report)[0]?.message).toContain(replayed);
  });
});
