/**
 * `tsdib elements`: list, describe, --expand; exit codes 0/1/2. DIB's element-info is the oracle for the
 * expanded set on the fixture tree plus the shipped elements. Run `npm run build` first.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { SHIPPED_ELEMENTS_DIR } from '../../src/elements/search-path.js';
import { dibElementInfo, haveDib } from '../elements/helpers.js';
import { tsdib } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/elements/', import.meta.url));
const TREE = join(FIXTURES, 'tree');
const OVERRIDE = join(FIXTURES, 'override');
const ENV = { ELEMENTS_PATH: '' };

describe('tsdib elements (list)', () => {
  test('every element on the path with its summary and what it provides, sorted', () => {
    const r = tsdib(['elements', '--elements-path', TREE], { env: ENV });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const names = lines.map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual([...names].sort());
    for (const n of ['base', 'vm', 'block-device-mbr', 'package-installs', 'pkg-map', 'my-os', 'my-image', 'devtools']) expect(names).toContain(n);
    expect(lines.find((l) => l.startsWith('my-image '))).toMatch(/^my-image +An image made of vm and devtools, with a README in DIB's reStructuredText style\.$/);
    expect(lines.find((l) => l.startsWith('my-os '))).toMatch(/\[provides: operating-system\]$/);
  });
  test('ELEMENTS_PATH is read; --json gives paths, deps, provides and overrides', () => {
    const r = tsdib(['elements', '--json'], { env: { ELEMENTS_PATH: `${OVERRIDE}:${TREE}` } });
    expect(r.status, r.stderr).toBe(0);
    const data = JSON.parse(r.stdout) as { searchPath: string[]; elements: { name: string; path: string; depends: string[] }[]; overrides: { name: string }[] };
    expect(data.searchPath).toEqual([OVERRIDE, TREE, SHIPPED_ELEMENTS_DIR]);
    expect(data.elements.find((e) => e.name === 'vm')?.path).toBe(join(OVERRIDE, 'vm'));
    expect(data.elements.find((e) => e.name === 'my-image')?.depends).toEqual(['vm', 'devtools']);
    expect(data.overrides.map((o) => o.name)).toEqual(['vm']);
  });
});

describe('tsdib elements NAME', () => {
  test("shows the README, then the element's path, deps and provides", () => {
    const r = tsdib(['elements', 'vm'], { env: ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^# vm\n/);
    expect(r.stdout).toContain(`path: ${join(SHIPPED_ELEMENTS_DIR, 'vm')}\nelement-deps: block-device bootloader\nelement-provides: (none)\n`);
  });
  test('an override shows the winning README', () => {
    expect(tsdib(['elements', 'vm', '--elements-path', OVERRIDE], { env: ENV }).stdout).toMatch(/^# vm \(override\)/);
  });
  test("an unknown element: DIB's message, exit 2", () => {
    const r = tsdib(['elements', 'nope'], { env: ENV });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^tsdib: Element 'nope' not found: searched .*elements; tsdib elements lists what is there\n$/);
  });
  test('two names without --expand: exit 2', () => {
    expect(tsdib(['elements', 'vm', 'base'], { env: ENV }).status).toBe(2);
  });
  test("a bad ELEMENTS_PATH entry: DIB's message, exit 2", () => {
    const r = tsdib(['elements'], { env: { ELEMENTS_PATH: '/not/a/dir' } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("ELEMENTS_PATH entry '/not/a/dir' is not a directory");
  });
});

describe('tsdib elements --expand', () => {
  test('base first, then user elements, then deps breadth-first; vm via a dependency gets block-device-mbr', () => {
    const r = tsdib(['elements', '--expand', 'my-os', 'my-image', '--elements-path', TREE, '-a', 'amd64'], { env: ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('base\nmy-os\nmy-image\npackage-installs\npkg-map\nvm\ndevtools\nbootloader\nblock-device-mbr\n');
    expect(r.stderr).toBe('tsdib: note: no element provides block-device: using block-device-mbr\n');
  });
  test('-n leaves base out; arm64 defaults to block-device-efi; --json', () => {
    const r = tsdib(['elements', '--expand', '-n', '-a', 'arm64', 'my-os', 'vm', '--json', '--elements-path', TREE], { env: ENV });
    expect(r.status, r.stderr).toBe(0);
    const data = JSON.parse(r.stdout) as { elements: { name: string }[]; providedBy: Record<string, string> };
    expect(data.elements.map((e) => e.name)).toEqual(['my-os', 'vm', 'bootloader', 'block-device-efi']);
    expect(data.providedBy).toEqual({ 'operating-system': 'my-os', 'block-device': 'block-device-efi' });
  });
  test("no operating-system element: DIB's message, exit 2", () => {
    const r = tsdib(['elements', '--expand', 'vm'], { env: ENV });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^tsdib: Please include an operating system element/);
  });
  test("two block-device elements: DIB's message, exit 2", () => {
    const r = tsdib(['elements', '--expand', 'my-os', 'block-device-mbr', 'block-device-gpt', '--elements-path', TREE], { env: ENV });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^tsdib: block-device: already provided by \['block-device-mbr'\]/);
  });
  test('--plan: scripts per phase in run order, environment.d, packages', () => {
    const r = tsdib(['elements', '--expand', '--plan', 'my-os', 'my-image', '-a', 'amd64'], { env: { ELEMENTS_PATH: TREE } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('environment.d (sourced before every phase):\n  block-device-mbr/10-block-device.bash\n  my-os/10-my-os.bash\nroot.d (outside):\n  my-os/10-unpack\ninstall.d (inside the image):\n  devtools/50-devtools\n');
    expect(r.stdout).toContain('  install.d uninstall: compiler (devtools)\n');
    const json = JSON.parse(tsdib(['elements', '--expand', '--plan', '--json', 'my-os', 'my-image'], { env: { ELEMENTS_PATH: TREE } }).stdout) as { hooks: { phases: { phase: string }[] } };
    expect(json.hooks.phases).toHaveLength(10);
    expect(tsdib(['elements', '--plan'], { env: ENV }).status).toBe(2);
  });
  test('an override in use is noted on stderr, as DIB warns', () => {
    const r = tsdib(['elements', '--expand', 'my-os', 'vm', '--elements-path', `${OVERRIDE}:${TREE}`], { env: ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`tsdib: note: Element <${join(OVERRIDE, 'vm')}> overrides <${join(SHIPPED_ELEMENTS_DIR, 'vm')}>\n`);
  });
  test('--expand without names: exit 2', () => {
    expect(tsdib(['elements', '--expand'], { env: ENV }).status).toBe(2);
  });
  test('--help has examples and exit codes', () => {
    const r = tsdib(['elements', '--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const s of ['--expand', '--elements-path', '--skip-base', 'Examples:', 'Exit codes']) expect(r.stdout).toContain(s);
  });
});

describe.runIf(haveDib())("oracle: DIB's element-info on the fixture and shipped elements", () => {
  const path = `${TREE}:${SHIPPED_ELEMENTS_DIR}`;
  test.each([
    [['my-os', 'my-image', 'block-device-gpt']],
    [['my-os', 'vm', 'block-device-efi']],
    [['my-os', 'devtools']],
  ])('%j: same set (DIB given base explicitly, as disk-image-create adds it)', (names) => {
    const dib = dibElementInfo(path, ['base', ...names]);
    expect(dib.ok, dib.stderr).toBe(true);
    const r = tsdib(['elements', '--expand', ...names], { env: { ELEMENTS_PATH: TREE } });
    expect(r.stdout.trim().split('\n').sort(), r.stderr).toEqual(dib.names);
  });
  test('vm through a dependency: DIB fails, tsdib picks the default layout', () => {
    const dib = dibElementInfo(path, ['base', 'my-os', 'my-image']);
    expect(dib.ok).toBe(false);
    expect(dib.stderr).toContain("Element 'block-device' not found");
    expect(tsdib(['elements', '--expand', 'my-os', 'my-image'], { env: { ELEMENTS_PATH: TREE } }).status).toBe(0);
  });
});
