/**
 * Constants shared by the FAT structures. Sources: Microsoft's "FAT: General Overview of On-Disk
 * Format" v1.03 (fatgen103), cited as §N below.
 */

/** We only write 512-byte sectors: every firmware and driver reads them (§3.1 BPB_BytsPerSec). */
export const SECTOR_SIZE = 512;
/** One directory entry, short or long (§6, §7). */
export const DIR_ENTRY_SIZE = 32;

export type FatType = 12 | 16 | 32;

/** The FAT type is decided by the cluster count alone (§3.5): below 4085 FAT12, below 65525 FAT16. */
export const FAT12_MAX_CLUSTERS = 4084;
export const FAT16_MAX_CLUSTERS = 65524;
/** FAT32 entries are 28 bits; 0x0FFFFFF7 is BAD, so the highest data cluster is 0x0FFFFFF6 (§4). */
export const FAT32_MAX_CLUSTERS = 0x0ffffff5;

/** Directory entry attributes (§6, DIR_Attr). */
export const ATTR_READ_ONLY = 0x01;
export const ATTR_HIDDEN = 0x02;
export const ATTR_SYSTEM = 0x04;
export const ATTR_VOLUME_ID = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
/** A long-name entry carries all four low attributes (§7). */
export const ATTR_LONG_NAME = ATTR_READ_ONLY | ATTR_HIDDEN | ATTR_SYSTEM | ATTR_VOLUME_ID;

/** Media descriptor for fixed (non-removable) media (§3.1 BPB_Media). */
export const MEDIA_FIXED = 0xf8;

/** The largest file FAT can hold: DIR_FileSize is 32 bits. */
export const MAX_FILE_SIZE = 0xffffffff;
/** A directory holds at most 65536 entries (2 MiB): drivers index entries with 16 bits. */
export const MAX_DIR_ENTRIES = 65536;
/** A long name holds at most 255 UTF-16 code units (§7). */
export const MAX_LONG_NAME = 255;
