/**
 * ext4 on-disk constants (Documentation/filesystems/ext4 in the kernel tree, "ext4 Data Structures
 * and Algorithms"; e2fsprogs lib/ext2fs/ext2_fs.h for the names).
 */

export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;
export const EXT4_MAGIC = 0xef53;

/** Reserved inode numbers (ext4 "Special inodes"). */
export const BAD_BLOCKS_INO = 1;
export const ROOT_INO = 2;
export const RESIZE_INO = 7;
export const JOURNAL_INO = 8;
export const FIRST_INO = 11;

/** s_feature_compat */
export const COMPAT = {
  dir_prealloc: 0x1,
  imagic_inodes: 0x2,
  has_journal: 0x4,
  ext_attr: 0x8,
  resize_inode: 0x10,
  dir_index: 0x20,
  sparse_super2: 0x200,
} as const;

/** s_feature_incompat */
export const INCOMPAT = {
  compression: 0x1,
  filetype: 0x2,
  recover: 0x4,
  journal_dev: 0x8,
  meta_bg: 0x10,
  extent: 0x40,
  '64bit': 0x80,
  mmp: 0x100,
  flex_bg: 0x200,
  ea_inode: 0x400,
  dirdata: 0x1000,
  metadata_csum_seed: 0x2000,
  large_dir: 0x4000,
  inline_data: 0x8000,
  encrypt: 0x10000,
  casefold: 0x20000,
} as const;

/** s_feature_ro_compat */
export const RO_COMPAT = {
  sparse_super: 0x1,
  large_file: 0x2,
  huge_file: 0x8,
  uninit_bg: 0x10,
  dir_nlink: 0x20,
  extra_isize: 0x40,
  quota: 0x100,
  bigalloc: 0x200,
  metadata_csum: 0x400,
  project: 0x2000,
  orphan_present: 0x10000,
} as const;

/** i_flags */
export const INODE_FLAG = {
  index: 0x1000, // htree directory
  hugeFile: 0x40000,
  extents: 0x80000,
} as const;

/** bg_flags */
export const BG_FLAG = {
  inodeUninit: 0x1,
  blockUninit: 0x2,
  itableZeroed: 0x4,
} as const;

/** Directory entry file types (ext4 "Linear (Classic) Directories", file_type). */
export const DIR_FT = {
  file: 1,
  dir: 2,
  char: 3,
  block: 4,
  fifo: 5,
  socket: 6,
  symlink: 7,
} as const;

/** s_default_mount_opts: user_xattr | acl, as Debian's mke2fs.conf sets them. */
export const DEFAULT_MOUNT_OPTS = 0x0004 | 0x0008;
/** s_flags: signed_directory_hash (x86 mke2fs: char is signed). */
export const FLAGS_SIGNED_HASH = 0x1;
/** s_def_hash_version: half_md4. */
export const HASH_HALF_MD4 = 1;
export const HASH_TEA = 2;
/** s_checksum_type: crc32c. */
export const CHECKSUM_CRC32C = 1;
/** s_jnl_backup_type: EXT3_JNL_BACKUP_BLOCKS. */
export const JNL_BACKUP_BLOCKS = 1;
/** Bytes of i_block (15 × u32). */
export const I_BLOCK_SIZE = 60;
/** Extra inode bytes beyond the 128-byte base that we use (i_extra_isize; up to i_projid). */
export const EXTRA_ISIZE = 32;
export const GOOD_OLD_INODE_SIZE = 128;
