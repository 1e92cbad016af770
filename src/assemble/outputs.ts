/**
 * Output files of an assembly: DIB's names (NAME.<type>), the container encoders streaming from the
 * one scratch disk, the rootfs tarball (tar, tgz) from the merged tree, and coreutils checksum files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createGzip } from 'node:zlib';
import type { ReadableDisk } from '../disk/index.js';
import { writeFully } from '../disk/file.js';
import { inputError } from '../errors.js';
import { encodeImage, FileSink, type EncodeProgress, type ImageFormat } from '../formats/index.js';
import { tarChunks } from '../tar/index.js';
import type { FileTree } from '../tree/index.js';

/**
 * Every -t value: the disk containers, and the types made from the merged root alone (no partition
 * table, no filesystem): the rootfs tarball, DIB's ramdisk (kernel + initramfs), Docker and OCI images.
 */
export const OUTPUT_TYPES = ['qcow2', 'raw', 'vhd', 'vmdk', 'vdi', 'tar', 'tgz', 'ramdisk', 'docker', 'oci'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];
/** The -t values written from the tree, never from a disk. */
export const TREE_TYPES = ['tar', 'tgz', 'ramdisk', 'docker', 'oci'] as const;
export type TreeOutputType = (typeof TREE_TYPES)[number];

export function isDiskType(t: OutputType): t is ImageFormat & OutputType {
  return !(TREE_TYPES as readonly string[]).includes(t);
}

/** "qcow2,raw" → ['qcow2', 'raw'] (duplicates dropped, order kept). */
export function parseOutputTypes(text: string): OutputType[] {
  const types = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (types.length === 0) throw inputError('-t: no image type given', `use one or more of ${OUTPUT_TYPES.join(', ')}`);
  for (const t of types) {
    if (!(OUTPUT_TYPES as readonly string[]).includes(t)) throw inputError(`-t: unknown image type "${t}"`, `use ${OUTPUT_TYPES.join(', ')}`);
  }
  return [...new Set(types)] as OutputType[];
}

/** DIB names outputs NAME.<type>; a NAME already ending in .<type> is kept as it is. */
export function outputPath(name: string, type: string): string {
  return name.endsWith(`.${type}`) ? name : `${name}.${type}`;
}

/**
 * Every file a -t type writes, by DIB's names: ramdisk → NAME.initramfs and NAME.kernel (as
 * ramdisk-image-create), docker → NAME.docker.tar, oci → NAME.oci.tar, the others NAME.<type>.
 */
export function outputFiles(name: string, type: OutputType): string[] {
  switch (type) {
    case 'ramdisk':
      return [`${name}.initramfs`, `${name}.kernel`];
    case 'docker':
      return [outputPath(name, 'docker.tar')];
    case 'oci':
      return [outputPath(name, 'oci.tar')];
    default:
      return [outputPath(name, type)];
  }
}

export interface DiskEncodeSettings {
  readonly seed: string;
  readonly epoch: number;
  /** qemu-img -c. */
  readonly compress?: boolean | undefined;
  /** qemu-img -o key=value pairs. */
  readonly options?: Record<string, string> | undefined;
}

/** Streams `disk` as `format` into `tempPath`; `finalPath` names the file the container describes. */
export async function encodeDiskTo(disk: ReadableDisk, format: ImageFormat, tempPath: string, finalPath: string, s: DiskEncodeSettings, progress?: EncodeProgress): Promise<void> {
  const { sink, close } = FileSink.create(tempPath);
  try {
    await encodeImage(
      disk,
      format,
      sink,
      { seed: s.seed, epoch: s.epoch, fileName: path.basename(finalPath), ...(s.compress ? { compress: true } : {}), ...(s.options ? { options: s.options } : {}) },
      progress,
    );
  } finally {
    close();
  }
}

/** The merged root as a pax tarball (tgz: gzip -9, as DIB's DIB_GZIP_BIN -9). */
export async function writeTarballTo(tree: FileTree, tempPath: string, epoch: number, gzip: boolean): Promise<void> {
  if (gzip) {
    await pipeline(Readable.from(tarChunks(tree, { epoch })), createGzip({ level: 9 }), fs.createWriteStream(tempPath));
    return;
  }
  const fd = fs.openSync(tempPath, 'w');
  try {
    let at = 0;
    for (const chunk of tarChunks(tree, { epoch })) {
      writeFully(fd, chunk, at);
      at += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Hashes one file with one algorithm, off the main thread (the file is read in 1 MiB pieces). */
const DIGEST_WORKER = `
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { workerData, parentPort } = require('node:worker_threads');
const h = createHash(workerData.algorithm);
const fd = openSync(workerData.file, 'r');
const buf = Buffer.alloc(1 << 20);
for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
closeSync(fd);
parentPort.postMessage(h.digest('hex'));
`;

/** Hex digests of a file, one worker thread per algorithm so sha256 and md5 run side by side. */
export async function digestFile(file: string, algorithms: readonly string[]): Promise<string[]> {
  return Promise.all(
    algorithms.map(
      (algorithm) =>
        new Promise<string>((resolve, reject) => {
          const worker = new Worker(DIGEST_WORKER, { eval: true, workerData: { file, algorithm } });
          worker.once('message', (hex: string) => resolve(hex));
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`digest worker for ${file} exited with ${code}`))));
        }),
    ),
  );
}

/** A line of `sha256sum`/`md5sum` output: "<hex>  <name>" (text mode: two spaces). */
export function checksumLine(hex: string, name: string): string {
  return `${hex}  ${name}\n`;
}
