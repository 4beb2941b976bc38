import type { Category, Detector, DetectorContext, FailureDraft } from '../types.js';

/**
 * pre-commit (and prek, which prints the same): a hook's status line
 * `Trim trailing whitespace.................Failed`, then `- hook id: trailing-whitespace`,
 * `- exit code: 1` and/or `- files were modified by this hook`, then the hook's own output. Hooks
 * are linters and formatters (type checkers when the hook id says so); a hook that modified files
 * is a formatter whose fix is to run it and commit. The failure spans the status line through the
 * hook's output (at most MAX_OUTPUT_LINES), up to the next hook's status line.
 */

const STATUS_SUFFIX = /\.\.\.(?:\(no files to check\))?(?<status>Passed|Failed|Skipped)\s*$/;
const HOOK_ID = /^- hook id: (?<id>\S+)\s*$/;
const MODIFIED = /^- files were modified by this hook\s*$/;
const TYPE_CHECK_HOOK = /mypy|pyright|pytype|pyre|tsc|type-?check/i;
/** Output lines of one hook kept in its failure (a formatter's diff can be long). */
const MAX_OUTPUT_LINES = 30;

interface Open {
  draft: FailureDraft;
  name: string;
  id?: string;
  modified: boolean;
  /** Last non-blank line of the hook's output so far. */
  last: number;
}

/** `name.....Failed` → name and status (dots counted by hand: a regex over long dot runs backtracks). */
function parseStatus(text: string): { name: string; status: string } | undefined {
  const suffix = STATUS_SUFFIX.exec(text);
  if (suffix?.groups?.status === undefined) return undefined;
  let end = suffix.index + 3;
  while (end > 0 && text[end - 1] === '.') end--;
  const name = text.slice(0, end).trim();
  return name === '' ? undefined : { name, status: suffix.groups.status };
}

function categoryOf(id: string | undefined): Category {
  return id !== undefined && TYPE_CHECK_HOOK.test(id) ? 'type_check' : 'lint_format';
}

export const preCommitDetector: Detector = {
  id: 'pre-commit',
  description:
    'pre-commit hooks that failed (`hook name....Failed`, `- hook id: x`, `- files were modified by this hook`) with their output.',
  categories: ['lint_format', 'type_check'],
  example: 'trim trailing whitespace.................................................Failed',
  trigger: /\.\.\.(?:\(no files to check\))?(?:Passed|Failed|Skipped)\s*$/,
  start() {
    let open: Open | undefined;
    const close = (ctx: DetectorContext) => {
      if (open === undefined) return;
      const { draft, id, modified, name, last } = open;
      draft.logLines[1] = last;
      draft.category = categoryOf(id);
      draft.message = `pre-commit hook ${id ?? name} failed${modified ? ' (files were modified by this hook)' : ''}: ${name}`.slice(0, 500);
      draft.confidence = modified ? 0.9 : 0.85;
      draft.data = { hook: id ?? name, modified };
      ctx.report(draft);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text.trim();
        const status = parseStatus(text);
        if (status) {
          close(ctx);
          if (status.status !== 'Failed') return false;
          open = {
            draft: { category: 'lint_format', tool: 'pre-commit', message: '', logLines: [line.n, line.n], confidence: 0.85 },
            name: status.name,
            modified: false,
            last: line.n,
          };
          return true;
        }
        if (open === undefined) return false;
        // A workflow command (`##[error]`, `##[group]`) belongs to the runner, not to the hook.
        if (line.command !== undefined || line.n - open.draft.logLines[0] > MAX_OUTPUT_LINES) {
          close(ctx);
          return false;
        }
        if (text === '') return true;
        const id = HOOK_ID.exec(text)?.groups?.id;
        if (id !== undefined && open.id === undefined) open.id = id;
        if (MODIFIED.test(text)) open.modified = true;
        open.last = line.n;
        return true;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
