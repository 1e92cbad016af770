import { describe, expect, test } from 'vitest';
import { findKernel, listKernels, requireKernel } from '../../src/boot/kernel.js';
import { TsdibError } from '../../src/errors.js';
import { FileTree, bytesBody } from '../../src/tree/index.js';

function treeWith(files: string[], links: Record<string, string> = {}): FileTree {
  const tree = new FileTree();
  for (const f of files) tree.addFile(f, bytesBody(new TextEncoder().encode(f)));
  for (const [path, target] of Object.entries(links)) tree.addSymlink(path, target);
  return tree;
}

describe('kernel discovery', () => {
  test('newest version by Debian ordering (13 after 9, not text order), with its own initrd', () => {
    const tree = treeWith([
      '/boot/vmlinuz-6.1.0-9-amd64',
      '/boot/initrd.img-6.1.0-9-amd64',
      '/boot/vmlinuz-6.1.0-13-amd64',
      '/boot/initrd.img-6.1.0-13-amd64',
      '/boot/config-6.1.0-13-amd64',
    ]);
    const k = findKernel(tree)!;
    expect(k.version).toBe('6.1.0-13-amd64');
    expect(k.kernel.path).toBe('/boot/vmlinuz-6.1.0-13-amd64');
    expect(k.initrd?.path).toBe('/boot/initrd.img-6.1.0-13-amd64');
    expect(listKernels(tree).map((x) => x.version)).toEqual(['6.1.0-13-amd64', '6.1.0-9-amd64']);
  });

  test('a ~rc kernel is older than the release; a generic flavour wins (DIB Debian rule)', () => {
    expect(findKernel(treeWith(['/boot/vmlinuz-6.5~rc1', '/boot/vmlinuz-6.5']))!.version).toBe('6.5');
    expect(findKernel(treeWith(['/boot/vmlinuz-5.15.0-91-generic', '/boot/vmlinuz-6.8.0-1-lowlatency']))!.version).toBe('5.15.0-91-generic');
  });

  test('rescue and debug kernels are skipped; Fedora initramfs names are found', () => {
    const tree = treeWith([
      '/boot/vmlinuz-0-rescue-abcdef',
      '/boot/vmlinuz-6.5.6-300.fc39.x86_64',
      '/boot/initramfs-6.5.6-300.fc39.x86_64.img',
      '/boot/vmlinuz-6.5.6-300.fc39.x86_64+debug',
    ]);
    const k = findKernel(tree)!;
    expect(k.kernel.path).toBe('/boot/vmlinuz-6.5.6-300.fc39.x86_64');
    expect(k.initrd?.path).toBe('/boot/initramfs-6.5.6-300.fc39.x86_64.img');
  });

  test('no initrd: the pair has none', () => {
    expect(findKernel(treeWith(['/boot/vmlinuz-6.1.0-13-amd64']))!.initrd).toBeUndefined();
  });

  test('patterns as DIB_BAREMETAL_KERNEL_PATTERN / INITRD_PATTERN', () => {
    const tree = treeWith(['/boot/vmlinuz-6.1.0-13-amd64', '/boot/vmlinuz-6.1.0-13-cloud-amd64', '/boot/initrd.img-6.1.0-13-cloud-amd64']);
    const k = findKernel(tree, { kernelPattern: 'vmlinuz-*-cloud-*' })!;
    expect(k.version).toBe('6.1.0-13-cloud-amd64');
    expect(k.initrd?.path).toBe('/boot/initrd.img-6.1.0-13-cloud-amd64');
    expect(findKernel(tree, { kernelPattern: 'vmlinuz-*-cloud-*', initrdPattern: 'nothing*' })!.initrd).toBeUndefined();
    expect(findKernel(tree, { kernelPattern: 'bzImage*' })).toBeUndefined();
  });

  test('symlinks are followed: versioned names that are links, /vmlinuz and /initrd.img at the root', () => {
    const linked = treeWith(['/usr/lib/kernel/vmlinuz-6.1'], { '/boot/vmlinuz-6.1': '../usr/lib/kernel/vmlinuz-6.1' });
    expect(findKernel(linked)!.kernel.path).toBe('/usr/lib/kernel/vmlinuz-6.1');
    const rootLinks = treeWith(['/opt/k/bzImage', '/opt/k/initrd.gz'], { '/vmlinuz': '/opt/k/bzImage', '/initrd.img': 'opt/k/initrd.gz' });
    const k = findKernel(rootLinks)!;
    expect(k.kernel.path).toBe('/opt/k/bzImage');
    expect(k.initrd?.path).toBe('/opt/k/initrd.gz');
    expect(k.version).toBe('');
  });

  test('/boot itself may be a symlink; dangling and looping links are not kernels', () => {
    const t = treeWith(['/real/vmlinuz-1.0'], { '/boot': 'real', '/vmlinuz': 'vmlinuz', '/real/vmlinuz-2.0': '/nowhere' });
    expect(findKernel(t)!.kernel.path).toBe('/real/vmlinuz-1.0');
    expect(findKernel(treeWith([], { '/vmlinuz': 'vmlinuz' }))).toBeUndefined();
  });

  test('no kernel: requireKernel names the package to install (exit 2)', () => {
    let caught: TsdibError | undefined;
    try {
      requireKernel(new FileTree());
    } catch (e) {
      caught = e as TsdibError;
    }
    expect(caught).toBeInstanceOf(TsdibError);
    expect(caught!.exitCode).toBe(2);
    expect(caught!.toLine()).toMatch(/no kernel.*linux-image-amd64/);
  });
});
