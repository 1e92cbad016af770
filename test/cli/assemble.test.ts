/**
 * `tsdib assemble` through the built CLI (npm run build first): usage errors and exit codes, the
 * layout sources (presets, YAML, DIB_BLOCK_DEVICE_CONFIG inline and file://), DIB's test_mbr tables
 * read by partx, sizing messages, -o NAME with -o key=value, --checksum, --json, --bootloader.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tsdib } from '../helpers/cli.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const fixture = (name: string) => new URL(`../fixtures/layout/${name}.yaml`, import.meta.url).pathname;
const partx = (path: string) => runTool('partx', ['--raw', '--output', 'NR,START,END,TYPE,FLAGS,SCHEME', '-g', '-b', '-', path]);

/** A tiny rootfs directory in `dir`. */
function rootfs(dir: string): string {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc/hostname'), 'tsdib\n');
  return root;
}

/** `fixture` plus a root filesystem on partition `base`, so the layout has somewhere to put files. */
function withRoot(dir: string, name: string, base: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `${readFileSync(fixture(name), 'utf8')}\n- mkfs:\n    name: mkfs_root\n    base: ${base}\n    mount:\n      mount_point: /\n`);
  return path;
}

describe('tsdib assemble: usage and errors', () => {
  const tmp = useTmpDir();
  test('--help teaches with examples', () => {
    const r = tsdib(['assemble', '--help']);
    expect(r.status).toBe(0);
    for (const s of ['--block-device', '--image-size', '--checksum', 'Examples:', 'DIB_BLOCK_DEVICE_CONFIG', '-o key=value']) expect(r.stdout).toContain(s);
  });
  test('usage and input errors exit 2 and leave nothing behind', () => {
    const dir = tmp();
    const root = rootfs(dir);
    const out = join(dir, 'out');
    mkdirSync(out);
    const cases: [string[], RegExp][] = [
      [['-t', 'iso'], /^tsdib: -t: unknown image type "iso": use qcow2, raw, vhd, vmdk, vdi, tar, tgz, ramdisk, docker, oci\n$/],
      [['--block-device', 'efi', '--image-size', '100MiB'], /^tsdib: disk too small for the partition layout: need \d+ MiB, have 100 MiB: use --image-size \d+MiB or more\n$/],
      [['--block-device', fixture('typo_key')], /typo_key\.yaml \[1\]\.partitioning\.partitions\[0\]\.mkfs\.mount\.fstab: unknown key "fck-passno"/],
      [['--block-device', 'msdos'], /--block-device msdos: neither a preset \(mbr, gpt, efi, none\) nor a YAML file/],
      [['--block-device', fixture('duplicate_fs_labels')], /File system label \[same\] used more than once/],
      [['-o', 'b'], /-o given 2 names \(x, b\): give one image name; encoder options are key=value/],
      [['-o', 'nonsense=1'], /-o nonsense: not an option of qcow2/],
    ];
    for (const [args, message] of cases) {
      const r = tsdib(['assemble', root, '-o', 'x', '--bootloader', 'none', ...args], { cwd: out });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(out)).toEqual([]);
    const missing = tsdib(['assemble', join(dir, 'nope.tar'), '-o', 'x'], { cwd: out });
    expect(missing.status).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });
  test('lvm layouts are refused (exit 1); --bootloader grub without a kernel in the rootfs is an input error (exit 2)', () => {
    const dir = tmp();
    const lvm = tsdib(['assemble', rootfs(dir), '-o', 'x', '--block-device', fixture('lvm_tree')], { cwd: dir });
    expect(lvm.status).toBe(1);
    expect(lvm.stderr).toMatch(/lvm_tree\.yaml \[2\]\.lvm: lvm is not supported yet/);
    const grub = tsdib(['assemble', rootfs(dir), '-o', 'x', '--bootloader', 'grub'], { cwd: dir });
    expect(grub.status).toBe(2);
    expect(grub.stderr).toMatch(/^tsdib: no kernel in the rootfs .*: install a kernel package in the rootfs/);
    expect(readdirSync(dir)).toEqual(['rootfs']);
  });
  test('--bootloader auto without a kernel, or without a partition table, installs none and says why; none says nothing', () => {
    const dir = tmp();
    const root = rootfs(dir);
    const auto = tsdib(['assemble', root, '-o', 'a', '-t', 'raw'], { cwd: dir });
    expect(auto.status).toBe(0);
    expect(auto.stderr).toBe('tsdib: warning: no bootloader installed: the rootfs has no kernel in /boot (--bootloader none silences this)\n');
    const bare = tsdib(['assemble', root, '-o', 'b', '-t', 'raw', '--block-device', 'none'], { cwd: dir });
    expect(bare.stderr).toBe('tsdib: warning: no bootloader installed: the layout has no partition table (--bootloader none silences this)\n');
    const none = tsdib(['assemble', root, '-o', 'c', '-t', 'raw', '--bootloader', 'none'], { cwd: dir });
    expect(none.stderr).toBe('');
  });
  test('an existing output is kept unless --force', () => {
    const dir = tmp();
    const root = rootfs(dir);
    writeFileSync(join(dir, 'x.raw'), 'precious');
    const r = tsdib(['assemble', root, '-o', 'x', '-t', 'raw', '--bootloader', 'none'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tsdib: x.raw already exists: remove it or pass --force\n');
    expect(readFileSync(join(dir, 'x.raw'), 'utf8')).toBe('precious');
    expect(tsdib(['assemble', root, '-o', 'x', '-t', 'raw', '--image-size', '64MiB', '--force', '--bootloader', 'none'], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, 'x.raw')).size).toBe(64 * MiB);
  });
});

describe.runIf(haveTools('partx', 'sfdisk', 'sgdisk', 'e2fsck', 'debugfs', 'qemu-img', 'sha256sum'))('tsdib assemble: images read by partx, sfdisk, sgdisk, e2fsck, qemu-img', () => {
  const tmp = useTmpDir();
  test('defaults: NAME.qcow2 (qemu-img check clean), mbr, sized to the content, ext4 root with the fstab', () => {
    const dir = tmp();
    const r = tsdib(['assemble', rootfs(dir), '-o', 'disk', '--seed', 'a', '--bootloader', 'none', '--json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { size: number; scheme: string; outputs: { path: string }[]; filesystems: { label: string; offset: number }[]; fstab: string };
    expect(json.scheme).toBe('mbr');
    expect(json.outputs.map((o) => o.path)).toEqual(['disk.qcow2']);
    expect(json.size).toBeLessThan(16 * MiB);
    expect(json.fstab).toBe('LABEL=cloudimg-rootfs / ext4 defaults 0 1\n');
    expect(runTool('qemu-img', ['check', join(dir, 'disk.qcow2')]).status).toBe(0);
    expect(runTool('qemu-img', ['convert', '-O', 'raw', join(dir, 'disk.qcow2'), join(dir, 'disk.raw')]).status).toBe(0);
    expect(partx(join(dir, 'disk.raw')).stdout).toMatch(/^1 2048 \d+ 0x83 0x80 dos\n$/);
    const root = `${join(dir, 'disk.raw')}?offset=${json.filesystems[0]!.offset}`;
    expect(runTool('e2fsck', ['-fn', root]).status).toBe(0);
    expect(runTool('debugfs', ['-R', 'cat /etc/hostname', root]).stdout).toBe('tsdib\n');
  });
  test("DIB's test_mbr '3 primaries + 7 logical' layout (root on the first) gives DIB's partx table", () => {
    const dir = tmp();
    const layout = withRoot(dir, 'dib_mbr_three_primaries_seven_logical', 'p0');
    const r = tsdib(['assemble', rootfs(dir), '--block-device', layout, '--image-size', '1GiB', '-o', 'disk.raw', '-t', 'raw', '--bootloader', 'none'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(partx(join(dir, 'disk.raw')).stdout).toBe(
      [
        '1 2048 22527 0x83 0x0 dos',
        '2 22528 43007 0x83 0x0 dos',
        '3 43008 63487 0x83 0x0 dos',
        '4 63488 2097151 0xf 0x0 dos',
        '5 65536 86015 0x83 0x0 dos',
        '6 88064 108543 0x83 0x0 dos',
        '7 110592 131071 0x83 0x0 dos',
        '8 133120 153599 0x83 0x0 dos',
        '9 155648 176127 0x83 0x0 dos',
        '10 178176 198655 0x83 0x0 dos',
        '11 200704 221183 0x83 0x0 dos',
        '',
      ].join('\n'),
    );
    expect(runTool('sfdisk', ['--verify', join(dir, 'disk.raw')]).stdout).toContain('No errors detected');
    expect(runTool('e2fsck', ['-fn', `${join(dir, 'disk.raw')}?offset=${2048 * 512}`]).status).toBe(0);
  });
  test('DIB_BLOCK_DEVICE_CONFIG: inline YAML and file:// are honoured; --block-device wins over it', () => {
    const dir = tmp();
    const root = rootfs(dir);
    const yaml = readFileSync(new URL('../fixtures/layout/gpt_efi.yaml', import.meta.url), 'utf8');
    const inline = tsdib(['assemble', root, '-o', 'i', '-t', 'raw', '--image-size', '1GiB', '--bootloader', 'none', '--json'], { cwd: dir, env: { DIB_BLOCK_DEVICE_CONFIG: yaml } });
    expect(inline.status, inline.stderr).toBe(0);
    // DIB's test_gpt sizes: ESP 8 MiB, BSP 8 MiB, "Root Part" 1006 MiB.
    expect((JSON.parse(inline.stdout) as { partitions: { name: string; size: number }[] }).partitions.map((p) => [p.name, p.size / MiB])).toEqual([
      ['ESP', 8],
      ['BSP', 8],
      ['Root Part', 1006],
    ]);
    expect(runTool('sgdisk', ['-v', join(dir, 'i.raw')]).stdout).toContain('No problems found');
    const file = tsdib(['assemble', root, '-o', 'f', '-t', 'raw', '--image-size', '1GiB', '--bootloader', 'none'], { cwd: dir, env: { DIB_BLOCK_DEVICE_CONFIG: `file://${fixture('gpt_efi')}` } });
    expect(file.status, file.stderr).toBe(0);
    expect(runTool('cmp', [join(dir, 'i.raw'), join(dir, 'f.raw')]).status).not.toBe(2);
    const preset = tsdib(['assemble', root, '-o', 'p', '-t', 'raw', '--block-device', 'mbr', '--bootloader', 'none', '--json'], { cwd: dir, env: { DIB_BLOCK_DEVICE_CONFIG: yaml } });
    expect((JSON.parse(preset.stdout) as { scheme: string }).scheme).toBe('mbr');
  });
  test('-t raw,vhd -o NAME -o subformat=fixed --checksum: a fixed VHD qemu-img reads as the raw, checksums that verify', () => {
    const dir = tmp();
    const r = tsdib(['assemble', rootfs(dir), '-t', 'raw,vhd', '-o', 'disk', '-o', 'subformat=fixed', '--checksum', '--bootloader', 'none', '--block-device', 'gpt'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote disk\.vhd\.sha256$/m);
    const info = JSON.parse(runTool('qemu-img', ['info', '--output=json', '-f', 'vpc', join(dir, 'disk.vhd')]).stdout) as { 'virtual-size': number; 'actual-size': number };
    expect(statSync(join(dir, 'disk.vhd')).size).toBe(info['virtual-size'] + 512);
    expect(runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'vpc', join(dir, 'disk.raw'), join(dir, 'disk.vhd')]).status).toBe(0);
    expect(runTool('sha256sum', ['-c', 'disk.raw.sha256', 'disk.vhd.sha256'], { cwd: dir }).status).toBe(0);
    expect(existsSync(join(dir, 'disk.vhd.md5'))).toBe(true);
  });
  test('--image-size too small for the content names the partition and a size that works', () => {
    const dir = tmp();
    const root = rootfs(dir);
    writeFileSync(join(root, 'big'), Buffer.alloc(20 * MiB, 1));
    const r = tsdib(['assemble', root, '-o', 'x', '-t', 'raw', '--image-size', '12MiB', '--bootloader', 'none'], { cwd: dir });
    expect(r.status).toBe(2);
    const m = /^tsdib: partition root needs (\d+) MiB, 10 MiB left: use --image-size (\d+)MiB\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(readdirSync(dir)).toEqual(['rootfs']);
    const ok = tsdib(['assemble', root, '-o', 'x', '-t', 'raw', '--image-size', `${m![2]}MiB`, '--bootloader', 'none'], { cwd: dir });
    expect(ok.status, ok.stderr).toBe(0);
  });
  test('--fs-type ext3 --root-label --mkfs-options reach mkfs_root (dumpe2fs-free: blkid and debugfs stats)', () => {
    const dir = tmp();
    const r = tsdib(['assemble', rootfs(dir), '-o', 'x', '-t', 'raw', '--block-device', 'none', '--image-size', '64MiB', '--fs-type', 'ext3', '--root-label', 'myroot', '--mkfs-options=-i 4096 -m 0', '--bootloader', 'none'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const stats = runTool('debugfs', ['-R', 'stats', join(dir, 'x.raw')]).stdout;
    expect(stats).toMatch(/Filesystem volume name:\s+myroot/);
    expect(stats).toMatch(/Reserved block count:\s+0$/m);
    expect(stats).toMatch(/Filesystem features:.*has_journal/);
    expect(stats).not.toMatch(/Filesystem features:.*extent/);
    expect(runTool('e2fsck', ['-fn', join(dir, 'x.raw')]).status).toBe(0);
    expect(runTool('debugfs', ['-R', 'cat /etc/fstab', join(dir, 'x.raw')]).stdout).toBe('LABEL=myroot / ext3 defaults 0 1\n');
  });
  test("no ROOTFS (the README's first command): the layout with empty filesystems, e2fsck and fsck-clean", () => {
    const dir = tmp();
    const r = tsdib(['assemble', '--block-device', 'efi', '--image-size', '1GiB', '-t', 'raw', '-o', 'demo', '--json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('tsdib: no ROOTFS given: the filesystems are made empty\n');
    const json = JSON.parse(r.stdout) as { size: number; filesystems: { mountPoint: string; offset: number }[] };
    expect(json.size).toBe(GiB);
    expect(runTool('sgdisk', ['-v', join(dir, 'demo.raw')]).stdout).toContain('No problems found');
    const root = json.filesystems.find((f) => f.mountPoint === '/')!;
    expect(runTool('e2fsck', ['-fn', `${join(dir, 'demo.raw')}?offset=${root.offset}`]).status).toBe(0);
    expect(runTool('debugfs', ['-R', 'ls -p /boot', `${join(dir, 'demo.raw')}?offset=${root.offset}`]).stdout).toMatch(/\/efi\//);
  });
  test('GiB images stay sparse', () => {
    const dir = tmp();
    expect(tsdib(['assemble', rootfs(dir), '-o', 'x', '-t', 'raw', '--image-size', '1', '--bootloader', 'none'], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, 'x.raw')).size).toBe(GiB);
    expect(statSync(join(dir, 'x.raw')).blocks * 512).toBeLessThan(64 * MiB);
  });
});

/** A rootfs directory for the tree outputs: an executable /init, a kernel, a hard link, a symlink. */
function bootableRootfs(dir: string, options: { init?: boolean; kernel?: boolean } = {}): string {
  const root = join(dir, 'broot');
  for (const d of ['boot', 'etc', 'bin']) mkdirSync(join(root, d), { recursive: true });
  if (options.init !== false) {
    writeFileSync(join(root, 'init'), '#!/bin/sh\necho TSDIB-MARK\n');
    chmodSync(join(root, 'init'), 0o755);
  }
  if (options.kernel !== false) writeFileSync(join(root, 'boot/vmlinuz-6.1.0-18-amd64'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff)));
  writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  writeFileSync(join(root, 'bin/tool'), 'tool body\n');
  linkSync(join(root, 'bin/tool'), join(root, 'bin/tool2'));
  symlinkSync('/bin/tool', join(root, 'bin/tool-link'));
  return root;
}

const EPOCH_ENV = { ...process.env, SOURCE_DATE_EPOCH: '1700000000' };

describe('tsdib assemble: -t ramdisk, docker, oci (tree outputs)', () => {
  const tmp = useTmpDir();
  test('--help shows the new types and their flags', () => {
    const r = tsdib(['assemble', '--help']);
    for (const s of ['-t ramdisk', '--docker-target', '-t docker,oci', 'image.docker.tar', '--ramdisk-compression']) expect(r.stdout).toContain(s);
  });
  test('input errors of the tree types exit 2 before any output: -t docker without --docker-target, a bad target, no /init, no kernel', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    mkdirSync(out);
    const good = bootableRootfs(dir);
    const noInit = bootableRootfs(join(dir, 'a'), { init: false });
    const noKernel = bootableRootfs(join(dir, 'b'), { kernel: false });
    const cases: [string, string[], RegExp][] = [
      [good, ['-t', 'qcow2,docker'], /^tsdib: -t docker needs --docker-target: name the image as DIB does: --docker-target repository\[:tag\]/],
      [good, ['-t', 'oci', '--docker-target', 'Bad:Name'], /--docker-target "Bad:Name": "Bad" is not a valid repository name component/],
      [noInit, ['-t', 'raw,ramdisk'], /^tsdib: the tree has no \/init: an initramfs needs one/],
      [noKernel, ['-t', 'ramdisk,tar'], /kernel/],
      [good, ['-t', 'ramdisk', '--ramdisk-level', '12'], /^tsdib: --ramdisk-level 12: not a level of gzip compression: give an integer from 0 to 9$/m],
    ];
    for (const [root, args, message] of cases) {
      const r = tsdib(['assemble', root, '-o', 'x', '--bootloader', 'none', ...args], { cwd: out, env: EPOCH_ENV });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    }
    expect(readdirSync(out)).toEqual([]);
  });
  test('an existing NAME.kernel stops the whole assembly: no other output appears', () => {
    const dir = tmp();
    const root = bootableRootfs(dir);
    writeFileSync(join(dir, 'x.kernel'), 'precious');
    const r = tsdib(['assemble', root, '-o', 'x', '-t', 'raw,docker,ramdisk', '--docker-target', 'x', '--bootloader', 'none'], { cwd: dir, env: EPOCH_ENV });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tsdib: x.kernel already exists: remove it or pass --force\n');
    expect(readdirSync(dir).sort()).toEqual(['broot', 'x.kernel']);
    expect(readFileSync(join(dir, 'x.kernel'), 'utf8')).toBe('precious');
  });
  test('only tree types: no disk is planned nor built (an --image-size far too small for the layout does not matter)', () => {
    const dir = tmp();
    const r = tsdib(['assemble', bootableRootfs(dir), '-o', 'x', '-t', 'tar,oci', '--block-device', 'efi', '--image-size', '1MiB', '--json'], { cwd: dir, env: EPOCH_ENV });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { size: unknown; scheme: unknown; filesystems: unknown[]; outputs: { path: string }[] };
    expect(json.size).toBeNull();
    expect(json.scheme).toBeNull();
    expect(json.filesystems).toEqual([]);
    expect(json.outputs.map((o) => o.path)).toEqual(['x.tar', 'x.oci.tar']);
    expect(readdirSync(dir).sort()).toEqual(['broot', 'x.oci.tar', 'x.tar']);
  });
});

describe.runIf(haveTools('cpio', 'bsdtar', 'gzip', 'tar', 'zstd', 'skopeo', 'e2fsck', 'debugfs', 'sha256sum'))('tsdib assemble: tree outputs read by cpio, bsdtar, skopeo; container images as ROOTFS checked by e2fsck and debugfs', () => {
  const tmp = useTmpDir();
  test('-t raw,ramdisk,docker,oci --checksum: NAME.initramfs (cpio and bsdtar list it, /init runs the marker), NAME.kernel = the tree\'s kernel, both images read by skopeo, checksums verify; reruns are byte-identical', () => {
    const dir = tmp();
    const root = bootableRootfs(dir);
    // A tarball (GNU tar): a directory input carries host atimes, which reading it changes.
    const tarball = join(dir, 'broot.tar');
    expect(runTool('tar', ['-cf', tarball, '-C', root, '.']).status).toBe(0);
    const run = (sub: string) => {
      const out = join(dir, sub);
      mkdirSync(out);
      const r = tsdib(['assemble', tarball, '-o', 'img', '-t', 'raw,ramdisk,docker,oci', '--docker-target', 'tsdib/test:1.0', '--checksum', '--seed', 'ci', '--bootloader', 'none'], { cwd: out, env: EPOCH_ENV });
      expect(r.status, r.stderr).toBe(0);
      return out;
    };
    const a = run('a');
    const files = ['img.raw', 'img.initramfs', 'img.kernel', 'img.docker.tar', 'img.oci.tar'];
    expect(readdirSync(a).sort()).toEqual(files.flatMap((f) => [f, `${f}.md5`, `${f}.sha256`]).sort());
    for (const f of files) expect(runTool('sha256sum', ['-c', `${f}.sha256`], { cwd: a }).status, f).toBe(0);

    // The initramfs, read by GNU cpio and by libarchive.
    const cpioList = runTool('sh', ['-c', `gzip -dc ${join(a, 'img.initramfs')} | cpio -itv --quiet`]);
    expect(cpioList.status, cpioList.stderr).toBe(0);
    expect(cpioList.stdout).toMatch(/^-rwxr-xr-x +1 root +root +\d+ .* init$/m);
    expect(cpioList.stdout).toMatch(/^lrwxrwxrwx .* bin\/tool-link -> \/bin\/tool$/m);
    expect(cpioList.stdout).toMatch(/^-rw-r--r-- +2 root +root .* bin\/tool2$/m);
    const bsd = runTool('bsdtar', ['-xOf', join(a, 'img.initramfs'), 'init']);
    expect(bsd.stdout).toBe('#!/bin/sh\necho TSDIB-MARK\n');
    const unpacked = join(a, 'unpacked');
    mkdirSync(unpacked);
    expect(runTool('bsdtar', ['-xf', join(a, 'img.initramfs'), '-C', unpacked]).status).toBe(0);
    expect(runTool('sh', [join(unpacked, 'init')]).stdout).toBe('TSDIB-MARK\n');
    expect(readFileSync(join(unpacked, 'bin/tool2'), 'utf8')).toBe('tool body\n');
    expect(readFileSync(join(a, 'img.kernel')).equals(readFileSync(join(root, 'boot/vmlinuz-6.1.0-18-amd64')))).toBe(true);

    // The container images, read by skopeo.
    for (const [transport, file] of [['docker-archive', 'img.docker.tar'], ['oci-archive', 'img.oci.tar']] as const) {
      const r = runTool('skopeo', ['inspect', '--raw', `${transport}:${join(a, file)}`]);
      expect(r.status, `${file}: ${r.stderr}`).toBe(0);
      const cfg = runTool('skopeo', ['inspect', '--config', `${transport}:${join(a, file)}`]);
      expect(cfg.status, cfg.stderr).toBe(0);
      expect((JSON.parse(cfg.stdout) as { architecture: string }).architecture).toBe('amd64');
    }
    // --docker-target names the image: skopeo finds it by that reference, and not by another.
    const byName = (ref: string) => runTool('skopeo', ['inspect', '--raw', ref]).status;
    expect(byName(`docker-archive:${join(a, 'img.docker.tar')}:tsdib/test:1.0`)).toBe(0);
    expect(byName(`docker-archive:${join(a, 'img.docker.tar')}:tsdib/test:2.0`)).not.toBe(0);
    expect(byName(`oci-archive:${join(a, 'img.oci.tar')}:1.0`)).toBe(0);
    expect(byName(`oci-archive:${join(a, 'img.oci.tar')}:2.0`)).not.toBe(0);

    const b = run('b');
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });
  test('a docker-archive and a zstd-compressed OCI archive as ROOTFS: their layers, e2fsck-clean disks with the same files, byte-identical to each other', () => {
    const dir = tmp();
    const root = bootableRootfs(dir);
    expect(tsdib(['assemble', root, '-o', 'img', '-t', 'docker,oci', '--docker-target', 'x'], { cwd: dir, env: EPOCH_ENV }).status).toBe(0);
    expect(runTool('zstd', ['-q', join(dir, 'img.oci.tar'), '-o', join(dir, 'img.oci.tar.zst')]).status).toBe(0);
    const disks = ['img.docker.tar', 'img.oci.tar.zst'].map((input, i) => {
      const r = tsdib(['assemble', join(dir, input), '-o', `d${i}`, '-t', 'raw', '--seed', 'ci', '--bootloader', 'none'], { cwd: dir, env: EPOCH_ENV });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^tsdib: .*${input.replace(/\./g, '\\.')}: (docker-archive|oci-archive), 1 layer$`, 'm'));
      const disk = join(dir, `d${i}.raw`);
      expect(runTool('e2fsck', ['-fn', `${disk}?offset=${MiB}`]).status, disk).toBe(0);
      const cat = (p: string) => runTool('debugfs', ['-R', `cat ${p}`, `${disk}?offset=${MiB}`]).stdout;
      expect(cat('/bin/tool2')).toBe('tool body\n');
      expect(cat('/init')).toBe('#!/bin/sh\necho TSDIB-MARK\n');
      expect(runTool('debugfs', ['-R', 'ls -l /', `${disk}?offset=${MiB}`]).stdout).not.toMatch(/manifest\.json|blobs|oci-layout/);
      return readFileSync(disk);
    });
    expect(disks[0]!.equals(disks[1]!)).toBe(true);
  });
  test('a layer that is not a tar is named by its image and number (exit 2), nothing written', () => {
    const dir = tmp();
    const img = join(dir, 'img');
    mkdirSync(join(img, 'l'), { recursive: true });
    const layer = Buffer.alloc(2048, 'x');
    writeFileSync(join(img, 'l/layer.tar'), layer);
    const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    writeFileSync(join(img, 'c.json'), JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } }));
    writeFileSync(join(img, 'manifest.json'), JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['l/layer.tar'] }]));
    expect(runTool('tar', ['-cf', join(dir, 'bad.tar'), '-C', img, 'manifest.json', 'c.json', 'l']).status).toBe(0);
    const r = tsdib(['assemble', 'bad.tar', '-t', 'tar', '-o', 'o'], { cwd: dir, env: EPOCH_ENV });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tsdib: bad\.tar layer 1: header at byte 0: .*not a tar header/m);
    expect(readdirSync(dir).sort()).toEqual(['bad.tar', 'img']);
  });
  test('tree outputs are the same bytes alone or beside a disk with a bootloader (its files go to the disk only)', () => {
    const dir = tmp();
    const tarball = join(dir, 'broot.tar');
    expect(runTool('tar', ['-cf', tarball, '-C', bootableRootfs(dir), '.']).status).toBe(0);
    const alone = tsdib(['assemble', tarball, '-o', 'a', '-t', 'tar,oci', '--seed', 'ci'], { cwd: dir, env: EPOCH_ENV });
    expect(alone.status, alone.stderr).toBe(0);
    const mixed = tsdib(['assemble', tarball, '-o', 'b', '-t', 'raw,tar,oci', '--seed', 'ci', '--bootloader', 'auto'], { cwd: dir, env: EPOCH_ENV });
    expect(mixed.status, mixed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'b.tar')).equals(readFileSync(join(dir, 'a.tar')))).toBe(true);
    expect(readFileSync(join(dir, 'b.oci.tar')).equals(readFileSync(join(dir, 'a.oci.tar')))).toBe(true);
    expect(runTool('tar', ['-tf', join(dir, 'a.tar')]).stdout).toMatch(/^\.\/etc\/fstab$/m);
  });
  test('a container image without a kernel: -t ramdisk and --bootloader grub name the packages to add (exit 2); auto warns and writes the disk', () => {
    const dir = tmp();
    const root = bootableRootfs(dir, { kernel: false });
    expect(tsdib(['assemble', root, '-o', 'img', '-t', 'docker', '--docker-target', 'x'], { cwd: dir, env: EPOCH_ENV }).status).toBe(0);
    const image = join(dir, 'img.docker.tar');
    for (const args of [['-t', 'ramdisk'], ['-t', 'raw', '--bootloader', 'grub']]) {
      const r = tsdib(['assemble', image, '-o', 'vm', ...args], { cwd: dir, env: EPOCH_ENV });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/img\.docker\.tar: the container image has no kernel \(\/boot\/vmlinuz-\*\), so it cannot boot as a VM disk: add linux-image-amd64 and systemd-sysv to the image/);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('vm'))).toEqual([]);
    const auto = tsdib(['assemble', image, '-o', 'vm', '-t', 'raw'], { cwd: dir, env: EPOCH_ENV });
    expect(auto.status, auto.stderr).toBe(0);
    expect(auto.stderr).toMatch(/the container image has no kernel, the disk will not boot: add linux-image-amd64/);
    expect(existsSync(join(dir, 'vm.raw'))).toBe(true);
  });
});

describe.runIf(haveTools('umoci', 'skopeo', 'gzip', 'e2fsck', 'debugfs'))('tsdib assemble: images made by umoci and skopeo as ROOTFS', () => {
  const tmp = useTmpDir();
  test('an OCI layout by umoci (PATH:REF, a whiteout in the second layer) and its gzipped docker-archive by skopeo: e2fsck-clean disks without the deleted file, byte-identical', () => {
    const dir = tmp();
    const lay = join(dir, 'lay');
    const umoci = (args: string[]) => expect(runTool('umoci', args, { cwd: dir }).status, args.join(' ')).toBe(0);
    umoci(['init', '--layout', lay]);
    umoci(['new', '--image', `${lay}:base`]);
    umoci(['unpack', '--rootless', '--image', `${lay}:base`, join(dir, 'b1')]);
    mkdirSync(join(dir, 'b1/rootfs/etc'), { recursive: true });
    mkdirSync(join(dir, 'b1/rootfs/bin'), { recursive: true });
    writeFileSync(join(dir, 'b1/rootfs/etc/keep'), 'keep\n');
    writeFileSync(join(dir, 'b1/rootfs/bin/gone'), 'gone\n');
    umoci(['repack', '--image', `${lay}:one`, join(dir, 'b1')]);
    umoci(['unpack', '--rootless', '--image', `${lay}:one`, join(dir, 'b2')]);
    rmSync(join(dir, 'b2/rootfs/bin/gone'));
    writeFileSync(join(dir, 'b2/rootfs/etc/added'), 'added\n');
    umoci(['repack', '--image', `${lay}:two`, join(dir, 'b2')]);
    expect(runTool('skopeo', ['copy', '-q', `oci:${lay}:two`, `docker-archive:${join(dir, 'sk.tar')}:um/two:1`]).status).toBe(0);
    expect(runTool('gzip', [join(dir, 'sk.tar')]).status).toBe(0);

    const ambiguous = tsdib(['assemble', lay, '-o', 'x', '-t', 'raw'], { cwd: dir, env: EPOCH_ENV });
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toMatch(/lists 3 manifests .* these names: base, one, two/);
    const disks = [`${lay}:two`, join(dir, 'sk.tar.gz')].map((input, i) => {
      const r = tsdib(['assemble', input, '-o', `d${i}`, '-t', 'raw', '--seed', 'ci', '--bootloader', 'none'], { cwd: dir, env: EPOCH_ENV });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/: (oci-layout|docker-archive), 2 layers$/m);
      const disk = `${join(dir, `d${i}.raw`)}?offset=${MiB}`;
      expect(runTool('e2fsck', ['-fn', disk]).status, disk).toBe(0);
      const cat = (p: string) => runTool('debugfs', ['-R', `cat ${p}`, disk]).stdout;
      expect(cat('/etc/keep')).toBe('keep\n');
      expect(cat('/etc/added')).toBe('added\n');
      expect(runTool('debugfs', ['-R', 'ls -l /bin', disk]).stdout).not.toMatch(/gone/);
      return readFileSync(join(dir, `d${i}.raw`));
    });
    expect(disks[0]!.equals(disks[1]!)).toBe(true);
  });
});
