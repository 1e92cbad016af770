/**
 * The jbd2 journal superblock (kernel Documentation/filesystems/ext4/journal.rst; include/linux/jbd2.h
 * `journal_superblock_t`), big-endian, in the journal's first block. We write a clean, empty journal:
 * s_start = 0 means "nothing to replay", so the journal's other blocks are never read before the
 * kernel first writes them. Pure codec.
 */

// journal.rst "Journal Superblock" (big-endian).
const H_MAGIC = 0x0;
const H_BLOCKTYPE = 0x4;
const H_SEQUENCE = 0x8;
const S_BLOCKSIZE = 0xc;
const S_MAXLEN = 0x10;
const S_FIRST = 0x14;
const S_SEQUENCE = 0x18;
const S_START = 0x1c;
const S_UUID = 0x30;
const S_NR_USERS = 0x40;
const JBD2_MAGIC = 0xc03b3998;
const JBD2_SUPERBLOCK_V2 = 4;
const JOURNAL_SB_SIZE = 1024;

export function encodeJournalSuperblock(blockSize: number, journalBlocks: number, fsUuid: Uint8Array): Uint8Array {
  const out = new Uint8Array(JOURNAL_SB_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(H_MAGIC, JBD2_MAGIC);
  v.setUint32(H_BLOCKTYPE, JBD2_SUPERBLOCK_V2);
  v.setUint32(H_SEQUENCE, 0);
  v.setUint32(S_BLOCKSIZE, blockSize);
  v.setUint32(S_MAXLEN, journalBlocks);
  v.setUint32(S_FIRST, 1);
  v.setUint32(S_SEQUENCE, 1);
  v.setUint32(S_START, 0);
  out.set(fsUuid.subarray(0, 16), S_UUID);
  v.setUint32(S_NR_USERS, 1);
  return out;
}

/**
 * The journal size mke2fs picks for a filesystem of `blocks` blocks (e2fsprogs
 * ext2fs_default_journal_size): 1024 blocks up to 128 Mi-blocks... in steps; 0 when too small for one.
 */
export function defaultJournalBlocks(blocks: number): number {
  if (blocks < 2048) return 0;
  if (blocks < 32768) return 1024;
  if (blocks < 256 * 1024) return 4096;
  if (blocks < 512 * 1024) return 8192;
  if (blocks < 4096 * 1024) return 16384;
  if (blocks < 8192 * 1024) return 32768;
  if (blocks < 16384 * 1024) return 65536;
  if (blocks < 32768 * 1024) return 131072;
  return 262144;
}

/** The smallest journal jbd2 accepts (JBD2_MIN_JOURNAL_BLOCKS). */
export const MIN_JOURNAL_BLOCKS = 1024;
