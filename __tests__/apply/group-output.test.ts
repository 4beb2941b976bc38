/**
 * What a person reading the job log sees for each fixer: one `Fix: <fixer>` group that holds the
 * commands the fixer ran with the tail of their output, then its result line, and nothing of
 * another fixer; groups never nest. Tool output is bounded and cannot act as a workflow command.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { applyFixPlan } from '../../src/apply/apply.js';
import { nodeExec } from '../../src/exec.js';
import { blackFixer } from '../../src/fixers/black.js';
import { isortFixer } from '../../src/fixers/isort.js';
import { createConsoleLogger, createMemoryLogger, type Logger } from '../../src/logging.js';
import { failure, makeRepo, removeRepo } from '../fixers/helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeRepo(dir);
});

/** The lines between `== <name>` and `== end <name>`, checking that the group is not nested in or around another. */
function groupLines(lines: readonly string[], name: string): string[] {
  const start = lines.indexOf(`== ${name}`);
  const end = lines.indexOf(`== end ${name}`);
  expect(start, `${name} opened`).toBeGreaterThanOrEqual(0);
  expect(end, `${name} closed after it opened`).toBeGreaterThan(start);
  const inside = lines.slice(start + 1, end);
  expect(
    inside.filter((line) => line.startsWith('== ')),
    `nothing nested in ${name}`,
  ).toEqual([]);
  return inside;
}

function runPlan(
  workspace: string,
  logger: Logger,
  fixers: Array<{ fixer: typeof blackFixer; file: string; tool: string }>,
  env: Record<string, string | undefined>,
) {
  return applyFixPlan({
    workspace,
    plan: {
      planned: fixers.map(({ fixer, file, tool }) => ({
        fixer,
        failures: [failure({ category: 'lint_format', tool, message: `would reformat ${file}`, file })],
      })),
    },
    exec: nodeExec,
    logger,
    env,
    useRepositoryTools: true,
    dryRun: false,
  });
}

describe('Fix: <fixer> groups', () => {
  it("hold the fixer's own commands, their output and its result, in that order, one group per fixer", async () => {
    const repo = makeRepo({ 'a.py': 'import sys\nimport os\nx=1\n' });
    dirs.push(repo);
    const logger = createMemoryLogger();
    const results = await runPlan(
      repo,
      logger,
      [
        { fixer: isortFixer, file: 'a.py', tool: 'isort' },
        { fixer: blackFixer, file: 'a.py', tool: 'black' },
      ],
      { PATH: '/usr/bin:/bin' },
    );
    expect(results.map((result) => result.status)).toEqual(['verified', 'verified']);

    for (const [tool, writeArgs, checkArgs] of [
      ['isort', '--quiet', '--check-only'],
      ['black', '--quiet', '--check'],
    ] as const) {
      const inside = groupLines(logger.lines, `Fix: ${tool}`);
      const write = inside.findIndex((line) => line.startsWith(`$ ${tool} ${writeArgs} -- a.py (exit 0)`));
      const check = inside.findIndex((line) => line.startsWith(`$ ${tool} ${checkArgs} -- a.py (exit 0)`));
      const verdict = inside.findIndex((line) => line.startsWith(`${tool}: verified`));
      expect(
        [write, check, verdict].every((index) => index >= 0),
        inside.join('\n'),
      ).toBe(true);
      expect(write).toBeLessThan(check);
      expect(check).toBeLessThan(verdict);
      // The result line is the group's last line; no other fixer's line is in it.
      expect(verdict).toBe(inside.length - 1);
      const other = tool === 'black' ? 'isort' : 'black';
      expect(inside.some((line) => line.includes(`$ ${other} `) || line.startsWith(`${other}:`))).toBe(false);
    }
    // black --check's own words are in black's group.
    expect(groupLines(logger.lines, 'Fix: black').join('\n')).toMatch(/\| .*1 file would be left unchanged/);
  });

  it("keeps a tool's output bounded and unable to act as a workflow command, in the console logger too", async () => {
    const repo = makeRepo({ 'a.py': 'x=1\n' });
    dirs.push(repo);
    const bin = mkdtempSync(path.join(os.tmpdir(), 'ci-autofixer-noisy-'));
    dirs.push(bin);
    // A "black" that prints workflow commands and a flood of long lines, and changes nothing.
    const script = path.join(bin, 'black');
    writeFileSync(
      script,
      `#!/bin/sh
echo '::add-mask::hunter2'
i=0
while [ $i -lt 3000 ]; do
  echo "line $i $(printf '%0500d' 0)"
  i=$((i+1))
done
echo '::set-output name=fixed::yes'
echo '  ::error file=a.py::injected' >&2
echo '##[error]from the tool' >&2
exit 0
`,
    );
    chmodSync(script, 0o755);
    const stream = new PassThrough();
    let printed = '';
    stream.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    const [result] = await runPlan(repo, createConsoleLogger({ stream }), [{ fixer: blackFixer, file: 'a.py', tool: 'black' }], {
      PATH: bin,
    });
    expect(result?.status).toBe('skipped');
    const lines = printed.split('\n');
    const start = lines.indexOf('== Fix: black');
    expect(start).toBeGreaterThanOrEqual(0);
    const run = lines.slice(start).find((line) => line.startsWith('$ black --quiet -- a.py (exit 0)'));
    expect(run).toBeDefined();
    // Bounded: at most 20 output lines per command, each cut at 400 characters.
    expect(printed).toContain('earlier line(s) not shown');
    expect(lines.filter((line) => line.startsWith('  | line ')).length).toBeLessThanOrEqual(40);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(1000);
    // Nothing the tool printed can be read as a workflow command.
    for (const line of lines) {
      expect(line.trimStart().startsWith('::'), line).toBe(false);
      expect(line.includes('##['), line).toBe(false);
    }
    expect(printed).toContain('set-output name=fixed::yes');
  });
});
