import { closeSync, openSync, readFileSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { alignedBuffer, RawImage } from '../../src/formats/raw-reader.js';
import { useTmpDir } from '../helpers/tmp.js';

const MIB = 1024 * 1024;

/**
 * A sparse file whose data sits where the hole probing (first and last block of each MiB) could be
 * fooled: data in the middle of a MiB with zero ends (read O_DIRECT: must still be the data), data
 * straddling MiB boundaries, a MiB that is data except its ends, and a size that is not a whole
 * number of blocks (the tail is read through the page cache).
 */
function sparseFile(path: string): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 9 * MIB + 1234);
  const put = (offset: number, length: number, value: number) => writeSync(fd, Buffer.alloc(length, value), 0, length, offset);
  put(1 * MIB + 300_000, 5000, 0x11); // the middle of MiB 1, ends zero
  put(3 * MIB - 8192, 20_000, 0x22); // across the 3 MiB boundary
  put(5 * MIB + 4096, MIB - 8192, 0x33); // all of MiB 5 but its first and last block
  put(7 * MIB, 4096, 0x44); // the first block only
  put(9 * MIB + 1000, 234, 0x55); // in the unaligned tail
  closeSync(fd);
}

describe('RawImage.readIntoAsync with hole probing', () => {
  const tmp = useTmpDir();

  test('gives exactly the file bytes, into aligned buffers (O_DIRECT where it may) and plain ones (page cache)', async () => {
    const path = join(tmp(), 'sparse.raw');
    sparseFile(path);
    const want = readFileSync(path);
    const image = new RawImage(path);
    try {
      for (const make of [alignedBuffer, (n: number) => new Uint8Array(n)]) {
        // Whole file in 4 MiB reads (as convert's ring does), then odd-sized and odd-placed reads.
        for (const [offset, length] of [[0, 4 * MIB], [4 * MIB, 4 * MIB], [8 * MIB, want.length - 8 * MIB], [MIB, 3 * MIB + 512], [4096, 7 * MIB], [5 * MIB + 512, MIB]] as const) {
          const target = make(length).fill(0xee); // stale bytes must not survive
          await image.readIntoAsync(offset, target);
          expect(Buffer.compare(Buffer.from(target), want.subarray(offset, offset + length)), `${offset}+${length}`).toBe(0);
        }
      }
    } finally {
      image.close();
    }
  });

  test('without probing (a caller that knows its data ranges) the bytes are the same', async () => {
    const path = join(tmp(), 'sparse.raw');
    sparseFile(path);
    const image = new RawImage(path, { probeHoles: false });
    const target = alignedBuffer(4 * MIB);
    await image.readIntoAsync(0, target);
    image.close();
    expect(Buffer.compare(Buffer.from(target), readFileSync(path).subarray(0, 4 * MIB))).toBe(0);
  });
});
