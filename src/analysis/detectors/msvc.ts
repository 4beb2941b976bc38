import type { Detector, FailureDraft } from '../types.js';
import { clip, withoutProjectSuffix } from '../detector-helpers.js';

/**
 * MSVC and the MSVC linker: `x.cpp(12): error C2065: msg`, `x.cpp(12,5): fatal error C1083: …`,
 * `x.obj : error LNK2019: unresolved external symbol`, `LINK : fatal error LNK1181: cannot open
 * input file 'x.lib'`.
 */

const COMPILER =
  /^\s*(?<file>(?:[A-Za-z]:)?[^\s(:][^(:]*?\.(?:c|cc|cpp|cxx|h|hh|hpp|hxx|inl|ipp|cu|cuh))\((?<line>\d+)(?:,(?<column>\d+))?\)\s?:\s(?<fatal>fatal )?error (?<code>C\d{4}):\s?(?<message>.*)$/;
const LINKER = /^\s*(?<object>\S[^:]*?|LINK)\s?:\s(?:fatal )?error (?<code>LNK\d{4}):\s?(?<message>.*)$/;
// The project suffix MSBuild appends (`[C:\src\app.vcxproj]`) is not part of the message.
const PROJECT_SUFFIX = /^\[[^\]]+\.(?:vcxproj|csproj|proj)\]$/;

/** The message, without the project MSBuild names after it. */
function messageOf(text: string): string {
  return clip(withoutProjectSuffix(text, PROJECT_SUFFIX));
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
          const message = messageOf(groups.message ?? '');
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
            message: messageOf(line.text),
            logLines: [line.n, line.n],
            confidence: 0.9,
            data: { code },
          });
        }
      },
    };
  },
};
