/**
 * The ext4 superblock (kernel Documentation/filesystems/ext4/super.rst; e2fsprogs ext2_fs.h
 * `struct ext2_super_block`): 1024 bytes at byte 1024 of the filesystem, copied (with its group
 * number) into every backup group. Pure codec.
 */
import { SUPERBLOCK_SIZE, EXT4_MAGIC } from './constants.js';
import { crc32cRaw } from './crc32c.js';

// Offsets inside the superblock (super.rst table).
const S_INODES_COUNT = 0x0;
const S_BLOCKS_COUNT_LO = 0x4;
const S_R_BLOCKS_COUNT_LO = 0x8;
const S_FREE_BLOCKS_COUNT_LO = 0xc;
const S_FREE_INODES_COUNT = 0x10;
const S_FIRST_DATA_BLOCK = 0x14;
const S_LOG_BLOCK_SIZE = 0x18;
const S_LOG_CLUSTER_SIZE = 0x1c;
const S_BLOCKS_PER_GROUP = 0x20;
const S_CLUSTERS_PER_GROUP = 0x24;
const S_INODES_PER_GROUP = 0x28;
const S_MTIME = 0x2c;
const S_WTIME = 0x30;
const S_MAX_MNT_COUNT = 0x36;
const S_MAGIC = 0x38;
const S_STATE = 0x3a;
const S_ERRORS = 0x3c;
const S_LASTCHECK = 0x40;
const S_REV_LEVEL = 0x4c;
const S_FIRST_INO = 0x54;
const S_INODE_SIZE = 0x58;
const S_BLOCK_GROUP_NR = 0x5a;
const S_FEATURE_COMPAT = 0x5c;
const S_FEATURE_INCOMPAT = 0x60;
const S_FEATURE_RO_COMPAT = 0x64;
const S_UUID = 0x68;
const S_VOLUME_NAME = 0x78;
const S_RESERVED_GDT_BLOCKS = 0xce;
const S_JOURNAL_INUM = 0xe0;
const S_HASH_SEED = 0xec;
const S_DEF_HASH_VERSION = 0xfc;
const S_JNL_BACKUP_TYPE = 0xfd;
const S_DESC_SIZE = 0xfe;
const S_DEFAULT_MOUNT_OPTS = 0x100;
const S_MKFS_TIME = 0x108;
const S_JNL_BLOCKS = 0x10c; // 17 × u32
const S_BLOCKS_COUNT_HI = 0x150;
const S_R_BLOCKS_COUNT_HI = 0x154;
const S_FREE_BLOCKS_COUNT_HI = 0x158;
const S_MIN_EXTRA_ISIZE = 0x15c;
const S_WANT_EXTRA_ISIZE = 0x15e;
const S_FLAGS = 0x160;
const S_LOG_GROUPS_PER_FLEX = 0x174;
const S_CHECKSUM_TYPE = 0x175;
const S_KBYTES_WRITTEN = 0x178;
const S_OVERHEAD_CLUSTERS = 0x248;
const S_WTIME_HI = 0x274;
const S_MTIME_HI = 0x275;
const S_MKFS_TIME_HI = 0x276;
const S_LASTCHECK_HI = 0x277;
const S_CHECKSUM = 0x3fc;

const STATE_CLEAN = 1;
const ERRORS_CONTINUE = 1;
const REV_DYNAMIC = 1;

export interface Superblock {
  inodesCount: number;
  blocksCount: number;
  reservedBlocksCount: number;
  freeBlocksCount: number;
  freeInodesCount: number;
  firstDataBlock: number;
  /** log2(blockSize) - 10 */
  logBlockSize: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  /** Seconds since the epoch: mkfs, write and last-check time. */
  time: number;
  firstIno: number;
  inodeSize: number;
  blockGroupNr: number;
  compat: number;
  incompat: number;
  roCompat: number;
  uuid: Uint8Array; // 16
  volumeName: Uint8Array; // ≤ 16
  reservedGdtBlocks: number;
  journalInum: number;
  hashSeed: Uint8Array; // 16
  defHashVersion: number;
  jnlBackupType: number;
  descSize: number;
  defaultMountOpts: number;
  /** Copy of the journal inode's i_block (15 words), then i_size_high, i_size. */
  jnlBlocks: Uint32Array; // 17
  minExtraIsize: number;
  wantExtraIsize: number;
  flags: number;
  logGroupsPerFlex: number;
  checksumType: number;
  kbytesWritten: number;
  overheadClusters: number;
  metadataCsum: boolean;
}

function setU64Split(v: DataView, lo: number, hi: number, value: number): void {
  v.setUint32(lo, value % 0x1_0000_0000, true);
  v.setUint32(hi, Math.floor(value / 0x1_0000_0000), true);
}

export function encodeSuperblock(sb: Superblock): Uint8Array {
  const out = new Uint8Array(SUPERBLOCK_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(S_INODES_COUNT, sb.inodesCount, true);
  setU64Split(v, S_BLOCKS_COUNT_LO, S_BLOCKS_COUNT_HI, sb.blocksCount);
  setU64Split(v, S_R_BLOCKS_COUNT_LO, S_R_BLOCKS_COUNT_HI, sb.reservedBlocksCount);
  setU64Split(v, S_FREE_BLOCKS_COUNT_LO, S_FREE_BLOCKS_COUNT_HI, sb.freeBlocksCount);
  v.setUint32(S_FREE_INODES_COUNT, sb.freeInodesCount, true);
  v.setUint32(S_FIRST_DATA_BLOCK, sb.firstDataBlock, true);
  v.setUint32(S_LOG_BLOCK_SIZE, sb.logBlockSize, true);
  v.setUint32(S_LOG_CLUSTER_SIZE, sb.logBlockSize, true);
  v.setUint32(S_BLOCKS_PER_GROUP, sb.blocksPerGroup, true);
  v.setUint32(S_CLUSTERS_PER_GROUP, sb.blocksPerGroup, true);
  v.setUint32(S_INODES_PER_GROUP, sb.inodesPerGroup, true);
  // Never mounted: s_mtime stays 0 (dumpe2fs prints "n/a"), as mke2fs leaves it.
  v.setUint32(S_MTIME, 0, true);
  v.setUint8(S_MTIME_HI, 0);
  setTime(v, S_WTIME, S_WTIME_HI, sb.time);
  setTime(v, S_LASTCHECK, S_LASTCHECK_HI, sb.time);
  setTime(v, S_MKFS_TIME, S_MKFS_TIME_HI, sb.time);
  v.setInt16(S_MAX_MNT_COUNT, -1, true);
  v.setUint16(S_MAGIC, EXT4_MAGIC, true);
  v.setUint16(S_STATE, STATE_CLEAN, true);
  v.setUint16(S_ERRORS, ERRORS_CONTINUE, true);
  v.setUint32(S_REV_LEVEL, REV_DYNAMIC, true);
  v.setUint32(S_FIRST_INO, sb.firstIno, true);
  v.setUint16(S_INODE_SIZE, sb.inodeSize, true);
  v.setUint16(S_BLOCK_GROUP_NR, sb.blockGroupNr, true);
  v.setUint32(S_FEATURE_COMPAT, sb.compat, true);
  v.setUint32(S_FEATURE_INCOMPAT, sb.incompat, true);
  v.setUint32(S_FEATURE_RO_COMPAT, sb.roCompat, true);
  out.set(sb.uuid.subarray(0, 16), S_UUID);
  out.set(sb.volumeName.subarray(0, 16), S_VOLUME_NAME);
  v.setUint16(S_RESERVED_GDT_BLOCKS, sb.reservedGdtBlocks, true);
  v.setUint32(S_JOURNAL_INUM, sb.journalInum, true);
  out.set(sb.hashSeed.subarray(0, 16), S_HASH_SEED);
  v.setUint8(S_DEF_HASH_VERSION, sb.defHashVersion);
  v.setUint8(S_JNL_BACKUP_TYPE, sb.jnlBackupType);
  v.setUint16(S_DESC_SIZE, sb.descSize, true);
  v.setUint32(S_DEFAULT_MOUNT_OPTS, sb.defaultMountOpts, true);
  for (let i = 0; i < 17; i++) v.setUint32(S_JNL_BLOCKS + 4 * i, sb.jnlBlocks[i] ?? 0, true);
  v.setUint16(S_MIN_EXTRA_ISIZE, sb.minExtraIsize, true);
  v.setUint16(S_WANT_EXTRA_ISIZE, sb.wantExtraIsize, true);
  v.setUint32(S_FLAGS, sb.flags, true);
  v.setUint8(S_LOG_GROUPS_PER_FLEX, sb.logGroupsPerFlex);
  v.setUint8(S_CHECKSUM_TYPE, sb.checksumType);
  v.setBigUint64(S_KBYTES_WRITTEN, BigInt(sb.kbytesWritten), true);
  v.setUint32(S_OVERHEAD_CLUSTERS, sb.overheadClusters, true);
  // The superblock checksum covers everything before it, from a seed of ~0 (super.rst s_checksum).
  if (sb.metadataCsum) v.setUint32(S_CHECKSUM, crc32cRaw(0xffffffff, out.subarray(0, S_CHECKSUM)), true);
  return out;
}

/** Seconds as a low u32 plus 8 high bits (the *_hi fields carry the epoch past 2038). */
function setTime(v: DataView, lo: number, hi: number, seconds: number): void {
  v.setUint32(lo, seconds % 0x1_0000_0000, true);
  v.setUint8(hi, Math.floor(seconds / 0x1_0000_0000) & 0xff);
}

/** The few fields tests and tools read back. */
export function decodeSuperblock(bytes: Uint8Array): Pick<Superblock, 'inodesCount' | 'blocksCount' | 'freeBlocksCount' | 'freeInodesCount' | 'inodesPerGroup' | 'blocksPerGroup' | 'logBlockSize' | 'inodeSize' | 'compat' | 'incompat' | 'roCompat' | 'descSize'> & { magic: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    magic: v.getUint16(S_MAGIC, true),
    inodesCount: v.getUint32(S_INODES_COUNT, true),
    blocksCount: v.getUint32(S_BLOCKS_COUNT_LO, true) + v.getUint32(S_BLOCKS_COUNT_HI, true) * 0x1_0000_0000,
    freeBlocksCount: v.getUint32(S_FREE_BLOCKS_COUNT_LO, true) + v.getUint32(S_FREE_BLOCKS_COUNT_HI, true) * 0x1_0000_0000,
    freeInodesCount: v.getUint32(S_FREE_INODES_COUNT, true),
    inodesPerGroup: v.getUint32(S_INODES_PER_GROUP, true),
    blocksPerGroup: v.getUint32(S_BLOCKS_PER_GROUP, true),
    logBlockSize: v.getUint32(S_LOG_BLOCK_SIZE, true),
    inodeSize: v.getUint16(S_INODE_SIZE, true),
    compat: v.getUint32(S_FEATURE_COMPAT, true),
    incompat: v.getUint32(S_FEATURE_INCOMPAT, true),
    roCompat: v.getUint32(S_FEATURE_RO_COMPAT, true),
    descSize: v.getUint16(S_DESC_SIZE, true),
  };
}
