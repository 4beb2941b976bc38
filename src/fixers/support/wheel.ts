/**
 * Which top-level modules a wheel provides, read from its zip central directory only: nothing in
 * the archive is extracted or run. Enough of the zip format for wheels (no zip64, which a wheel
 * would need only beyond 65535 entries or 4 GiB).
 */
import { readFile } from 'node:fs/promises';
import { FixError } from '../../errors.js';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
/** A wheel bigger than this is not read (the check then cannot say). */
export const MAX_WHEEL_BYTES = 256 * 1024 * 1024;

/** The names of the entries of a zip archive. Throws a FixError when it is not a readable zip. */
export async function zipEntryNames(file: string): Promise<string[]> {
  const data = await readFile(file);
  if (data.length > MAX_WHEEL_BYTES) throw new FixError(`${file} is larger than ${MAX_WHEEL_BYTES} bytes: not read`);
  // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
  let end = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 65535); at -= 1) {
    if (data.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end === -1) throw new FixError(`${file} is not a zip archive (no end of central directory)`);
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) {
      throw new FixError(`${file}: central directory entry ${i} is damaged`);
    }
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    names.push(data.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/**
 * Whether the wheel's entries provide the top-level module `module`: a package (`m/__init__.py`,
 * or any file under `m/`, a namespace package), a module `m.py`, or an extension `m.*.so` / `m.pyd`.
 */
export function providesModule(names: readonly string[], module: string): boolean {
  return names.some((name) => {
    if (name.startsWith(`${module}/`)) return name.length > module.length + 1;
    if (name === `${module}.py`) return true;
    return name.startsWith(`${module}.`) && /\.(?:so|pyd)$/.test(name) && !name.includes('/');
  });
}
