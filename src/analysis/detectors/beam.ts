import type { Detector, DetectorContext, FailureDraft, LogLine } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * The BEAM languages. Elixir: `** (CompileError) lib/x.ex:12: msg`, `error:` blocks with a
 * `└─ lib/x.ex:12:5` pointer, ExUnit `1) test does x (Mod)` blocks with their `test/x_test.exs:12`
 * line, `mix format --check-formatted`, Hex resolution failures. Erlang: erlc/rebar3
 * `src/x.erl:12: msg` (optionally `:col:`), EUnit/Common Test failures and `{error,enoent}` exits.
 */

const ELIXIR_EXCEPTION = /^\*\* \((?<kind>\w+(?:\.\w+)*)\) (?:(?<file>[^\s:]+\.exs?):(?<line>\d+)(?::(?<column>\d+))?:? )?(?<message>.*)$/;
const ELIXIR_ERROR_POINTER = /^\s*└─ (?<file>[^\s:]+\.exs?):(?<line>\d+)(?::(?<column>\d+))?/;
const ELIXIR_ERROR_HEAD = /^error: (?<message>.+)$/;
const EXUNIT_ITEM = /^\s+(?<index>\d+)\) (?<test>(?:test|doctest|property) .+) \((?<module>[\w.]+)\)$/;
const EXUNIT_LOCATION = /^\s+(?<file>[^\s:]+\.exs?):(?<line>\d+)$/;
const MIX_FORMAT = /^\*\* \(Mix\) mix format failed due to --check-formatted/;
const HEX_RESOLUTION =
  /^(?:\*\* \(Mix\) )?Hex dependency resolution failed|^Failed to use "(?<pkg>[^"]+)"|^Unchecked dependencies for environment|^\*\* \(Mix\) Could not find an SCM for dependency/;

const ERLANG_DIAGNOSTIC = /^(?<file>(?:[A-Za-z]:)?[^\s:]+\.[eh]rl):(?<line>\d+):(?:(?<column>\d+):)? (?<message>.*)$/;
const EUNIT_FAILURE = /^\s*(?<module>\w+):(?<test>\w+)\.\.\.\*failed\*$|^\s*(?<module2>\w+): (?<test2>\w+)\.\.\.\*failed\*$/;
const CT_FAILED = /^Test run failed! Reason:$|^%%% (?<suite>\w+) ==> (?<case>\w+): FAILED$/;
const ENOENT = /\{'?EXIT'?,\{error,\{enoent,"(?<path>[^"]+)"\}\}\}|\{error,\{enoent,"?(?<path2>[^"}]+)"?\}\}/;

interface OpenBlock {
  draft: FailureDraft;
  /** Decided at close: e.g. an `error:` line that never reached Elixir's `└─` pointer is another tool's. */
  keep?(): boolean;
  accepts(line: LogLine): boolean;
}

export const beamDetector: Detector = {
  id: 'beam',
  description: 'Elixir (compiler, ExUnit, mix format, Hex) and Erlang (erlc/rebar3, EUnit, Common Test) failures.',
  categories: ['compilation_error', 'test_failure', 'lint_format', 'dependency_resolution', 'missing_file'],
  example: 'src/rabbit_vhost.erl:91: field description undefined in record vhost',
  trigger:
    /^\*\* \(|└─ |^error: |^\s+\d+\) (?:test|doctest|property) |\.[eh]rl:\d|\*failed\*|^Test run failed|==> \w+: FAILED|enoent|Hex dependency resolution|^Failed to use "|^Unchecked dependencies/,
  start() {
    let open: OpenBlock | undefined;
    const close = (ctx: DetectorContext) => {
      if (open && (open.keep?.() ?? true)) ctx.report(open.draft);
      open = undefined;
    };

    return {
      line(line, ctx) {
        const text = line.text;
        if (open) {
          if (open.accepts(line)) return true;
          close(ctx);
        }

        if (MIX_FORMAT.test(text)) {
          const draft: FailureDraft = {
            category: 'lint_format',
            tool: 'mix format',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.95,
          };
          const files: string[] = [];
          open = {
            draft,
            accepts(next) {
              if (next.n - draft.logLines[0] > 40) return false;
              const listed = /^\s+\* (?<file>\S+)$/.exec(next.text);
              if (listed?.groups?.file) {
                files.push(listed.groups.file);
                draft.file ??= listed.groups.file;
                draft.data = { files: [...files] };
                draft.logLines[1] = next.n;
                return true;
              }
              if (/^The following files were not formatted:$|^\s*$/.test(next.text)) {
                if (next.text.trim() !== '') draft.logLines[1] = next.n;
                return true;
              }
              return false;
            },
          };
          return true;
        }

        const hex = HEX_RESOLUTION.exec(text);
        if (hex) {
          const draft: FailureDraft = {
            category: 'dependency_resolution',
            tool: 'mix',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.85,
          };
          if (hex.groups?.pkg) draft.data = { package: hex.groups.pkg };
          ctx.report(draft);
          return false;
        }

        const exception = ELIXIR_EXCEPTION.exec(text);
        if (exception && /Error$/.test(exception.groups?.kind ?? '')) {
          const kind = exception.groups?.kind ?? '';
          const draft: FailureDraft = {
            category: 'compilation_error',
            tool: 'elixirc',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: /Compile|Syntax|TokenMissing|Mismatched/.test(kind) ? 0.9 : 0.6,
          };
          if (exception.groups?.file) {
            draft.file = exception.groups.file;
            draft.line = Number(exception.groups.line);
            if (exception.groups.column) draft.column = Number(exception.groups.column);
          }
          ctx.report(draft);
          return false;
        }

        const head = ELIXIR_ERROR_HEAD.exec(text);
        if (head) {
          // Elixir ≥ 1.15 prints `error: msg`, the snippet, then `└─ lib/x.ex:12:5: Mod.fun/1`.
          const draft: FailureDraft = {
            category: 'compilation_error',
            tool: 'elixirc',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          let located = false;
          open = {
            draft,
            keep: () => located,
            accepts(next) {
              if (located || next.n - draft.logLines[0] > 15) return false;
              const pointer = ELIXIR_ERROR_POINTER.exec(next.text);
              if (pointer) {
                located = true;
                draft.file = pointer.groups?.file;
                draft.line = Number(pointer.groups?.line);
                if (pointer.groups?.column) draft.column = Number(pointer.groups.column);
              }
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const exunit = EXUNIT_ITEM.exec(text);
        if (exunit) {
          const draft: FailureDraft = {
            category: 'test_failure',
            tool: 'exunit',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { test: exunit.groups?.test, module: exunit.groups?.module },
          };
          open = {
            draft,
            accepts(next) {
              if (next.text.trim() === '' && draft.file === undefined) return true;
              if (next.text.trim() === '' || EXUNIT_ITEM.test(next.text) || next.n - draft.logLines[0] > 40) return false;
              const location = EXUNIT_LOCATION.exec(next.text);
              if (location && draft.file === undefined) {
                draft.file = location.groups?.file;
                draft.line = Number(location.groups?.line);
              }
              draft.logLines[1] = next.n;
              return true;
            },
          };
          return true;
        }

        const erlang = ERLANG_DIAGNOSTIC.exec(text);
        if (erlang) {
          const message = clip(erlang.groups?.message ?? '');
          if (/^[Ww]arning: /.test(message)) return false;
          const draft: FailureDraft = {
            category: 'compilation_error',
            tool: 'erlc',
            message,
            file: erlang.groups?.file,
            line: Number(erlang.groups?.line),
            logLines: [line.n, line.n],
            confidence: 0.9,
          };
          if (erlang.groups?.column) draft.column = Number(erlang.groups.column);
          ctx.report(draft);
          return false;
        }

        const eunit = EUNIT_FAILURE.exec(text);
        if (eunit) {
          ctx.report({ category: 'test_failure', tool: 'eunit', message: clip(text), logLines: [line.n, line.n], confidence: 0.9 });
          return false;
        }

        const enoent = ENOENT.exec(text);
        if (enoent) {
          const path = enoent.groups?.path ?? enoent.groups?.path2;
          ctx.report({
            category: 'missing_file',
            tool: 'erlang',
            message: clip(text),
            logLines: [line.n, line.n],
            confidence: 0.75,
            ...(path ? { data: { path } } : {}),
          });
          return false;
        }

        if (CT_FAILED.test(text)) {
          ctx.report({ category: 'test_failure', tool: 'common_test', message: clip(text), logLines: [line.n, line.n], confidence: 0.4 });
        }
        return false;
      },
      end(ctx) {
        close(ctx);
      },
    };
  },
};
