/**
 * Filesystem geometry: block groups, where the superblock copies, group descriptor tables and reserved
 * GDT blocks sit (sparse_super), and where each group's bitmaps and inode table go (packed per flex
 * group with flex_bg, as mke2fs does). Pure arithmetic: no bytes are written here.
 */
import { inputError } from '../../errors.js';

export interface GeometryInput {
  blockSize: number;
  blocksCount: number;
  inodeSize: number;
  inodesPerGroup: number;
  sparseSuper: boolean;
  flexBg: boolean;
  resizeInode: boolean;
  is64bit: boolean;
}

export interface GroupLayout {
  /** First block of the group and its block count. */
  start: number;
  blocks: number;
  hasSuper: boolean;
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
}

export interface Geometry extends GeometryInput {
  firstDataBlock: number;
  blocksPerGroup: number;
  groupCount: number;
  descSize: number;
  descBlocks: number;
  reservedGdtBlocks: number;
  inodeTableBlocks: number;
  inodesCount: number;
  logGroupsPerFlex: number;
  groups: GroupLayout[];
  /** Blocks used by metadata, as sorted disjoint [start, end) runs: the allocator skips them. */
  metadataRuns: [number, number][];
  metadataBlocks: number;
}

export const FLEX_BG_SIZE = 16;

/** sparse_super: copies in groups 0, 1 and powers of 3, 5 and 7 (ext4 "Block Groups"). */
export function groupHasSuper(group: number, sparseSuper: boolean): boolean {
  if (group <= 1 || !sparseSuper) return true;
  for (const base of [3, 5, 7]) {
    let p = base;
    while (p < group) p *= base;
    if (p === group) return true;
  }
  return false;
}

/**
 * Reserved GDT blocks for online resize (e2fsprogs calc_reserved_gdt_blocks): room for the descriptors
 * of a filesystem 1024 times bigger (capped at 2^32 blocks), at most one indirect block's worth.
 */
function reservedGdt(blocksCount: number, firstDataBlock: number, blocksPerGroup: number, descPerBlock: number, descBlocks: number, blockSize: number): number {
  const maxBlocks = blocksCount < 0xffffffff / 1024 ? blocksCount * 1024 : 0xffffffff;
  const rsvGroups = Math.ceil((maxBlocks - firstDataBlock) / blocksPerGroup);
  const rsv = Math.ceil(rsvGroups / descPerBlock) - descBlocks;
  return Math.max(0, Math.min(rsv, blockSize / 4));
}

export function computeGeometry(input: GeometryInput): Geometry {
  const { blockSize, inodeSize } = input;
  const firstDataBlock = blockSize === 1024 ? 1 : 0;
  const blocksPerGroup = blockSize * 8;
  let blocksCount = input.blocksCount;
  const descSize = input.is64bit ? 64 : 32;
  const descPerBlock = blockSize / descSize;
  let groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  let descBlocks = Math.ceil(groupCount / descPerBlock);
  let reservedGdtBlocks = input.resizeInode ? reservedGdt(blocksCount, firstDataBlock, blocksPerGroup, descPerBlock, descBlocks, blockSize) : 0;
  const inodeTableBlocks = (input.inodesPerGroup * inodeSize) / blockSize;
  // A last group too small for its own copies plus 50 blocks is dropped, as mke2fs does.
  const lastBlocks = blocksCount - firstDataBlock - (groupCount - 1) * blocksPerGroup;
  const lastOverhead = (groupHasSuper(groupCount - 1, input.sparseSuper) ? 1 + descBlocks + reservedGdtBlocks : 0) + (input.flexBg ? 0 : 2 + inodeTableBlocks);
  if (groupCount > 1 && lastBlocks < lastOverhead + 50) {
    groupCount--;
    blocksCount = firstDataBlock + groupCount * blocksPerGroup;
    descBlocks = Math.ceil(groupCount / descPerBlock);
    if (input.resizeInode) reservedGdtBlocks = reservedGdt(blocksCount, firstDataBlock, blocksPerGroup, descPerBlock, descBlocks, blockSize);
  }
  if (!input.is64bit && blocksCount > 0xffffffff) throw inputError(`ext4: ${blocksCount} blocks need the 64bit feature`, 'use --features ext4');

  const runs: [number, number][] = [];
  const groups: GroupLayout[] = [];
  for (let g = 0; g < groupCount; g++) {
    const start = firstDataBlock + g * blocksPerGroup;
    const blocks = Math.min(blocksPerGroup, blocksCount - start);
    const hasSuper = groupHasSuper(g, input.sparseSuper);
    if (hasSuper) runs.push([start, start + 1 + descBlocks + reservedGdtBlocks]);
    groups.push({ start, blocks, hasSuper, blockBitmap: 0, inodeBitmap: 0, inodeTable: 0 });
  }
  if (firstDataBlock === 0 && runs[0]) runs[0][0] = 0;

  // Bitmaps and inode tables: per flex group (or per group), first fit from the group's start.
  const flex = input.flexBg ? FLEX_BG_SIZE : 1;
  const taken = new RunList(runs);
  for (let f = 0; f < groupCount; f += flex) {
    const members = groups.slice(f, f + flex);
    const from = members[0]!.start;
    for (const m of members) m.blockBitmap = taken.claim(from, 1, blocksCount);
    for (const m of members) m.inodeBitmap = taken.claim(from, 1, blocksCount);
    for (const m of members) m.inodeTable = taken.claim(from, inodeTableBlocks, blocksCount);
  }
  const metadataRuns = taken.runs;
  const metadataBlocks = metadataRuns.reduce((n, [s, e]) => n + e - s, 0);
  return {
    ...input,
    blocksCount,
    firstDataBlock,
    blocksPerGroup,
    groupCount,
    descSize,
    descBlocks,
    reservedGdtBlocks,
    inodeTableBlocks,
    inodesCount: groupCount * input.inodesPerGroup,
    logGroupsPerFlex: input.flexBg ? Math.log2(FLEX_BG_SIZE) : 0,
    groups,
    metadataRuns,
    metadataBlocks,
  };
}

/** Sorted, disjoint, merged [start, end) runs of taken blocks, with first-fit claiming. */
class RunList {
  readonly runs: [number, number][];
  constructor(initial: [number, number][]) {
    this.runs = [];
    for (const [s, e] of [...initial].sort((a, b) => a[0] - b[0])) this.insert(s, e);
  }

  /** Takes `length` contiguous free blocks at or after `from` (below `limit`); returns the first. */
  claim(from: number, length: number, limit: number): number {
    let at = from;
    for (let i = this.firstEndingAfter(at); i < this.runs.length; i++) {
      const [s, e] = this.runs[i]!;
      if (s >= at + length) break;
      at = Math.max(at, e);
    }
    if (at + length > limit) throw inputError(`ext4: ${limit} blocks are too few for the filesystem's own metadata`, 'use a bigger --size');
    this.insert(at, at + length);
    return at;
  }

  /** Index of the first run whose end is after `block` (binary search). */
  private firstEndingAfter(block: number): number {
    let lo = 0;
    let hi = this.runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.runs[mid]![1] <= block) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds [s, e) (free before), merging it with the runs it touches. */
  private insert(s: number, e: number): void {
    const i = this.firstEndingAfter(s - 1); // first run that ends at or after s: it may touch [s, e)
    let start = s;
    let end = e;
    let remove = 0;
    while (i + remove < this.runs.length && this.runs[i + remove]![0] <= end) {
      start = Math.min(start, this.runs[i + remove]![0]);
      end = Math.max(end, this.runs[i + remove]![1]);
      remove++;
    }
    this.runs.splice(i, remove, [start, end]);
  }
}
