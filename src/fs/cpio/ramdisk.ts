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
import { requireKernel, type KernelSearchOptions } from '../../boot/kernel.js';
import { resolvePath } from '../../boot/tree-path.js';
import { writeCpio, type WriteCpioOptions, type WriteCpioResult } from './writer.js';

/** Cpio options, plus DIB_BAREMETAL_KERNEL_PATTERN's equivalent to pick the kernel. */
export interface WriteRamdiskOptions extends WriteCpioOptions, KernelSearchOptions {}

export interface RamdiskResult extends WriteCpioResult {
  initramfsPath: string;
  kernelPath: string;
  /** Path of the kernel inside the tree, e.g. "/boot/vmlinuz-6.1.0-18-amd64". */
  kernelSource: string;
  kernelBytes: number;
}

const COPY_CHUNK = 1 << 20;

/**
 * Writes `${name}.initramfs` and `${name}.kernel`. The tree must hold an executable /init (the
 * kernel runs it from the initramfs) and a kernel that src/boot's discovery (DIB's rules) finds.
 */
export async function writeRamdisk(tree: FileTree, name: string, options: WriteRamdiskOptions = {}): Promise<RamdiskResult> {
  requireInit(tree);
  requireKernel(tree, options);
  const initramfs = new AtomicOutput(`${name}.initramfs`, { force: options.force });
  const kernelOut = new AtomicOutput(`${name}.kernel`, { force: options.force });
  try {
    const result = await writeRamdiskTo(tree, initramfs.tempPath, kernelOut.tempPath, options);
    initramfs.commit();
    kernelOut.commit();
    return { ...result, initramfsPath: initramfs.finalPath, kernelPath: kernelOut.finalPath };
  } catch (e) {
    initramfs.abort();
    kernelOut.abort();
    throw e;
  }
}

/**
 * The ramdisk into two given paths, written in place (no temp names, no rename): for callers that
 * commit several outputs together (tsdib assemble). Checks /init and the kernel before writing.
 */
export async function writeRamdiskTo(tree: FileTree, initramfsPath: string, kernelPath: string, options: WriteRamdiskOptions = {}): Promise<RamdiskResult> {
  requireInit(tree);
  const { kernel } = requireKernel(tree, options);
  const stream = fs.createWriteStream(initramfsPath);
  const result = await writeCpio(tree, stream, options);
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  const kernelBytes = copyBody(kernel.inode, kernelPath);
  return { ...result, initramfsPath, kernelPath, kernelSource: kernel.path, kernelBytes };
}

/** Throws the input error writeRamdisk would, before any work: no /init, or no kernel to go with it. */
export function checkRamdiskTree(tree: FileTree, options: KernelSearchOptions = {}): void {
  requireInit(tree);
  requireKernel(tree, options);
}

function requireInit(tree: FileTree): void {
  const init = tree.lookup('init');
  if (!init) {
    throw inputError('the tree has no /init: an initramfs needs one (the kernel runs /init from it)', 'add an executable /init (a script or a link to the init system) through an element or a ROOTFS layer');
  }
  const target = resolvePath(tree, '/init');
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
