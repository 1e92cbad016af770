/**
 * One 16-byte partition entry, as found four times in an MBR and twice in each EBR
 * (the layout is the same in both; see e.g. the UEFI spec 2.10 §5.2.1, table 5-2).
 */
import { encodeChs, lbaToChs } from './chs.js';

export const ENTRY_SIZE = 16;
const ENTRY_STATUS = 0; // 0x80 = active (bootable), 0x00 = inactive
const ENTRY_CHS_START = 1;
const ENTRY_TYPE = 4;
const ENTRY_CHS_END = 5;
const ENTRY_LBA_START = 8;
const ENTRY_SECTOR_COUNT = 12;

export const STATUS_ACTIVE = 0x80;

export interface MbrEntry {
  /** Active flag (status byte 0x80). */
  readonly bootable: boolean;
  /** Partition type byte; 0 means the slot is empty. */
  readonly type: number;
  /** First sector, as stored (absolute in the MBR, relative in an EBR). */
  readonly lbaStart: number;
  readonly sectorCount: number;
}

/**
 * Encodes an entry. `chsBaseLba` is what must be added to `lbaStart` to get the absolute sector
 * the CHS fields describe (EBR entries store relative LBAs but absolute CHS addresses).
 */
export function encodeEntry(entry: MbrEntry, chsBaseLba = 0): Uint8Array {
  const out = new Uint8Array(ENTRY_SIZE);
  if (entry.type === 0 && entry.sectorCount === 0) return out;
  const view = new DataView(out.buffer);
  out[ENTRY_STATUS] = entry.bootable ? STATUS_ACTIVE : 0;
  const first = chsBaseLba + entry.lbaStart;
  out.set(encodeChs(lbaToChs(first)), ENTRY_CHS_START);
  out[ENTRY_TYPE] = entry.type;
  // CHS end is the last sector inside the partition (inclusive), as fdisk writes it.
  out.set(encodeChs(lbaToChs(first + Math.max(entry.sectorCount, 1) - 1)), ENTRY_CHS_END);
  view.setUint32(ENTRY_LBA_START, entry.lbaStart, true);
  view.setUint32(ENTRY_SECTOR_COUNT, entry.sectorCount, true);
  return out;
}

export function decodeEntry(bytes: Uint8Array, offset: number): MbrEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, ENTRY_SIZE);
  return {
    bootable: (bytes[offset + ENTRY_STATUS]! & STATUS_ACTIVE) !== 0,
    type: bytes[offset + ENTRY_TYPE]!,
    lbaStart: view.getUint32(ENTRY_LBA_START, true),
    sectorCount: view.getUint32(ENTRY_SECTOR_COUNT, true),
  };
}

export function isEmptyEntry(e: MbrEntry): boolean {
  return e.type === 0;
}
