/** When the log shows the failing call writing the missing path: the only case a directory is created for. */
import { describe, expect, it } from 'vitest';
import { writeEvidence } from '../../src/fixers/create-missing-directory.js';
import { failure } from './helpers.js';

function missing(tool: string, message: string, path: string, call?: string) {
  return failure({ category: 'missing_file', tool, message, data: { path, ...(call !== undefined ? { call } : {}) } });
}

const PY = "FileNotFoundError: [Errno 2] No such file or directory: 'out/x.json'";

describe('writeEvidence', () => {
  it.each([
    ['python', PY, 'out/x.json', 'with open("out/x.json", "w") as handle:'],
    ['python', PY, 'out/x.json', "json.dump(data, open(path, 'wb'))"],
    ['python', PY, 'out/x.json', 'with open(OUT, mode="a", encoding="utf-8") as log:'],
    ['python', PY, 'out/x.json', 'with open(target, "x") as fresh:'],
    ['python', PY, 'out/x.json', 'Path("out/x.json").write_text(text)'],
    ['python', PY, 'out/x.json', 'with OUT.open("w") as handle:'],
    ['node', "Error: ENOENT: no such file or directory, open 'out/x.json'", 'out/x.json', 'writeFileSync'],
    ['node', "Error: ENOENT: no such file or directory, open 'out/x.json'", 'out/x.json', 'open writeFile'],
    ['node', "Error: ENOENT: no such file or directory, mkdir 'out/x'", 'out/x', undefined],
    ['shell', 'mkdir: cannot create directory ‘out/logs’: No such file or directory', 'out/logs', undefined],
    ['shell', 'bash: line 1: out/x.txt: No such file or directory', 'out/x.txt', 'echo hi > out/x.txt'],
    ['shell', 'bash: line 1: out/x.txt: No such file or directory', 'out/x.txt', 'date >> "./out/x.txt"'],
    ['shell', 'tee: out/x.log: No such file or directory', 'out/x.log', 'make 2>&1 | tee out/x.log'],
    ['shell', 'sort: open failed: out/s.txt: No such file or directory', 'out/s.txt', 'sort -o out/s.txt in.txt'],
    ['shell', 'x: out/r(1).json: No such file or directory', 'out/r(1).json', 'tool --output=out/r(1).json'],
  ])('%s write: %s / %s', (tool, message, path, call) => {
    expect(writeEvidence(missing(tool, message, path, call))).toBeDefined();
  });

  it.each([
    ['python', PY, 'out/x.json', 'with open("out/x.json") as handle:'],
    ['python', PY, 'out/x.json', 'with open("out/x.json", "r") as handle:'],
    ['python', PY, 'out/x.json', 'data = json.load(open("w.json"))'],
    ['python', PY, 'out/x.json', 'with open(path, encoding="utf-8") as handle:'],
    ['python', PY, 'out/x.json', undefined],
    ['node', "Error: ENOENT: no such file or directory, open 'out/x.json'", 'out/x.json', 'openSync readFileSync'],
    ['node', "Error: ENOENT: no such file or directory, open 'out/x.json'", 'out/x.json', undefined],
    ['shell', 'cat: out/x.txt: No such file or directory', 'out/x.txt', undefined],
    ['shell', 'bash: line 1: out/x.txt: No such file or directory', 'out/x.txt', 'cat out/x.txt > copy.txt'],
    ['shell', 'bash: line 1: out/x.txt: No such file or directory', 'out/x.txt', 'cp out/x.txt.bak > out/x.txt.old'],
    ['shell', 'bash: ./run.sh: No such file or directory', './run.sh', 'bash ./run.sh'],
    ['shell', 'x: out/r1.json: No such file or directory', 'out/r1.json', 'tool --output=out/r(1).json'],
    // The detector's tool decides which rule applies: a shell call line never vouches for a Python failure.
    ['python', PY, 'out/x.json', 'echo > out/x.json'],
  ])('%s no write: %s / %s', (tool, message, path, call) => {
    expect(writeEvidence(missing(tool, message, path, call))).toBeUndefined();
  });
});
