import type { ByteRange } from '../disk/index.js';

/**
 * The data ranges of a block-mapped container (qcow2 clusters, VHD blocks, VMDK grains, VDI blocks):
 * `allocated` yields the indices of allocated blocks in ascending order; neighbours are merged and the
 * last range is clipped to the virtual size.
 */
export function* blockRanges(allocated: Iterable<number>, blockSize: number, diskSize: number): Generator<ByteRange> {
  let start = -1;
  let end = -1;
  for (const b of allocated) {
    const s = b * blockSize;
    if (s >= diskSize) break;
    const e = Math.min(diskSize, s + blockSize);
    if (s === end) end = e;
    else {
      if (start >= 0) yield { offset: start, length: end - start };
      start = s;
      end = e;
    }
  }
  if (start >= 0) yield { offset: start, length: end - start };
}
