/**
 * Go and Rust toolchain tools (gofmt, rustfmt, cargo) as the runner has them: on PATH, only in
 * `go env GOROOT`/bin, behind a proxy that does not start with a private HOME, or planted in the
 * checkout. Real tools from apt (golang-go, rustfmt), real git repositories.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeExec } from '../../src/exec.js';
import { crateEdition } from '../../src/fixers/rustfmt.js';
import { resolveSystemTool } from '../../src/fixers/support/system-tool.js';
import type { FixContext } from '../../src/fixers/types.js';
import { FIXERS } from '../../src/fixers/registry.js';
import { createMemoryLogger } from '../../src/logging.js';
import { makeRepo, removeRepo } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) removeRepo(dir);
});

function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function context(workspace: string, PATH: string): FixContext {
  // A private HOME and TMPDIR, as apply gives every fixer.
  const home = scratch('ci-autofixer-home-');
  return {
    workspace,
    failures: [],
    exec: nodeExec,
    logger: createMemoryLogger(),
    env: { PATH, HOME: home, TMPDIR: home },
    useRepositoryTools: true,
  };
}

const fixer = (id: string) => FIXERS.find((candidate) => candidate.id === id);

describe('Go and Rust toolchain tools', () => {
  it("finds gofmt in `go env GOROOT`/bin when only `go` is on PATH (Debian's /usr/lib/go-<v>/bin)", async () => {
    const repo = makeRepo();
    dirs.push(repo);
    const bin = scratch('ci-autofixer-bin-');
    symlinkSync('/usr/bin/go', path.join(bin, 'go'));
    const goroot = spawnSync('/usr/bin/go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim();
    const resolved = await fixer('gofmt')?.resolveTool(context(repo, bin));
    expect(resolved).toEqual({ command: path.join(goroot, 'bin', 'gofmt'), prefixArgs: [], source: 'system' });
  });

  it('skips a rustfmt that does not start (a rustup proxy without its HOME) for the next one on PATH', async () => {
    const repo = makeRepo();
    dirs.push(repo);
    const proxy = scratch('ci-autofixer-proxy-');
    writeFileSync(
      path.join(proxy, 'rustfmt'),
      '#!/bin/sh\necho "error: rustup could not choose a version of rustfmt to run" >&2\nexit 1\n',
    );
    chmodSync(path.join(proxy, 'rustfmt'), 0o755);
    const resolved = await fixer('rustfmt')?.resolveTool(context(repo, [proxy, '/usr/bin'].join(path.delimiter)));
    expect(resolved?.command).toBe('/usr/bin/rustfmt');
    expect(await fixer('rustfmt')?.resolveTool(context(repo, proxy))).toBeUndefined();
  });

  it("never takes a toolchain tool from inside the checkout, even when PATH names the checkout's directory", async () => {
    const repo = makeRepo();
    dirs.push(repo);
    mkdirSync(path.join(repo, 'bin'));
    symlinkSync('/usr/bin/gofmt', path.join(repo, 'bin', 'gofmt'));
    const ctx = context(repo, [path.join(repo, 'bin'), '/usr/bin'].join(path.delimiter));
    expect(await resolveSystemTool(ctx, { name: 'gofmt' })).toEqual({ command: '/usr/bin/gofmt', prefixArgs: [], source: 'system' });
  });
});

describe('the edition rustfmt gets (as `cargo fmt` would pass it)', () => {
  const cases: [string, Record<string, string>, string, string | undefined][] = [
    ['the package names it', { 'Cargo.toml': '[package]\nname = "a"\nedition = "2018"\n' }, 'src/main.rs', '2018'],
    ["no edition: cargo's default", { 'Cargo.toml': '[package]\nname = "a"\n' }, 'src/lib.rs', '2015'],
    [
      'inherited from [workspace.package]',
      {
        'Cargo.toml': '[workspace]\nmembers = ["crates/a"]\n\n[workspace.package]\nedition = "2021"\n',
        'crates/a/Cargo.toml': '[package]\nname = "a"\nedition.workspace = true\n',
      },
      'crates/a/src/deep/mod.rs',
      '2021',
    ],
    [
      'inline-table inheritance',
      {
        'Cargo.toml': '[workspace.package]\nedition = "2018" # pinned\n',
        'crates/b/Cargo.toml': '[package]\nname = "b"\nedition = { workspace = true }\n',
      },
      'crates/b/src/lib.rs',
      '2018',
    ],
    [
      "an edition in [dependencies] is not the package's",
      { 'Cargo.toml': '[package]\nname = "a"\n[dependencies.x]\nedition = "2021"\n' },
      'src/lib.rs',
      '2015',
    ],
    ['no crate: rustfmt decides', { 'README.md': 'x\n' }, 'tools/gen.rs', undefined],
  ];
  it.each(cases)('%s', async (_name, files, file, edition) => {
    const repo = makeRepo(files);
    dirs.push(repo);
    expect(await crateEdition(repo, file)).toBe(edition);
  });

  it('does not read a Cargo.toml that is a symlink (it could point outside the checkout)', async () => {
    const repo = makeRepo();
    dirs.push(repo);
    const outside = scratch('ci-autofixer-outside-');
    writeFileSync(path.join(outside, 'Cargo.toml'), '[package]\nname = "x"\nedition = "2021"\n');
    symlinkSync(path.join(outside, 'Cargo.toml'), path.join(repo, 'Cargo.toml'));
    expect(await crateEdition(repo, 'src/lib.rs')).toBeUndefined();
  });
});
