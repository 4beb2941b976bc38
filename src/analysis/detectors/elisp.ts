import type { Category, Detector, DetectorContext, FailureDraft } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * Emacs Lisp in batch runs (Cask, package.el, ERT): `Debugger entered--Lisp error: (error "msg")`
 * with the backtrace Emacs indents under it by two spaces. package.el's `No version of x >= v is
 * available` / `Package 'x' is unavailable` are dependency resolution failures; `Cannot open load
 * file` is a missing library.
 */

const LISP_ERROR = /^Debugger entered--Lisp error: \((?<type>[\w-]+)(?<rest>.*)\)\s*$/;
const UNAVAILABLE = /No version of \S+ >= \S+ is available|Package [`‘'][^`’']+[`’'] is unavailable/;
const LOAD_FILE = /Cannot open load file|^file-missing$/;
const SIGNAL_FRAME = /^ {2}signal\((?<type>[\w-]+) (?<rest>.*)\)\s*$/;
const NETWORK = /Could not create connection|Failed to download|Connection refused|Network is unreachable|Name or service not known/;

function categoryOf(type: string, message: string): Category {
  if (UNAVAILABLE.test(message)) return 'dependency_resolution';
  if (type === 'file-missing' || LOAD_FILE.test(message)) return 'import_missing_module';
  if (NETWORK.test(message)) return 'network_infra_timeout';
  return 'other';
}

export const elispDetector: Detector = {
  id: 'elisp',
  description: 'Emacs Lisp batch errors (`Debugger entered--Lisp error: …` and its backtrace), package.el resolution failures.',
  categories: ['dependency_resolution', 'import_missing_module', 'network_infra_timeout', 'other'],
  example: 'Debugger entered--Lisp error: (error "No version of command-log-mode >= nil is available")',
  trigger: /^Debugger entered--Lisp error: \(|^ {2}signal\([\w-]+ /,
  start() {
    let open: FailureDraft | undefined;
    const close = (ctx: DetectorContext) => {
      if (open) ctx.report(open);
      open = undefined;
    };
    return {
      line(line, ctx) {
        const match = LISP_ERROR.exec(line.text) ?? (open === undefined ? SIGNAL_FRAME.exec(line.text) : null);
        if (match?.groups) {
          close(ctx);
          const type = match.groups.type!;
          const category = categoryOf(type, `${type}${match.groups.rest}`);
          open = {
            category,
            tool: 'emacs',
            message: clip(line.text),
            logLines: [line.n, line.n],
            confidence: category === 'other' ? 0.6 : 0.9,
          };
          return true;
        }
        // Emacs indents every backtrace frame by two spaces.
        if (open && /^ {2}\S/.test(line.text) && line.n - open.logLines[1] === 1 && line.n - open.logLines[0] < 400) {
          open.logLines[1] = line.n;
          return true;
        }
        close(ctx);
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
