/**
 * End to end: a real Debian rootfs (mmdebstrap, cached) plus a small overlay directory assembled
 * onto DIB's presets and a multi-partition layout, each checked by tools nobody here wrote: the
 * partition table by sfdisk --verify / sgdisk -v, ext2/3/4 by e2fsck -fn and debugfs reading
 * through the partition offset (`IMAGE?offset=N`), FAT by fsck.vfat -n (on a sparse copy of the
 * partition: it takes no offset) and mdir (`IMAGE@@OFFSET`), every signature by blkid -O OFFSET.
 */
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync, ftruncateSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assemble, type AssembleResult } from '../../src/assemble/index.js';
import { parseLayout, presetLayout, type Layout } from '../../src/layout/index.js';
import { readRootfs, type Rootfs } from '../../src/tar/index.js';
import { debianRootfs } from '../helpers/debian.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { readFileSync } from 'node:fs';

const EPOCH = 1_700_000_000;
const CHUNK = 1 << 20;

/** Copies `length` bytes at `offset` of `image` into a new sparse file (all-zero MiBs left as holes). */
function sparseCopy(image: string, offset: number, length: number, out: string): void {
  const src = openSync(image, 'r');
  const dst = openSync(out, 'w');
  const buf = Buffer.alloc(CHUNK);
  const zeros = Buffer.alloc(CHUNK);
  try {
    ftruncateSync(dst, length);
    for (let at = 0; at < length; at += CHUNK) {
      const n = readSync(src, buf, 0, Math.min(CHUNK, length - at), offset + at);
      const piece = buf.subarray(0, n);
      if (!piece.equals(zeros.subarray(0, n))) writeSync(dst, piece, 0, n, at);
    }
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}

function e2fsck(image: string, offset: number): string {
  const r = runTool('e2fsck', ['-fn', `${image}?offset=${offset}`]);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

function debugfs(image: string, offset: number, request: string): string {
  const r = runTool('debugfs', ['-R', request, `${image}?offset=${offset}`]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Names in a directory of an ext filesystem (debugfs ls -p: /ino/mode/uid/gid/name/size/). */
function extNames(image: string, offset: number, dir: string): string[] {
  return debugfs(image, offset, `ls -p ${dir}`)
    .split('\n')
    .filter((l) => l.startsWith('/'))
    .map((l) => l.split('/')[5]!)
    .filter((n) => n !== '.' && n !== '..')
    .sort();
}

function fsckVfat(image: string, offset: number, size: number, work: string): void {
  const copy = join(work, `fat-${offset}.img`);
  sparseCopy(image, offset, size, copy);
  const r = runTool('fsck.vfat', ['-n', copy]);
  rmSync(copy);
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
}

function blkid(image: string, offset: number): Record<string, string> {
  const r = runTool('blkid', ['-p', '-O', String(offset), '-o', 'export', image]);
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

function mdir(image: string, offset: number, dir: string): string {
  const r = runTool('mdir', ['-i', `${image}@@${offset}`, '-b', `::${dir}`], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function part(result: AssembleResult, name: string): { offset: number; size: number } {
  const fs = result.filesystems.find((f) => f.device === name);
  if (fs) return { offset: fs.offset, size: fs.size };
  const p = result.plan.partitions.find((x) => x.name === name)!;
  return { offset: p.offset, size: p.size };
}

const multi = (): Layout => parseLayout(readFileSync(new URL('../fixtures/assemble/multi.yaml', import.meta.url), 'utf8'), 'multi.yaml');

describe.runIf(haveTools('mmdebstrap', 'e2fsck', 'debugfs', 'sfdisk', 'sgdisk', 'fsck.vfat', 'mdir', 'blkid'))('assembling a Debian rootfs', () => {
  let work: string;
  let rootfs: Rootfs;
  let tar: string;
  const built = new Map<string, { image: string; result: AssembleResult }>();
  const warnings: string[] = [];

  async function build(name: string, layout: Layout): Promise<{ image: string; result: AssembleResult }> {
    const cached = built.get(name);
    if (cached) return cached;
    const result = await assemble(rootfs.tree, { layout, name: join(work, name), types: ['raw'], seed: `test-${name}`, epoch: EPOCH, onWarning: (m) => warnings.push(m) });
    const entry = { image: join(work, `${name}.raw`), result };
    built.set(name, entry);
    return entry;
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tsdib-assemble-'));
    tar = debianRootfs();
    // An overlay layer: files for the ESP, and an old fstab the layout's must replace.
    const overlay = join(work, 'overlay');
    mkdirSync(join(overlay, 'boot/efi/EFI/tsdib'), { recursive: true });
    writeFileSync(join(overlay, 'boot/efi/EFI/tsdib/hello.txt'), 'hello from the ESP\n');
    mkdirSync(join(overlay, 'etc'), { recursive: true });
    writeFileSync(join(overlay, 'etc/fstab'), '# UNCONFIGURED FSTAB\n');
    rootfs = await readRootfs([tar, overlay], { tmpDir: work, defaultTime: { sec: EPOCH, nsec: 0 } });
  }, 900_000);

  afterAll(() => {
    rootfs?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('mbr: sfdisk --verify clean, one bootable primary, e2fsck clean, fstab replaced, label and type from blkid', { timeout: 300_000 }, async () => {
    const { image, result } = await build('mbr', presetLayout('mbr'));
    const verify = runTool('sfdisk', ['--verify', image]);
    expect(verify.status, verify.stderr).toBe(0);
    const dump = runTool('sfdisk', ['--json', image]);
    const table = JSON.parse(dump.stdout).partitiontable;
    expect(table.partitions).toHaveLength(1);
    expect(table.partitions[0]).toMatchObject({ start: 2048, type: '83', bootable: true });
    const root = part(result, 'root');
    expect(e2fsck(image, root.offset)).toContain('cloudimg-rootfs:');
    expect(debugfs(image, root.offset, 'cat /etc/fstab')).toBe('LABEL=cloudimg-rootfs / ext4 defaults 0 1\n');
    expect(blkid(image, root.offset)).toMatchObject({ TYPE: 'ext4', LABEL: 'cloudimg-rootfs' });
    // Everything of the rootfs is there (a few spot checks across the tree).
    expect(extNames(image, root.offset, '/')).toEqual(expect.arrayContaining(['bin', 'boot', 'etc', 'usr', 'var', 'lost+found']));
    expect(debugfs(image, root.offset, 'cat /etc/debian_version')).toMatch(/^12\./);
  });

  test('gpt: sgdisk -v clean, BIOS boot partition EF02 of 8 MiB then root, e2fsck clean', { timeout: 300_000 }, async () => {
    const { image, result } = await build('gpt', presetLayout('gpt'));
    const v = runTool('sgdisk', ['-v', image]);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('No problems found');
    const info = runTool('sgdisk', ['-i', '1', image]).stdout;
    expect(info).toContain('21686148-6449-6E6F-744E-656564454649');
    expect(info).toMatch(/Partition size: 16384 sectors/);
    e2fsck(image, part(result, 'root').offset);
  });

  test('efi: the ESP is FAT32 (fsck.vfat clean) holding /boot/efi; root holds an empty /boot/efi; fstab lists both', { timeout: 300_000 }, async () => {
    const { image, result } = await build('efi', presetLayout('efi'));
    const v = runTool('sgdisk', ['-v', image]);
    expect(v.stdout).toContain('No problems found');
    const esp = part(result, 'ESP');
    const root = part(result, 'root');
    fsckVfat(image, esp.offset, esp.size, work);
    expect(blkid(image, esp.offset)).toMatchObject({ TYPE: 'vfat', VERSION: 'FAT32', LABEL: 'MKFS_ESP' });
    expect(mdir(image, esp.offset, '/EFI/TSDIB')).toMatch(/hello\.txt/i);
    const hello = runTool('mtype', ['-i', `${image}@@${esp.offset}`, '::/EFI/tsdib/hello.txt'], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
    expect(hello.stdout).toBe('hello from the ESP\n');
    e2fsck(image, root.offset);
    expect(extNames(image, root.offset, '/boot/efi')).toEqual([]);
    expect(debugfs(image, root.offset, 'cat /etc/fstab')).toBe('LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=MKFS_ESP /boot/efi vfat defaults 0 2\n');
  });

  test('multi (/, /var, /var/log vfat, swap): each filesystem clean and holding exactly its part of the tree', { timeout: 300_000 }, async () => {
    const { image, result } = await build('multi', multi());
    const verify = runTool('sfdisk', ['--verify', image]);
    expect(verify.status, verify.stderr).toBe(0);
    const [root, varFs, varLog, swap] = ['root', 'var', 'var_log', 'swap'].map((n) => part(result, n)) as [ReturnType<typeof part>, ReturnType<typeof part>, ReturnType<typeof part>, ReturnType<typeof part>];
    e2fsck(image, root.offset);
    e2fsck(image, varFs.offset);
    fsckVfat(image, varLog.offset, varLog.size, work);
    expect(blkid(image, swap.offset)).toMatchObject({ TYPE: 'swap', LABEL: 'mkfs_swap' });
    expect(blkid(image, varLog.offset)).toMatchObject({ TYPE: 'vfat', LABEL: 'VARLOG' });
    // /var is an empty mount point in root; /var/log an empty one in /var.
    expect(extNames(image, root.offset, '/var')).toEqual([]);
    expect(extNames(image, varFs.offset, '/log')).toEqual([]);
    expect(extNames(image, varFs.offset, '/')).toEqual(expect.arrayContaining(['cache', 'lib', 'log']));
    // Content read back equals the tarball's (tar itself extracts it).
    const status = runTool('tar', ['-xOf', tar, './var/lib/dpkg/status']).stdout;
    expect(status.length).toBeGreaterThan(1000);
    expect(debugfs(image, varFs.offset, 'cat /lib/dpkg/status')).toBe(status);
    // The FAT holds exactly what the tarball has directly under /var/log (tar lists it).
    const inTar = new Set(
      runTool('tar', ['-tf', tar]).stdout.split('\n').flatMap((l) => {
        const m = /^\.\/var\/log\/([^/]+)\/?$/.exec(l);
        return m ? [m[1]!.toLowerCase()] : [];
      }),
    );
    expect(inTar.size).toBeGreaterThan(2);
    const onFat = mdir(image, varLog.offset, '/').split('\n').filter((l) => l !== '').map((l) => l.replace(/^::\//, '').replace(/\/$/, '').toLowerCase());
    expect(new Set(onFat)).toEqual(inTar);
    expect(debugfs(image, root.offset, 'cat /etc/fstab')).toBe(
      'LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=mkfs_var /var ext4 defaults 0 2\nLABEL=VARLOG /var/log vfat defaults 0 2\nLABEL=mkfs_swap none swap sw 0 0\n',
    );
  });

  test('none: one ext4 filesystem on the whole disk, no partition table', { timeout: 300_000 }, async () => {
    const { image, result } = await build('none', presetLayout('none'));
    expect(result.plan.table).toBeUndefined();
    expect(blkid(image, 0)).toMatchObject({ TYPE: 'ext4', LABEL: 'cloudimg-rootfs' });
    const r = runTool('e2fsck', ['-fn', image]);
    expect(r.status, r.stdout).toBe(0);
    expect(debugfs(image, 0, 'cat /etc/fstab')).toBe('LABEL=cloudimg-rootfs / ext4 defaults 0 1\n');
  });
});
