import type { Category, Detector } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * The failure messages of the official GitHub actions and of Docker's build action, which a
 * workflow's own steps depend on: `actions/upload-artifact` finding no files, `actions/setup-*`
 * caches without a lock file or an interpreter version that does not exist, and BuildKit's
 * `failed to solve` when a `COPY` source is missing. Each is one line, usually a `##[error]`
 * annotation; upload-artifact's "no files" counts only as one (`if-no-files-found: error`), since
 * printed plainly or as a warning the step went on. None is fixed by creating a path, so the missing path is `data.missing`.
 */

interface Rule {
  pattern: RegExp;
  category: Category;
  tool: string;
  confidence: number;
  /** Only as a `##[error]` annotation: printed plainly (or as a warning) the action went on. */
  errorOnly?: boolean;
}

const RULES: readonly Rule[] = [
  {
    pattern: /No files were found with the provided path: (?<path>.+?)\. No artifacts will be uploaded/,
    category: 'missing_file',
    tool: 'upload-artifact',
    confidence: 0.85,
    errorOnly: true,
  },
  {
    pattern: /Dependencies lock file is not found in (?<path>\S+?)\.? Supported file patterns?: /,
    category: 'missing_file',
    tool: 'setup-action',
    confidence: 0.88,
  },
  {
    pattern: /^(?:Error: )?Some specified paths were not resolved, unable to cache dependencies/,
    category: 'missing_file',
    tool: 'setup-action',
    confidence: 0.8,
  },
  {
    pattern:
      /Version (?<version>\S+) with arch (?<arch>\S+) not found|The version '(?<version2>[^']+)' with architecture '[^']+' was not found for this operating system/,
    category: 'dependency_resolution',
    tool: 'setup-action',
    confidence: 0.88,
  },
  {
    pattern:
      /Unable to find Node version '(?<version3>[^']+)'|Could not find a version that satisfied version spec: (?<version4>\S+)|Could not find satisfied version for SemVer '(?<version5>[^']+)'/,
    category: 'dependency_resolution',
    tool: 'setup-action',
    confidence: 0.85,
  },
  {
    pattern: /failed to solve: failed to compute cache key: failed to calculate checksum of ref \S+ "(?<path>[^"]+)": not found/,
    category: 'missing_file',
    tool: 'docker',
    confidence: 0.88,
  },
  {
    pattern: /failed to solve: failed to read dockerfile: open (?<path>\S+): no such file or directory/,
    category: 'missing_file',
    tool: 'docker',
    confidence: 0.88,
  },
];

const TRIGGER =
  /No files were found with the provided path|Dependencies lock file is not found|unable to cache dependencies|with arch \S+ not found|was not found for this operating system|Unable to find Node version|Could not find a version that satisfied version spec|Could not find satisfied version for SemVer|failed to solve: failed to (?:compute cache key|read dockerfile)/;

export const officialActionsDetector: Detector = {
  id: 'official-actions',
  description:
    'Failures reported by the official actions a workflow depends on: upload-artifact with no files, setup-* without a lock file or without the requested version, Docker builds whose COPY source or Dockerfile is missing.',
  categories: ['missing_file', 'dependency_resolution'],
  example:
    'Dependencies lock file is not found in /home/runner/work/app/app. Supported file patterns: package-lock.json,npm-shrinkwrap.json,yarn.lock',
  trigger: TRIGGER,
  start() {
    return {
      line(line, ctx) {
        const text = line.text.trim();
        for (const rule of RULES) {
          if (rule.errorOnly && line.command !== 'error') continue;
          const match = rule.pattern.exec(text);
          if (!match) continue;
          const groups = match.groups ?? {};
          const version = groups.version ?? groups.version2 ?? groups.version3 ?? groups.version4 ?? groups.version5;
          const data: Record<string, unknown> = {};
          // Not `data.path`: that names a file a fixer may create a directory for, and none of these
          // is fixed that way (the artifact was not built, the lock file is not committed).
          if (groups.path !== undefined) data.missing = groups.path;
          if (version !== undefined) data.version = version;
          ctx.report({
            category: rule.category,
            tool: rule.tool,
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: rule.confidence,
            ...(Object.keys(data).length > 0 ? { data } : {}),
          });
          return false;
        }
        return false;
      },
    };
  },
};
