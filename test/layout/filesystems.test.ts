/**
 * The filesystem half of layouts (reference/dib.md §6.3, §6.8): mkfs_root parameters, labels
 * (defaults, vfat upper-casing, per-type limits, duplicates with DIB's messages), mount points and
 * DIB's mount order, and the fstab DIB's writefstab would write.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { haveDib } from '../elements/helpers.js';
import { describe, expect, test } from 'vitest';
import { dibMountOrder, fstabText, mountOrder, parseLayout, presetLayout, resolveFilesystems, type FilesystemSpec } from '../../src/layout/index.js';
import { error } from '../helpers/errors.js';

const fixture = (dir: string, name: string) => parseLayout(readFileSync(new URL(`../fixtures/${dir}/${name}.yaml`, import.meta.url), 'utf8'), `${name}.yaml`);

const inline = (yaml: string) => parseLayout(yaml, 'test.yaml');
const mkfsRootOnly = (mkfs: string) => inline(`- local_loop:\n    name: image0\n    mkfs:\n${mkfs}`);

describe('resolving filesystems', () => {
  test('the multi-partition layout: types, labels (vfat upper-cased), mount points, swap unmounted', () => {
    const fs = resolveFilesystems(fixture('assemble', 'multi').graph);
    expect(fs.map((f) => [f.name, f.device, f.type, f.label, f.mountPoint])).toEqual([
      ['mkfs_root', 'root', 'ext4', 'cloudimg-rootfs', '/'],
      ['mkfs_var', 'var', 'ext4', 'mkfs_var', '/var'],
      ['mkfs_var_log', 'var_log', 'vfat', 'VARLOG', '/var/log'],
      ['mkfs_swap', 'swap', 'swap', 'mkfs_swap', undefined],
    ]);
  });

  test("DIB's mount order ['/', '/var', '/var/log'] and fstab with swap as 'sw 0 0'", () => {
    const fs = resolveFilesystems(fixture('assemble', 'multi').graph);
    expect(mountOrder(fs).map((f) => f.mountPoint ?? 'none')).toEqual(['/', '/var', '/var/log', 'none']);
    expect(fstabText(fs)).toBe(
      'LABEL=cloudimg-rootfs / ext4 defaults 0 1\n' +
        'LABEL=mkfs_var /var ext4 defaults 0 2\n' +
        'LABEL=VARLOG /var/log vfat defaults 0 2\n' +
        'LABEL=mkfs_swap none swap sw 0 0\n',
    );
  });

  test("partitions listed /var, /, /boot: DIB's order is /, /var, /boot (its comparison is not a total order), in fstab too", () => {
    const layout = fixture('layout', 'partition_ordering');
    const fs = resolveFilesystems(layout.graph, { label: 'myroot' });
    expect(mountOrder(fs).map((f) => f.mountPoint)).toEqual(['/', '/var', '/boot']);
    expect(fstabText(fs)).toBe('LABEL=myroot / ext4 defaults 0 1\nLABEL=mkfs_var /var ext4 defaults,nodev 0 2\nLABEL=boot /boot ext2 noatime 1 2\n');
    // The graph orders the mount nodes the same way (each mount after the one before it).
    const mounts = layout.graph.order.filter((n) => layout.graph.nodes.get(n)!.kind === 'mount');
    expect(mounts).toEqual(['mount_mkfs_root', 'mount_mkfs_var', 'mount_mkfs_boot']);
  });

  test('mkfs_root takes --fs-type, --root-label and --mkfs-options only for keys it does not set', () => {
    const [plain] = resolveFilesystems(presetLayout('mbr').graph, { fsType: 'ext3', label: 'r00t', opts: ' -i 4096 ' });
    expect(plain).toMatchObject({ type: 'ext3', label: 'r00t', opts: '-i 4096' });
    const [own] = resolveFilesystems(mkfsRootOnly('      name: mkfs_root\n      type: ext2\n      label: mine\n      opts: "-m 0"\n      mount: { mount_point: / }\n').graph, { fsType: 'ext4', label: 'r00t', opts: '-i 4096' });
    expect(own).toMatchObject({ type: 'ext2', label: 'mine', opts: '-m 0' });
    const [def] = resolveFilesystems(presetLayout('none').graph);
    expect(def).toMatchObject({ type: 'ext4', label: 'cloudimg-rootfs', device: 'image0' });
  });

  test('the efi preset: the ESP is vfat labelled MKFS_ESP (DIB: the name, upper-cased) on /boot/efi, passno 2', () => {
    const fs = resolveFilesystems(presetLayout('efi').graph);
    expect(fs.map((f) => [f.device, f.type, f.label, f.mountPoint, f.fstab?.fsckPassno])).toEqual([
      ['ESP', 'vfat', 'MKFS_ESP', '/boot/efi', 2],
      ['root', 'ext4', 'cloudimg-rootfs', '/', 1],
    ]);
    expect(fstabText(fs)).toBe('LABEL=cloudimg-rootfs / ext4 defaults 0 1\nLABEL=MKFS_ESP /boot/efi vfat defaults 0 2\n');
  });

  test('a filesystem without an fstab entry is mounted but not listed (DIB skips it)', () => {
    const fs = resolveFilesystems(mkfsRootOnly('      name: mkfs_root\n      mount: { mount_point: / }\n').graph);
    expect(fs[0]!.fstab).toBeUndefined();
    expect(fstabText(fs)).toBe('');
  });
});

const DIB_PYTHON = '/usr/bin/python3';

describe.runIf(haveDib())("mount order agrees with DIB's own cmp_mount_order and sort", () => {
  test('every order of up to 7 mount points, inserted as DIB inserts them', () => {
    const points = ['/', '/boot', '/var', '/var/log', 'none', '/boot/efi', '/home'];
    const cases: string[][] = [];
    let x = 7;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let k = 2; k <= 7; k++) for (let i = 0; i < 12; i++) cases.push([...points].sort(() => rand() - 0.5).slice(0, k));
    const script = [
      'import functools, json, sys',
      'from diskimage_builder.block_device.level3.mount import cmp_mount_order',
      'out = []',
      'for perm in json.load(sys.stdin):',
      '    s = []',
      '    for mp in perm:',
      '        s.append((mp, mp)); s.sort(key=functools.cmp_to_key(cmp_mount_order))',
      '    out.append([m for m, _ in s])',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync(DIB_PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(cases.map((c) => dibMountOrder(c))).toEqual(JSON.parse(r.stdout));
  });
});

describe("DIB's errors", () => {
  test('duplicate labels: "File system label [same] used more than once"', () => {
    const l = fixture('layout', 'duplicate_fs_labels');
    const e = error(() => resolveFilesystems(l.graph, {}, l.source));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe('duplicate_fs_labels.yaml [1].partitioning.partitions[1].mkfs: File system label [same] used more than once');
  });
  test('vfat labels are compared upper-cased: esp and ESP collide', () => {
    const yaml = `- local_loop: { name: image0 }
- partitioning:
    base: image0
    label: gpt
    partitions:
      - { name: a, size: 50%, mkfs: { type: vfat, label: esp, mount: { mount_point: /a } } }
      - { name: root, size: 100%, mkfs: { name: mkfs_root, label: ESP, type: vfat, mount: { mount_point: / } } }
`;
    expect(error(() => resolveFilesystems(inline(yaml).graph)).message).toMatch(/File system label \[ESP\] used more than once$/);
  });
  test("too long: DIB's test_mkfs xfs case, and ext4 (16) and vfat (11) limits", () => {
    expect(error(() => resolveFilesystems(fixture('layout', 'too_long_fs_label').graph)).message).toMatch(/Label \[this_is_too_long\] too long for filesystem \[xfs\]: 16 > 12$/);
    const ext = mkfsRootOnly('      name: mkfs_root\n      label: seventeen-chars-x\n      mount: { mount_point: / }\n');
    expect(error(() => resolveFilesystems(ext.graph)).message).toMatch(/Label \[seventeen-chars-x\] too long for filesystem \[ext4\]: 17 > 16$/);
    const fat = mkfsRootOnly('      name: mkfs_root\n      type: vfat\n      label: twelve-chars\n      mount: { mount_point: / }\n');
    expect(error(() => resolveFilesystems(fat.graph)).message).toMatch(/Label \[TWELVE-CHARS\] too long for filesystem \[vfat\]: 12 > 11$/);
    // The default root label is 15 characters: it fits ext4.
    expect(resolveFilesystems(presetLayout('mbr').graph)[0]!.label).toBe('cloudimg-rootfs');
  });
  test('a mount point used twice: "Mount point [/] specified more than once"', () => {
    const yaml = `- local_loop: { name: image0 }
- partitioning:
    base: image0
    label: gpt
    partitions:
      - { name: a, size: 50%, mkfs: { type: ext4, mount: { mount_point: / } } }
      - { name: b, size: 100%, mkfs: { type: ext4, mount: { mount_point: / } } }
`;
    expect(error(() => resolveFilesystems(inline(yaml).graph)).message).toMatch(/Mount point \[\/\] specified more than once$/);
  });
  test('a non-root mkfs without type: "Mkfs config needs [type]"; xfs/btrfs: not supported', () => {
    const yaml = (type: string) => `- local_loop: { name: image0 }
- partitioning:
    base: image0
    label: gpt
    partitions:
      - { name: a, size: 50%, mkfs: { ${type} mount: { mount_point: /a } } }
      - { name: root, size: 100%, mkfs: { name: mkfs_root, mount: { mount_point: / } } }
`;
    expect(error(() => resolveFilesystems(inline(yaml('')).graph)).message).toMatch(/\.mkfs: Mkfs config needs \[type\]$/);
    const xfs = error(() => resolveFilesystems(inline(yaml('type: xfs,')).graph));
    expect(xfs.toLine()).toMatch(/filesystem type "xfs" is not supported: tsdib writes ext2, ext3, ext4, vfat, swap$/);
  });
  test('lvm is refused as not supported yet (exit 1)', () => {
    const e = error(() => resolveFilesystems(fixture('layout', 'lvm_tree').graph));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/lvm is not supported yet/);
  });
  test('swap mounted somewhere, or a relative mount point, is an input error', () => {
    const swap = mkfsRootOnly('      name: mkfs_root\n      type: swap\n      mount: { mount_point: /swap }\n');
    expect(error(() => resolveFilesystems(swap.graph)).message).toMatch(/swap is not mounted, "\/swap" given/);
    const rel = mkfsRootOnly('      name: mkfs_root\n      mount: { mount_point: var }\n');
    expect(error(() => resolveFilesystems(rel.graph)).message).toMatch(/"var" is not an absolute path/);
  });
});

export type { FilesystemSpec };
