/**
 * Everything configurable, validated once. The only reader of action inputs, CLI flags, the
 * optional `.github/ci-autofixer.yml` and the environment. A bad value fails before any work with
 * one line per bad input naming it and what is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigurationError, getErrorMessage } from './errors.js';
import { DEFAULT_FIX_TYPES, FIX_TYPES } from './plan/plan.js';

export type PushMode = 'pull-request' | 'branch' | 'none';
/** `fix`: repair one run; `scan`: list the failed runs to repair as a job matrix (for `schedule:`). */
export type ActionMode = 'fix' | 'scan';
export const ACTION_MODES: readonly ActionMode[] = ['fix', 'scan'];
export const PUSH_MODES: readonly PushMode[] = ['pull-request', 'branch', 'none'];

export interface Settings {
  token: string;
  /** REST API base URL (GITHUB_API_URL, or --api-url). */
  apiUrl: string;
  /** Web URL for links (GITHUB_SERVER_URL). */
  serverUrl: string;
  /** The repository the workflow runs in. */
  owner: string;
  repo: string;
  runId: number | undefined;
  dryRun: boolean;
  confidenceThreshold: number;
  maxFixes: number;
  fixTypes: string[];
  push: PushMode;
  branchPrefix: string;
  /** Absolute path of the git working tree the fixes are applied in. */
  workspace: string;
  maxLogBytes: number;
  /** Absolute path where the JSON report is written. */
  reportPath: string;
  /** Directory for downloaded logs and other scratch files. */
  tempDir: string;
  eventName: string;
  eventPayload: Record<string, unknown>;
  /** Run the repository's own tools (node_modules/.bin, .venv/bin) for same-repository runs. */
  useRepositoryTools: boolean;
  /** Install a tool's pinned version into a temporary prefix when another version (or none) is found. */
  installTools: boolean;
  /** Total time budget of a run, in minutes: no new work starts after it, the report is still written. */
  timeoutMinutes: number;
  /** Where the configuration file was read from, for the report ('' when none was). */
  configSource: string;
  /** The repository's default branch, from the API (undefined for the local `fix`). */
  defaultBranch: string | undefined;
  mode: ActionMode;
  /** `mode: scan`: runs created in the last this many minutes. */
  lookbackMinutes: number;
  /** `mode: scan`: at most this many failed runs are looked at, newest first. */
  maxFailures: number;
  /** Notifications sent once after the run (src/notify/). */
  notify: NotifySettings;
}

/** The outcomes of a run a notifier can be asked to report (see src/notify/notify.ts for their definition). */
export type NotifyOutcome = 'fixed' | 'needs-human' | 'failed';
export const NOTIFY_OUTCOMES: readonly NotifyOutcome[] = ['fixed', 'needs-human', 'failed'];
export const DEFAULT_SLACK_OUTCOMES: readonly NotifyOutcome[] = ['needs-human', 'failed'];

export interface NotifySettings {
  /** A failed send is an error of the run (after everything else was done) instead of a warning. */
  strict: boolean;
  slack: {
    /**
     * The outcomes that send a message; empty: Slack is off. Set without a webhook URL (only an
     * input or the file can do that), the send fails with a warning saying how to pass it.
     */
    on: NotifyOutcome[];
    /** SLACK_WEBHOOK_URL, a secret: never logged, never in the report. Validated when sending. */
    webhookUrl: string | undefined;
  };
}

/** Input names as in action.yml. The same names are the keys of `.github/ci-autofixer.yml`. */
export const INPUT_NAMES = [
  'github-token',
  'run-id',
  'dry-run',
  'confidence-threshold',
  'max-fixes',
  'fix-types',
  'push',
  'branch-prefix',
  'working-directory',
  'max-log-bytes',
  'use-repository-tools',
  'install-tools',
  'timeout-minutes',
  'mode',
  'lookback-minutes',
  'max-failures',
  'notify-slack-on',
  'notify-strict',
] as const;
export type InputName = (typeof INPUT_NAMES)[number];
export type RawInputs = Partial<Record<InputName, string>>;

/** Keys a repository may set in its config file (not the token, not the run). */
const CONFIG_FILE_KEYS: readonly InputName[] = [
  'dry-run',
  'confidence-threshold',
  'max-fixes',
  'fix-types',
  'push',
  'branch-prefix',
  'max-log-bytes',
  'use-repository-tools',
  'install-tools',
  'timeout-minutes',
  'lookback-minutes',
  'max-failures',
  'notify-slack-on',
  'notify-strict',
];
/** Keys of the config file that hold a mapping, read by their own parser (`notify: { slack: { on: [...] } }`). */
const CONFIG_FILE_SECTIONS = ['notify'] as const;
const ALL_CONFIG_KEYS = [...CONFIG_FILE_KEYS, ...CONFIG_FILE_SECTIONS].join(', ');
export const CONFIG_FILE = '.github/ci-autofixer.yml';

export const DEFAULTS = {
  confidenceThreshold: 0.8,
  maxFixes: 10,
  push: 'pull-request' as PushMode,
  branchPrefix: 'autofix/',
  maxLogBytes: 64 * 1024 * 1024,
  useRepositoryTools: true,
  installTools: false,
  timeoutMinutes: 20,
  mode: 'fix' as ActionMode,
  lookbackMinutes: 60,
  maxFailures: 20,
};

/** Bounds of the scan window and list, shared by the action's inputs and the CLI's flags. */
export const LOOKBACK_MINUTES = { min: 1, max: 10_080 };
export const MAX_FAILURES = { min: 1, max: 100 };

/** What each input allows, for error messages and docs. */
export const ALLOWED: Record<InputName, string> = {
  'github-token': 'must be a non-empty token (e.g. ${{ secrets.GITHUB_TOKEN }})',
  'run-id': 'must be a positive whole number (the id of a workflow run), or empty for the triggering run',
  'dry-run': "must be 'true' or 'false'",
  'confidence-threshold': 'must be a number from 0 to 1 (default 0.8)',
  'max-fixes': 'must be a whole number from 0 to 100 (default 10)',
  'fix-types': `must be a comma- or newline-separated list of: ${FIX_TYPES.join(', ')} (or 'all'); default: ${DEFAULT_FIX_TYPES.join(', ')}`,
  push: `must be one of: ${PUSH_MODES.join(', ')} (default pull-request)`,
  'branch-prefix':
    "must be a valid git branch prefix: letters, digits, '/', '-', '_', '.', no '..', no leading '/' or '-' (default autofix/)",
  'working-directory': 'must be a directory inside the workspace',
  'max-log-bytes': 'must be a size from 1KB to 1GB: a whole number of bytes or a number with K, M or G (default 64M)',
  'use-repository-tools': "must be 'true' or 'false' (default true)",
  'install-tools': "must be 'true' or 'false' (default false)",
  'timeout-minutes': 'must be a whole number of minutes from 1 to 360 (default 20)',
  mode: `must be one of: ${ACTION_MODES.join(', ')} (default fix)`,
  'lookback-minutes': 'must be a whole number of minutes from 1 to 10080 (7 days; default 60)',
  'max-failures': 'must be a whole number from 1 to 100 (default 20)',
  'notify-slack-on': `must be a comma- or newline-separated list of: ${NOTIFY_OUTCOMES.join(', ')}, or 'none' (default when SLACK_WEBHOOK_URL is set: ${DEFAULT_SLACK_OUTCOMES.join(', ')})`,
  'notify-strict': "must be 'true' or 'false' (default false)",
};

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?$/i.exec(text);
  if (!match) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? '').toUpperCase()] ?? 1;
  return Math.floor(Number(match[1]) * unit);
}

function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const BRANCH_PREFIX = /^(?![/-])(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9._/-]{1,100}$/;

const booleanInput = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'])
    .transform((v) => v.toLowerCase() === 'true')
    .optional(),
);

function wholeNumberInput(bounds: { min: number; max: number }) {
  return z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{1,6}$/)
      .transform(Number)
      .pipe(z.number().int().min(bounds.min).max(bounds.max))
      .optional(),
  );
}

const inputSchema = z.object({
  'github-token': z.string().min(1),
  'run-id': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[1-9]\d{0,18}$/)
      .transform(Number)
      .optional(),
  ),
  'dry-run': booleanInput,
  'use-repository-tools': booleanInput,
  'install-tools': booleanInput,
  'timeout-minutes': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{1,3}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(360))
      .optional(),
  ),
  'confidence-threshold': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/)
      .transform(Number)
      .optional(),
  ),
  'max-fixes': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d{1,3}$/)
      .transform(Number)
      .pipe(z.number().int().min(0).max(100))
      .optional(),
  ),
  'fix-types': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform(parseList)
      .pipe(z.array(z.enum(['all', ...FIX_TYPES] as [string, ...string[]])).min(1))
      .optional(),
  ),
  push: z.preprocess(emptyToUndefined, z.enum(['pull-request', 'branch', 'none']).optional()),
  mode: z.preprocess(emptyToUndefined, z.enum(['fix', 'scan']).optional()),
  'lookback-minutes': wholeNumberInput(LOOKBACK_MINUTES),
  'max-failures': wholeNumberInput(MAX_FAILURES),
  'branch-prefix': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(BRANCH_PREFIX)
      .refine((v) => !v.endsWith('.lock') && !v.endsWith('.'))
      .optional(),
  ),
  'working-directory': z.preprocess(emptyToUndefined, z.string().optional()),
  'notify-strict': booleanInput,
  'notify-slack-on': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform(parseList)
      .pipe(
        z
          .array(z.enum(['none', ...NOTIFY_OUTCOMES] as [string, ...string[]]))
          .min(1)
          .refine((list) => !list.includes('none') || list.length === 1),
      )
      .optional(),
  ),
  'max-log-bytes': z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((v, ctx) => {
        const size = parseSize(v);
        if (size === undefined) {
          ctx.addIssue({ code: 'custom', message: 'not a size' });
          return z.NEVER;
        }
        return size;
      })
      .pipe(
        z
          .number()
          .int()
          .min(1024)
          .max(1024 ** 3),
      )
      .optional(),
  ),
});

export interface SettingsEnvironment {
  /** GITHUB_* variables and the like. */
  env: Record<string, string | undefined>;
  /** Directory relative working-directory values resolve against (GITHUB_WORKSPACE or cwd). */
  baseDirectory: string;
  eventName: string;
  eventPayload: Record<string, unknown>;
  /** owner/name; from GITHUB_REPOSITORY or --repo. */
  repository: string | undefined;
  apiUrl?: string;
  reportPath?: string;
  /**
   * The configuration file's settings, already read by the caller: through the API at the default
   * branch for the action and `run` (never from the checked-out head, whose author would then
   * choose where the fix is pushed), from the workspace for the local `fix`.
   */
  configFile?: ConfigFile;
  /** The repository's default branch, when known (from the API). */
  defaultBranch?: string;
}

export interface ConfigFile {
  raw: RawInputs;
  /** Where it was read, for messages and the report: `.github/ci-autofixer.yml (main)`. */
  source: string;
}

function describeValue(name: InputName, raw: unknown): string {
  if (name === 'github-token') return '';
  if (raw === undefined) return ' (it is empty)';
  const text = String(raw);
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return ` (got ${JSON.stringify(shown)})`;
}

/** Parses the text of `.github/ci-autofixer.yml`: keys as inputs, values as YAML scalars or lists. */
export function parseConfigText(text: string, source: string = CONFIG_FILE): RawInputs {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error: unknown) {
    throw new ConfigurationError(`${source}: not valid YAML: ${getErrorMessage(error).split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError(`${source}: must be a mapping of settings (keys: ${ALL_CONFIG_KEYS})`);
  }
  const raw: RawInputs = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key === 'notify') {
      parseNotifySection(value, source, raw, problems);
      continue;
    }
    if (!(CONFIG_FILE_KEYS as readonly string[]).includes(key)) {
      problems.push(`${source}: unknown key '${key}'; allowed keys: ${ALL_CONFIG_KEYS}`);
      continue;
    }
    if (key === 'notify-slack-on' && raw[key] !== undefined)
      problems.push(`${source}: 'notify.slack.on' and 'notify-slack-on' are the same setting; keep one`);
    else if (Array.isArray(value)) raw[key as InputName] = value.map(String).join(',');
    else if (value === null || typeof value === 'object') problems.push(`${source}: '${key}' ${ALLOWED[key as InputName]}`);
    else raw[key as InputName] = String(value);
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join('\n'));
  return raw;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `notify: { slack: { on: [fixed, needs-human, failed] } }`: maps onto the `notify-slack-on` key
 * (`on: []` turns Slack off). One line per problem, naming the field and what is allowed.
 */
function parseNotifySection(value: unknown, source: string, raw: RawInputs, problems: string[]): void {
  const NOTIFIERS = ['slack'];
  if (!isMapping(value)) {
    problems.push(`${source}: 'notify' must be a mapping of notifiers (allowed: ${NOTIFIERS.join(', ')})`);
    return;
  }
  for (const [name, notifier] of Object.entries(value)) {
    if (!NOTIFIERS.includes(name)) {
      problems.push(`${source}: unknown notifier 'notify.${name}'; allowed: ${NOTIFIERS.join(', ')}`);
    } else if (!isMapping(notifier) || Object.keys(notifier).some((key) => key !== 'on')) {
      problems.push(`${source}: 'notify.${name}' must be a mapping with the key 'on' (a list of: ${NOTIFY_OUTCOMES.join(', ')})`);
    } else if (notifier.on !== undefined) {
      const list = Array.isArray(notifier.on) ? notifier.on : [notifier.on];
      const bad = list.filter((item) => !(NOTIFY_OUTCOMES as readonly unknown[]).includes(item));
      if (bad.length > 0 || notifier.on === null) {
        problems.push(
          `${source}: 'notify.${name}.on' must be a list of: ${NOTIFY_OUTCOMES.join(', ')} ([] turns it off) (got ${JSON.stringify(notifier.on)})`,
        );
      } else if (raw['notify-slack-on'] !== undefined) {
        problems.push(`${source}: 'notify.slack.on' and 'notify-slack-on' are the same setting; keep one`);
      } else {
        raw['notify-slack-on'] = list.length === 0 ? 'none' : list.join(',');
      }
    }
  }
}

/** Reads `.github/ci-autofixer.yml` from a local checkout (the CLI's `fix`, which pushes nothing). */
export function readConfigFile(workspace: string): ConfigFile | undefined {
  const file = path.join(workspace, CONFIG_FILE);
  if (!existsSync(file)) return undefined;
  return { raw: parseConfigText(readFileSync(file, 'utf8')), source: CONFIG_FILE };
}

/**
 * Builds Settings from raw inputs (action inputs or CLI flags). Values given as inputs win over
 * the repository's config file; documented defaults fill the rest.
 */
export function parseSettings(inputs: RawInputs, environment: SettingsEnvironment): Settings {
  const problems: string[] = [];

  const repository = environment.repository ?? '';
  const repoMatch = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/.exec(repository);
  if (!repoMatch) problems.push(`repository must be OWNER/NAME (got ${JSON.stringify(repository)}); set GITHUB_REPOSITORY or --repo`);

  const base = path.resolve(environment.baseDirectory);
  const workingDirectory = inputs['working-directory']?.trim() || '.';
  const workspace = path.resolve(base, workingDirectory);
  const relative = path.relative(base, workspace);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    problems.push(`Input 'working-directory' ${ALLOWED['working-directory']} (got ${JSON.stringify(workingDirectory)}, outside ${base})`);
  } else if (!existsSync(workspace)) {
    problems.push(
      `Input 'working-directory' ${ALLOWED['working-directory']} (got ${JSON.stringify(workingDirectory)}, which does not exist)`,
    );
  }

  const fromFile: RawInputs = environment.configFile?.raw ?? {};
  const configSource = environment.configFile?.source ?? CONFIG_FILE;

  const merged: Record<string, string | undefined> = {};
  for (const name of INPUT_NAMES) {
    const given = inputs[name];
    merged[name] = given !== undefined && given.trim() !== '' ? given : fromFile[name];
  }

  const result = inputSchema.safeParse(merged);
  if (!result.success) {
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]) as InputName;
      if (seen.has(name)) continue;
      seen.add(name);
      const fromConfigFile = fromFile[name] !== undefined && (inputs[name] ?? '').trim() === '';
      const source = fromConfigFile ? `${configSource} key` : 'Input';
      problems.push(`${source} '${name}' ${ALLOWED[name]}${describeValue(name, merged[name])}`);
    }
  }
  if (problems.length > 0 || !result.success || !repoMatch) throw new ConfigurationError(problems.join('\n'));

  const values = result.data;
  const fixTypes = values['fix-types'];
  const env = environment.env;
  const tempDir = env.RUNNER_TEMP && env.RUNNER_TEMP !== '' ? env.RUNNER_TEMP : os.tmpdir();
  return {
    token: values['github-token'],
    apiUrl: (environment.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, ''),
    owner: repoMatch[1] as string,
    repo: repoMatch[2] as string,
    runId: values['run-id'],
    dryRun: values['dry-run'] ?? false,
    confidenceThreshold: values['confidence-threshold'] ?? DEFAULTS.confidenceThreshold,
    maxFixes: values['max-fixes'] ?? DEFAULTS.maxFixes,
    fixTypes: fixTypes === undefined ? [...DEFAULT_FIX_TYPES] : fixTypes.includes('all') ? [...FIX_TYPES] : [...new Set(fixTypes)],
    push: values.push ?? DEFAULTS.push,
    branchPrefix: values['branch-prefix'] ?? DEFAULTS.branchPrefix,
    workspace,
    maxLogBytes: values['max-log-bytes'] ?? DEFAULTS.maxLogBytes,
    reportPath: path.resolve(environment.reportPath ?? path.join(tempDir, 'ci-autofixer', 'report.json')),
    tempDir,
    eventName: environment.eventName,
    eventPayload: environment.eventPayload,
    useRepositoryTools: values['use-repository-tools'] ?? DEFAULTS.useRepositoryTools,
    installTools: values['install-tools'] ?? DEFAULTS.installTools,
    timeoutMinutes: values['timeout-minutes'] ?? DEFAULTS.timeoutMinutes,
    configSource: environment.configFile?.source ?? '',
    defaultBranch: environment.defaultBranch,
    mode: values.mode ?? DEFAULTS.mode,
    lookbackMinutes: values['lookback-minutes'] ?? DEFAULTS.lookbackMinutes,
    maxFailures: values['max-failures'] ?? DEFAULTS.maxFailures,
    notify: notifySettings(values['notify-slack-on'], values['notify-strict'], env),
  };
}

function notifySettings(
  slackOn: string[] | undefined,
  strict: boolean | undefined,
  env: Record<string, string | undefined>,
): NotifySettings {
  const webhookUrl = env.SLACK_WEBHOOK_URL !== undefined && env.SLACK_WEBHOOK_URL.trim() !== '' ? env.SLACK_WEBHOOK_URL.trim() : undefined;
  const defaultOn = webhookUrl !== undefined ? [...DEFAULT_SLACK_OUTCOMES] : [];
  const on = slackOn === undefined ? defaultOn : (slackOn.filter((item) => item !== 'none') as NotifyOutcome[]);
  return {
    strict: strict ?? false,
    slack: { on: [...new Set(on)], webhookUrl },
  };
}
