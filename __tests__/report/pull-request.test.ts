import { describe, expect, it } from 'vitest';
import { AUTOFIXER_TRAILER, isAutofixerCommit } from '../../src/git/publish.js';
import type { RunReport } from '../../src/model.js';
import {
  COMMIT_TRAILER_KEY,
  branchFromPullRequestBody,
  commitMessage,
  pullRequestBody,
  pullRequestMarker,
  pullRequestTitle,
} from '../../src/report/pull-request.js';
import { largeReport, loadReport, runnerWouldReadACommand, tableCells, tableRows } from './helpers.js';

function withBranch(report: RunReport, branch: string): RunReport {
  return {
    ...report,
    publication: {
      mode: 'pull-request',
      branch,
      commitSha: '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
    },
  };
}

describe('pullRequestTitle', () => {
  it('names the verified fixers and the run', () => {
    expect(pullRequestTitle(loadReport('basic'))).toBe('CI Autofixer: fix black, isort (+1 not verified) in CI run #123456789 (attempt 2)');
  });

  it('is one line and capped whatever the workflow is called', () => {
    const report = loadReport('basic');
    const title = pullRequestTitle({
      ...report,
      target: {
        ...report.target,
        workflowName: `CI\n::set-output name=x::y${'w'.repeat(1000)}`,
      },
    });
    expect(title).not.toMatch(/[\r\n]/);
    expect(title.length).toBeLessThanOrEqual(200);
  });
});

describe('pullRequestBody', () => {
  it('starts with the branch marker and ends with the note that CI Autofixer made it', () => {
    const body = pullRequestBody(loadReport('basic'));
    expect(body.startsWith('<!-- ci-autofixer:branch=autofix/feature/login -->\n')).toBe(true);
    expect(body).toMatch(/This pull request was opened by CI Autofixer from .*\n$/);
    expect(body).toContain(
      "ran `black --check src/app/main.py` (the fixer's check on the files it changed): exit 0; `black --check .` (the failed step's command, replayed): exit 0",
    );
    expect(body).not.toContain('re-running the failing check');
    expect(body).toContain('[CI run \\#\u200B123456789 (attempt 2)](https://github.com/acme/widgets/actions/runs/123456789/attempts/2)');
  });

  it.each(['autofix/feature/login', 'autofix/x-->y<script>', 'autofix/a b--!>c%41'])(
    'marker round-trips branch %j and cannot close the comment early',
    (branch) => {
      const marker = pullRequestMarker(branch);
      expect(marker.slice(4, -3)).not.toMatch(/--!?>|>/);
      const body = pullRequestBody(withBranch(loadReport('hostile'), branch));
      expect(branchFromPullRequestBody(body)).toBe(branch);
    },
  );

  it('keeps hostile text from becoming HTML, mentions or commands', () => {
    const body = pullRequestBody(withBranch(loadReport('hostile'), 'autofix/x-->y'));
    const outsideCode = body.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode.replace(/<\/?(details|summary)>|<!-- ci-autofixer:branch=\S+ -->/g, '')).not.toMatch(/</);
    expect(outsideCode).not.toMatch(/(^|[^A-Za-z0-9_\\])@[A-Za-z0-9]/m);
    expect(runnerWouldReadACommand(body)).toBe(false);
    for (const row of tableRows(body).filter((line) => line.includes('pytest') || line.includes('eslint'))) {
      expect(tableCells(row), row).toHaveLength(7);
    }
  });

  it('stays under 60,000 characters for a huge report and still closes its details and footer', () => {
    const body = pullRequestBody(withBranch(largeReport(5000, 100_000), 'autofix/main'));
    expect(body.length).toBeLessThanOrEqual(60_000);
    expect(body).toContain('</details>');
    expect(body).toContain('This pull request was opened by CI Autofixer');
    expect(body).toMatch(/… \d+ more failures/);
  });

  it('honours a smaller cap', () => {
    const body = pullRequestBody(withBranch(largeReport(500, 300), 'autofix/main'), { maxChars: 8000 });
    expect(body.length).toBeLessThanOrEqual(8000);
    expect(body).toContain('Some items were left out');
  });
});

describe('commitMessage', () => {
  it('uses the trailer key the loop protection reads', () => {
    expect(COMMIT_TRAILER_KEY).toBe(AUTOFIXER_TRAILER);
    expect(COMMIT_TRAILER_KEY).toBe('CI-Autofixer');
  });

  it('ends with the trailer, which marks the commit as the autofixer’s', () => {
    const message = commitMessage(loadReport('basic'), 'run 123456789');
    const lines = message.trimEnd().split('\n');
    expect(lines[0]).toBe('CI Autofixer: fix black, isort (CI run 123456789)');
    expect(lines.at(-1)).toBe('CI-Autofixer: run 123456789');
    expect(lines.at(-2)).toBe('');
    expect(isAutofixerCommit(message)).toBe(true);
  });

  it('has no trailer when the committer adds it', () => {
    const message = commitMessage(loadReport('basic'));
    expect(isAutofixerCommit(message)).toBe(false);
    expect(message).toContain(
      "- black: Reformatted 1 file with black (verified; ran black --check src/app/main.py (the fixer's check on the files it changed): exit 0;",
    );
    expect(message).toContain('- python-requirement: added torch to requirements.txt (applied, NOT verified;');
  });

  it('never cuts the run id or a word of the subject: a long workflow name gives way first', () => {
    const report = loadReport('basic');
    report.target = { ...report.target, workflowName: 'Continuous integration for every platform and language', runId: 119230000123 };
    const subject = commitMessage(report).split('\n')[0] ?? '';
    expect(subject).toBe('CI Autofixer: fix black, isort (run 119230000123)');
    report.fixes = report.fixes.map((fix, index) => ({
      ...fix,
      fixer: index === 0 ? 'black-with-a-long-name' : `${fix.fixer}-with-a-longer-name-too`,
    }));
    expect(commitMessage(report).split('\n')[0]).toBe('CI Autofixer: fix black-with-a-long-name and 1 more (run 119230000123)');
    report.fixes = report.fixes.map((fix) => ({ ...fix, fixer: `${fix.fixer}-with-a-name-longer-than-any-subject-could-hold` }));
    expect(commitMessage(report).split('\n')[0]).toBe('CI Autofixer: 2 fixes (run 119230000123)');
  });

  it('keeps the trailer on one line and the subject within 72 characters', () => {
    const message = commitMessage(loadReport('hostile'), 'run 1\nCI-Autofixer: forged');
    expect(message.trimEnd().split('\n').at(-1)).toBe('CI-Autofixer: run 1 CI-Autofixer: forged');
    expect(message.split('\n')[0]!.length).toBeLessThanOrEqual(72);
  });
});
