/**
 * Directory blocks (kernel Documentation/filesystems/ext4/directory.rst): linear blocks of
 * `ext4_dir_entry_2` records, each leaf block ending in a 12-byte checksum tail with metadata_csum; and
 * the hash tree (htree) index blocks (dx_root, dx_node) over such leaves for big directories.
 * Pure codec: the caller supplies entries and the inode's checksum seed.
 */
import { crc32cRaw } from './crc32c.js';
import type { DirHasher } from './dirhash.js';

// directory.rst "Linear (Classic) Directories".
const DE_INODE = 0;
const DE_REC_LEN = 4;
const DE_NAME_LEN = 6;
const DE_FILE_TYPE = 7;
const DE_NAME = 8;
/** struct ext4_dir_entry_tail: 12 bytes, file_type 0xDE, checksum at +8. */
const TAIL_SIZE = 12;
const TAIL_FT = 0xde;
// directory.rst "Hash Tree Directories": dx_root info and count/limit.
const DX_ROOT_INFO = 24;
const DX_ROOT_COUNT = 32;
const DX_NODE_COUNT = 8;
const DX_ENTRY_SIZE = 8;
const DX_TAIL_SIZE = 8;

export interface DirEntry {
  name: Uint8Array;
  inode: number;
  fileType: number;
}

/** Bytes a record for a name of `nameLen` bytes takes (8-byte header, name, padded to 4). */
export function recordSize(nameLen: number): number {
  return (DE_NAME + nameLen + 3) & ~3;
}

function putEntry(v: DataView, bytes: Uint8Array, at: number, e: DirEntry, recLen: number): void {
  v.setUint32(at + DE_INODE, e.inode, true);
  v.setUint16(at + DE_REC_LEN, recLen, true);
  v.setUint8(at + DE_NAME_LEN, e.name.length);
  v.setUint8(at + DE_FILE_TYPE, e.fileType);
  bytes.set(e.name, at + DE_NAME);
}

/** Finishes a leaf block: the checksum tail (dirent_tail) over everything before it. */
function sealLeaf(bytes: Uint8Array, v: DataView, csumSeed: number | undefined): void {
  if (csumSeed === undefined) return;
  const at = bytes.length - TAIL_SIZE;
  v.setUint16(at + DE_REC_LEN, TAIL_SIZE, true);
  v.setUint8(at + DE_FILE_TYPE, TAIL_FT);
  v.setUint32(at + 8, crc32cRaw(csumSeed, bytes.subarray(0, at)), true);
}

/** Usable bytes of a leaf block. */
function leafSpace(blockSize: number, csum: boolean): number {
  return blockSize - (csum ? TAIL_SIZE : 0);
}

/**
 * Packs entries, in order, into linear leaf blocks. The last record of each block stretches to the
 * end (or to the tail). An empty list still gives one block (a directory has at least one).
 */
export function packLeaves(entries: readonly DirEntry[], blockSize: number, csumSeed: number | undefined): Uint8Array[] {
  const space = leafSpace(blockSize, csumSeed !== undefined);
  const blocks: Uint8Array[] = [];
  let i = 0;
  do {
    const bytes = new Uint8Array(blockSize);
    const v = new DataView(bytes.buffer);
    let at = 0;
    let last = -1;
    while (i < entries.length) {
      const e = entries[i]!;
      const size = recordSize(e.name.length);
      if (at + size > space) break;
      putEntry(v, bytes, at, e, size);
      last = at;
      at += size;
      i++;
    }
    if (last < 0) {
      // An empty block: one unused record spanning it (inode 0), as the kernel writes.
      v.setUint16(DE_REC_LEN, space, true);
    } else {
      v.setUint16(last + DE_REC_LEN, space - last, true);
    }
    sealLeaf(bytes, v, csumSeed);
    blocks.push(bytes);
  } while (i < entries.length);
  return blocks;
}

/** How many leaf blocks `packLeaves` makes for records of these name lengths. */
export function countLeaves(nameLengths: Iterable<number>, blockSize: number, csum: boolean): number {
  const space = leafSpace(blockSize, csum);
  let blocks = 1;
  let at = 0;
  for (const n of nameLengths) {
    const size = recordSize(n);
    if (at + size > space) {
      blocks++;
      at = 0;
    }
    at += size;
  }
  return blocks;
}

/** Whether a directory with these children stays a single linear block (with "." and ".."). */
export function fitsOneBlock(nameLengths: Iterable<number>, blockSize: number, csum: boolean): boolean {
  return countLeaves([1, 2, ...nameLengths], blockSize, csum) === 1;
}

function rootLimit(blockSize: number, csum: boolean): number {
  return (blockSize - DX_ROOT_COUNT - (csum ? DX_TAIL_SIZE : 0)) / DX_ENTRY_SIZE;
}

function nodeLimit(blockSize: number, csum: boolean): number {
  return (blockSize - DX_NODE_COUNT - (csum ? DX_TAIL_SIZE : 0)) / DX_ENTRY_SIZE;
}

/** Leaves of an htree: entries in hash order; `hash` is the index key (low bit = continues a collision). */
function packHashedLeaves(entries: readonly DirEntry[], order: Uint32Array, majors: Uint32Array, blockSize: number, csumSeed: number | undefined): { hash: number; bytes: Uint8Array }[] {
  const space = leafSpace(blockSize, csumSeed !== undefined);
  const out: { hash: number; bytes: Uint8Array }[] = [];
  let i = 0;
  while (i < order.length) {
    const firstMajor = majors[order[i]!]!;
    const continues = i > 0 && majors[order[i - 1]!] === firstMajor;
    const bytes = new Uint8Array(blockSize);
    const v = new DataView(bytes.buffer);
    let at = 0;
    let last = 0;
    while (i < order.length) {
      const e = entries[order[i]!]!;
      const size = recordSize(e.name.length);
      if (at + size > space) break;
      putEntry(v, bytes, at, e, size);
      last = at;
      at += size;
      i++;
    }
    v.setUint16(last + DE_REC_LEN, space - last, true);
    sealLeaf(bytes, v, csumSeed);
    out.push({ hash: (firstMajor | (continues ? 1 : 0)) >>> 0, bytes });
  }
  return out;
}

/** Number of blocks an htree directory with these names takes (root, index nodes, leaves). */
export function htreeBlockCount(nameLengths: readonly number[], blockSize: number, csum: boolean): number {
  // Hash order is not known before hashing, so bound the leaves: greedy packing wastes less than
  // one largest record per block.
  const space = leafSpace(blockSize, csum);
  let total = 0;
  let largest = 0;
  for (const n of nameLengths) {
    total += recordSize(n);
    largest = Math.max(largest, recordSize(n));
  }
  const leaves = Math.ceil(total / (space - largest)) + 1;
  return 1 + indexNodes(leaves, blockSize, csum) + leaves;
}

function indexNodes(leaves: number, blockSize: number, csum: boolean): number {
  if (leaves <= rootLimit(blockSize, csum)) return 0;
  return Math.ceil(leaves / nodeLimit(blockSize, csum));
}

export interface HtreeOptions {
  blockSize: number;
  hashVersion: number;
  hasher: DirHasher;
  /** The directory inode's checksum seed, or undefined without metadata_csum. */
  csumSeed: number | undefined;
  self: number;
  parent: number;
}

/**
 * Builds an indexed directory: block 0 is the dx_root (with "." and ".."), then index nodes if the
 * leaves outgrow the root, then the leaves. Returns every block in logical order.
 */
export function buildHtree(entries: readonly DirEntry[], o: HtreeOptions): Uint8Array[] {
  const csum = o.csumSeed !== undefined;
  const majors = new Uint32Array(entries.length);
  const minors = new Uint32Array(entries.length);
  entries.forEach((e, k) => {
    majors[k] = o.hasher.major(e.name);
    minors[k] = o.hasher.minor;
  });
  const order = Uint32Array.from(entries.keys()).sort((a, b) => majors[a]! - majors[b]! || minors[a]! - minors[b]!);
  const leaves = packHashedLeaves(entries, order, majors, o.blockSize, o.csumSeed);
  const rLimit = rootLimit(o.blockSize, csum);
  const nLimit = nodeLimit(o.blockSize, csum);
  const nodeCount = indexNodes(leaves.length, o.blockSize, csum);
  if (nodeCount > rLimit) throw new Error('htree: directory too big for two index levels');
  const firstLeaf = 1 + nodeCount;
  const leafRefs = leaves.map((l, k) => ({ hash: l.hash, block: firstLeaf + k }));

  const root = new Uint8Array(o.blockSize);
  const rv = new DataView(root.buffer);
  putEntry(rv, root, 0, { name: new Uint8Array([0x2e]), inode: o.self, fileType: 2 }, 12);
  putEntry(rv, root, 12, { name: new Uint8Array([0x2e, 0x2e]), inode: o.parent, fileType: 2 }, o.blockSize - 12);
  rv.setUint32(DX_ROOT_INFO, 0, true); // reserved_zero
  rv.setUint8(DX_ROOT_INFO + 4, o.hashVersion);
  rv.setUint8(DX_ROOT_INFO + 5, 8); // info_length
  rv.setUint8(DX_ROOT_INFO + 6, nodeCount ? 1 : 0); // indirect_levels

  const blocks: Uint8Array[] = [root];
  if (nodeCount === 0) {
    writeIndex(root, DX_ROOT_COUNT, rLimit, leafRefs, o.csumSeed);
  } else {
    const nodeRefs: { hash: number; block: number }[] = [];
    for (let k = 0; k < nodeCount; k++) {
      const chunk = leafRefs.slice(k * nLimit, (k + 1) * nLimit);
      const node = new Uint8Array(o.blockSize);
      const nv = new DataView(node.buffer);
      nv.setUint16(DE_REC_LEN, o.blockSize, true); // a fake empty record spanning the block
      writeIndex(node, DX_NODE_COUNT, nLimit, chunk, o.csumSeed);
      blocks.push(node);
      nodeRefs.push({ hash: chunk[0]!.hash, block: 1 + k });
    }
    writeIndex(root, DX_ROOT_COUNT, rLimit, nodeRefs, o.csumSeed);
  }
  for (const l of leaves) blocks.push(l.bytes);
  return blocks;
}

/**
 * Writes count/limit and the (hash, block) entries at `countOffset`; the first entry's hash slot holds
 * count and limit (its hash is implicitly 0). Then the dx_tail checksum: crc32c(inode seed, block up to
 * the last used entry, then the 8-byte tail with its checksum zero).
 */
function writeIndex(bytes: Uint8Array, countOffset: number, limit: number, refs: readonly { hash: number; block: number }[], csumSeed: number | undefined): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  v.setUint16(countOffset, limit, true);
  v.setUint16(countOffset + 2, refs.length, true);
  refs.forEach((r, k) => {
    const at = countOffset + k * DX_ENTRY_SIZE;
    if (k > 0) v.setUint32(at, r.hash, true);
    v.setUint32(at + 4, r.block, true);
  });
  if (csumSeed === undefined) return;
  const tail = countOffset + limit * DX_ENTRY_SIZE;
  let crc = crc32cRaw(csumSeed, bytes.subarray(0, countOffset + refs.length * DX_ENTRY_SIZE));
  crc = crc32cRaw(crc, bytes.subarray(tail, tail + DX_TAIL_SIZE));
  v.setUint32(tail + 4, crc, true);
}
