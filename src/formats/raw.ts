/**
 * raw: the disk's bytes as they are. Output is sparse: the file is sized first, then only non-zero
 * 64 KiB units are written, so holes in the input stay holes in the output.
 */
import type { ReadableDisk } from '../disk/index.js';
import type { EncodeProgress, ImageInfo, Sink } from './types.js';
import { nonZeroUnits } from './units.js';

const UNIT = 64 * 1024;

/** Copies the non-zero units of `disk` to the same offsets of `sink`, clipped to `disk.size`. */
export async function copySparse(disk: ReadableDisk, sink: Sink, progress?: EncodeProgress): Promise<void> {
  let runStart = -1;
  let runEnd = -1;
  let run: Uint8Array[] = [];
  const flush = () => {
    if (run.length > 0) sink.writev(runStart, run);
    run = [];
    runStart = runEnd = -1;
  };
  for await (const batch of nonZeroUnits(disk, UNIT)) {
    for (const u of batch.units) {
      const offset = u.index * UNIT;
      const bytes = offset + UNIT > disk.size ? u.bytes.subarray(0, disk.size - offset) : u.bytes;
      if (offset !== runEnd || run.length >= 256) {
        flush();
        runStart = offset;
      }
      run.push(bytes);
      runEnd = offset + bytes.length;
    }
    flush();
    progress?.update(batch.doneTo, disk.size);
  }
  flush();
}

export async function encodeRaw(disk: ReadableDisk, sink: Sink, progress?: EncodeProgress): Promise<void> {
  sink.setSize(disk.size);
  await copySparse(disk, sink, progress);
}

export function rawInfo(size: number, allocated: number): ImageInfo {
  return { format: 'raw', virtualSize: size, allocatedSize: allocated };
}
