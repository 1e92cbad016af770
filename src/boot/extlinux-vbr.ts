/**
 * The volume boot record EXTLINUX puts at the start of an ext2/3/4 partition (the filesystem's unused
 * boot block; the superblock starts at 1024): ldlinux.bss with a fake FAT BPB and the LBA of
 * ldlinux.sys's first sector (bootloader.md §2.2).
 */
import type { Epa } from './ldlinux-patch.js';

const BPB_BYTES_PER_SECTOR = 0x0b;
const BPB_TOTAL_SECTORS_16 = 0x13;
const BPB_SECTORS_PER_TRACK = 0x18;
const BPB_HEADS = 0x1a;
/** bsHiddenSecs: the partition's LBA; a fallback, the MBR's hand-over (DS:SI or "!GPT") wins. */
const BPB_HIDDEN_SECTORS = 0x1c;
const BPB_TOTAL_SECTORS_32 = 0x20;
const FAKE_SECTORS_PER_TRACK = 63;
const FAKE_HEADS = 255;

export interface VbrInput {
  readonly partitionLba: number;
  /** Filesystem size in 512-byte sectors. */
  readonly fsSectors: number;
  /** Filesystem-relative LBA of ldlinux.sys's sector 0. */
  readonly sector0: number;
  readonly epa: Epa;
}

export function extlinuxVbr(bootSector: Uint8Array, o: VbrInput): Uint8Array {
  const out = Uint8Array.from(bootSector);
  const v = new DataView(out.buffer);
  v.setUint16(BPB_BYTES_PER_SECTOR, 512, true);
  v.setUint16(BPB_TOTAL_SECTORS_16, o.fsSectors < 65536 ? o.fsSectors : 0, true);
  v.setUint16(BPB_SECTORS_PER_TRACK, FAKE_SECTORS_PER_TRACK, true);
  v.setUint16(BPB_HEADS, FAKE_HEADS, true);
  v.setUint32(BPB_HIDDEN_SECTORS, o.partitionLba >>> 0, true);
  v.setUint32(BPB_TOTAL_SECTORS_32, Math.min(o.fsSectors, 0xffffffff), true);
  v.setUint32(o.epa.sect1ptr0, o.sector0 % 0x1_0000_0000, true);
  v.setUint32(o.epa.sect1ptr1, Math.floor(o.sector0 / 0x1_0000_0000), true);
  return out;
}
