/**
 * Splitting the merged root by mount points: each filesystem gets the files under its mount point,
 * minus deeper mount points (left as empty directories with their metadata); the merged tree is
 * never modified.
 */
import { describe, expect, test } from 'vitest';
import { splitByMountPoints, withFile, withPrivateDirs } from '../../src/assemble/index.js';
import { TsdibError } from '../../src/errors.js';
import { bytesBody, FileTree } from '../../src/tree/index.js';

const t = (sec: number) => ({ sec, nsec: 0 });
const text = (s: string) => bytesBody(new TextEncoder().encode(s));

function sample(): FileTree {
  const tree = new FileTree(t(1));
  tree.addFile('/etc/hostname', text('h\n'));
  tree.addDir('/var', { mode: 0o755, mtime: t(5) });
  tree.addDir('/var/log', { mode: 0o750, uid: 0, gid: 4, mtime: t(7) });
  tree.addFile('/var/log/syslog', text('log\n'));
  tree.addFile('/var/lib/dpkg/status', text('pkgs\n'));
  tree.addDir('/boot/efi/EFI/debian');
  tree.addFile('/boot/efi/EFI/debian/grubx64.efi', text('efi'));
  tree.addFile('/boot/vmlinuz', text('kernel'));
  return tree;
}

const paths = (tree: FileTree) => [...tree.walk()].map((e) => e.path);

describe('splitByMountPoints', () => {
  test('/, /var, /var/log, /boot/efi: every file in exactly one filesystem', () => {
    const merged = sample();
    const before = paths(merged);
    const trees = splitByMountPoints(merged, ['/var/log', '/', '/boot/efi', '/var']);
    expect(paths(trees.get('/')!)).toEqual(['/', '/boot', '/boot/efi', '/boot/vmlinuz', '/etc', '/etc/hostname', '/var']);
    expect(paths(trees.get('/var')!)).toEqual(['/', '/lib', '/lib/dpkg', '/lib/dpkg/status', '/log']);
    expect(paths(trees.get('/var/log')!)).toEqual(['/', '/syslog']);
    expect(paths(trees.get('/boot/efi')!)).toEqual(['/', '/EFI', '/EFI/debian', '/EFI/debian/grubx64.efi']);
    // The merged tree is untouched.
    expect(paths(merged)).toEqual(before);
  });

  test('a mount point keeps its metadata: as the empty directory in the parent, and as the root of its own filesystem', () => {
    const trees = splitByMountPoints(sample(), ['/', '/var', '/var/log']);
    const inParent = trees.get('/var')!.lookup('/log')!;
    expect(inParent.children!.size).toBe(0);
    expect([inParent.mode, inParent.gid, inParent.mtime.sec]).toEqual([0o750, 4, 7]);
    const root = trees.get('/var/log')!.root;
    expect([root.mode, root.gid, root.mtime.sec]).toEqual([0o750, 4, 7]);
  });

  test('file bodies and untouched inodes are shared, not copied', () => {
    const merged = sample();
    const trees = splitByMountPoints(merged, ['/', '/var/log']);
    expect(trees.get('/')!.lookup('/etc')).toBe(merged.lookup('/etc'));
    expect(trees.get('/var/log')!.lookup('/syslog')).toBe(merged.lookup('/var/log/syslog'));
    expect(trees.get('/')!.lookup('/var')).not.toBe(merged.lookup('/var'));
  });

  test('a mount point missing from the rootfs: an empty filesystem, and a 0755 directory in its parent', () => {
    const trees = splitByMountPoints(sample(), ['/', '/srv/data']);
    expect(paths(trees.get('/srv/data')!)).toEqual(['/']);
    expect(trees.get('/')!.lookup('/srv/data')).toMatchObject({ type: 'dir', mode: 0o755 });
  });

  test('a mount point that is a file in the rootfs is an input error', () => {
    const tree = sample();
    expect(() => splitByMountPoints(tree, ['/', '/etc/hostname'])).toThrow(TsdibError);
    expect(() => splitByMountPoints(tree, ['/', '/etc/hostname'])).toThrow(/mount point \/etc\/hostname is a file in the rootfs/);
  });
});

describe('withFile', () => {
  test('adds /etc/fstab without touching the source tree; an existing file keeps owner and mode', () => {
    const merged = sample();
    merged.addFile('/etc/fstab', text('# UNCONFIGURED FSTAB\n'), { mode: 0o600, uid: 3 });
    const out = withFile(merged, '/etc/fstab', new TextEncoder().encode('LABEL=r / ext4 defaults 0 1\n'), 42);
    const f = out.lookup('/etc/fstab')!;
    expect([f.mode, f.uid, f.mtime.sec, f.body!.size]).toEqual([0o600, 3, 42, 28]);
    expect(merged.lookup('/etc/fstab')!.body!.size).toBe(21);
    expect(out.lookup('/etc/hostname')).toBe(merged.lookup('/etc/hostname'));
  });
  test('makes /etc when the rootfs has none', () => {
    const out = withFile(new FileTree(t(0)), '/etc/fstab', new Uint8Array(3), 9);
    expect(out.lookup('/etc/fstab')).toMatchObject({ type: 'file', mode: 0o644 });
  });
});

describe('withPrivateDirs', () => {
  test('files added under /boot of the copy (a bootloader\'s) do not reach the source tree', () => {
    const merged = sample();
    const copy = withPrivateDirs(merged, '/boot');
    copy.addFile('/boot/grub/grub.cfg', text('menuentry'));
    copy.addFile('/boot/efi/EFI/BOOT/BOOTX64.EFI', text('x'));
    expect(merged.lookup('/boot/grub')).toBeUndefined();
    expect(merged.lookup('/boot/efi/EFI/BOOT')).toBeUndefined();
    expect(copy.lookup('/boot/vmlinuz')).toBe(merged.lookup('/boot/vmlinuz'));
    expect(copy.lookup('/etc')).toBe(merged.lookup('/etc'));
  });
});
