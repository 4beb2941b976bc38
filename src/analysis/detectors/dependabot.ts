import type { Category, Detector, DetectorContext, FailureDraft } from '../types.js';

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

export const dependabotDetector: Detector = {
  id: 'dependabot',
  description: "Dependabot updater runs that ended in errors (`Dependabot encountered 'N' error(s)` and its errors table).",
  categories: ['dependency_resolution', 'network_infra_timeout'],
  example: "Dependabot encountered '1' error(s) during execution, please check the logs for more details.",
  trigger: /^Dependabot encountered '?\d+'? error\(s\)/,
  start() {
    let open: { draft: FailureDraft; types: string[] } | undefined;
    const close = (ctx: DetectorContext) => {
      if (open === undefined) return;
      const { draft, types } = open;
      draft.category = categoryOf(types);
      if (types.length > 0) {
        draft.message = `${draft.message} (${types.join(', ')})`.slice(0, 500);
        draft.data = { errors: types };
      }
      ctx.report(draft);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const text = line.text.trim();
        if (open !== undefined) {
          if (TABLE.test(text) && line.n - open.draft.logLines[0] <= MAX_TABLE_LINES) {
            open.draft.logLines[1] = line.n;
            const type = ROW.exec(text)?.groups?.type;
            if (type !== undefined && type !== 'type' && !open.types.includes(type)) open.types.push(type);
            return true;
          }
          close(ctx);
        }
        if (SUMMARY.test(text)) {
          open = {
            draft: {
              category: 'dependency_resolution',
              tool: 'dependabot',
              message: text.slice(0, 300),
              logLines: [line.n, line.n],
              confidence: 0.85,
            },
            types: [],
          };
          return true;
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
