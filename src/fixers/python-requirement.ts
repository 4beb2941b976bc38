import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Failure } from '../analysis/types.js';
import { readEditableFile, writeEditableFile } from '../validate/paths.js';
import { distributionForModule, normalizeDistributionName, parseRequirements } from '../validate/python-packages.js';
import { dataString } from './support/file-formatter.js';
import { findOnPath, runTool } from './tools.js';
import { checkWheelProvides, type WheelCheck } from './support/pip-download.js';
import type { FixContext, Fixer, ToolResolution, VerifyOutcome } from './types.js';

export const REQUIREMENTS_FILE = 'requirements.txt';

/**
 * Other places a Python project declares dependencies. When one of them exists and there is no
 * requirements.txt, the dependency belongs there, and a new requirements.txt would be ignored.
 */
const OTHER_MANIFESTS = [
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'Pipfile',
  'environment.yml',
  'environment.yaml',
  'poetry.lock',
  'requirements.in',
];

function moduleOf(failure: Failure): string | undefined {
  return dataString(failure, 'module');
}

/** Top-level names provided by the repository itself (a package dir or module file tracked by git). */
async function localModuleNames(ctx: FixContext, git: ToolResolution): Promise<Set<string>> {
  const listed = await runTool(ctx, git, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  const names = new Set<string>();
  for (const file of listed.stdout.split('\0')) {
    if (file === '') continue;
    const parts = file.split('/');
    for (const dir of parts.slice(0, -1)) names.add(dir);
    const base = parts[parts.length - 1] as string;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.[^.]+)*\.(?:py|pyi|pyx|so|pyd)$/.exec(base);
    if (match) names.add(match[1] as string);
  }
  return names;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

export const pythonRequirementFixer: Fixer = {
  id: 'python-requirement',
  description:
    'Adds the distribution of a missing Python module to requirements.txt (import name mapped, e.g. yaml → PyYAML; names validated; standard-library and local modules refused); verified only when `pip download --no-deps --only-binary=:all:` fetches a wheel that contains the module (nothing is installed or run), otherwise kept as "applied, not verified" after parsing the file.',
  fixType: 'dependency',
  safeByDefault: false,
  categories: ['import_missing_module'],
  confidence: 0.85,
  touches: [REQUIREMENTS_FILE],
  creates: [REQUIREMENTS_FILE],
  toolHint: 'git must be on PATH',
  handles: (failure) =>
    failure.category === 'import_missing_module' && dataString(failure, 'ecosystem') === 'python' && moduleOf(failure) !== undefined,
  toolName: 'git',
  async resolveTool(ctx) {
    // Files are edited directly; git lists the repository's own modules.
    const git = await findOnPath('git', ctx.env);
    return git === undefined ? undefined : { command: git, prefixArgs: [], source: 'system' };
  },
  async apply(ctx, git) {
    // Never through a symlink: a requirements.txt linked to a file outside the checkout is refused.
    const read = await readEditableFile(ctx.workspace, REQUIREMENTS_FILE);
    if (!read.ok) return { changed: false, description: `${REQUIREMENTS_FILE} was not edited: ${read.reason}`, files: [] };
    const existing = read.content;
    if (existing === undefined) {
      const others: string[] = [];
      for (const manifest of OTHER_MANIFESTS) if (await exists(path.join(ctx.workspace, manifest))) others.push(manifest);
      if (others.length > 0) {
        return {
          changed: false,
          description: `no ${REQUIREMENTS_FILE}, and the project declares dependencies in ${others.join(', ')}: add the package there`,
          files: [],
        };
      }
    }
    const listed = new Set(parseRequirements(existing ?? '').flatMap((line) => (line.kind === 'requirement' ? [line.normalized] : [])));
    const local = await localModuleNames(ctx, git);
    const added: string[] = [];
    const notes: string[] = [];
    for (const failure of ctx.failures) {
      const module = moduleOf(failure) as string;
      const lookup = distributionForModule(module);
      if (!lookup.ok) {
        notes.push(lookup.reason);
        continue;
      }
      if (local.has(lookup.topLevel)) {
        notes.push(`'${lookup.topLevel}' is a module of this repository; the import fails for another reason (path, packaging)`);
        continue;
      }
      const normalized = normalizeDistributionName(lookup.distribution);
      if (listed.has(normalized)) {
        notes.push(`${lookup.distribution} is already in ${REQUIREMENTS_FILE}; it is not installed in the job or provides another module`);
        continue;
      }
      listed.add(normalized);
      added.push(lookup.distribution);
      if (lookup.mapped) notes.push(`import '${module}' is provided by ${lookup.distribution}`);
    }
    const noteText = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    if (added.length === 0) return { changed: false, description: `no requirement to add${noteText}`, files: [] };
    const content = existing ?? '';
    const newline = content.includes('\r\n') ? '\r\n' : '\n';
    const separator = content === '' || content.endsWith('\n') ? '' : newline;
    await writeEditableFile(
      ctx.workspace,
      REQUIREMENTS_FILE,
      `${content}${separator}${added.map((name) => `${name}${newline}`).join('')}`,
      {
        create: existing === undefined,
      },
    );
    return {
      changed: true,
      description: `added ${added.join(', ')} to ${REQUIREMENTS_FILE}${noteText}`,
      files: [REQUIREMENTS_FILE],
    };
  },
  async verify(ctx, git) {
    const parsed = await checkRequirementsFile(ctx, git);
    if (!parsed.ok) return parsed;
    const local = await localModuleNames(ctx, git);
    const checks: WheelCheck[] = [];
    for (const failure of ctx.failures) {
      const lookup = distributionForModule(moduleOf(failure) as string);
      if (!lookup.ok || local.has(lookup.topLevel)) continue;
      checks.push(await checkWheelProvides(ctx, lookup.distribution, lookup.topLevel));
    }
    const command = checks.map((check) => check.command).join('; ');
    const lacking = checks.find((check) => check.kind === 'lacks');
    if (lacking !== undefined && lacking.kind === 'lacks') {
      return {
        ok: false,
        strength: 'check',
        command,
        exitCode: 0,
        detail: `the downloaded wheel ${lacking.wheel} does not contain the missing module`,
      };
    }
    const unavailable = checks.filter((check) => check.kind === 'unavailable');
    if (checks.length === 0 || unavailable.length > 0) {
      const why = unavailable.map(
        (check) => `\`${check.command}\` could not check it (${check.kind === 'unavailable' ? check.detail : ''})`,
      );
      return { ok: true, strength: 'sanity', command: parsed.command, detail: why.join('; ') || 'no distribution to download' };
    }
    const wheels = checks.map((check) => (check.kind === 'provides' ? check.wheel : '')).join(', ');
    return { ok: true, strength: 'check', command: `${command} (the wheel ${wheels} contains the module)`, exitCode: 0 };
  },
};

/** The sanity check: requirements.txt parses and names each added distribution exactly once. */
async function checkRequirementsFile(ctx: FixContext, git: ToolResolution): Promise<VerifyOutcome> {
  const command = `parse ${REQUIREMENTS_FILE}`;
  const read = await readEditableFile(ctx.workspace, REQUIREMENTS_FILE);
  const content = read.ok ? read.content : undefined;
  if (content === undefined) return { ok: false, command, detail: read.ok ? `${REQUIREMENTS_FILE} is missing` : read.reason };
  const lines = parseRequirements(content);
  const invalid = lines.flatMap((line) => (line.kind === 'invalid' ? [line.text] : []));
  if (invalid.length > 0) return { ok: false, command, detail: `lines that are not requirements: ${invalid.slice(0, 5).join(' | ')}` };
  const counts = new Map<string, number>();
  for (const line of lines) if (line.kind === 'requirement') counts.set(line.normalized, (counts.get(line.normalized) ?? 0) + 1);
  const local = await localModuleNames(ctx, git);
  for (const failure of ctx.failures) {
    const lookup = distributionForModule(moduleOf(failure) as string);
    if (!lookup.ok || local.has(lookup.topLevel)) continue;
    const count = counts.get(normalizeDistributionName(lookup.distribution)) ?? 0;
    if (count !== 1) return { ok: false, command, detail: `${lookup.distribution} appears ${count} times in ${REQUIREMENTS_FILE}` };
  }
  return { ok: true, command };
}
