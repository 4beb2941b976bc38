import type { Detector, FailureDraft } from '../types.js';

/**
 * MSVC and the MSVC linker: `x.cpp(12): error C2065: msg`, `x.cpp(12,5): fatal error C1083: …`,
 * `x.obj : error LNK2019: unresolved external symbol`, `LINK : fatal error LNK1181: cannot open
 * input file 'x.lib'`.
 */

const COMPILER =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s(:][^(:]*?\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx|inl|ipp|cu|cuh))\((?<line>\d+)(?:,(?<column>\d+))?\)\s?:\s(?<fatal>fatal )?error (?<code>C\d{4}):\s?(?<message>.*)$/;
const LINKER = /^\s*(?<object>\S[^:]*?|LINK)\s?:\s(?:fatal )?error (?<code>LNK\d{4}):\s?(?<message>.*)$/;
// The project suffix MSBuild appends (`[C:\src\app.vcxproj]`) is not part of the message.
// Checked on the last bracket only: a `\s+\[…\]\s*$` regex backtracks quadratically on long
// runs of spaces.
const PROJECT_SUFFIX = /^\[[^\]]+\.(?:vcxproj|csproj|proj)\]$/;

function clip(text: string): string {
  let body = text.trimEnd();
  const open = body.lastIndexOf('[');
  if (open > 0 && /\s/.test(body[open - 1] ?? '') && PROJECT_SUFFIX.test(body.slice(open))) {
    body = body.slice(0, open);
  }
  return body.trim().slice(0, 500);
}

export const msvcDetector: Detector = {
  id: 'msvc',
  description: 'MSVC compiler (Cxxxx) and linker (LNKxxxx) errors.',
  categories: ['compilation_error', 'import_missing_module'],
  example: "C:\\a\\app\\app\\src\\main.cpp(12): error C2065: 'foo': undeclared identifier",
  trigger: /error (?:C|LNK)\d{4}/,
  start() {
    return {
      line(line, ctx) {
        const compiler = COMPILER.exec(line.text);
        if (compiler) {
          const groups = compiler.groups ?? {};
          const code = groups.code ?? '';
          const message = clip(groups.message ?? '');
          const draft: FailureDraft = {
            // C1083: cannot open include file: a missing header, which the corpus counts as a compile error.
            category: 'compilation_error',
            tool: 'msvc',
            message: `error ${code}: ${message}`,
            file: groups.file?.trim(),
            line: Number(groups.line),
            logLines: [line.n, line.n],
            confidence: 0.95,
            data: { code },
          };
          if (groups.column) draft.column = Number(groups.column);
          ctx.report(draft);
          return;
        }
        const linker = LINKER.exec(line.text);
        if (linker) {
          const code = linker.groups?.code ?? '';
          const missingLibrary = code === 'LNK1181' || code === 'LNK1104';
          ctx.report({
            category: missingLibrary ? 'import_missing_module' : 'compilation_error',
            tool: 'link',
            message: clip(line.text),
            logLines: [line.n, line.n],
            confidence: 0.9,
            data: { code },
          });
        }
      },
    };
  },
};
