import { describe, expect, it } from 'vitest';
import type { Failure } from '../../src/analysis/types.js';
import { nodeExec } from '../../src/exec.js';
import type { RunReport } from '../../src/model.js';
import {
  type AnnotationProperties,
  type AnnotationSink,
  annotationsFor,
  createWorkflowCommandSink,
  emitAnnotations,
} from '../../src/report/annotations.js';
import { REPO_ROOT, largeReport, loadReport, runnerWouldReadACommand } from './helpers.js';

function recorder(): AnnotationSink & {
  calls: Array<[string, string, AnnotationProperties | undefined]>;
} {
  const calls: Array<[string, string, AnnotationProperties | undefined]> = [];
  return {
    calls,
    error: (message, properties) => calls.push(['error', message, properties]),
    warning: (message, properties) => calls.push(['warning', message, properties]),
    notice: (message, properties) => calls.push(['notice', message, properties]),
  };
}

describe('annotationsFor', () => {
  it('maps located failures: notice when fixed, error when sure and unfixed, nothing without a workspace file', () => {
    const annotations = annotationsFor(loadReport('basic'));
    expect(annotations.map((a) => [a.level, a.file, a.startLine, a.startColumn])).toEqual([
      ['notice', 'src/app/main.py', undefined, undefined],
      ['notice', 'src/app/util.py', undefined, undefined],
      ['error', 'src/app/util.py', 14, 22],
      ['error', 'distributed/test_c10d_spawn_gloo.py', undefined, undefined],
    ]);
    expect(annotations[0]!.message).toContain('Fixed by black in pull request #57.');
    // The annotation names what ran and its exit status, not a bare "verified".
    expect(annotations[0]!.message).toContain("`black --check .` (the failed step's command, replayed): exit 0");
    expect(annotations[0]!.message).not.toContain('verified by');
    expect(annotations[2]!.message).toContain('Not fixed automatically: needs a human.');
    expect(annotations[2]!.title).toBe('CI Autofixer: lint_format (flake8)');
  });

  it('leaves out absolute paths and paths outside the workspace, and neutralises messages', () => {
    const annotations = annotationsFor(loadReport('hostile'));
    expect(annotations.map((a) => a.file)).toEqual(['tests/test_a|b.py', 'src/`weird`.js']);
    expect(annotations[1]!.level).toBe('notice');
    for (const annotation of annotations) {
      expect(runnerWouldReadACommand(annotation.message)).toBe(false);
      expect(runnerWouldReadACommand(annotation.title)).toBe(false);
    }
  });

  it('uses warning below the error confidence', () => {
    const report = loadReport('fork');
    const lowConfidence: RunReport = {
      ...report,
      failures: report.failures.map((f): Failure => ({
        ...f,
        confidence: 0.5,
      })),
    };
    expect(annotationsFor(lowConfidence).map((a) => a.level)).toEqual(['warning']);
    expect(annotationsFor(lowConfidence, { errorConfidence: 0.4 }).map((a) => a.level)).toEqual(['error']);
  });

  it('keeps at most maxPerLevel of each level and max in all', () => {
    const report = largeReport(200, 80);
    expect(annotationsFor(report)).toHaveLength(10);
    expect(annotationsFor(report, { maxPerLevel: 100 })).toHaveLength(50);
    expect(annotationsFor(report, { maxPerLevel: 100, max: 7 })).toHaveLength(7);
    expect(
      annotationsFor(report, { maxPerLevel: 100 })
        .map((a) => a.file)
        .slice(0, 3),
    ).toEqual(['tests/test_0.py', 'tests/test_1.py', 'tests/test_2.py']);
  });

  it('caps a 100 KB message', () => {
    const [annotation] = annotationsFor(largeReport(1, 100_000));
    expect(annotation!.message.length).toBeLessThanOrEqual(2000);
  });
});

describe('emitAnnotations', () => {
  it('calls the sink method of each level with core-style properties', () => {
    const sink = recorder();
    emitAnnotations(annotationsFor(loadReport('basic')), sink);
    expect(sink.calls.map(([level, , properties]) => [level, properties])).toEqual([
      ['notice', { title: 'CI Autofixer: lint_format (black)', file: 'src/app/main.py' }],
      ['notice', { title: 'CI Autofixer: lint_format (isort)', file: 'src/app/util.py' }],
      [
        'error',
        {
          title: 'CI Autofixer: lint_format (flake8)',
          file: 'src/app/util.py',
          startLine: 14,
          startColumn: 22,
        },
      ],
      [
        'error',
        {
          title: 'CI Autofixer: test_failure (pytest)',
          file: 'distributed/test_c10d_spawn_gloo.py',
        },
      ],
    ]);
  });

  it('writes through our command sink exactly what @actions/core writes', async () => {
    const annotations = annotationsFor(loadReport('hostile')).concat(annotationsFor(loadReport('basic')));
    const lines: string[] = [];
    emitAnnotations(
      annotations,
      createWorkflowCommandSink((line) => lines.push(line)),
    );
    const script = `
      import * as core from '@actions/core';
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      for (const a of JSON.parse(input)) {
        const properties = { title: a.title, file: a.file, startLine: a.startLine, startColumn: a.startColumn };
        core[a.level](a.message, properties);
      }
    `;
    const result = await nodeExec(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      input: JSON.stringify(annotations),
      timeoutMs: 30_000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line !== '')).toEqual(lines);
    expect(lines).toHaveLength(annotations.length);
    expect(lines[0]).toMatch(/^::error title=CI Autofixer%3A test_failure \(pytest\),file=tests\/test_a\|b.py,line=7::/);
  });
});
