/**
 * Output files of an assembly: DIB's names (NAME.<type>), the container encoders streaming from the
 * one scratch disk, the rootfs tarball (tar, tgz) from the merged tree, and coreutils checksum files.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ReadableDisk } from '../disk/index.js';
import { writeFully } from '../disk/file.js';
import { inputError } from '../errors.js';
import { encodeImage, FileSink, type EncodeProgress, type ImageFormat } from '../formats/index.js';
import { tarChunks } from '../tar/index.js';
import type { FileTree } from '../tree/index.js';

/** Every -t value: the disk containers, and the merged root as a tarball. */
export const OUTPUT_TYPES = ['qcow2', 'raw', 'vhd', 'vmdk', 'vdi', 'tar', 'tgz'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export function isDiskType(t: OutputType): t is ImageFormat & OutputType {
  return t !== 'tar' && t !== 'tgz';
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

/** Hex digests of a file, read in pieces. */
export async function digestFile(file: string, algorithms: readonly string[]): Promise<string[]> {
  const hashes = algorithms.map((a) => createHash(a));
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) for (const h of hashes) h.update(chunk as Buffer);
  return hashes.map((h) => h.digest('hex'));
}

/** A line of `sha256sum`/`md5sum` output: "<hex>  <name>" (text mode: two spaces). */
export function checksumLine(hex: string, name: string): string {
  return `${hex}  ${name}\n`;
}
