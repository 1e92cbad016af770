/**
 * The ext4 inode (kernel Documentation/filesystems/ext4/inodes.rst; e2fsprogs `struct ext2_inode_large`):
 * a 128-byte base, i_extra_isize more bytes (ns timestamps, crtime, checksum high half), then in-inode
 * extended attributes up to the inode size. Pure codec.
 */
import { EXTRA_ISIZE, GOOD_OLD_INODE_SIZE, I_BLOCK_SIZE } from './constants.js';
import { crc32cRaw, crc32cU32 } from './crc32c.js';

// Offsets (inodes.rst).
const I_MODE = 0x0;
const I_UID = 0x2;
const I_SIZE_LO = 0x4;
const I_ATIME = 0x8;
const I_CTIME = 0xc;
const I_MTIME = 0x10;
const I_GID = 0x18;
const I_LINKS_COUNT = 0x1a;
const I_BLOCKS_LO = 0x1c;
const I_FLAGS = 0x20;
const I_BLOCK = 0x28;
const I_GENERATION = 0x64;
const I_FILE_ACL_LO = 0x68;
const I_SIZE_HIGH = 0x6c;
const L_I_BLOCKS_HIGH = 0x74;
const L_I_FILE_ACL_HIGH = 0x76;
const L_I_UID_HIGH = 0x78;
const L_I_GID_HIGH = 0x7a;
const L_I_CHECKSUM_LO = 0x7c;
const I_EXTRA_ISIZE = 0x80;
const I_CHECKSUM_HI = 0x82;
const I_CTIME_EXTRA = 0x84;
const I_MTIME_EXTRA = 0x88;
const I_ATIME_EXTRA = 0x8c;
const I_CRTIME = 0x90;
const I_CRTIME_EXTRA = 0x94;

export interface Time {
  sec: number;
  nsec: number;
}

export interface InodeFields {
  /** Type and permission bits (i_mode). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  atime: Time;
  ctime: Time;
  mtime: Time;
  crtime: Time;
  links: number;
  /** i_blocks in 512-byte sectors. */
  sectors: number;
  flags: number;
  /** i_block: extent root, fast symlink target or device numbers (≤ 60 bytes). */
  iBlock: Uint8Array;
  generation: number;
  fileAcl: number;
  /** In-inode xattr area (starting with the 0xEA020000 magic), or empty. */
  inlineXattrs: Uint8Array;
  /** i_extra_isize (0 for reserved inodes, as mke2fs leaves them). */
  extraIsize?: number;
}

/** Seconds (signed) as i_*time plus the two epoch bits of i_*time_extra, nanoseconds in its top 30 bits. */
function timeWords(t: Time): { lo: number; extra: number } {
  const epoch = Math.floor((t.sec - toInt32(t.sec)) / 0x1_0000_0000) & 3;
  return { lo: t.sec >>> 0, extra: ((t.nsec << 2) | epoch) >>> 0 };
}

/** The low 32 bits of an integer as a signed number (ToInt32: what `| 0` does, without a BigInt per call). */
function toInt32(x: number): number {
  return x | 0;
}

/**
 * Encodes one inode of `inodeSize` bytes into `out` at `offset`. With `csumSeed` (metadata_csum) the
 * checksum is crc32c(fs seed, inode number, generation, inode with both checksum fields zero).
 */
export function encodeInode(f: InodeFields, inodeSize: number, inodeNumber: number, csumSeed: number | undefined, out: Uint8Array, offset: number): void {
  const bytes = out.subarray(offset, offset + inodeSize);
  bytes.fill(0);
  const v = new DataView(bytes.buffer, bytes.byteOffset, inodeSize);
  const extraIsize = inodeSize > GOOD_OLD_INODE_SIZE ? (f.extraIsize ?? EXTRA_ISIZE) : 0;
  v.setUint16(I_MODE, f.mode, true);
  v.setUint16(I_UID, f.uid & 0xffff, true);
  v.setUint16(L_I_UID_HIGH, f.uid >>> 16, true);
  v.setUint16(I_GID, f.gid & 0xffff, true);
  v.setUint16(L_I_GID_HIGH, f.gid >>> 16, true);
  v.setUint32(I_SIZE_LO, f.size % 0x1_0000_0000, true);
  v.setUint32(I_SIZE_HIGH, Math.floor(f.size / 0x1_0000_0000), true);
  v.setUint16(I_LINKS_COUNT, f.links, true);
  v.setUint32(I_BLOCKS_LO, f.sectors % 0x1_0000_0000, true);
  v.setUint16(L_I_BLOCKS_HIGH, Math.floor(f.sectors / 0x1_0000_0000), true);
  v.setUint32(I_FLAGS, f.flags, true);
  bytes.set(f.iBlock.subarray(0, I_BLOCK_SIZE), I_BLOCK);
  v.setUint32(I_GENERATION, f.generation, true);
  v.setUint32(I_FILE_ACL_LO, f.fileAcl % 0x1_0000_0000, true);
  v.setUint16(L_I_FILE_ACL_HIGH, Math.floor(f.fileAcl / 0x1_0000_0000), true);
  const a = timeWords(f.atime);
  const c = timeWords(f.ctime);
  const m = timeWords(f.mtime);
  v.setUint32(I_ATIME, a.lo, true);
  v.setUint32(I_CTIME, c.lo, true);
  v.setUint32(I_MTIME, m.lo, true);
  if (extraIsize >= EXTRA_ISIZE) {
    v.setUint16(I_EXTRA_ISIZE, extraIsize, true);
    const cr = timeWords(f.crtime);
    v.setUint32(I_CTIME_EXTRA, c.extra, true);
    v.setUint32(I_MTIME_EXTRA, m.extra, true);
    v.setUint32(I_ATIME_EXTRA, a.extra, true);
    v.setUint32(I_CRTIME, cr.lo, true);
    v.setUint32(I_CRTIME_EXTRA, cr.extra, true);
    if (f.inlineXattrs.length) bytes.set(f.inlineXattrs, GOOD_OLD_INODE_SIZE + extraIsize);
  }
  if (csumSeed === undefined) return;
  let crc = crc32cU32(crc32cU32(csumSeed, inodeNumber), f.generation);
  crc = crc32cRaw(crc, bytes); // both checksum fields are still zero here
  v.setUint16(L_I_CHECKSUM_LO, crc & 0xffff, true);
  if (extraIsize >= 4) v.setUint16(I_CHECKSUM_HI, crc >>> 16, true);
}

/** Bytes available for in-inode xattrs (after the extra fields), including the 4-byte magic. */
export function inlineXattrSpace(inodeSize: number): number {
  return inodeSize > GOOD_OLD_INODE_SIZE ? inodeSize - GOOD_OLD_INODE_SIZE - EXTRA_ISIZE : 0;
}

/** i_block for a character or block device: old 16-bit encoding when it fits, else the new one in word 1. */
export function deviceIBlock(major: number, minor: number): Uint8Array {
  const out = new Uint8Array(I_BLOCK_SIZE);
  const v = new DataView(out.buffer);
  if (major < 256 && minor < 256) v.setUint32(0, (major << 8) | minor, true);
  else v.setUint32(4, ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0, true);
  return out;
}
