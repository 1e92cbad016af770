/**
 * The boot sector with its BIOS Parameter Block (fatgen103 §3.1-§3.3): one layout up to offset 0x24,
 * then the FAT12/16 extension (§3.2) or the FAT32 one (§3.3). FAT32 keeps a backup copy at sector 6.
 */
import { MEDIA_FIXED, SECTOR_SIZE, type FatType } from './constants.js';
import type { FatGeometry } from './geometry.js';

/** Common BPB (§3.1). */
const BS_JMP_BOOT = 0x00;
const BS_OEM_NAME = 0x03;
const BPB_BYTS_PER_SEC = 0x0b;
const BPB_SEC_PER_CLUS = 0x0d;
const BPB_RSVD_SEC_CNT = 0x0e;
const BPB_NUM_FATS = 0x10;
const BPB_ROOT_ENT_CNT = 0x11;
const BPB_TOT_SEC16 = 0x13;
const BPB_MEDIA = 0x15;
const BPB_FAT_SZ16 = 0x16;
const BPB_SEC_PER_TRK = 0x18;
const BPB_NUM_HEADS = 0x1a;
const BPB_HIDD_SEC = 0x1c;
const BPB_TOT_SEC32 = 0x20;
/** FAT32 extension (§3.3). */
const BPB_FAT_SZ32 = 0x24;
const BPB_EXT_FLAGS = 0x28;
const BPB_FS_VER = 0x2a;
const BPB_ROOT_CLUS = 0x2c;
const BPB_FS_INFO = 0x30;
const BPB_BK_BOOT_SEC = 0x32;
/** The extended boot signature block sits at 0x24 (FAT12/16, §3.2) or 0x40 (FAT32, §3.3). */
const EXT_FAT16 = 0x24;
const EXT_FAT32 = 0x40;
const EXT_DRV_NUM = 0x00;
const EXT_BOOT_SIG = 0x02;
const EXT_VOL_ID = 0x03;
const EXT_VOL_LAB = 0x07;
const EXT_FIL_SYS_TYPE = 0x12;
/** Boot code follows the extension; the jump at 0 lands on it. */
const EXT_LENGTH = 0x1a;
const SIGNATURE_OFFSET = 0x1fe;

/** §3.2 BS_BootSig: the next three fields (serial, label, type) are present. */
const EXTENDED_BOOT_SIGNATURE = 0x29;
/** fatgen103 §3.1 recommends this OEM name as the one drivers are least picky about. */
const OEM_NAME = 'MSWIN4.1';
/** BIOS drive number of a hard disk. */
const DRIVE_HARD_DISK = 0x80;
/** The FAT32 root directory starts at cluster 2 and FSInfo is sector 1, backups at 6 (§3.3). */
export const FAT32_ROOT_CLUSTER = 2;
export const FSINFO_SECTOR = 1;
export const BACKUP_BOOT_SECTOR = 6;
/**
 * Non-bootable boot code: `int 18h` (ask the BIOS to try the next boot device), then `hlt` in a
 * loop. A data volume should never pretend to boot.
 */
const BOOT_CODE = [0xcd, 0x18, 0xf4, 0xeb, 0xfd];
/** Nominal CHS geometry; nothing reads it on LBA disks. */
const SECTORS_PER_TRACK = 63;
const HEADS = 255;

export interface BootSectorFields {
  readonly geometry: FatGeometry;
  /** Volume serial number (BS_VolID), derived from the seed by the caller. */
  readonly serial: number;
  /** 11 bytes, space padded ("NO NAME    " when there is none). */
  readonly label: string;
  /** LBA of the partition (BPB_HiddSec); 0 for a bare filesystem image. */
  readonly hiddenSectors: number;
}

function putAscii(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
}

export function encodeBootSector(f: BootSectorFields): Uint8Array {
  const g = f.geometry;
  const out = new Uint8Array(SECTOR_SIZE);
  const v = new DataView(out.buffer);
  const ext = g.type === 32 ? EXT_FAT32 : EXT_FAT16;
  const bootCode = ext + EXT_LENGTH;
  out.set([0xeb, bootCode - 2, 0x90], BS_JMP_BOOT); // short jump to the boot code, then NOP
  putAscii(out, BS_OEM_NAME, OEM_NAME);
  v.setUint16(BPB_BYTS_PER_SEC, SECTOR_SIZE, true);
  out[BPB_SEC_PER_CLUS] = g.sectorsPerCluster;
  v.setUint16(BPB_RSVD_SEC_CNT, g.reservedSectors, true);
  out[BPB_NUM_FATS] = g.fatCount;
  v.setUint16(BPB_ROOT_ENT_CNT, g.rootEntries, true);
  // §3.1: TotSec16 when the count fits 16 bits (FAT12/16 only), else TotSec32.
  const small = g.type !== 32 && g.totalSectors < 0x10000;
  v.setUint16(BPB_TOT_SEC16, small ? g.totalSectors : 0, true);
  v.setUint32(BPB_TOT_SEC32, small ? 0 : g.totalSectors, true);
  out[BPB_MEDIA] = MEDIA_FIXED;
  v.setUint16(BPB_FAT_SZ16, g.type === 32 ? 0 : g.fatSectors, true);
  v.setUint16(BPB_SEC_PER_TRK, SECTORS_PER_TRACK, true);
  v.setUint16(BPB_NUM_HEADS, HEADS, true);
  v.setUint32(BPB_HIDD_SEC, f.hiddenSectors, true);
  if (g.type === 32) {
    v.setUint32(BPB_FAT_SZ32, g.fatSectors, true);
    v.setUint16(BPB_EXT_FLAGS, 0, true); // both FATs mirrored
    v.setUint16(BPB_FS_VER, 0, true);
    v.setUint32(BPB_ROOT_CLUS, FAT32_ROOT_CLUSTER, true);
    v.setUint16(BPB_FS_INFO, FSINFO_SECTOR, true);
    v.setUint16(BPB_BK_BOOT_SEC, BACKUP_BOOT_SECTOR, true);
  }
  out[ext + EXT_DRV_NUM] = DRIVE_HARD_DISK;
  out[ext + EXT_BOOT_SIG] = EXTENDED_BOOT_SIGNATURE;
  v.setUint32(ext + EXT_VOL_ID, f.serial >>> 0, true);
  putAscii(out, ext + EXT_VOL_LAB, f.label.padEnd(11, ' ').slice(0, 11));
  putAscii(out, ext + EXT_FIL_SYS_TYPE, `FAT${g.type}   `);
  out.set(BOOT_CODE, bootCode);
  out[SIGNATURE_OFFSET] = 0x55;
  out[SIGNATURE_OFFSET + 1] = 0xaa;
  return out;
}

export interface DecodedBootSector {
  readonly sectorsPerCluster: number;
  readonly reservedSectors: number;
  readonly fatCount: number;
  readonly rootEntries: number;
  readonly totalSectors: number;
  readonly fatSectors: number;
  readonly hiddenSectors: number;
  readonly rootCluster: number;
  readonly serial: number;
  readonly label: string;
  /** The type the cluster count gives (§3.5), not the informational BS_FilSysType string. */
  readonly type: FatType;
  readonly clusterCount: number;
}

/** Reads a BPB (ours or anyone's, with 512-byte sectors) and derives the type from the cluster count. */
export function decodeBootSector(bytes: Uint8Array): DecodedBootSector {
  const v = new DataView(bytes.buffer, bytes.byteOffset, SECTOR_SIZE);
  const fatSz16 = v.getUint16(BPB_FAT_SZ16, true);
  const fatSectors = fatSz16 || v.getUint32(BPB_FAT_SZ32, true);
  const totalSectors = v.getUint16(BPB_TOT_SEC16, true) || v.getUint32(BPB_TOT_SEC32, true);
  const spc = bytes[BPB_SEC_PER_CLUS]!;
  const reservedSectors = v.getUint16(BPB_RSVD_SEC_CNT, true);
  const fatCount = bytes[BPB_NUM_FATS]!;
  const rootEntries = v.getUint16(BPB_ROOT_ENT_CNT, true);
  const rootDirSectors = Math.ceil((rootEntries * 32) / SECTOR_SIZE);
  const dataSectors = totalSectors - (reservedSectors + fatCount * fatSectors + rootDirSectors);
  const clusterCount = Math.floor(dataSectors / spc);
  const type: FatType = clusterCount < 4085 ? 12 : clusterCount < 65525 ? 16 : 32;
  const ext = fatSz16 === 0 ? EXT_FAT32 : EXT_FAT16;
  return {
    sectorsPerCluster: spc, reservedSectors, fatCount, rootEntries, totalSectors, fatSectors,
    hiddenSectors: v.getUint32(BPB_HIDD_SEC, true),
    rootCluster: fatSz16 === 0 ? v.getUint32(BPB_ROOT_CLUS, true) : 0,
    serial: v.getUint32(ext + EXT_VOL_ID, true),
    label: String.fromCharCode(...bytes.subarray(ext + EXT_VOL_LAB, ext + EXT_VOL_LAB + 11)),
    type, clusterCount,
  };
}
