/** Shared by the format tests: seeded random sparse disks, written both as a MemoryDisk and a raw file. */
import { writeFileSync, openSync, closeSync, ftruncateSync, writeSync } from 'node:fs';
import { MemoryDisk } from '../../src/disk/index.js';
import { runTool } from '../helpers/oracles.js';

/** mulberry32: a small seeded PRNG, so every "random" image is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SparseCase {
  name: string;
  size: number;
  seed: number;
  /** Number of data extents written at random offsets. */
  extents: number;
}

/** The cases every encoder is tested on: odd sizes, an all-zero disk, one not a multiple of the cluster size. */
export const SPARSE_CASES: SparseCase[] = [
  { name: 'all-zero 4 MiB', size: 4 * 1048576, seed: 1, extents: 0 },
  { name: 'random extents 9 MiB', size: 9 * 1048576, seed: 2, extents: 12 },
  { name: 'size not a multiple of the cluster (5 MiB + 3 sectors)', size: 5 * 1048576 + 1536, seed: 3, extents: 8 },
  { name: 'odd size 3 MiB + 7 sectors, data in the last sector', size: 3 * 1048576 + 3584, seed: 4, extents: 5 },
  { name: 'dense 33 MiB (spans two L2/GT/BAT regions)', size: 33 * 1048576, seed: 5, extents: 40 },
];

/** Fills a MemoryDisk with random extents (some text-like, some random, some runs of one byte); the last sector always holds data. */
export function makeSparseDisk(c: SparseCase): MemoryDisk {
  const rand = prng(c.seed);
  const disk = new MemoryDisk(c.size);
  for (let i = 0; i < c.extents; i++) {
    const length = 1 + Math.floor(rand() * 300_000);
    const offset = Math.floor(rand() * (c.size - length));
    const bytes = new Uint8Array(length);
    const style = i % 3;
    for (let k = 0; k < length; k++) bytes[k] = style === 0 ? Math.floor(rand() * 256) : style === 1 ? 97 + (k % 26) : 0xab;
    disk.write(offset, bytes);
  }
  if (c.extents > 0) disk.write(c.size - 7, new Uint8Array([1, 2, 3, 4, 5, 6, 7]));
  return disk;
}

/** Writes a disk to a sparse raw file (holes stay holes). */
export function writeRaw(disk: MemoryDisk, path: string): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, disk.size);
    for (const r of disk.dataRanges()) writeSync(fd, disk.read(r.offset, r.length), 0, r.length, r.offset);
  } finally {
    closeSync(fd);
  }
}

export function writeBytes(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes);
}

/** qemu-img info --output=json of a file. */
export function qemuInfo(path: string, format?: string): { 'virtual-size': number; format: string; 'format-specific'?: { data?: Record<string, unknown> } } {
  const r = runTool('qemu-img', ['info', '--output=json', ...(format ? ['-f', format] : []), path]);
  if (r.status !== 0) throw new Error(`qemu-img info failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
