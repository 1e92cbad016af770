/**
 * The ext4 writer: lays a FileTree into a Disk window as an ext4 filesystem that e2fsck calls clean.
 * Order of work: plan (inode numbers, sizes) → geometry → allocate and write, inode by inode in number
 * order (file data streamed through a reusable buffer, inode tables flushed group by group) → bitmaps,
 * group descriptors and superblocks (primary and backups) last. Bytes go only through the Disk.
 */
import type { Disk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { deriveBytes, deriveUuid } from '../../seed.js';
import { BodyReader, MODE_TYPE_BITS, type FileTree, type Inode } from '../../tree/index.js';
import { BlockAllocator } from './allocator.js';
import { BlockWriter } from './block-writer.js';
import {
  BG_FLAG,
  CHECKSUM_CRC32C,
  COMPAT,
  DEFAULT_MOUNT_OPTS,
  DIR_FT,
  EXTRA_ISIZE,
  FIRST_INO,
  FLAGS_SIGNED_HASH,
  HASH_HALF_MD4,
  HASH_TEA,
  INODE_FLAG,
  JNL_BACKUP_BLOCKS,
  JOURNAL_INO,
  RESIZE_INO,
  ROOT_INO,
  SUPERBLOCK_OFFSET,
} from './constants.js';
import { crc32cRaw, inodeCsumSeed } from './crc32c.js';
import { dirHasher } from './dirhash.js';
import { buildHtree, fitsOneBlock, packLeaves, type DirEntry } from './directory.js';
import { bitmapChecksum, encodeBlockBitmap, encodeInodeBitmap } from './bitmap.js';
import { buildBlockMap } from './blockmap.js';
import { buildExtentTree, extentTreeBlocks, type Extent } from './extents.js';
import type { Geometry } from './geometry.js';
import { encodeGroupDescriptor } from './group-descriptor.js';
import { deviceIBlock, encodeInode, inlineXattrSpace, type InodeFields, type Time } from './inode.js';
import { encodeJournalSuperblock } from './journal.js';
import { bodyRuns, checkFits, journalBlocks, layoutFor, lostFoundBlocks, minInodesFor, planExt4, type Ext4Options, type Ext4Plan } from './planner.js';
import { encodeSuperblock } from './superblock.js';
import { encodeInlineXattrs, encodeXattrBlock, splitXattrs, toXattrEntries, xattrSetKey } from './xattr.js';

export interface Ext4Result {
  blockSize: number;
  blocksCount: number;
  blocksUsed: number;
  inodesCount: number;
  inodesUsed: number;
  files: number;
  bytes: number;
  uuid: string;
  /** Physical extents of a regular file (SYSLINUX needs its block list), or undefined. */
  blockMap(path: string): Extent[] | undefined;
}

const utf8 = new TextEncoder();
const CHUNK = 1024 * 1024;
const MAX_LINKS = 65000;
/** Shared, never written to: inodes without i_block content or in-inode xattrs. */
const NO_BLOCKS = new Uint8Array(60);
const NO_XATTRS = new Uint8Array(0);

const FILE_TYPES: Record<Inode['type'], number> = {
  file: DIR_FT.file,
  dir: DIR_FT.dir,
  char: DIR_FT.char,
  block: DIR_FT.block,
  fifo: DIR_FT.fifo,
  socket: DIR_FT.socket,
  symlink: DIR_FT.symlink,
};

function parseUuid(text: string, what = '--uuid'): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw inputError(`${what} "${text}" is not a UUID`, 'write it as 8-4-4-4-12 hex digits');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function formatUuid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Writes inodes into per-group buffers, flushing a group's used part when the next group starts. */
class InodeTables {
  private readonly buf: Uint8Array;
  private group = 0;
  private used = 0;

  constructor(
    private readonly geo: Geometry,
    private readonly disk: Disk,
    private readonly csumSeed: number | undefined,
  ) {
    this.buf = new Uint8Array(geo.inodesPerGroup * geo.inodeSize);
  }

  put(ino: number, f: InodeFields): void {
    const g = Math.floor((ino - 1) / this.geo.inodesPerGroup);
    if (g !== this.group) {
      this.flush();
      this.group = g;
    }
    const index = (ino - 1) % this.geo.inodesPerGroup;
    encodeInode(f, this.geo.inodeSize, ino, this.csumSeed, this.buf, index * this.geo.inodeSize);
    this.used = Math.max(this.used, index + 1);
  }

  flush(): void {
    if (this.used === 0) return;
    const bytes = Math.ceil((this.used * this.geo.inodeSize) / this.geo.blockSize) * this.geo.blockSize;
    this.disk.write(this.geo.groups[this.group]!.inodeTable * this.geo.blockSize, this.buf.subarray(0, bytes));
    this.buf.fill(0, 0, bytes);
    this.used = 0;
  }
}

/** Writes `tree` as ext4 into `disk` (a whole partition: the filesystem fills it). */
export function writeExt4(disk: Disk, tree: FileTree, options: Ext4Options, plan: Ext4Plan = planExt4(tree, options)): Ext4Result {
  // File data goes through one BlockWriter (with a write-behind thread for big images): it must be
  // closed (everything on the Disk) before the result is used, and stopped on any error.
  const out = new BlockWriter(disk, plan.blockSize, plan.bytes);
  try {
    return writeExt4Through(out, disk, tree, options, plan);
  } catch (e) {
    out.abandon();
    throw e;
  }
}

function writeExt4Through(out: BlockWriter, disk: Disk, tree: FileTree, options: Ext4Options, plan: Ext4Plan): Ext4Result {
  const bs = plan.blockSize;
  const names = plan.features.names;
  const geo = layoutFor(plan, options, Math.floor(disk.size / bs), minInodesFor(plan, options));
  checkFits(plan, options, geo);
  if (!names.has('extent') && geo.blocksCount > 0xffffffff) throw inputError(`ext4: ${geo.blocksCount} blocks cannot be addressed by block maps`, 'keep the extent feature for filesystems over 16 TiB');

  const uuid = options.uuid ? parseUuid(options.uuid) : parseUuid(deriveUuid(options.seed, 'ext4 uuid'));
  const hashSeed = options.hashSeed ? parseUuid(options.hashSeed, '--hash-seed') : deriveBytes(options.seed, 'ext4 hash seed', 16);
  const label = utf8.encode(options.label ?? '');
  if (label.length > 16) throw inputError(`--label "${options.label}" is longer than 16 bytes`, 'ext4 labels hold at most 16 bytes');
  const csumSeed = names.has('metadata_csum') ? crc32cRaw(0xffffffff, uuid) : undefined;
  const seedFor = (ino: number) => (csumSeed === undefined ? undefined : inodeCsumSeed(csumSeed, ino, 0));
  const hashVersion = options.hashAlgorithm === 'tea' ? HASH_TEA : HASH_HALF_MD4;
  const hasher = dirHasher(hashVersion, hashSeed, false);
  const fsTime: Time = { sec: options.time, nsec: 0 };

  const alloc = new BlockAllocator(geo.metadataRuns, geo.firstDataBlock, geo.blocksCount);
  const tables = new InodeTables(geo, disk, csumSeed);
  const reader = new BodyReader();
  const inlineSpace = inlineXattrSpace(geo.inodeSize);
  const sharedXattrBlocks = new Map<string, number>();
  // Where files went, for blockMap: one extent per file in typed arrays, more in a map.
  const firstPhysical = new Float64Array(plan.lastIno + 1);
  const firstLength = new Uint32Array(plan.lastIno + 1);
  const moreExtents = new Map<number, Extent[]>();
  const dirsPerGroup = new Array<number>(geo.groupCount).fill(0);
  let bytesDone = 0;

  const useExtents = names.has('extent');
  const mappedFlag = useExtents ? INODE_FLAG.extents : 0;
  /**
   * Allocates what addresses `extents` (an extent tree, or ext2/3 pointer blocks), writes it, returns
   * i_block and the number of blocks it took.
   */
  const extentRoot = (ino: number, extents: Extent[]) => {
    if (!useExtents) {
      const map = buildBlockMap(extents, bs, () => alloc.one());
      for (const b of map.blocks) out.write(b.block, b.bytes);
      return { iBlock: map.iBlock, treeBlocks: map.blocks.length };
    }
    const count = extentTreeBlocks(extents.length, bs);
    const treeBlocks: number[] = [];
    for (let k = 0; k < count; k++) treeBlocks.push(alloc.one());
    const t = buildExtentTree(extents, treeBlocks, bs, seedFor(ino));
    for (const b of t.blocks) out.write(b.block, b.bytes);
    return { iBlock: t.root, treeBlocks: count };
  };

  const base = (mode: number, t: Time): InodeFields => ({
    mode,
    uid: 0,
    gid: 0,
    size: 0,
    atime: t,
    ctime: t,
    mtime: t,
    crtime: fsTime,
    links: 0,
    sectors: 0,
    flags: 0,
    iBlock: NO_BLOCKS,
    generation: 0,
    fileAcl: 0,
    inlineXattrs: NO_XATTRS,
  });

  // Reserved inodes are written zeroed (mke2fs leaves i_extra_isize 0 in them), inode 1 with times.
  const reserved = (ino: number, t: Time) => tables.put(ino, { ...base(0, t), crtime: { sec: 0, nsec: 0 }, extraIsize: 0 });

  // 1. Resize inode's double-indirect block and the journal come first, right after the metadata.
  const resizeDind = names.has('resize_inode') ? alloc.one() : 0;
  const jBlocks = journalBlocks(plan, options, geo.blocksCount);
  let journal: { iBlock: Uint8Array; treeBlocks: number } | undefined;
  if (jBlocks > 0) {
    const extents = alloc.allocate(0, jBlocks);
    out.write(extents[0]!.physical, encodeJournalSuperblock(bs, jBlocks, uuid));
    journal = extentRoot(JOURNAL_INO, extents);
  }

  // 2. Directories and files, in inode-number order.
  const writeDir = (ino: number, parentIno: number, children: DirEntry[], minBlocks: number) => {
    const seed = seedFor(ino);
    const dot: DirEntry = { name: utf8.encode('.'), inode: ino, fileType: DIR_FT.dir };
    const dotdot: DirEntry = { name: utf8.encode('..'), inode: parentIno, fileType: DIR_FT.dir };
    const indexed = names.has('dir_index') && !fitsOneBlock(children.map((c) => c.name.length), bs, seed !== undefined);
    // An htree orders entries by hash; a linear directory by name (byte order), for reproducible listings.
    const blocks = indexed
      ? buildHtree(children, { blockSize: bs, hashVersion, hasher, csumSeed: seed, self: ino, parent: parentIno })
      : packLeaves([dot, dotdot, ...children.sort((a, b) => Buffer.compare(a.name, b.name))], bs, seed);
    // lost+found gets spare empty blocks (only when linear: an htree has no unindexed leaves).
    while (!indexed && blocks.length < minBlocks) blocks.push(packLeaves([], bs, seed)[0]!);
    const extents = alloc.allocate(0, blocks.length);
    let k = 0;
    for (const e of extents) for (let i = 0; i < e.length; i++) out.write(e.physical + i, blocks[k++]!);
    const root = extentRoot(ino, extents);
    return { size: blocks.length * bs, blocks: blocks.length + root.treeBlocks, iBlock: root.iBlock, indexed };
  };

  const childEntries = (dir: Inode): DirEntry[] => {
    const entries: DirEntry[] = [];
    for (const [name, child] of dir.children!) entries.push({ name: Buffer.from(name, 'utf8'), inode: plan.numbers.get(child)!, fileType: FILE_TYPES[child.type] });
    return entries;
  };

  /** What a content writer hands back for the inode: i_size, i_block, i_flags and blocks used. */
  type Content = { size: number; iBlock: Uint8Array; flags: number; blocks: number };

  const dirContent = (ino: number, dir: Inode): Content => {
    const children = childEntries(dir);
    if (ino === ROOT_INO && !plan.lostFound) children.push({ name: utf8.encode('lost+found'), inode: FIRST_INO, fileType: DIR_FT.dir });
    const d = writeDir(ino, plan.parents[ino] || ROOT_INO, children, ino === FIRST_INO ? lostFoundBlocks(bs) : 1);
    dirsPerGroup[Math.floor((ino - 1) / geo.inodesPerGroup)]!++;
    return { size: d.size, iBlock: d.iBlock, flags: mappedFlag | (d.indexed ? INODE_FLAG.index : 0), blocks: d.blocks };
  };

  /** Streams a body to its blocks (holes stay unallocated unless noHoles) and records where it went. */
  const fileContent = (ino: number, inode: Inode): Content => {
    const body = inode.body;
    const size = body?.size ?? 0;
    const extents: Extent[] = [];
    for (const [logical, count] of bodyRuns(body, bs, plan.solid.has(inode))) extents.push(...alloc.allocate(logical, count));
    let blocks = 0;
    // A body that is one run of data (no holes) fills every byte it is read into: no zeroing first.
    const segments = body?.segments ?? [];
    const dense = segments.length === 1 && segments[0]!.offset === 0 && segments[0]!.length === size;
    for (const e of extents) {
      const end = Math.min((e.logical + e.length) * bs, size);
      for (let off = e.logical * bs; off < end; off += CHUNK) {
        const length = Math.min(CHUNK, end - off);
        out.placeBody(e.physical + (off - e.logical * bs) / bs, body!, off, length, dense, reader);
        bytesDone += length;
      }
      blocks += e.length;
    }
    const root = extentRoot(ino, extents);
    if (extents.length === 1 && extents[0]!.logical === 0) {
      firstPhysical[ino] = extents[0]!.physical;
      firstLength[ino] = extents[0]!.length;
    } else if (extents.length > 0) moreExtents.set(ino, extents);
    options.onProgress?.(bytesDone, plan.bytes);
    return { size, iBlock: root.iBlock, flags: mappedFlag, blocks: blocks + root.treeBlocks };
  };

  /** A fast symlink keeps its target in i_block (< 60 bytes); a slow one in a data block. */
  const symlinkContent = (ino: number, inode: Inode): Content => {
    const target = utf8.encode(inode.linkTarget ?? '');
    if (target.length < 60) {
      const iBlock = new Uint8Array(60);
      iBlock.set(target);
      return { size: target.length, iBlock, flags: 0, blocks: 0 };
    }
    const extents = alloc.allocate(0, 1);
    out.write(extents[0]!.physical, target);
    const root = extentRoot(ino, extents);
    return { size: target.length, iBlock: root.iBlock, flags: mappedFlag, blocks: 1 + root.treeBlocks };
  };

  /** In-inode xattrs, and the (shared) xattr block for those that do not fit. */
  const xattrFields = (inode: Inode, path: string): { inlineXattrs: Uint8Array; fileAcl: number } => {
    const split = splitXattrs(toXattrEntries(inode.xattrs, path), inlineSpace);
    const inlineXattrs = encodeInlineXattrs(split.inline, inlineSpace);
    if (split.block.length === 0) return { inlineXattrs, fileAcl: 0 };
    const key = xattrSetKey(split.block);
    let block = sharedXattrBlocks.get(key);
    if (block === undefined) {
      block = alloc.one();
      out.write(block, encodeXattrBlock(split.block, bs, plan.xattrBlockRefs.get(key) ?? 1, block, csumSeed));
      sharedXattrBlocks.set(key, block);
    }
    return { inlineXattrs, fileAcl: block };
  };

  const putTreeInode = (ino: number, inode: Inode) => {
    // Paths are not kept per inode (memory); the planner already refused bad xattrs by path.
    const path = `inode ${ino}`;
    const f = base(MODE_TYPE_BITS[inode.type] | (inode.mode & 0o7777), inode.mtime);
    f.atime = inode.atime;
    f.ctime = inode.ctime;
    f.uid = inode.uid;
    f.gid = inode.gid;
    f.links = plan.links[ino] ?? 1;
    let content: Content | undefined;
    if (inode.type === 'dir') {
      content = dirContent(ino, inode);
      if (f.links > MAX_LINKS) f.links = 1; // dir_nlink: "too many to count"
    } else if (inode.type === 'file') content = fileContent(ino, inode);
    else if (inode.type === 'symlink') content = symlinkContent(ino, inode);
    else if (inode.type === 'char' || inode.type === 'block') f.iBlock = deviceIBlock(inode.rdevMajor, inode.rdevMinor);
    let blocks = 0;
    if (content) {
      f.size = content.size;
      f.iBlock = content.iBlock;
      f.flags = content.flags;
      blocks = content.blocks;
    }
    if (inode.xattrs.size) {
      const x = xattrFields(inode, path);
      f.inlineXattrs = x.inlineXattrs;
      f.fileAcl = x.fileAcl;
      if (x.fileAcl) blocks += 1;
    }
    f.sectors = blocks * (bs / 512);
    tables.put(ino, f);
  };

  reserved(1, fsTime);
  putTreeInode(ROOT_INO, tree.root);
  for (let ino = 3; ino <= 10; ino++) {
    if (ino === RESIZE_INO && resizeDind) tables.put(ino, resizeInode(geo, resizeDind, fsTime, base));
    else if (ino === JOURNAL_INO && journal) {
      tables.put(ino, { ...base(0o100600, fsTime), size: jBlocks * bs, links: 1, sectors: (jBlocks + journal.treeBlocks) * (bs / 512), flags: mappedFlag, iBlock: journal.iBlock });
    } else reserved(ino, { sec: 0, nsec: 0 });
  }
  if (plan.lostFound) putTreeInode(FIRST_INO, plan.lostFound);
  else {
    const d = writeDir(FIRST_INO, ROOT_INO, [], lostFoundBlocks(bs));
    tables.put(FIRST_INO, { ...base(0o40700, fsTime), size: d.size, links: 2, sectors: d.blocks * (bs / 512), flags: mappedFlag, iBlock: d.iBlock });
    dirsPerGroup[0]!++;
  }
  plan.ordered.forEach((inode, k) => putTreeInode(FIRST_INO + 1 + k, inode));
  reader.close();
  tables.flush();

  // 3. The resize inode's indirect blocks (the primary reserved GDT blocks list their backups).
  if (resizeDind) writeResizeBlocks(geo, resizeDind, out);

  // 4. Bitmaps, descriptors, superblocks.
  const csum = csumSeed !== undefined;
  // Block 0 of a 1 KiB-block filesystem lies before the first group; mke2fs and e2fsck count it as used.
  const usedBlocks = geo.firstDataBlock + writeBitmapsAndDescriptors(geo, alloc.next, plan.lastIno, dirsPerGroup, csumSeed, out);
  const jnl = new Uint32Array(17);
  if (journal) {
    const words = new DataView(journal.iBlock.buffer, journal.iBlock.byteOffset, 60);
    for (let i = 0; i < 15; i++) jnl[i] = words.getUint32(4 * i, true);
    jnl[15] = Math.floor((jBlocks * bs) / 0x1_0000_0000);
    jnl[16] = (jBlocks * bs) % 0x1_0000_0000;
  }
  const extra = geo.inodeSize > 128 ? EXTRA_ISIZE : 0; // set even without extra_isize, as mke2fs does
  const sb = {
    inodesCount: geo.inodesCount,
    blocksCount: geo.blocksCount,
    reservedBlocksCount: Math.floor((geo.blocksCount * (options.reservedPercent ?? 5)) / 100),
    freeBlocksCount: geo.blocksCount - usedBlocks,
    freeInodesCount: geo.inodesCount - plan.lastIno,
    firstDataBlock: geo.firstDataBlock,
    logBlockSize: Math.log2(bs) - 10,
    blocksPerGroup: geo.blocksPerGroup,
    inodesPerGroup: geo.inodesPerGroup,
    time: options.time,
    firstIno: FIRST_INO,
    inodeSize: geo.inodeSize,
    blockGroupNr: 0,
    compat: jBlocks ? plan.features.compat : plan.features.compat & ~COMPAT.has_journal, // too small for a journal: none, as mke2fs
    incompat: plan.features.incompat,
    roCompat: plan.features.roCompat,
    uuid,
    volumeName: label,
    reservedGdtBlocks: geo.reservedGdtBlocks,
    journalInum: jBlocks ? JOURNAL_INO : 0,
    hashSeed,
    defHashVersion: hashVersion,
    jnlBackupType: jBlocks ? JNL_BACKUP_BLOCKS : 0,
    descSize: geo.descSize === 64 ? 64 : 0,
    defaultMountOpts: DEFAULT_MOUNT_OPTS,
    jnlBlocks: jnl,
    minExtraIsize: extra,
    wantExtraIsize: extra,
    flags: FLAGS_SIGNED_HASH,
    logGroupsPerFlex: geo.logGroupsPerFlex,
    checksumType: csum ? CHECKSUM_CRC32C : 0,
    kbytesWritten: 0,
    overheadClusters: 0,
    metadataCsum: csum,
  };
  out.close();
  for (let g = 0; g < geo.groupCount; g++) {
    const group = geo.groups[g]!;
    if (!group.hasSuper) continue;
    const bytes = encodeSuperblock({ ...sb, blockGroupNr: g });
    disk.write(g === 0 ? SUPERBLOCK_OFFSET : group.start * bs, bytes);
  }
  const result: Ext4Result = {
    blockSize: bs,
    blocksCount: geo.blocksCount,
    blocksUsed: usedBlocks,
    inodesCount: geo.inodesCount,
    inodesUsed: plan.lastIno,
    files: plan.files,
    bytes: plan.bytes,
    uuid: formatUuid(uuid),
    blockMap(path: string) {
      const inode = tree.lookup(path);
      const ino = inode?.type === 'file' ? plan.numbers.get(inode) : undefined;
      if (ino === undefined) return undefined;
      const more = moreExtents.get(ino);
      if (more) return more.map((e) => ({ ...e }));
      return firstLength[ino] ? [{ logical: 0, physical: firstPhysical[ino]!, length: firstLength[ino]! }] : [];
    },
  };
  return result;
}

/**
 * The resize inode (7): mode 0600, i_block[13] = its double-indirect block; the file "covers" the
 * reserved GDT blocks and their backups (e2fsprogs res_gdt.c layout, which e2fsck checks).
 */
function resizeInode(geo: Geometry, dind: number, t: Time, base: (mode: number, t: Time) => InodeFields): InodeFields {
  const apb = geo.blockSize / 4;
  const backups = geo.groups.filter((g, i) => i > 0 && g.hasSuper).length;
  const iBlock = new Uint8Array(60);
  new DataView(iBlock.buffer).setUint32(13 * 4, dind, true);
  return {
    ...base(0o100600, t),
    links: 1,
    size: (apb * apb + apb + 12) * geo.blockSize,
    sectors: (1 + geo.reservedGdtBlocks * (1 + backups)) * (geo.blockSize / 512),
    iBlock,
  };
}

function writeResizeBlocks(geo: Geometry, dindBlock: number, out: BlockWriter): void {
  const bs = geo.blockSize;
  const apb = bs / 4;
  const dind = new Uint8Array(bs);
  const dv = new DataView(dind.buffer);
  const primary = geo.firstDataBlock + 1 + geo.descBlocks;
  for (let i = 0; i < geo.reservedGdtBlocks; i++) {
    const pblk = primary + i;
    dv.setUint32(((geo.descBlocks + i) % apb) * 4, pblk, true);
    const ind = new Uint8Array(bs);
    const iv = new DataView(ind.buffer);
    let k = 0;
    for (let g = 1; g < geo.groupCount; g++) if (geo.groups[g]!.hasSuper) iv.setUint32(4 * k++, pblk + g * geo.blocksPerGroup, true);
    out.write(pblk, ind);
  }
  out.write(dindBlock, dind);
}

/** The metadata runs that meet [start, end), relative to start. */
function runsWithin(runs: readonly [number, number][], first: number, start: number, end: number): { list: [number, number][]; next: number } {
  let i = first;
  while (i < runs.length && runs[i]![1] <= start) i++;
  const list: [number, number][] = [];
  for (let r = i; r < runs.length && runs[r]![0] < end; r++) list.push([runs[r]![0] - start, runs[r]![1] - start]);
  return { list, next: i };
}

/**
 * Writes every group's bitmaps (block bitmaps first, then inode bitmaps: each kind is contiguous per
 * flex group, so the writes coalesce) and the descriptor tables with their copies; returns the total of
 * used blocks. Memory stays one block per bitmap kind, whatever the number of groups.
 */
function writeBitmapsAndDescriptors(geo: Geometry, cursor: number, lastIno: number, dirsPerGroup: number[], csumSeed: number | undefined, out: BlockWriter): number {
  const bs = geo.blockSize;
  const ipg = geo.inodesPerGroup;
  const csum = csumSeed !== undefined;
  const scratch = new Uint8Array(bs);
  const freeBlocks = new Float64Array(geo.groupCount);
  const blockCsums = new Uint32Array(geo.groupCount);
  let usedTotal = 0;
  let run = 0;
  for (let g = 0; g < geo.groupCount; g++) {
    const grp = geo.groups[g]!;
    const { list, next } = runsWithin(geo.metadataRuns, run, grp.start, grp.start + grp.blocks);
    run = next;
    const used = encodeBlockBitmap(scratch, grp.blocks, cursor - grp.start, list);
    usedTotal += used;
    freeBlocks[g] = grp.blocks - used;
    if (csum) blockCsums[g] = bitmapChecksum(csumSeed, scratch, geo.blocksPerGroup);
    out.write(grp.blockBitmap, scratch);
  }
  const gdt = new Uint8Array(geo.descBlocks * bs);
  for (let g = 0; g < geo.groupCount; g++) {
    const grp = geo.groups[g]!;
    const usedInodes = Math.max(0, Math.min(ipg, lastIno - g * ipg));
    encodeInodeBitmap(scratch, ipg, usedInodes);
    out.write(grp.inodeBitmap, scratch);
    encodeGroupDescriptor(
      {
        blockBitmap: grp.blockBitmap,
        inodeBitmap: grp.inodeBitmap,
        inodeTable: grp.inodeTable,
        freeBlocks: freeBlocks[g]!,
        freeInodes: ipg - usedInodes,
        usedDirs: dirsPerGroup[g] ?? 0,
        flags: csum && usedInodes === 0 ? BG_FLAG.inodeUninit : 0,
        itableUnused: csum ? ipg - usedInodes : 0,
        blockBitmapCsum: blockCsums[g]!,
        inodeBitmapCsum: csum ? bitmapChecksum(csumSeed, scratch, ipg) : 0,
      },
      g,
      geo.descSize,
      csumSeed,
      gdt,
      g * geo.descSize,
    );
  }
  for (let g = 0; g < geo.groupCount; g++) if (geo.groups[g]!.hasSuper) out.write(geo.groups[g]!.start + 1, gdt);
  return usedTotal;
}
