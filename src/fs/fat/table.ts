/**
 * The File Allocation Table (fatgen103 §4). We write every file and directory contiguously, so a
 * chain is a run of clusters: each entry points at the next cluster and the last holds End Of
 * Chain. The table is encoded a range at a time, so a large FAT never sits in memory whole.
 */
import { MEDIA_FIXED, type FatType } from './constants.js';
import { fatEntryBits } from './geometry.js';

/** A contiguous cluster chain. */
export interface ClusterRun {
  readonly first: number;
  readonly count: number;
}

/** End Of Chain as mkfs.fat and Windows write it (any value ≥ 0xFF8/0xFFF8/0x0FFFFFF8 is EOC, §4). */
export function endOfChain(type: FatType): number {
  return type === 12 ? 0xfff : type === 16 ? 0xffff : 0x0fffffff;
}

/**
 * FAT[0] holds the media byte in its low 8 bits with every other bit set; FAT[1] is EOC, with the
 * FAT16/32 "clean shutdown" and "no hard error" bits set (§4).
 */
function reservedEntry(type: FatType, index: 0 | 1): number {
  const mask = endOfChain(type);
  return index === 0 ? (mask & ~0xff) | MEDIA_FIXED : mask;
}

/** First index in `runs` (sorted, disjoint) whose run ends after `cluster`. */
function runIndexAt(runs: readonly ClusterRun[], cluster: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid]!.first + runs[mid]!.count <= cluster) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entry values for [firstEntry, firstEntry + count): next cluster, EOC, or 0 (free). */
export function fatEntries(type: FatType, runs: readonly ClusterRun[], firstEntry: number, count: number): Uint32Array {
  const values = new Uint32Array(count);
  const eoc = endOfChain(type);
  let r = runIndexAt(runs, firstEntry);
  for (let i = 0; i < count; i++) {
    const n = firstEntry + i;
    if (n < 2) {
      values[i] = reservedEntry(type, n as 0 | 1);
      continue;
    }
    while (r < runs.length && runs[r]!.first + runs[r]!.count <= n) r++;
    const run = runs[r];
    if (!run || n < run.first) continue;
    values[i] = n === run.first + run.count - 1 ? eoc : n + 1;
  }
  return values;
}

/**
 * Encodes entries [firstEntry, firstEntry + count) as bytes. FAT12 packs two entries in three bytes
 * (§4: even entry in the low 12 bits), so for FAT12 `firstEntry` must be even.
 */
export function encodeFatRange(type: FatType, runs: readonly ClusterRun[], firstEntry: number, count: number): Uint8Array {
  const values = fatEntries(type, runs, firstEntry, count);
  if (type === 12) {
    if (firstEntry % 2) throw new Error('FAT12 ranges start at an even entry');
    const out = new Uint8Array(Math.ceil((count * 3) / 2));
    for (let i = 0; i < count; i++) {
      const v = values[i]!;
      const at = (i * 3) >> 1;
      if (i % 2 === 0) {
        out[at] = v & 0xff;
        out[at + 1] = (out[at + 1]! & 0xf0) | (v >> 8);
      } else {
        out[at] = (out[at]! & 0x0f) | ((v & 0x0f) << 4);
        out[at + 1] = v >> 4;
      }
    }
    return out;
  }
  const bytes = fatEntryBits(type) / 8;
  const out = new Uint8Array(count * bytes);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    if (bytes === 2) view.setUint16(i * 2, values[i]!, true);
    else view.setUint32(i * 4, values[i]!, true);
  }
  return out;
}
