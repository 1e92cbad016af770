/**
 * Image containers: the public API the CLI (convert, inspect, assemble) uses.
 *
 *   openImage(path)                     → { format, disk, info }  any container as a read-only disk
 *   encodeImage(disk, format, sink, …)  → streams a container into a Sink
 *   writeImage(disk, format, path, …)   → the same into a file, atomically (temp name, fsync, rename)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReadableDisk } from '../disk/index.js';
import { AtomicOutput } from '../output.js';
import { detectFormat } from './detect.js';
import { resolveFormatOptions, type EncodeSettings } from './options.js';
import { Qcow2Disk } from './qcow2/decode.js';
import { encodeQcow2 } from './qcow2/encode.js';
import { encodeRaw, rawInfo } from './raw.js';
import { RawImage } from './raw-reader.js';
import { FileSink } from './sink.js';
import type { EncodeProgress, ImageFormat, ImageInfo, OpenedImage, Sink } from './types.js';
import { VdiDisk } from './vdi/decode.js';
import { encodeVdi } from './vdi/encode.js';
import { VhdDisk } from './vhd/decode.js';
import { encodeVhd } from './vhd/encode.js';
import { VmdkDisk } from './vmdk/decode.js';
import { encodeVmdk } from './vmdk/encode.js';

export type { EncodeProgress, ImageFormat, ImageInfo, OpenedImage, Sink } from './types.js';
export { IMAGE_FORMATS } from './types.js';
export type { EncodeSettings } from './options.js';
export { parseFormatName, parseOptionList, resolveFormatOptions } from './options.js';
export { detectFormat } from './detect.js';
export { FileSink } from './sink.js';

/**
 * Opens any container read-only. The format is detected by magic unless `format` is given (then
 * the file must be that format). Corrupt containers throw an input error naming the structure.
 */
export function openImage(file: string, format?: ImageFormat): OpenedImage {
  const source = new RawImage(file);
  try {
    const f = format ?? detectFormat(source);
    switch (f) {
      case 'raw': {
        return { format: f, disk: source, info: rawInfo(source.size, fs.statSync(file).blocks * 512) };
      }
      case 'qcow2':
        return opened(f, new Qcow2Disk(source, file), file);
      case 'vhd':
        return opened(f, new VhdDisk(source, file), file);
      case 'vmdk':
        return opened(f, new VmdkDisk(source, file), file);
      case 'vdi':
        return opened(f, new VdiDisk(source, file), file);
    }
  } catch (e) {
    source.close();
    throw e;
  }
}

/** allocatedSize is what the container occupies on disk, as qemu-img info's "disk size". */
function opened(format: ImageFormat, disk: ReadableDisk & { info(): ImageInfo }, file: string): OpenedImage {
  return { format, disk, info: { ...disk.info(), allocatedSize: fs.statSync(file).blocks * 512 } };
}

/** Streams `disk` as a `format` container into `sink`. */
export async function encodeImage(disk: ReadableDisk, format: ImageFormat, sink: Sink, settings: EncodeSettings, progress?: EncodeProgress): Promise<void> {
  const o = resolveFormatOptions(format, settings);
  switch (o.format) {
    case 'raw':
      return encodeRaw(disk, sink, progress);
    case 'qcow2':
      return encodeQcow2(disk, sink, o.qcow2, progress);
    case 'vhd':
      return encodeVhd(disk, sink, o.vhd, progress);
    case 'vmdk':
      return encodeVmdk(disk, sink, o.vmdk, progress);
    case 'vdi':
      return encodeVdi(disk, sink, o.vdi, progress);
  }
}

export interface WriteImageOptions extends Omit<EncodeSettings, 'fileName'> {
  /** Overwrite an existing file. */
  force?: boolean;
}

/**
 * Writes `disk` as a `format` container at `outPath`, atomically: a temp file in the same
 * directory, fsynced and renamed; removed on any error, leaving no partial output.
 */
export async function writeImage(disk: ReadableDisk, format: ImageFormat, outPath: string, options: WriteImageOptions, progress?: EncodeProgress): Promise<void> {
  const settings: EncodeSettings = { ...options, fileName: path.basename(outPath) };
  resolveFormatOptions(format, settings); // bad options fail before any file is made
  const out = new AtomicOutput(outPath, { force: Boolean(options.force) });
  try {
    const { sink, close } = FileSink.create(out.tempPath);
    try {
      await encodeImage(disk, format, sink, settings, progress);
    } finally {
      await sink.drain(); // no background write may outlive the descriptor
      close();
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}
