/**
 * What filesystem a partition holds, from its signature bytes, for `tsdib inspect`: ext2/3/4
 * (superblock magic and feature flags), FAT12/16/32 (boot sector), swap (signature page). Reads a
 * few sectors; never walks the filesystem.
 */
import type { ReadableDisk } from '../disk/index.js';
import { decodeSwapHeader } from '../fs/swap.js';

/** ext4 superblock (ext4 disk layout, "The Super Block"): at byte 1024 of the filesystem. */
const EXT_SUPERBLOCK = 1024;
const EXT_MAGIC_AT = 0x38; // s_magic, 0xEF53
const EXT_FEATURE_COMPAT = 0x5c;
const EXT_FEATURE_INCOMPAT = 0x60;
const EXT_UUID = 0x68; // 16 bytes
const EXT_VOLUME_NAME = 0x78; // 16 bytes
const EXT_BLOCKS_LO = 0x04;
const EXT_LOG_BLOCK_SIZE = 0x18;
const COMPAT_HAS_JOURNAL = 0x4;
const INCOMPAT_EXTENTS = 0x40;
const INCOMPAT_64BIT = 0x80;
const INCOMPAT_FLEX_BG = 0x200;

/** FAT boot sector (Microsoft FAT spec §3.1-3.3). */
const FAT_SIGNATURE = 510; // 0x55 0xAA
const BS_FILSYSTYPE_16 = 54; // "FAT12   " / "FAT16   "
const BS_FILSYSTYPE_32 = 82; // "FAT32   "
const BS_VOLID_16 = 39;
const BS_VOLID_32 = 67;
const BS_VOLLAB_16 = 43;
const BS_VOLLAB_32 = 71;

export interface ProbedFilesystem {
  readonly type: string;
  readonly label: string;
  readonly uuid: string;
  /** Bytes, as the filesystem records it (when it does). */
  readonly size?: number;
}

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const cString = (b: Uint8Array) => {
  const end = b.indexOf(0);
  return Buffer.from(end >= 0 ? b.subarray(0, end) : b).toString('utf8');
};
const uuidText = (b: Uint8Array) => {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

function probeExt(sb: Uint8Array): ProbedFilesystem | undefined {
  const v = new DataView(sb.buffer, sb.byteOffset, sb.length);
  if (v.getUint16(EXT_MAGIC_AT, true) !== 0xef53) return undefined;
  const compat = v.getUint32(EXT_FEATURE_COMPAT, true);
  const incompat = v.getUint32(EXT_FEATURE_INCOMPAT, true);
  const ext4 = (incompat & (INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG)) !== 0;
  const type = ext4 ? 'ext4' : compat & COMPAT_HAS_JOURNAL ? 'ext3' : 'ext2';
  const blockSize = 1024 << v.getUint32(EXT_LOG_BLOCK_SIZE, true);
  return { type, label: cString(sb.subarray(EXT_VOLUME_NAME, EXT_VOLUME_NAME + 16)), uuid: uuidText(sb.subarray(EXT_UUID, EXT_UUID + 16)), size: v.getUint32(EXT_BLOCKS_LO, true) * blockSize };
}

function probeFat(bs: Uint8Array): ProbedFilesystem | undefined {
  if (bs[FAT_SIGNATURE] !== 0x55 || bs[FAT_SIGNATURE + 1] !== 0xaa) return undefined;
  const v = new DataView(bs.buffer, bs.byteOffset, bs.length);
  for (const [typeAt, idAt, labelAt] of [[BS_FILSYSTYPE_32, BS_VOLID_32, BS_VOLLAB_32], [BS_FILSYSTYPE_16, BS_VOLID_16, BS_VOLLAB_16]] as const) {
    const name = latin1(bs.subarray(typeAt, typeAt + 8));
    if (!/^FAT(12|16|32) {3}$/.test(name)) continue;
    const id = v.getUint32(idAt, true).toString(16).padStart(8, '0').toUpperCase();
    return { type: `vfat (${name.trim()})`, label: latin1(bs.subarray(labelAt, labelAt + 11)).trimEnd(), uuid: `${id.slice(0, 4)}-${id.slice(4)}` };
  }
  return undefined;
}

/** The filesystem at `offset` of `disk` (a partition's start), or undefined when none is recognised. */
export function probeFilesystem(disk: ReadableDisk, offset: number, size: number): ProbedFilesystem | undefined {
  if (size >= EXT_SUPERBLOCK + 1024) {
    const ext = probeExt(disk.read(offset + EXT_SUPERBLOCK, 1024));
    if (ext) return ext;
  }
  if (size >= 4096) {
    const page = disk.read(offset, 4096);
    const swap = decodeSwapHeader(page);
    if (swap) return { type: 'swap', label: swap.label, uuid: swap.uuid, size: (swap.lastPage + 1) * 4096 };
    return probeFat(page.subarray(0, 512));
  }
  return undefined;
}
