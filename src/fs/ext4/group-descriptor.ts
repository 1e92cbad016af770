/**
 * Block group descriptors (kernel Documentation/filesystems/ext4/group_descr.rst): 32 bytes, or 64 with
 * the 64bit feature, packed into the blocks after the superblock. Pure codec.
 */
import { crc32cRaw, crc32cU32 } from './crc32c.js';

// Offsets (group_descr.rst).
const BG_BLOCK_BITMAP_LO = 0x0;
const BG_INODE_BITMAP_LO = 0x4;
const BG_INODE_TABLE_LO = 0x8;
const BG_FREE_BLOCKS_COUNT_LO = 0xc;
const BG_FREE_INODES_COUNT_LO = 0xe;
const BG_USED_DIRS_COUNT_LO = 0x10;
const BG_FLAGS = 0x12;
const BG_BLOCK_BITMAP_CSUM_LO = 0x18;
const BG_INODE_BITMAP_CSUM_LO = 0x1a;
const BG_ITABLE_UNUSED_LO = 0x1c;
const BG_CHECKSUM = 0x1e;
const BG_BLOCK_BITMAP_HI = 0x20;
const BG_INODE_BITMAP_HI = 0x24;
const BG_INODE_TABLE_HI = 0x28;
const BG_FREE_BLOCKS_COUNT_HI = 0x2c;
const BG_FREE_INODES_COUNT_HI = 0x2e;
const BG_USED_DIRS_COUNT_HI = 0x30;
const BG_ITABLE_UNUSED_HI = 0x32;
const BG_BLOCK_BITMAP_CSUM_HI = 0x38;
const BG_INODE_BITMAP_CSUM_HI = 0x3a;

export interface GroupDescriptor {
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
  freeBlocks: number;
  freeInodes: number;
  usedDirs: number;
  flags: number;
  itableUnused: number;
  /** crc32c of the bitmaps (metadata_csum), full 32 bits; split lo/hi here. */
  blockBitmapCsum: number;
  inodeBitmapCsum: number;
}

/**
 * Writes descriptor `group` into `out` at `offset` (descSize bytes). With metadata_csum, bg_checksum is
 * the low 16 bits of crc32c(fs seed, group number, descriptor with bg_checksum zeroed).
 */
export function encodeGroupDescriptor(d: GroupDescriptor, group: number, descSize: number, csumSeed: number | undefined, out: Uint8Array, offset: number): void {
  const bytes = out.subarray(offset, offset + descSize);
  bytes.fill(0);
  const v = new DataView(bytes.buffer, bytes.byteOffset, descSize);
  const wide = descSize >= 64;
  const split = (lo: number, hi: number, value: number, hiBytes: 2 | 4, loBytes: 2 | 4) => {
    const loMod = loBytes === 4 ? 0x1_0000_0000 : 0x10000;
    if (loBytes === 4) v.setUint32(lo, value % loMod, true);
    else v.setUint16(lo, value % loMod, true);
    if (!wide) return;
    const high = Math.floor(value / loMod);
    if (hiBytes === 4) v.setUint32(hi, high, true);
    else v.setUint16(hi, high, true);
  };
  split(BG_BLOCK_BITMAP_LO, BG_BLOCK_BITMAP_HI, d.blockBitmap, 4, 4);
  split(BG_INODE_BITMAP_LO, BG_INODE_BITMAP_HI, d.inodeBitmap, 4, 4);
  split(BG_INODE_TABLE_LO, BG_INODE_TABLE_HI, d.inodeTable, 4, 4);
  split(BG_FREE_BLOCKS_COUNT_LO, BG_FREE_BLOCKS_COUNT_HI, d.freeBlocks, 2, 2);
  split(BG_FREE_INODES_COUNT_LO, BG_FREE_INODES_COUNT_HI, d.freeInodes, 2, 2);
  split(BG_USED_DIRS_COUNT_LO, BG_USED_DIRS_COUNT_HI, d.usedDirs, 2, 2);
  split(BG_ITABLE_UNUSED_LO, BG_ITABLE_UNUSED_HI, d.itableUnused, 2, 2);
  v.setUint16(BG_FLAGS, d.flags, true);
  if (csumSeed === undefined) return;
  split(BG_BLOCK_BITMAP_CSUM_LO, BG_BLOCK_BITMAP_CSUM_HI, d.blockBitmapCsum >>> 0, 2, 2);
  split(BG_INODE_BITMAP_CSUM_LO, BG_INODE_BITMAP_CSUM_HI, d.inodeBitmapCsum >>> 0, 2, 2);
  let crc = crc32cU32(csumSeed, group);
  crc = crc32cRaw(crc, bytes.subarray(0, BG_CHECKSUM));
  crc = crc32cRaw(crc, new Uint8Array(2));
  if (descSize > BG_CHECKSUM + 2) crc = crc32cRaw(crc, bytes.subarray(BG_CHECKSUM + 2));
  v.setUint16(BG_CHECKSUM, crc & 0xffff, true);
}
