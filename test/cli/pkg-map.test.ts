/**
 * `tsdib pkg-map` against DIB's own pkg-map (Debian's python3-diskimage-builder) on the same map file:
 * same stdout, same exit code, for every flag and error path of dib.md §3.4. Run `npm run build` first.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DIB_DIR, haveDib, runDibPython } from '../elements/helpers.js';
import { tsdib } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/elements/', import.meta.url));
const MAP = join(FIXTURES, 'pkg-map.json');
const TREE = join(FIXTURES, 'tree');
const CLEAN_ENV = { DISTRO_NAME: '', DIB_RELEASE: '', ELEMENTS_PATH: '' };

/** Flag sets on which DIB is right, so ours must match it exactly. */
const CASES: string[][] = [
  ['--pkg-map', MAP, '--distro', 'debian', 'nova_package', 'glance_package', 'multi', 'boot'],
  ['--pkg-map', MAP, '--distro', 'ubuntu', 'glance_package', 'nova_package'],
  ['--pkg-map', MAP, '--distro', 'fedora', '--release', '23', 'nova_package', 'boot'],
  ['--pkg-map', MAP, '--distro', 'fedora', '--release', '22', 'nova_package'],
  ['--pkg-map', MAP, '--distro', 'opensuse', 'nova_package', 'glance_package'],
  ['--pkg-map', MAP, '--distro', 'gentoo', '--prefix', '-', 'nova_package', 'multi'],
  ['--pkg-map', MAP, '--distro', 'centos', '--release', '8-stream', 'boot'],
  ['--pkg-map', MAP, '--distro', 'debian', 'nova_package', 'unknown', 'glance_package'],
  ['--pkg-map', MAP, '--distro', 'debian', '--missing-ok', '--prefix', '-', 'nova_package', 'unknown', 'glance_package'],
  ['--pkg-map', join(FIXTURES, 'no-such-map'), '--distro', 'debian', 'a'],
  ['--pkg-map', join(FIXTURES, 'no-such-map'), '--distro', 'debian', '--missing-ok', '--prefix', '+', 'a', 'b'],
  ['--pkg-map', join(FIXTURES, 'README.md'), '--distro', 'debian', 'a'],
  ['--pkg-map', MAP, 'nova_package'],
  ['--distro', 'debian', 'nova_package'],
  ['--pkg-map', MAP, '--element', 'x', '--distro', 'debian', 'nova_package'],
];

describe.runIf(haveDib())("oracle: DIB's pkg-map", () => {
  for (const args of CASES) {
    test(args.join(' ').replaceAll(FIXTURES, ''), () => {
      const dib = runDibPython(join(DIB_DIR, 'elements/pkg-map/bin/pkg-map'), args, {});
      const mine = tsdib(['pkg-map', ...args], { env: CLEAN_ENV });
      expect({ status: mine.status, stdout: mine.stdout }).toEqual({ status: dib.status, stdout: dib.stdout });
      if (mine.status !== 0) expect(mine.stderr).toMatch(/^tsdib: /);
    });
  }
  test('DISTRO_NAME and DIB_RELEASE are the defaults, as in DIB', () => {
    const env = { DISTRO_NAME: 'fedora', DIB_RELEASE: '23' };
    const dib = runDibPython(join(DIB_DIR, 'elements/pkg-map/bin/pkg-map'), ['--pkg-map', MAP, 'nova_package'], env);
    const mine = tsdib(['pkg-map', '--pkg-map', MAP, 'nova_package'], { env });
    expect(mine.stdout).toBe('foo bar\n');
    expect(mine.stdout).toBe(dib.stdout);
  });
});

describe('tsdib pkg-map', () => {
  test('9-stream falls back to the release 9 entry (DIB ignores it)', () => {
    const r = tsdib(['pkg-map', '--pkg-map', MAP, '--distro', 'centos', '--release', '9-stream', 'boot'], { env: CLEAN_ENV });
    expect(r).toMatchObject({ status: 0, stdout: 'grub2-efi-x64 shim-x64\n' });
  });
  test('--element finds the pkg-map on the elements path', () => {
    const r = tsdib(['pkg-map', '--element', 'devtools', '--elements-path', TREE, '--distro', 'debian', 'editor', 'compiler'], { env: CLEAN_ENV });
    expect(r).toMatchObject({ status: 0, stdout: 'vim-tiny\ngcc\n' });
    const viaEnv = tsdib(['pkg-map', '--element', 'devtools', '--distro', 'gentoo', 'editor', 'compiler'], { env: { ...CLEAN_ENV, ELEMENTS_PATH: TREE } });
    expect(viaEnv).toMatchObject({ status: 0, stdout: 'gcc\n' });
  });
  test('an element without a pkg-map: exit 2, or names through with --missing-ok', () => {
    const r = tsdib(['pkg-map', '--element', 'vm', '--distro', 'debian', 'grub'], { env: CLEAN_ENV });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^tsdib: Required pkg-map for vm element does not exist: looked for .*elements\/vm\/pkg-map; --missing-ok passes names through\n$/);
    expect(tsdib(['pkg-map', '--element', 'vm', '--distro', 'debian', '--missing-ok', 'grub'], { env: CLEAN_ENV })).toMatchObject({ status: 0, stdout: 'grub\n' });
  });
  test('no mapping: exit 1 naming the map and package, names before it still printed', () => {
    const r = tsdib(['pkg-map', '--pkg-map', MAP, '--distro', 'debian', 'nova_package', 'vim'], { env: CLEAN_ENV });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('nova\n');
    expect(r.stderr).toContain(`<${MAP}> has no valid mapping for package vim`);
  });
  test('--debug logs each mapping on stderr', () => {
    const r = tsdib(['pkg-map', '--pkg-map', MAP, '--distro', 'opensuse', '--debug', 'nova_package', 'glance_package'], { env: CLEAN_ENV });
    expect(r.stdout).toBe('glance\n');
    expect(r.stderr).toContain('map nova_package -> <skip>');
    expect(r.stderr).toContain('map glance_package -> glance');
  });
  test('--help shows the flags, examples and exit codes', () => {
    const r = tsdib(['pkg-map', '--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const s of ['--element', '--pkg-map', '--distro', '--release', '--missing-ok', '--prefix', '--debug', 'Exit codes']) expect(r.stdout).toContain(s);
  });
  test('an unknown option is a usage error: exit 2', () => {
    expect(tsdib(['pkg-map', '--frob', '--pkg-map', MAP, '--distro', 'debian', 'a']).status).toBe(2);
  });
});
