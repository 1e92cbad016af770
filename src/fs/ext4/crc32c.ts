/**
 * CRC32C as ext4 and e2fsprogs use it (ext2fs_crc32c_le): the raw Castagnoli update, with no
 * pre- or post-inversion, so checksums can be chained (seed → inode number → generation → bytes).
 */
import CRC32C from 'crc-32/crc32c.js';

/** The raw CRC32C of `bytes` continuing from `seed` (ext4's `ext4_chksum(seed, bytes)`). */
export function crc32cRaw(seed: number, bytes: Uint8Array): number {
  // crc-32 inverts before and after: raw(s, d) = ~buf(d, ~s).
  return ~CRC32C.buf(bytes, ~seed) >>> 0;
}

const le32 = new Uint8Array(4);
const le32View = new DataView(le32.buffer);

/** The raw CRC32C continued over one little-endian 32-bit number (inode numbers, generations, groups). */
export function crc32cU32(seed: number, value: number): number {
  le32View.setUint32(0, value >>> 0, true);
  return crc32cRaw(seed, le32);
}

/** Per-inode checksum seed: crc(fs seed, inode number, generation) (ext4 `ei->i_csum_seed`). */
export function inodeCsumSeed(fsSeed: number, inodeNumber: number, generation: number): number {
  return crc32cU32(crc32cU32(fsSeed, inodeNumber), generation);
}
