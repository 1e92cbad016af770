import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { parseExtraSize, parsePackageList, stripTypeSuffix } from '../../src/cli/build.js';
import { tsdib } from '../helpers/cli.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

describe('tsdib build arguments', () => {
  const tmp = useTmpDir();

  test('--image-extra-size: a bare number is MB (DIB_IMAGE_EXTRA_SIZE), else DIB size syntax', () => {
    expect(parseExtraSize('512', '--image-extra-size')).toBe(512 * 1024 * 1024);
    expect(parseExtraSize('1GiB', '--image-extra-size')).toBe(1024 ** 3);
  });

  test('-p lists: commas and repeats, as INSTALL_PACKAGES', () => {
    expect(parsePackageList(['vim,curl', 'htop'])).toEqual(['vim', 'curl', 'htop']);
    expect(parsePackageList(undefined)).toEqual([]);
  });

  test('-o NAME.qcow2 with one type drops the suffix, as DIB does', () => {
    expect(stripTypeSuffix('img.qcow2', ['qcow2'])).toBe('img');
    expect(stripTypeSuffix('img.qcow2', ['qcow2', 'raw'])).toBe('img.qcow2');
  });

  test('no element is a usage error (exit 2)', () => {
    const r = tsdib(['build', '-o', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('At least one element must be specified');
  });

  test('an unknown element is an input error and writes no image', () => {
    const dir = tmp();
    const r = tsdib(['build', '-o', 'x', 'no-such-element'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-element');
    expect(readdirSync(dir).filter((f) => !f.endsWith('.log'))).toEqual([]);
  });

  test('DIB syntax: -o NAME then the elements; the build log names each script', () => {
    const dir = tmp();
    const r = tsdib(['build', '-o', 'demo.raw', '-t', 'raw', '--chroot', 'none', '-q', 'demo'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote demo.raw');
    expect(readdirSync(dir).sort()).toEqual(['demo.log', 'demo.raw']);
  });

  test('-x traces the scripts into the build log (DIB_DEBUG_TRACE)', () => {
    const dir = tmp();
    const r = tsdib(['build', '-x', '-o', 'demo', '-t', 'raw', '--chroot', 'none', '-q', 'demo'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const log = readFileSync(join(dir, 'demo.log'), 'utf8');
    expect(log).toMatch(/^\+ cp -R .*demo-files\/\. \.$/m);
  });

  test('--image-extra-size grows the automatic root (a bare number is MB)', () => {
    const dir = tmp();
    const small = tsdib(['build', '-o', 'a', '-t', 'raw', '--chroot', 'none', '-q', 'demo'], { cwd: dir });
    const big = tsdib(['build', '-o', 'b', '-t', 'raw', '--chroot', 'none', '-q', '--image-extra-size', '64', 'demo'], { cwd: dir });
    expect(small.status, small.stderr).toBe(0);
    expect(big.status, big.stderr).toBe(0);
    const size = (f: string) => statSync(join(dir, f)).size;
    expect(size('b.raw') - size('a.raw')).toBeGreaterThanOrEqual(60 * 1024 * 1024);
  });

  test('every shipped element of the build shows its README with tsdib elements NAME', () => {
    for (const name of ['demo', 'debian-minimal', 'devuser', 'openssh-server', 'growroot', 'cloud-init-nocloud', 'install-static', 'install-bin', 'manifests']) {
      const r = tsdib(['elements', name]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`# ${name}`);
    }
  });
});

const FIXTURE_ELEMENTS = fileURLToPath(new URL('../fixtures/build/elements', import.meta.url));

describe.runIf(haveTools('cpio'))('tsdib build --ramdisk (ramdisk-image-create), read by GNU cpio', () => {
  const tmp = useTmpDir();

  test('--ramdisk writes NAME.initramfs + NAME.kernel; cpio -itv lists /init executable and the tree', () => {
    const dir = tmp();
    const r = tsdib(['build', '--ramdisk', '-n', '-o', 'deploy', '--elements-path', FIXTURE_ELEMENTS, '--chroot', 'none', '-q', 'ramdisk-tree'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000', IMAGE_TYPES: 'qcow2' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote deploy.initramfs');
    expect(r.stdout).toContain('wrote deploy.kernel');
    expect(readdirSync(dir).sort()).toEqual(['deploy.initramfs', 'deploy.kernel', 'deploy.log']);
    expect(readFileSync(join(dir, 'deploy.kernel'), 'utf8')).toBe('fake kernel for tsdib tests\n');
    const listing = runTool('cpio', ['-itv', '--quiet'], { input: gunzipSync(readFileSync(join(dir, 'deploy.initramfs'))) });
    expect(listing.status, listing.stderr).toBe(0);
    const lines = listing.stdout.split('\n');
    const init = lines.find((l) => / init$/.test(l));
    expect(init, listing.stdout).toMatch(/^-rwxr-xr-x /);
    expect(lines.some((l) => / etc\/hostname$/.test(l)), listing.stdout).toBe(true);
    const extracted = runTool('cpio', ['-i', '--quiet', '--to-stdout', 'init'], { input: gunzipSync(readFileSync(join(dir, 'deploy.initramfs'))) });
    expect(extracted.stdout).toContain('tsdib ramdisk init');
  });

  test.runIf(haveTools('xz'))('--ramdisk-compression xz: xz -t checks the initramfs and cpio lists /init; a bad level is a usage error', () => {
    const dir = tmp();
    const args = ['build', '--ramdisk', '-n', '--elements-path', FIXTURE_ELEMENTS, '--chroot', 'none', '-q', 'ramdisk-tree', '--ramdisk-compression', 'xz'];
    const r = tsdib([...args, '-o', 'deploy'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.status, r.stderr).toBe(0);
    const initramfs = join(dir, 'deploy.initramfs');
    expect(runTool('xz', ['-t', initramfs]).status).toBe(0);
    const listing = runTool('sh', ['-c', 'xz -dc "$1" | cpio -it --quiet', 'sh', initramfs]);
    expect(listing.stdout.split('\n')).toContain('init');
    const bad = tsdib([...args, '--ramdisk-level', '12', '-o', 'bad'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--ramdisk-level 12/);
    expect(readdirSync(dir).some((n) => n.startsWith('bad.'))).toBe(false);
  });

  test('-t given with --ramdisk wins (--ramdisk means -t ramdisk only when -t is absent)', () => {
    const dir = tmp();
    const r = tsdib(['build', '--ramdisk', '-t', 'tar', '-n', '-o', 'tree', '--elements-path', FIXTURE_ELEMENTS, '--chroot', 'none', '-q', 'ramdisk-tree'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['tree.log', 'tree.tar']);
  });

  test('--help documents --ramdisk with an example', () => {
    const r = tsdib(['build', '--help']);
    expect(r.stdout).toContain('--ramdisk');
    expect(r.stdout).toContain('build --ramdisk -o deploy');
  });
});
