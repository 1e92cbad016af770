/**
 * Extent trees (kernel Documentation/filesystems/ext4/ifork.rst "Extent Tree"): a 12-byte header, then
 * 12-byte leaf entries (logical block, length ≤ 32768, physical block) or index entries pointing at
 * child blocks. The root lives in i_block (4 entries); deeper levels are whole blocks ending in a
 * 4-byte checksum tail (metadata_csum). Pure codec: the caller allocates the tree blocks.
 */
import { I_BLOCK_SIZE } from './constants.js';
import { crc32cRaw } from './crc32c.js';

// ifork.rst: struct ext4_extent_header / ext4_extent / ext4_extent_idx.
const EH_MAGIC = 0xf30a;
const EH_SIZE = 12;
const ENTRY_SIZE = 12;
const EH_OFF_MAGIC = 0;
const EH_OFF_ENTRIES = 2;
const EH_OFF_MAX = 4;
const EH_OFF_DEPTH = 6;
/** Longest initialized extent (ee_len ≤ 32768). */
export const MAX_EXTENT_LEN = 32768;
const ROOT_ENTRIES = (I_BLOCK_SIZE - EH_SIZE) / ENTRY_SIZE; // 4

export interface Extent {
  /** First logical block. */
  logical: number;
  /** First physical block. */
  physical: number;
  length: number;
}

/** Entries per tree block (the checksum tail, 4 bytes, fits in what is left). */
export function entriesPerBlock(blockSize: number): number {
  return Math.floor((blockSize - EH_SIZE) / ENTRY_SIZE);
}

/** How many tree blocks (beyond i_block) a file with `extentCount` extents needs. */
export function extentTreeBlocks(extentCount: number, blockSize: number): number {
  const per = entriesPerBlock(blockSize);
  let blocks = 0;
  let level = extentCount;
  while (level > ROOT_ENTRIES) {
    level = Math.ceil(level / per);
    blocks += level;
  }
  return blocks;
}

export interface ExtentTree {
  /** The 60 bytes of i_block. */
  root: Uint8Array;
  /** Tree blocks to write, at the physical blocks the caller gave. */
  blocks: { block: number; bytes: Uint8Array }[];
}

function header(bytes: Uint8Array, entries: number, max: number, depth: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, EH_SIZE);
  v.setUint16(EH_OFF_MAGIC, EH_MAGIC, true);
  v.setUint16(EH_OFF_ENTRIES, entries, true);
  v.setUint16(EH_OFF_MAX, max, true);
  v.setUint16(EH_OFF_DEPTH, depth, true);
}

function leafEntry(v: DataView, at: number, e: Extent): void {
  v.setUint32(at, e.logical, true);
  v.setUint16(at + 4, e.length, true);
  v.setUint16(at + 6, Math.floor(e.physical / 0x1_0000_0000), true);
  v.setUint32(at + 8, e.physical % 0x1_0000_0000, true);
}

function indexEntry(v: DataView, at: number, logical: number, child: number): void {
  v.setUint32(at, logical, true);
  v.setUint32(at + 4, child % 0x1_0000_0000, true);
  v.setUint16(at + 8, Math.floor(child / 0x1_0000_0000), true);
}

/**
 * Builds the tree for `extents` (ascending, each ≤ MAX_EXTENT_LEN) using `treeBlocks` (exactly
 * extentTreeBlocks(...) physical block numbers) for the levels below the root. `csumSeed` is the
 * inode's checksum seed (crc of fs seed, inode number, generation) or undefined without metadata_csum.
 */
export function buildExtentTree(extents: readonly Extent[], treeBlocks: readonly number[], blockSize: number, csumSeed: number | undefined): ExtentTree {
  if (extents.length <= ROOT_ENTRIES) {
    // The common case: every extent fits in i_block, no tree blocks.
    const root = new Uint8Array(I_BLOCK_SIZE);
    const rv = new DataView(root.buffer);
    header(root, extents.length, ROOT_ENTRIES, 0);
    extents.forEach((e, k) => leafEntry(rv, EH_SIZE + k * ENTRY_SIZE, e));
    return { root, blocks: [] };
  }
  const per = entriesPerBlock(blockSize);
  const blocks: { block: number; bytes: Uint8Array }[] = [];
  // Level 0 = leaves. Each level is a list of (first logical block, encoder of entries).
  type Node = { logical: number; write: (v: DataView, at: number) => void };
  let level: Node[] = extents.map((e) => ({ logical: e.logical, write: (v, at) => leafEntry(v, at, e) }));
  let depth = 0;
  let next = 0;
  while (level.length > ROOT_ENTRIES) {
    const parents: Node[] = [];
    for (let i = 0; i < level.length; i += per) {
      const chunk = level.slice(i, i + per);
      const block = treeBlocks[next++];
      if (block === undefined) throw new Error('extent tree: not enough tree blocks given');
      const bytes = new Uint8Array(blockSize);
      const v = new DataView(bytes.buffer);
      header(bytes, chunk.length, per, depth);
      chunk.forEach((n, k) => n.write(v, EH_SIZE + k * ENTRY_SIZE));
      // ifork.rst "struct ext4_extent_tail": crc32c(inode seed, block up to the tail).
      const tail = EH_SIZE + per * ENTRY_SIZE;
      if (csumSeed !== undefined) v.setUint32(tail, crc32cRaw(csumSeed, bytes.subarray(0, tail)), true);
      blocks.push({ block, bytes });
      parents.push({ logical: chunk[0]!.logical, write: (pv, at) => indexEntry(pv, at, chunk[0]!.logical, block) });
    }
    level = parents;
    depth++;
  }
  const root = new Uint8Array(I_BLOCK_SIZE);
  const rv = new DataView(root.buffer);
  header(root, level.length, ROOT_ENTRIES, depth);
  level.forEach((n, k) => n.write(rv, EH_SIZE + k * ENTRY_SIZE));
  return { root, blocks };
}
