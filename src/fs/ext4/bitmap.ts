/**
 * Block and inode bitmaps (kernel Documentation/filesystems/ext4/bitmaps.rst): one block each per
 * group, bit i = block (or inode) i of the group in use. Bits past the group's end (a short last group,
 * or inodes_per_group < 8 × block size) are set, as mke2fs sets them. Pure codec.
 */
import { crc32cRaw } from './crc32c.js';

/** Sets bits [from, to): whole bytes at a time in the middle. */
export function setBits(bitmap: Uint8Array, from: number, to: number): void {
  let i = from;
  for (; i < to && i & 7; i++) bitmap[i >> 3]! |= 1 << (i & 7);
  const wholeEnd = to & ~7;
  if (i < wholeEnd) {
    bitmap.fill(0xff, i >> 3, wholeEnd >> 3);
    i = wholeEnd;
  }
  for (; i < to; i++) bitmap[i >> 3]! |= 1 << (i & 7);
}

/**
 * A group's block bitmap into `out` (one block, overwritten): used = `[0, usedPrefix)` (blocks below the
 * allocator's cursor) plus the metadata runs, given relative to the group. Returns the used count.
 */
export function encodeBlockBitmap(out: Uint8Array, groupBlocks: number, usedPrefix: number, metadataRuns: readonly (readonly [number, number])[]): number {
  out.fill(0);
  const prefix = Math.max(0, Math.min(groupBlocks, usedPrefix));
  setBits(out, 0, prefix);
  let used = prefix;
  for (const [s, e] of metadataRuns) {
    const from = Math.max(0, s);
    const to = Math.min(groupBlocks, e);
    if (to <= from) continue;
    setBits(out, from, to);
    used += to - from - Math.max(0, Math.min(to, prefix) - from); // not counting what the prefix covers
  }
  setBits(out, groupBlocks, out.length * 8);
  return used;
}

/** A group's inode bitmap into `out`: the first `used` inodes in use, bits past `inodesPerGroup` set. */
export function encodeInodeBitmap(out: Uint8Array, inodesPerGroup: number, used: number): void {
  out.fill(0);
  setBits(out, 0, used);
  setBits(out, inodesPerGroup, out.length * 8);
}

/** crc32c of the bitmap's meaningful bytes (bg_*_bitmap_csum, metadata_csum). */
export function bitmapChecksum(csumSeed: number, bitmap: Uint8Array, bits: number): number {
  return crc32cRaw(csumSeed, bitmap.subarray(0, bits / 8));
}
