import { describe, expect, it } from 'vitest';
import { githubErrorDetector } from '../../../src/analysis/detectors/github-error.js';
import { analyzeText } from '../../../src/analysis/index.js';

async function run(log: string) {
  return (await analyzeText(log, { detectors: [githubErrorDetector] })).failures.map((f) => ({
    category: f.category,
    message: f.message,
    logLines: f.logLines,
    confidence: f.confidence,
  }));
}

describe('github-error', () => {
  it.each([
    ['2026-01-01T00:00:00.0000000Z ##[error]Unable to locate executable file: pnpm', 'other'],
    ['##[error]The operation was canceled.', 'network_infra_timeout'],
    ['##[error]Unable to resolve action `actions/setup-pyton@v5`, repository not found', 'other'],
    ['::error::Doc build failed because warnings were emitted', 'compilation_error'],
    ['##[error]SyntaxError: Unexpected token } in JSON at position 12', 'syntax_error'],
    ['##[error]Code style issues found in 2 files. Run Prettier with --write to fix.', 'lint_format'],
    ['##[error]1 test failed', 'test_failure'],
    ['##[error]ENOENT: no such file or directory, open package.json', 'missing_file'],
  ])('%s → %s', async (line, category) => {
    const [failure, ...rest] = await run(`noise\n${line}\n`);
    expect(rest).toEqual([]);
    expect(failure).toMatchObject({ category, logLines: [2, 2] });
    expect(failure?.confidence).toBeLessThan(0.5);
  });

  it('ignores plain lines, warnings, and the exit-code line', async () => {
    expect(await run('error: plain text\n##[warning]careful\n##[error]Process completed with exit code 1.\n##[error]\n')).toEqual([]);
  });
});
