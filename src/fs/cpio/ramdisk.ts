/**
 * The ramdisk output (DIB's `ramdisk-image-create`, `-t ramdisk`): NAME.initramfs (the tree as a
 * compressed newc cpio) and NAME.kernel (the tree's kernel) beside each other, as DIB names them.
 * Both are written to temp names and renamed together: an error leaves neither.
 */
import * as fs from 'node:fs';
import { writeFully } from '../../disk/file.js';
import { inputError } from '../../errors.js';
import { AtomicOutput } from '../../output.js';
import { BodyReader } from '../../tree/body.js';
import type { FileTree } from '../../tree/tree.js';
import type { Inode } from '../../tree/types.js';
import { writeCpio, type WriteCpioOptions, type WriteCpioResult } from './writer.js';

export interface WriteRamdiskOptions extends WriteCpioOptions {}

export interface RamdiskResult extends WriteCpioResult {
  initramfsPath: string;
  kernelPath: string;
  /** Path of the kernel inside the tree, e.g. "/boot/vmlinuz-6.1.0-18-amd64". */
  kernelSource: string;
  kernelBytes: number;
}

const COPY_CHUNK = 1 << 20;
/** How many symlinks to follow before deciding they loop (Linux's MAXSYMLINKS is 40). */
const MAX_SYMLINKS = 40;

/**
 * Writes `${name}.initramfs` and `${name}.kernel`. The tree must hold an executable /init (the
 * kernel runs it from the initramfs) and a kernel the discovery rules find.
 */
export async function writeRamdisk(tree: FileTree, name: string, options: WriteRamdiskOptions = {}): Promise<RamdiskResult> {
  requireInit(tree);
  const kernel = findKernel(tree);
  if (!kernel) {
    throw inputError('the tree has no kernel (/boot/vmlinuz-*): a ramdisk needs one to boot', 'install one in the image, e.g. linux-image-amd64 on Debian, linux-image-virtual on Ubuntu, kernel on Fedora');
  }
  const initramfs = new AtomicOutput(`${name}.initramfs`, { force: options.force });
  const kernelOut = new AtomicOutput(`${name}.kernel`, { force: options.force });
  try {
    const stream = fs.createWriteStream(initramfs.tempPath);
    const result = await writeCpio(tree, stream, options);
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    const kernelBytes = copyBody(kernel.inode, kernelOut.tempPath);
    initramfs.commit();
    kernelOut.commit();
    return { ...result, initramfsPath: initramfs.finalPath, kernelPath: kernelOut.finalPath, kernelSource: kernel.path, kernelBytes };
  } catch (e) {
    initramfs.abort();
    kernelOut.abort();
    throw e;
  }
}

function requireInit(tree: FileTree): void {
  const init = tree.lookup('init');
  if (!init) {
    throw inputError('the tree has no /init: an initramfs needs one (the kernel runs /init from it)', 'add an executable /init (a script or a link to the init system) through an element or a ROOTFS layer');
  }
  const target = resolve(tree, '/init');
  if (!target || target.inode.type !== 'file') throw inputError('/init in the tree is not a regular file (or a link to one)', 'make /init an executable file');
  if ((target.inode.mode & 0o111) === 0) throw inputError(`/init (${target.path}) is not executable (mode ${(target.inode.mode & 0o7777).toString(8)})`, 'chmod +x it');
}

function copyBody(inode: Inode, path: string): number {
  const body = inode.body ?? { size: 0, segments: [] };
  const reader = new BodyReader();
  const fd = fs.openSync(path, 'w');
  try {
    reader.forEachChunk(body, COPY_CHUNK, (offset, bytes) => writeFully(fd, bytes, offset));
  } finally {
    fs.closeSync(fd);
    reader.close();
  }
  return body.size;
}

/**
 * The kernel DIB would pick (lib/img-functions select_boot_kernel_initrd: `ls -1rv /boot | grep
 * vmlinu | grep -v debug | head -1`): among /boot's names that start with vmlinuz or vmlinux and lack "debug", the
 * highest by version order; otherwise the /vmlinuz link Debian keeps at the root. Symlinks are
 * followed inside the tree. Undefined when there is none.
 */
export function findKernel(tree: FileTree): { path: string; inode: Inode } | undefined {
  const boot = resolve(tree, '/boot');
  const names = boot?.inode.type === 'dir' ? [...boot.inode.children!.keys()].filter((n) => /^vmlinu[zx]/.test(n) && !n.includes('debug')) : [];
  names.sort((a, b) => compareVersions(b, a));
  for (const name of names) {
    const found = resolve(tree, `${boot!.path}/${name}`);
    if (found?.inode.type === 'file') return found;
  }
  for (const path of ['/vmlinuz', '/vmlinux']) {
    const found = resolve(tree, path);
    if (found?.inode.type === 'file') return found;
  }
  return undefined;
}

/** `sort -V` order: runs of digits compare as numbers, other runs as bytes. */
export function compareVersions(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Follows symlinks (absolute ones from the tree's root) to the inode a path names. */
function resolve(tree: FileTree, path: string, depth = 0): { path: string; inode: Inode } | undefined {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let node: Inode = tree.root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '..') {
      done.pop();
      node = lookupParts(tree, done) ?? tree.root;
      continue;
    }
    const next = node.type === 'dir' ? node.children!.get(part) : undefined;
    if (!next) return undefined;
    if (next.type === 'symlink') {
      if (depth >= MAX_SYMLINKS) return undefined;
      const target = next.linkTarget ?? '';
      const base = target.startsWith('/') ? target : `/${done.join('/')}/${target}`;
      return resolve(tree, `${base}/${parts.slice(i + 1).join('/')}`, depth + 1);
    }
    done.push(part);
    node = next;
  }
  return { path: `/${done.join('/')}`, inode: node };
}

function lookupParts(tree: FileTree, parts: string[]): Inode | undefined {
  return parts.length === 0 ? tree.root : tree.lookup(parts.join('/'));
}
