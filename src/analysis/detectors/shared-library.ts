import type { Detector } from '../types.js';
import { clip } from '../detector-helpers.js';

/**
 * The dynamic loader (glibc ld.so) refusing to start a program whose shared library is not
 * installed: `prog: error while loading shared libraries: libx.so.1: cannot open shared object file:
 * No such file or directory`; on macOS dyld's `Library not loaded: @rpath/libx.dylib`. The library
 * is a missing system dependency of the binary.
 */

const LOADER = /error while loading shared libraries: (?<library>[^\s:]+): cannot open shared object file/;
const DYLD = /Library not loaded: (?<library>\S+)/;

export const sharedLibraryDetector: Detector = {
  id: 'shared-library',
  description: 'Dynamic loader errors (glibc ld.so, macOS dyld): a program cannot start because a shared library is missing.',
  categories: ['import_missing_module'],
  example: '/usr/bin/app: error while loading shared libraries: libssl.so.1.1: cannot open shared object file: No such file or directory',
  trigger: /error while loading shared libraries: |Library not loaded: /,
  start() {
    return {
      line(line, ctx) {
        const match = LOADER.exec(line.text) ?? DYLD.exec(line.text);
        if (!match?.groups) return false;
        const library = match.groups.library as string;
        ctx.report({
          category: 'import_missing_module',
          tool: library.endsWith('.dylib') || library.startsWith('@') ? 'dyld' : 'ld.so',
          message: clip(line.text),
          logLines: [line.n, line.n],
          confidence: 0.9,
          data: { library },
        });
        return false;
      },
    };
  },
};
