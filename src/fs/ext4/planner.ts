/**
 * The planner: walks a FileTree once, numbers the inodes (root 2, lost+found 11, the rest from 12 in
 * walk order) and computes how many blocks and inodes the content needs, so the filesystem can be
 * sized to it ("computed, not guessed", DESIGN.md §5) and a too-small one refused before any byte is
 * written.
 */
import { inputError } from '../../errors.js';
import type { Body, FileTree, Inode } from '../../tree/index.js';
import { extentUpperBound } from './allocator.js';
import { FIRST_INO, ROOT_INO } from './constants.js';
import { countLeaves, htreeBlockCount } from './directory.js';
import { blockMapMetaBlocks } from './blockmap.js';
import { extentTreeBlocks } from './extents.js';
import { computeGeometry, type Geometry } from './geometry.js';
import { inlineXattrSpace } from './inode.js';
import { defaultJournalBlocks, MIN_JOURNAL_BLOCKS } from './journal.js';
import { resolveFeatures, type FeatureSet } from './features.js';
import { fitsXattrBlock, splitXattrs, toXattrEntries, xattrSetKey } from './xattr.js';

export interface Ext4Options {
  /** 1024, 2048 or 4096 (default). */
  blockSize?: number;
  /** 128 or 256 (default). */
  inodeSize?: number;
  /** A profile ("ext4", "ext4-legacy"), optionally with ",^feature" modifiers. */
  features?: string;
  /** Total inodes (rounded up to whole inode-table blocks per group). */
  inodes?: number;
  /** Bytes per inode when `inodes` is not given (default 16384). */
  inodeRatio?: number;
  /** Blocks reserved for root, in percent (default 5). */
  reservedPercent?: number;
  label?: string;
  /** Filesystem UUID; derived from `seed` when absent. */
  uuid?: string;
  /** Directory hash seed (a UUID, like mke2fs -E hash_seed=); derived from `seed` when absent. */
  hashSeed?: string;
  /** Every id and the hash seed derive from it. */
  seed: string;
  /** Seconds since the epoch for every timestamp the filesystem itself writes (SOURCE_DATE_EPOCH). */
  time: number;
  /** Journal size in bytes, or "none"; default as mke2fs picks by filesystem size. */
  journalSize?: number | 'none';
  /** Headroom for the automatic size: bytes, or a percentage of the content ("10%", the default). */
  extra?: number | string;
  /** Write files without holes: all files (true) or those a predicate picks (bootloader files). */
  noHoles?: boolean | ((path: string, inode: Inode) => boolean);
  /** Directory hash: half_md4 (default, as mke2fs) or tea. */
  hashAlgorithm?: 'half_md4' | 'tea';
  onProgress?: (done: number, total: number) => void;
}

export interface Ext4Plan {
  features: FeatureSet;
  blockSize: number;
  inodeSize: number;
  /** Inode numbers: tree inode → number. */
  numbers: Map<Inode, number>;
  /** Tree inodes in inode-number order from FIRST_INO + 1 (12) on. */
  ordered: Inode[];
  /** Link counts by inode number (names; 2 + subdirectories for directories). */
  links: Uint32Array;
  /** The parent's inode number ("..") by directory inode number. */
  parents: Uint32Array;
  /** The tree's /lost+found directory, when it has one (it becomes inode 11). */
  lostFound: Inode | undefined;
  /** Highest inode number used. */
  lastIno: number;
  /** Blocks the content needs at most (data, directories, extent trees, xattr blocks, resize inode). */
  contentBlocks: number;
  /** Refcounts of shared xattr blocks by entry-set key. */
  xattrBlockRefs: Map<string, number>;
  files: number;
  bytes: number;
  /** Sparse files to write in full: under /boot (bootloaders cannot read holes) or picked by noHoles. */
  solid: Set<Inode>;
}

const LOST_FOUND = 'lost+found';
const MAX_LINKS = 65000;

/** A Uint32Array that grows as inode numbers are handed out. */
class GrowingU32 {
  data = new Uint32Array(1024);
  at(i: number): number {
    return i < this.data.length ? this.data[i]! : 0;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const bigger = new Uint32Array(Math.max(i + 1, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = v;
  }
}

/**
 * lost+found gets 16 KiB, at least two blocks and at most the 12 direct blocks, as mke2fs makes it
 * (create_lost_and_found), so e2fsck has room to reconnect files without allocating.
 */
export function lostFoundBlocks(blockSize: number): number {
  return Math.min(12, Math.max(2, Math.ceil(16384 / blockSize)));
}

/** The logical block runs a body occupies: [start, count] pairs (holes skipped unless `noHoles`). */
export function bodyRuns(body: Body | undefined, blockSize: number, noHoles: boolean): [number, number][] {
  if (!body || body.size === 0) return [];
  const total = Math.ceil(body.size / blockSize);
  if (noHoles) return [[0, total]];
  const runs: [number, number][] = [];
  for (const seg of body.segments) {
    if (seg.length === 0) continue;
    const s = Math.floor(seg.offset / blockSize);
    const e = Math.ceil((seg.offset + seg.length) / blockSize);
    const last = runs[runs.length - 1];
    if (last && s <= last[0] + last[1]) last[1] = Math.max(last[1], e - last[0]);
    else runs.push([s, e - s]);
  }
  return runs;
}

/**
 * Whether a file is written without holes: always under /boot (GRUB and SYSLINUX read kernels,
 * initrds and their own files there, and SYSLINUX cannot read holes), else as `noHoles` says.
 */
export function wantsNoHoles(options: Ext4Options, path: string, inode: Inode): boolean {
  if (path.startsWith('/boot/')) return true;
  const o = options.noHoles;
  return typeof o === 'function' ? o(path, inode) : o === true;
}

export function planExt4(tree: FileTree, options: Ext4Options): Ext4Plan {
  const features = resolveFeatures(options.features);
  const blockSize = options.blockSize ?? 4096;
  const inodeSize = options.inodeSize ?? 256;
  if (![1024, 2048, 4096].includes(blockSize)) throw inputError(`--block-size ${blockSize}: ext4 here supports 1024, 2048 or 4096`);
  if (![128, 256, 512, 1024].includes(inodeSize) || inodeSize > blockSize) throw inputError(`--inode-size ${inodeSize}: use 128, 256, 512 or 1024 (not above the block size)`);
  const csum = features.names.has('metadata_csum');
  const dirIndex = features.names.has('dir_index');
  const bpg = blockSize * 8;

  const numbers = new Map<Inode, number>();
  const parents = new GrowingU32();
  const links = new GrowingU32();
  const solid = new Set<Inode>();
  const pendingParents = new Map<Inode, number>();
  const ordered: Inode[] = [];
  const root = tree.root;
  const lf = root.children?.get(LOST_FOUND);
  if (lf && lf.type !== 'dir') throw inputError(`/${LOST_FOUND} is a ${lf.type}, not a directory`, 'e2fsck needs it to be a directory: remove it from the input');
  numbers.set(root, ROOT_INO);
  parents.set(ROOT_INO, ROOT_INO);
  if (lf) numbers.set(lf, FIRST_INO);
  let next = FIRST_INO + 1;
  let contentBlocks = features.names.has('resize_inode') ? 1 : 0;
  if (!lf) contentBlocks += lostFoundBlocks(blockSize);
  const xattrBlockRefs = new Map<string, number>();
  const inlineSpace = inlineXattrSpace(inodeSize);
  let files = 0;
  let bytes = 0;

  const useExtents = features.names.has('extent');
  /** Blocks beyond the data that address it: extent tree blocks, or ext2/3 pointer blocks. */
  const mappingBlocks = (runs: readonly (readonly [number, number])[]) => {
    if (!useExtents) return blockMapMetaBlocks(runs, blockSize);
    let extents = 0;
    for (const [, n] of runs) extents += extentUpperBound(n, bpg);
    return extentTreeBlocks(extents, blockSize);
  };

  for (const { path, inode } of tree.walk()) {
    let ino = numbers.get(inode);
    if (ino === undefined) {
      ino = next++;
      numbers.set(inode, ino);
      ordered.push(inode);
    }
    if (inode.type !== 'dir') {
      links.set(ino, links.at(ino) + 1);
      if (links.at(ino) > MAX_LINKS) throw inputError(`${path}: more than ${MAX_LINKS} hard links to one file`, 'ext4 allows at most 65000');
      if (links.at(ino) > 1) continue; // a further name of a hard-linked inode: its content is counted once
    }
    if (inode.type === 'dir') {
      let subdirs = 0;
      for (const child of inode.children!.values()) {
        if (child.type !== 'dir') continue;
        subdirs++;
        // A directory's inode number is handed out when the walk reaches it; remember its parent by object until then.
        pendingParents.set(child, ino);
      }
      links.set(ino, 2 + subdirs + (inode === root && !lf ? 1 : 0));
      const parent = pendingParents.get(inode);
      if (parent !== undefined) {
        parents.set(ino, parent);
        pendingParents.delete(inode);
      }
    }
    // Blocks.
    switch (inode.type) {
      case 'file': {
        files++;
        bytes += inode.body?.size ?? 0;
        const noHoles = wantsNoHoles(options, path, inode);
        // Only sparse bodies care (one segment covering the whole file has no holes anyway).
        if (noHoles && inode.body && !(inode.body.segments.length === 1 && inode.body.segments[0]!.length === inode.body.size)) solid.add(inode);
        const runs = bodyRuns(inode.body, blockSize, noHoles);
        let blocks = 0;
        for (const [, n] of runs) blocks += n;
        contentBlocks += blocks + mappingBlocks(runs);
        break;
      }
      case 'dir': {
        const lens: number[] = [];
        for (const name of inode.children!.keys()) {
          const n = Buffer.byteLength(name, 'utf8');
          if (n > 255) throw inputError(`${path === '/' ? '' : path}/${name}: name longer than 255 bytes`, 'ext4 names are at most 255 bytes');
          lens.push(n);
        }
        if (inode === root && !lf) lens.push(LOST_FOUND.length);
        let blocks = countLeaves([1, 2, ...lens], blockSize, csum);
        if (blocks > 1 && dirIndex) blocks = htreeBlockCount(lens, blockSize, csum);
        if (inode === lf) blocks = Math.max(blocks, lostFoundBlocks(blockSize));
        if (!features.names.has('dir_nlink') && links.at(ino) > MAX_LINKS) {
          throw inputError(`${path}: more than ${MAX_LINKS - 2} subdirectories`, 'this needs the dir_nlink feature (--features ext4)');
        }
        contentBlocks += blocks + mappingBlocks([[0, blocks]]);
        break;
      }
      case 'symlink': {
        const n = Buffer.byteLength(inode.linkTarget ?? '', 'utf8');
        if (n >= blockSize) throw inputError(`${path}: symlink target of ${n} bytes is longer than a block`);
        if (n >= 60) contentBlocks += 1;
        break;
      }
      default:
        break;
    }
    if (inode.xattrs.size) {
      const entries = toXattrEntries(inode.xattrs, path);
      const { block } = splitXattrs(entries, inlineSpace);
      if (block.length) {
        if (!features.names.has('ext_attr')) throw inputError(`${path}: has extended attributes but the ext_attr feature is off`);
        if (!fitsXattrBlock(block, blockSize)) throw inputError(`${path}: extended attributes do not fit one ${blockSize}-byte block`, 'ext4 without ea_inode stores at most one block of them');
        const key = xattrSetKey(block);
        const refs = xattrBlockRefs.get(key) ?? 0;
        if (refs === 0) contentBlocks += 1;
        xattrBlockRefs.set(key, refs + 1);
      }
    }
  }
  const lastIno = Math.max(FIRST_INO, next - 1);
  return { features, blockSize, inodeSize, numbers, ordered, links: links.data, parents: parents.data, lostFound: lf, lastIno, contentBlocks, xattrBlockRefs, files, bytes, solid };
}

/** The journal's blocks plus what addresses them (extent tree or pointer blocks). */
function journalFootprint(plan: Ext4Plan, options: Ext4Options, blocksCount: number): number {
  const j = journalBlocks(plan, options, blocksCount);
  if (j === 0) return 0;
  if (!plan.features.names.has('extent')) return j + blockMapMetaBlocks([[0, j]], plan.blockSize);
  return j + extentTreeBlocks(extentUpperBound(j, plan.blockSize * 8), plan.blockSize);
}

/** The journal size in blocks for a filesystem of `blocksCount` blocks. */
export function journalBlocks(plan: Ext4Plan, options: Ext4Options, blocksCount: number): number {
  if (!plan.features.names.has('has_journal') || options.journalSize === 'none') return 0;
  if (options.journalSize === undefined) return defaultJournalBlocks(blocksCount);
  const blocks = Math.ceil(options.journalSize / plan.blockSize);
  if (blocks < MIN_JOURNAL_BLOCKS) throw inputError(`--journal-size ${options.journalSize}: a journal needs at least ${MIN_JOURNAL_BLOCKS} blocks (${(MIN_JOURNAL_BLOCKS * plan.blockSize) / 1048576} MiB)`, 'give a bigger size or "none"');
  return blocks;
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a * b) / gcd(a, b);
}

/** Inodes per group for `blocksCount` blocks: from --inodes or the ratio, at least `minInodes` in total. */
function inodesPerGroup(plan: Ext4Plan, options: Ext4Options, blocksCount: number, minInodes: number): number {
  const groups = Math.ceil((blocksCount - (plan.blockSize === 1024 ? 1 : 0)) / (plan.blockSize * 8));
  const ratio = options.inodeRatio ?? 16384;
  const wanted = Math.max(options.inodes ?? Math.floor((blocksCount * plan.blockSize) / ratio), minInodes, FIRST_INO + 5);
  const unit = lcm(plan.blockSize / plan.inodeSize, 8);
  return Math.ceil(Math.ceil(wanted / groups) / unit) * unit;
}

/** Lays out a filesystem of `blocksCount` blocks for this plan (no fitting check). */
export function layoutFor(plan: Ext4Plan, options: Ext4Options, blocksCount: number, minInodes = 0): Geometry {
  const ipg = inodesPerGroup(plan, options, blocksCount, minInodes);
  if (ipg > plan.blockSize * 8) {
    throw inputError(`ext4: ${ipg} inodes per group is more than a group can hold (${plan.blockSize * 8})`, 'too many inodes for this size: use a bigger --size or fewer --inodes');
  }
  const n = plan.features.names;
  return computeGeometry({
    blockSize: plan.blockSize,
    blocksCount,
    inodeSize: plan.inodeSize,
    inodesPerGroup: ipg,
    sparseSuper: n.has('sparse_super'),
    flexBg: n.has('flex_bg'),
    resizeInode: n.has('resize_inode'),
    is64bit: n.has('64bit'),
  });
}

const MiB = 1048576;
const mib = (blocks: number, blockSize: number) => Math.ceil((blocks * blockSize) / MiB);

/** Refuses a geometry the content does not fit, naming both sizes. */
export function checkFits(plan: Ext4Plan, options: Ext4Options, geo: Geometry): void {
  const need = geo.metadataBlocks + journalFootprint(plan, options, geo.blocksCount) + plan.contentBlocks;
  if (need > geo.blocksCount) {
    throw inputError(`ext4: the content needs ${mib(need, plan.blockSize)} MiB, the filesystem has ${mib(geo.blocksCount, plan.blockSize)} MiB`, 'use a bigger --size (or none, to size it automatically)');
  }
  if (plan.lastIno > geo.inodesCount) {
    throw inputError(`ext4: the content needs ${plan.lastIno} inodes, the filesystem has ${geo.inodesCount}`, 'too many inodes: raise --inodes, lower --inode-ratio or use a bigger --size');
  }
}

/** Inodes to have at least: the content's plus 10% when --inodes is not given (0 when it is). */
export function minInodesFor(plan: Ext4Plan, options: Ext4Options): number {
  return options.inodes === undefined ? Math.ceil(plan.lastIno * 1.1) + 16 : 0;
}

/** Headroom blocks for the automatic size. */
function headroom(plan: Ext4Plan, options: Ext4Options): number {
  const extra = options.extra ?? '10%';
  if (typeof extra === 'number') return Math.ceil(extra / plan.blockSize);
  const m = /^(\d+(?:\.\d+)?)%$/.exec(extra.trim());
  if (!m) throw inputError(`--extra "${extra}": give a size or a percentage such as 10%`);
  return Math.ceil((plan.contentBlocks * Number(m[1])) / 100);
}

/**
 * The automatic size in bytes: the smallest filesystem (in whole MiB) that holds the content, its
 * metadata and journal, plus the headroom.
 */
export function autoSize(plan: Ext4Plan, options: Ext4Options): number {
  const bs = plan.blockSize;
  const align = Math.max(1, MiB / bs);
  const room = headroom(plan, options);
  const minInodes = minInodesFor(plan, options);
  let blocks = Math.ceil((plan.contentBlocks + room + 64) / align) * align;
  for (let i = 0; i < 100; i++) {
    let geo: Geometry;
    try {
      geo = layoutFor(plan, options, blocks, minInodes);
    } catch {
      blocks = Math.ceil((blocks * 2) / align) * align; // metadata or inodes outgrow it: grow geometrically
      continue;
    }
    const need = geo.metadataBlocks + journalFootprint(plan, options, geo.blocksCount) + plan.contentBlocks + room;
    if (need <= geo.blocksCount && geo.blocksCount === blocks && plan.lastIno <= geo.inodesCount) return blocks * bs;
    blocks = Math.max(blocks + align, Math.ceil(need / align) * align);
  }
  throw inputError('ext4: could not find a size for the content', 'give --size');
}
