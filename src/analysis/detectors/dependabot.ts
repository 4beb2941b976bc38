import type { Category, Detector, FailureDraft, LogLine } from '../types.js';
import { BlockReader, type OpenBlock } from '../detector-helpers.js';

/**
 * Dependabot's updater, which runs as a GitHub Actions job: `Dependabot encountered 'N' error(s)
 * during execution` followed by its errors table (`| Type | Details |` rows such as
 * `| dependency_file_not_resolvable | … |`). An update that cannot be resolved is a dependency
 * resolution failure; authentication, timeouts and unreachable registries are infrastructure.
 * The failure spans the summary line through the table.
 */

const SUMMARY = /^Dependabot encountered '?(?<count>\d+)'? error\(s\)/;
const TABLE = /^[+|]/;
const ROW = /^\|\s*(?<type>[a-z][a-z0-9_]*[a-z0-9])\s*\|/;
const INFRA_TYPE = /auth|credential|timed?_?out|unreachable|rate_limit|network|connection|server_error/;
/** Lines of the errors table kept at most. */
const MAX_TABLE_LINES = 60;

function categoryOf(types: readonly string[]): Category {
  return types.length > 0 && types.every((type) => INFRA_TYPE.test(type)) ? 'network_infra_timeout' : 'dependency_resolution';
}

/** The summary line and the errors table under it; the table's error types decide the category. */
function errorsBlock(line: LogLine, text: string): OpenBlock {
  const draft: FailureDraft = {
    category: 'dependency_resolution',
    tool: 'dependabot',
    message: text.slice(0, 300),
    logLines: [line.n, line.n],
    confidence: 0.85,
  };
  const types: string[] = [];
  return {
    draft,
    accepts(next) {
      const row = next.text.trim();
      if (!TABLE.test(row) || next.n - draft.logLines[0] > MAX_TABLE_LINES) return false;
      draft.logLines[1] = next.n;
      const type = ROW.exec(row)?.groups?.type;
      if (type !== undefined && type !== 'type' && !types.includes(type)) types.push(type);
      return true;
    },
    finish() {
      draft.category = categoryOf(types);
      if (types.length > 0) {
        draft.message = `${draft.message} (${types.join(', ')})`.slice(0, 500);
        draft.data = { errors: types };
      }
      return true;
    },
  };
}

export const dependabotDetector: Detector = {
  id: 'dependabot',
  description: "Dependabot updater runs that ended in errors (`Dependabot encountered 'N' error(s)` and its errors table).",
  categories: ['dependency_resolution', 'network_infra_timeout'],
  example: "Dependabot encountered '1' error(s) during execution, please check the logs for more details.",
  trigger: /^Dependabot encountered '?\d+'? error\(s\)/,
  start() {
    const blocks = new BlockReader();
    return {
      line(line, ctx) {
        const taken = blocks.read(line, ctx);
        if (taken !== undefined) return taken;
        const text = line.text.trim();
        return SUMMARY.test(text) ? blocks.open(errorsBlock(line, text), ctx) : false;
      },
      end: (ctx) => blocks.close(ctx),
    };
  },
};
