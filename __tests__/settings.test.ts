import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import { DEFAULT_FIX_TYPES, FIX_TYPES } from '../src/plan/plan.js';
import { CONFIG_FILE, DEFAULTS, parseSettings, readConfigFile, type RawInputs, type SettingsEnvironment } from '../src/settings.js';

function workspace(config?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-'));
  if (config !== undefined) {
    mkdirSync(path.join(dir, '.github'), { recursive: true });
    writeFileSync(path.join(dir, CONFIG_FILE), config);
  }
  return dir;
}

/** The settings environment of a workspace; its configuration file is read as the CLI's `fix` reads it. */
function environment(dir: string, extra: Partial<SettingsEnvironment> = {}): SettingsEnvironment {
  const configFile = readConfigFile(dir);
  return {
    env: { RUNNER_TEMP: dir },
    baseDirectory: dir,
    eventName: 'workflow_run',
    eventPayload: {},
    repository: 'octo-org/demo-app',
    ...(configFile !== undefined ? { configFile } : {}),
    ...extra,
  };
}

function problems(inputs: RawInputs, dir = workspace()): string[] {
  try {
    parseSettings(inputs, environment(dir));
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message.split('\n');
  }
  return [];
}

describe('parseSettings', () => {
  it('applies the documented defaults', () => {
    const dir = workspace();
    const settings = parseSettings({ 'github-token': 't' }, environment(dir));
    expect(settings).toMatchObject({
      owner: 'octo-org',
      repo: 'demo-app',
      dryRun: false,
      confidenceThreshold: DEFAULTS.confidenceThreshold,
      maxFixes: DEFAULTS.maxFixes,
      fixTypes: [...DEFAULT_FIX_TYPES],
      push: 'pull-request',
      branchPrefix: 'autofix/',
      workspace: dir,
      maxLogBytes: 64 * 1024 * 1024,
      apiUrl: 'https://api.github.com',
      runId: undefined,
    });
    expect(settings.reportPath).toBe(path.join(dir, 'ci-autofixer', 'report.json'));
  });

  it.each([
    ['run-id', '123', { runId: 123 }],
    ['dry-run', 'True', { dryRun: true }],
    ['dry-run', 'false', { dryRun: false }],
    ['confidence-threshold', '0.95', { confidenceThreshold: 0.95 }],
    ['confidence-threshold', '1', { confidenceThreshold: 1 }],
    ['confidence-threshold', '0', { confidenceThreshold: 0 }],
    ['max-fixes', '0', { maxFixes: 0 }],
    ['fix-types', 'all', { fixTypes: [...FIX_TYPES] }],
    ['push', 'branch', { push: 'branch' }],
    ['branch-prefix', 'bots/ci-fix-', { branchPrefix: 'bots/ci-fix-' }],
    ['max-log-bytes', '10M', { maxLogBytes: 10 * 1024 * 1024 }],
    ['max-log-bytes', '2048', { maxLogBytes: 2048 }],
    ['max-log-bytes', '1.5G', undefined],
  ] as const)('accepts %s=%s', (name, value, expected) => {
    const dir = workspace();
    if (expected === undefined) {
      expect(problems({ 'github-token': 't', [name]: value }, dir)).toHaveLength(1);
      return;
    }
    expect(parseSettings({ 'github-token': 't', [name]: value }, environment(dir))).toMatchObject(expected);
  });

  it('install-tools: false by default, from an input or the config file, only true or false', () => {
    expect(parseSettings({ 'github-token': 't' }, environment(workspace())).installTools).toBe(false);
    expect(parseSettings({ 'github-token': 't', 'install-tools': 'true' }, environment(workspace())).installTools).toBe(true);
    expect(parseSettings({ 'github-token': 't' }, environment(workspace('install-tools: true\n'))).installTools).toBe(true);
    expect(problems({ 'github-token': 't', 'install-tools': 'yes' })).toEqual([
      "Input 'install-tools' must be 'true' or 'false' (default false) (got \"yes\")",
    ]);
  });

  it('accepts a fix-types list separated by commas or newlines', () => {
    const [first, second] = FIX_TYPES;
    const dir = workspace();
    expect(parseSettings({ 'github-token': 't', 'fix-types': `${first}\n ${second} ,` }, environment(dir)).fixTypes).toEqual([
      first,
      second,
    ]);
  });

  it.each([
    ['run-id', 'abc', "Input 'run-id' must be a positive whole number"],
    ['run-id', '0', "Input 'run-id' must be a positive whole number"],
    ['dry-run', 'yes', "Input 'dry-run' must be 'true' or 'false' (got \"yes\")"],
    ['confidence-threshold', '1.5', "Input 'confidence-threshold' must be a number from 0 to 1"],
    ['confidence-threshold', '-0.1', "Input 'confidence-threshold' must be a number from 0 to 1"],
    ['max-fixes', '-1', "Input 'max-fixes' must be a whole number from 0 to 100"],
    ['max-fixes', '1000', "Input 'max-fixes' must be a whole number from 0 to 100"],
    ['fix-types', 'format,rewrite-everything', "Input 'fix-types' must be a comma- or newline-separated list of"],
    ['push', 'force', 'Input \'push\' must be one of: pull-request, branch, none (default pull-request) (got "force")'],
    ['branch-prefix', '../evil', "Input 'branch-prefix' must be a valid git branch prefix"],
    ['branch-prefix', 'a..b/', "Input 'branch-prefix' must be a valid git branch prefix"],
    ['branch-prefix', '-x', "Input 'branch-prefix' must be a valid git branch prefix"],
    ['working-directory', '../elsewhere', "Input 'working-directory' must be a directory inside the workspace"],
    ['working-directory', 'missing-dir', "Input 'working-directory' must be a directory inside the workspace"],
    ['max-log-bytes', 'lots', "Input 'max-log-bytes' must be a size from 1KB to 1GB"],
    ['max-log-bytes', '10', "Input 'max-log-bytes' must be a size from 1KB to 1GB"],
  ] as const)('rejects %s=%s with one clear line', (name, value, message) => {
    const lines = problems({ 'github-token': 't', [name]: value });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });

  it('reports every bad input at once, one line each, and never echoes the token', () => {
    const lines = problems({ 'github-token': '', push: 'x', 'max-fixes': 'y', 'dry-run': 'maybe' });
    expect(lines).toHaveLength(4);
    expect(lines.some((line) => line.startsWith("Input 'github-token'"))).toBe(true);
  });

  it('names a bad repository', () => {
    const dir = workspace();
    expect(() => parseSettings({ 'github-token': 't' }, environment(dir, { repository: 'not a repo' }))).toThrow(
      /repository must be OWNER\/NAME/,
    );
  });

  it('reads .github/ci-autofixer.yml; inputs win over it', () => {
    const dir = workspace(`confidence-threshold: 0.9\nmax-fixes: 3\nfix-types: [${FIX_TYPES[0]}]\npush: branch\n`);
    const settings = parseSettings({ 'github-token': 't', push: 'none' }, environment(dir));
    expect(settings).toMatchObject({ confidenceThreshold: 0.9, maxFixes: 3, fixTypes: [FIX_TYPES[0]], push: 'none' });
  });

  it('rejects unknown and bad keys in the config file, naming the file', () => {
    const lines = problems({ 'github-token': 't' }, workspace('max-fixes: many\ngithub-token: nope\n'));
    expect(lines).toEqual([
      `${CONFIG_FILE}: unknown key 'github-token'; allowed keys: dry-run, confidence-threshold, max-fixes, fix-types, push, branch-prefix, max-log-bytes, use-repository-tools, install-tools, timeout-minutes, lookback-minutes, max-failures, notify-slack-on, notify-strict, notify`,
    ]);
    const bad = problems({ 'github-token': 't' }, workspace('max-fixes: many\n'));
    expect(bad).toEqual([`${CONFIG_FILE} key 'max-fixes' must be a whole number from 0 to 100 (default 10) (got "many")`]);
    expect(problems({ 'github-token': 't' }, workspace(': : :\n  - [')).join('\n')).toContain(`${CONFIG_FILE}: not valid YAML`);
  });

  it('reads mode, lookback-minutes and max-failures (the scan window from the file too, never the mode)', () => {
    const defaults = parseSettings({ 'github-token': 't' }, environment(workspace()));
    expect(defaults).toMatchObject({ mode: 'fix', lookbackMinutes: 60, maxFailures: 20 });
    const dir = workspace('lookback-minutes: 30\nmax-failures: 5\n');
    expect(parseSettings({ 'github-token': 't', mode: 'scan', 'max-failures': '7' }, environment(dir))).toMatchObject({
      mode: 'scan',
      lookbackMinutes: 30,
      maxFailures: 7,
    });
    expect(problems({ 'github-token': 't', mode: 'monitor', 'lookback-minutes': '10081', 'max-failures': '0' })).toEqual([
      `Input 'mode' must be one of: fix, scan (default fix) (got "monitor")`,
      `Input 'lookback-minutes' must be a whole number of minutes from 1 to 10080 (7 days; default 60) (got "10081")`,
      `Input 'max-failures' must be a whole number from 1 to 100 (default 20) (got "0")`,
    ]);
    expect(problems({ 'github-token': 't' }, workspace('mode: scan\n'))[0]).toContain("unknown key 'mode'");
  });
});
