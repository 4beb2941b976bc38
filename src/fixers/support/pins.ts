/**
 * The version of a tool the repository pins: in `.pre-commit-config.yaml` (a hook repository's
 * `rev`, or `<package>@<version>` in a hook's `additional_dependencies`), then for Python tools
 * `pyproject.toml` (PEP 621 and PEP 735 lists, PDM, Poetry) and `requirements*.txt`, for Node tools
 * `package.json`. The first file that pins the tool wins. Only exact pins count for Python
 * (`black==24.3.0`); for Node an exact version or a `^`/`~` range.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { getErrorMessage } from '../../errors.js';
import type { Logger } from '../../logging.js';
import { readTomlEntries, type TomlEntry } from './toml-subset.js';

export interface PinnedToolSpec {
  /** The tool's name in messages and its executable ("black"). */
  tool: string;
  ecosystem: 'python' | 'node';
  /** The PyPI or npm package that provides it. */
  packageName: string;
  /** `owner/name` of the pre-commit hook repositories that run it (lower case). */
  preCommitRepos: readonly string[];
}

export interface PinnedVersion {
  /** The version as pinned, without a leading `v` ("24.3.0"). */
  version: string;
  /** `^` or `~` for a Node range; absent for an exact pin. */
  range?: '^' | '~';
  /** The workspace-relative file that pins it. */
  source: string;
}

/** Largest file read for a pin: a dependency list is small, a larger file is not one. */
const MAX_PIN_FILE_BYTES = 1024 * 1024;

const VERSION = /^v?(\d+(?:\.\d+)+(?:[-.+]?[A-Za-z0-9]+)*)$/;

/** A regular file of the workspace (never through a symlink), or undefined. */
async function readWorkspaceText(workspace: string, file: string): Promise<string | undefined> {
  try {
    const info = await lstat(path.join(workspace, file));
    if (!info.isFile() || info.size > MAX_PIN_FILE_BYTES) return undefined;
    return await readFile(path.join(workspace, file), 'utf8');
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `black==24.3.0`, `black[d] == 24.3.0 ; python_version >= "3.8"` → '24.3.0' when it names `packageName`. */
export function pep508Pin(requirement: string, packageName: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([0-9][A-Za-z0-9.+!-]*)\s*(?:;.*)?$/.exec(requirement);
  if (!match || normalizePythonName(match[1] as string) !== normalizePythonName(packageName)) return undefined;
  return match[2];
}

/** `3.1.0`, `=3.1.0`, `v3.1.0`, `^3.1.0`, `~3.1.0`; undefined for anything wider (`>=`, `*`, `latest`, a URL). */
export function npmPin(spec: string): Omit<PinnedVersion, 'source'> | undefined {
  const match = /^\s*([\^~]|=)?\s*v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\s*$/.exec(spec);
  if (!match) return undefined;
  const range = match[1] === '^' || match[1] === '~' ? match[1] : undefined;
  return { version: match[2] as string, ...(range !== undefined ? { range } : {}) };
}

function repoSlug(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const parts = url
    .toLowerCase()
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
    .split(/[/:]/);
  return parts.length >= 2 ? parts.slice(-2).join('/') : undefined;
}

function fromPreCommit(text: string, spec: PinnedToolSpec): Omit<PinnedVersion, 'source'> | undefined {
  const config: unknown = YAML.parse(text);
  const repos = (config as { repos?: unknown } | null)?.repos;
  if (!Array.isArray(repos)) return undefined;
  for (const repo of repos as Array<Record<string, unknown>>) {
    const slug = repoSlug(repo?.repo);
    if (slug === undefined || !spec.preCommitRepos.includes(slug)) continue;
    // The mirrors install the package named in additional_dependencies when one is given.
    const hooks = Array.isArray(repo.hooks) ? (repo.hooks as Array<Record<string, unknown>>) : [];
    for (const dependency of hooks.flatMap((hook) => (Array.isArray(hook?.additional_dependencies) ? hook.additional_dependencies : []))) {
      if (typeof dependency !== 'string') continue;
      const pinned =
        spec.ecosystem === 'node'
          ? dependency.startsWith(`${spec.packageName}@`)
            ? npmPin(dependency.slice(spec.packageName.length + 1))
            : undefined
          : ((version) => (version !== undefined ? { version } : undefined))(pep508Pin(dependency, spec.packageName));
      if (pinned !== undefined) return pinned;
    }
    const rev = typeof repo.rev === 'string' || typeof repo.rev === 'number' ? String(repo.rev) : '';
    const match = VERSION.exec(rev.trim());
    if (match) return { version: match[1] as string };
  }
  return undefined;
}

/** The PEP 508 lists and Poetry tables of pyproject.toml that can pin a tool. */
function pyprojectPinOf(entry: TomlEntry, packageName: string): string | undefined {
  const table = entry.table.join('.');
  const isList =
    (table === 'project' && entry.key === 'dependencies') ||
    table === 'project.optional-dependencies' ||
    table === 'dependency-groups' ||
    table === 'tool.pdm.dev-dependencies';
  if (isList) return entry.strings.map((item) => pep508Pin(item, packageName)).find((pin) => pin !== undefined);
  const isPoetry = /^tool\.poetry\.(?:dependencies|dev-dependencies|group\.[^.]+\.dependencies)$/.test(table);
  if (!isPoetry || normalizePythonName(entry.key) !== normalizePythonName(packageName)) return undefined;
  const version = (entry.fields?.version ?? entry.strings[0] ?? '').replace(/^==?\s*/, '');
  return /^\d+(?:\.\d+)+$/.test(version) ? version : undefined;
}

function fromPyproject(text: string, spec: PinnedToolSpec): Omit<PinnedVersion, 'source'> | undefined {
  for (const entry of readTomlEntries(text)) {
    const version = pyprojectPinOf(entry, spec.packageName);
    if (version !== undefined) return { version };
  }
  return undefined;
}

function fromRequirements(text: string, spec: PinnedToolSpec): Omit<PinnedVersion, 'source'> | undefined {
  for (const line of text.split(/\r?\n/)) {
    const version = pep508Pin(line.replace(/(?:^|\s)#.*$/, ''), spec.packageName);
    if (version !== undefined) return { version };
  }
  return undefined;
}

function fromPackageJson(text: string, spec: PinnedToolSpec): Omit<PinnedVersion, 'source'> | undefined {
  const manifest = JSON.parse(text) as Record<string, unknown> | null;
  for (const field of ['devDependencies', 'dependencies']) {
    const value = (manifest?.[field] as Record<string, unknown> | undefined)?.[spec.packageName];
    if (typeof value === 'string') return npmPin(value);
  }
  return undefined;
}

/** `requirements*.txt` at the top and `requirements/*.txt`, sorted. */
async function requirementFiles(workspace: string): Promise<string[]> {
  const list = async (dir: string, pattern: RegExp): Promise<string[]> => {
    try {
      return (await readdir(path.join(workspace, dir))).filter((name) => pattern.test(name)).map((name) => path.posix.join(dir, name));
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw error;
    }
  };
  return [...(await list('.', /^requirements.*\.txt$/)), ...(await list('requirements', /\.txt$/))]
    .map((file) => path.posix.normalize(file))
    .sort();
}

type PinReader = (text: string, spec: PinnedToolSpec) => Omit<PinnedVersion, 'source'> | undefined;

/**
 * The version the repository pins for the tool, or undefined. A file that cannot be parsed pins
 * nothing (it is noted in the debug log): the repository's CI fails on it anyway.
 */
export async function readPinnedVersion(workspace: string, spec: PinnedToolSpec, logger: Logger): Promise<PinnedVersion | undefined> {
  const sources: Array<[string, PinReader]> = [['.pre-commit-config.yaml', fromPreCommit]];
  if (spec.ecosystem === 'python') {
    sources.push(
      ['pyproject.toml', fromPyproject],
      ...(await requirementFiles(workspace)).map((file): [string, PinReader] => [file, fromRequirements]),
    );
  } else sources.push(['package.json', fromPackageJson]);
  for (const [file, read] of sources) {
    const text = await readWorkspaceText(workspace, file);
    if (text === undefined) continue;
    try {
      const pinned = read(text, spec);
      if (pinned !== undefined) return { ...pinned, source: file };
    } catch (error: unknown) {
      logger.debug(`${file} was not read for the ${spec.tool} version: ${getErrorMessage(error)}`);
    }
  }
  return undefined;
}

function versionParts(version: string): Array<number | string> {
  const parts = version
    .replace(/^v/, '')
    .split(/[.+-]/)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  while (parts.length > 1 && parts[parts.length - 1] === 0) parts.pop();
  return parts;
}

function compareVersions(a: string, b: string): number {
  const left = versionParts(a);
  const right = versionParts(b);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const x = left[index] ?? 0;
    const y = right[index] ?? 0;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** Does `found` meet the pin? Exact pins compare equal (24.3 = 24.3.0); `^`/`~` as npm reads them. */
export function satisfiesPin(found: string, pin: PinnedVersion): boolean {
  if (pin.range === undefined) return compareVersions(found, pin.version) === 0;
  if (compareVersions(found, pin.version) < 0) return false;
  const [major = 0, minor = 0] = versionParts(pin.version);
  const [foundMajor, foundMinor] = versionParts(found);
  if (pin.range === '~' || major === 0) return foundMajor === major && foundMinor === minor;
  return foundMajor === major;
}

/** How a pin reads in a message: "24.3.0", "^3.1.0". */
export function pinText(pin: PinnedVersion): string {
  return `${pin.range ?? ''}${pin.version}`;
}
