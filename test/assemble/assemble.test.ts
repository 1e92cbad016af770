/**
 * assemble() outputs: every -t type from the one scratch disk, checked by qemu-img (check, compare
 * against the raw), coreutils (sha256sum -c, md5sum -c) and tar; byte-identical reruns with the same
 * seed and epoch; all-or-nothing outputs; files FAT cannot hold; encoder options passed through.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assemble, type AssembleOptions } from '../../src/assemble/index.js';
import { parseLayout, presetLayout } from '../../src/layout/index.js';
import { bytesBody, FileTree } from '../../src/tree/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { rejection } from '../helpers/errors.js';

const EPOCH = 1_700_000_000;
const text = (s: string) => bytesBody(new TextEncoder().encode(s));

function smallTree(): FileTree {
  const tree = new FileTree({ sec: EPOCH, nsec: 0 });
  tree.addFile('/etc/hostname', text('tsdib\n'));
  tree.addFile('/usr/share/doc/big.bin', bytesBody(new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff)));
  tree.addSymlink('/bin', 'usr/bin');
  tree.addFile('/boot/efi/EFI/BOOT/BOOTX64.EFI', text('not really an EFI binary'));
  return tree;
}

function options(dir: string, extra: Partial<AssembleOptions> = {}): AssembleOptions {
  return { layout: presetLayout('efi'), name: join(dir, 'disk'), types: ['raw'], seed: 'outputs', epoch: EPOCH, ...extra };
}

describe.runIf(haveTools('qemu-img', 'sha256sum', 'md5sum', 'tar'))('assemble outputs', () => {
  const tmp = useTmpDir();
  const ALL = ['qcow2', 'raw', 'vhd', 'vmdk', 'vdi', 'tar', 'tgz'] as const;

  test('every type from one run: qemu-img check and compare clean, checksums verify, tarballs hold the fstab', { timeout: 120_000 }, async () => {
    const dir = tmp();
    const r = await assemble(smallTree(), options(dir, { types: ALL, checksum: true }));
    expect(readdirSync(dir).sort()).toEqual(ALL.flatMap((t) => [`disk.${t}`, `disk.${t}.md5`, `disk.${t}.sha256`]).sort());
    expect(r.outputs.map((o) => o.path)).toEqual(ALL.flatMap((t) => [`disk.${t}`, `disk.${t}.sha256`, `disk.${t}.md5`].map((n) => join(dir, n))));
    const raw = join(dir, 'disk.raw');
    for (const [t, f] of [['qcow2', 'qcow2'], ['vmdk', 'vmdk'], ['vdi', 'vdi']] as const) {
      const check = runTool('qemu-img', ['check', '-f', f, join(dir, `disk.${t}`)]);
      expect(check.status, `${t}: ${check.stdout}${check.stderr}`).toBe(0);
    }
    for (const [t, f] of [['qcow2', 'qcow2'], ['vhd', 'vpc'], ['vmdk', 'vmdk'], ['vdi', 'vdi']] as const) {
      const cmp = runTool('qemu-img', ['compare', '-f', 'raw', '-F', f, raw, join(dir, `disk.${t}`)]);
      expect(cmp.status, `${t}: ${cmp.stdout}${cmp.stderr}`).toBe(0);
    }
    for (const sum of ['sha256sum', 'md5sum']) {
      const files = readdirSync(dir).filter((n) => n.endsWith(sum === 'sha256sum' ? '.sha256' : '.md5'));
      const c = runTool(sum, ['-c', ...files], { cwd: dir });
      expect(c.status, c.stdout + c.stderr).toBe(0);
      expect(c.stdout.match(/: OK$/gm)).toHaveLength(ALL.length);
    }
    const fstab = 'LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=MKFS_ESP /boot/efi vfat defaults 0 2\n';
    expect(r.fstab).toBe(fstab);
    const listing = runTool('tar', ['-tf', join(dir, 'disk.tar')]).stdout;
    expect(listing).toMatch(/^(\.\/)?boot\/efi\/EFI\/BOOT\/BOOTX64\.EFI$/m);
    const fstabName = /^(\.\/)?etc\/fstab$/m.exec(listing)![0];
    expect(runTool('tar', ['-xOf', join(dir, 'disk.tar'), fstabName]).stdout).toBe(fstab);
    expect(runTool('tar', ['-xzOf', join(dir, 'disk.tgz'), fstabName]).stdout).toBe(fstab);
  });

  test('the same seed and SOURCE_DATE_EPOCH give byte-identical files; another seed does not', { timeout: 120_000 }, async () => {
    const types = ['qcow2', 'raw', 'vhd', 'vmdk', 'vdi', 'tar'] as const;
    const [a, b, c] = [tmp(), tmp(), tmp()];
    await assemble(smallTree(), options(a, { types }));
    await assemble(smallTree(), options(b, { types }));
    await assemble(smallTree(), options(c, { types, seed: 'other' }));
    for (const t of types) {
      const name = `disk.${t}`;
      expect(readFileSync(join(a, name)).equals(readFileSync(join(b, name))), name).toBe(true);
    }
    expect(readFileSync(join(a, 'disk.raw')).equals(readFileSync(join(c, 'disk.raw')))).toBe(false);
  });

  test('-o options reach the encoders: qcow2 compat=0.10 (qemu-img info)', { timeout: 60_000 }, async () => {
    const dir = tmp();
    await assemble(smallTree(), options(dir, { types: ['qcow2'], formatOptions: { compat: '0.10' } }));
    const info = JSON.parse(runTool('qemu-img', ['info', '--output=json', join(dir, 'disk.qcow2')]).stdout);
    expect(info['format-specific'].data.compat).toBe('0.10');
  });

  test('outputs are all or nothing: an existing one is refused before any work, a bad option leaves nothing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'disk.vhd'), 'keep me');
    const e = await rejection(assemble(smallTree(), options(dir, { types: ['raw', 'vhd'] })));
    expect(e.toLine()).toMatch(/disk\.vhd already exists: remove it or pass --force$/);
    expect(readdirSync(dir)).toEqual(['disk.vhd']);
    expect(readFileSync(join(dir, 'disk.vhd'), 'utf8')).toBe('keep me');
    const bad = await rejection(assemble(smallTree(), options(dir, { types: ['raw', 'qcow2'], formatOptions: { nonsense: '1' } })));
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toMatch(/-o nonsense: not an option of qcow2/);
    expect(readdirSync(dir)).toEqual(['disk.vhd']);
  });

  test('a symlink under /boot/efi: an error naming it, or skipped with a warning under lenient', async () => {
    const tree = smallTree();
    tree.addSymlink('/boot/efi/EFI/link', 'BOOT');
    const dir = tmp();
    const e = await rejection(assemble(tree, options(dir)));
    expect(e.message).toMatch(/\/EFI\/link/);
    expect(readdirSync(dir)).toEqual([]);
    const warnings: string[] = [];
    await assemble(tree, options(dir, { lenient: true, onWarning: (m) => warnings.push(m) }));
    expect(warnings.join('\n')).toMatch(/\/EFI\/link.*skipped/);
    expect(existsSync(join(dir, 'disk.raw'))).toBe(true);
  });

  test('a layout with nothing mounted at / is refused', async () => {
    const noRoot = parseLayout('- local_loop:\n    name: image0\n    mkfs:\n      name: mkfs_root\n      mount: { mount_point: /srv }\n', 'srv.yaml');
    const e = await rejection(assemble(smallTree(), options(tmp(), { layout: noRoot })));
    expect(e.toLine()).toBe('srv.yaml: no filesystem is mounted at /: the root files need a filesystem with mount_point: /');
  });

  test('4096-byte sectors: ext4 root is written (e2fsck clean through the offset); vfat is refused as not supported yet', async () => {
    const dir = tmp();
    const base = '- local_loop:\n    name: image0\n    block_size: 4096\n- partitioning:\n    base: image0\n    label: gpt\n    partitions:\n';
    const root = '      - name: root\n        size: 100%\n        mkfs: { name: mkfs_root, mount: { mount_point: / } }\n';
    const r = await assemble(smallTree(), options(dir, { layout: parseLayout(base + root, '4k.yaml') }));
    expect(r.plan.sectorSize).toBe(4096);
    expect(runTool('e2fsck', ['-fn', `${join(dir, 'disk.raw')}?offset=${r.filesystems[0]!.offset}`]).status).toBe(0);
    const esp = "      - name: ESP\n        type: 'EF00'\n        size: 64MiB\n        mkfs: { type: vfat, mount: { mount_point: /boot/efi } }\n";
    const e = await rejection(assemble(smallTree(), options(tmp(), { layout: parseLayout(base + esp + root, '4k-efi.yaml') })));
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe('4k-efi.yaml [1].partitioning.partitions[0].mkfs: vfat on a disk with 4096-byte sectors is not supported yet');
  });

  test('--image-extra-size: the root filesystem of an automatic size grows by it', async () => {
    const plain = await assemble(smallTree(), options(tmp(), { layout: presetLayout('mbr') }));
    const roomy = await assemble(smallTree(), options(tmp(), { layout: presetLayout('mbr'), extraSize: 64 * 1024 * 1024 }));
    const root = (r: typeof plain) => r.filesystems.find((f) => f.mountPoint === '/')!.size;
    expect(root(roomy) - root(plain)).toBeGreaterThanOrEqual(60 * 1024 * 1024);
    expect(roomy.plan.size - plain.plan.size).toBeGreaterThanOrEqual(60 * 1024 * 1024);
  });
});

describe.runIf(haveTools('tar', 'bsdtar', 'skopeo'))('assemble() tree outputs (library)', () => {
  const tmp = useTmpDir();
  test('only tree types: no disk (plan undefined), files by DIB\'s names, read by bsdtar and skopeo', async () => {
    const dir = tmp();
    const tree = smallTree();
    tree.addFile('/init', text('#!/bin/sh\nexec /bin/sh\n'), { mode: 0o755 });
    tree.addFile('/boot/vmlinuz-6.1.0-1-amd64', text('kernel bytes'));
    const r = await assemble(tree, options(dir, { types: ['ramdisk', 'docker', 'oci'], dockerTarget: 'lib/test:2', imageSize: 1 }));
    expect(r.plan).toBeUndefined();
    expect(r.filesystems).toEqual([]);
    expect(r.outputs).toEqual([
      { type: 'ramdisk', path: join(dir, 'disk.initramfs') },
      { type: 'ramdisk', path: join(dir, 'disk.kernel') },
      { type: 'docker', path: join(dir, 'disk.docker.tar') },
      { type: 'oci', path: join(dir, 'disk.oci.tar') },
    ]);
    expect(readFileSync(join(dir, 'disk.kernel'), 'utf8')).toBe('kernel bytes');
    expect(runTool('bsdtar', ['-xOf', join(dir, 'disk.initramfs'), 'etc/hostname']).stdout).toBe('tsdib\n');
    expect(runTool('skopeo', ['inspect', '--raw', `docker-archive:${join(dir, 'disk.docker.tar')}:lib/test:2`]).status).toBe(0);
    expect(runTool('skopeo', ['inspect', '--raw', `oci-archive:${join(dir, 'disk.oci.tar')}:2`]).status).toBe(0);
  });
  test('a failing tree output beside a disk type leaves no file at all', async () => {
    const dir = tmp();
    const e = await rejection(assemble(smallTree(), options(dir, { types: ['raw', 'docker'] })));
    expect(e.message).toBe('-t docker needs --docker-target');
    const noInit = await rejection(assemble(smallTree(), options(dir, { types: ['qcow2', 'ramdisk'] })));
    expect(noInit.message).toMatch(/no \/init/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
