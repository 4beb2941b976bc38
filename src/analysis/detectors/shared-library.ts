import type { Detector } from '../types.js';

/**
 * The dynamic loader (glibc ld.so) refusing to start a program whose shared library is not
 * installed: `prog: error while loading shared libraries: libx.so.1: cannot open shared object file:
 * No such file or directory`. The library is a missing system dependency of the binary.
 */

const LOADER = /error while loading shared libraries: (?<library>[^\s:]+): cannot open shared object file/;

export const sharedLibraryDetector: Detector = {
  id: 'shared-library',
  description: 'Dynamic loader errors: a program cannot start because a shared library is missing.',
  categories: ['import_missing_module'],
  example: '/usr/bin/app: error while loading shared libraries: libssl.so.1.1: cannot open shared object file: No such file or directory',
  trigger: /error while loading shared libraries: /,
  start() {
    return {
      line(line, ctx) {
        const match = LOADER.exec(line.text);
        if (!match?.groups) return false;
        ctx.report({
          category: 'import_missing_module',
          tool: 'ld.so',
          message: line.text.trim().slice(0, 500),
          logLines: [line.n, line.n],
          confidence: 0.9,
          data: { library: match.groups.library },
        });
        return false;
      },
    };
  },
};
