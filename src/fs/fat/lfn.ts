/**
 * VFAT long-name entries (fatgen103 §7, "FAT Long Directory Entries"). A long name is stored as UTF-16
 * in 13-unit pieces, last piece first, right before the short entry it belongs to; each piece carries
 * the checksum of that short entry's 11 name bytes so drivers can tell orphans apart.
 */
import { ATTR_LONG_NAME, DIR_ENTRY_SIZE } from './constants.js';

/** Field offsets (§7). */
const LDIR_ORD = 0x00;
const LDIR_NAME1 = 0x01; // 5 UTF-16 units
const LDIR_ATTR = 0x0b;
const LDIR_TYPE = 0x0c; // 0: a name component
const LDIR_CHKSUM = 0x0d;
const LDIR_NAME2 = 0x0e; // 6 UTF-16 units
const LDIR_FST_CLUS_LO = 0x1a; // always 0
const LDIR_NAME3 = 0x1c; // 2 UTF-16 units

/** The UTF-16 unit offsets of one entry's 13 name characters. */
const UNIT_OFFSETS = [
  ...[0, 1, 2, 3, 4].map((i) => LDIR_NAME1 + 2 * i),
  ...[0, 1, 2, 3, 4, 5].map((i) => LDIR_NAME2 + 2 * i),
  ...[0, 1].map((i) => LDIR_NAME3 + 2 * i),
];
export const LFN_UNITS_PER_ENTRY = 13;
/** Set in the ordinal of the last (first stored) piece (§7 LAST_LONG_ENTRY). */
const LAST_LONG_ENTRY = 0x40;

/** §7 ChkSum(): rotate right by one and add, over the 11 name bytes. */
export function shortNameChecksum(name11: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + name11[i]!) & 0xff;
  return sum;
}

/** How many long entries a name needs. */
export function lfnEntryCount(name: string): number {
  return Math.ceil(name.length / LFN_UNITS_PER_ENTRY);
}

/**
 * The long entries for `name`, in on-disk order (highest ordinal first). The name is NUL-terminated
 * unless it fills its last piece exactly, and padded with 0xFFFF (§7).
 */
export function encodeLfnEntries(name: string, checksum: number): Uint8Array {
  const count = lfnEntryCount(name);
  const out = new Uint8Array(count * DIR_ENTRY_SIZE);
  const v = new DataView(out.buffer);
  for (let piece = 0; piece < count; piece++) {
    const ordinal = piece + 1;
    const at = (count - ordinal) * DIR_ENTRY_SIZE;
    out[at + LDIR_ORD] = ordinal | (ordinal === count ? LAST_LONG_ENTRY : 0);
    out[at + LDIR_ATTR] = ATTR_LONG_NAME;
    out[at + LDIR_TYPE] = 0;
    out[at + LDIR_CHKSUM] = checksum;
    v.setUint16(at + LDIR_FST_CLUS_LO, 0, true);
    for (let k = 0; k < LFN_UNITS_PER_ENTRY; k++) {
      const index = piece * LFN_UNITS_PER_ENTRY + k;
      const unit = index < name.length ? name.charCodeAt(index) : index === name.length ? 0x0000 : 0xffff;
      v.setUint16(at + UNIT_OFFSETS[k]!, unit, true);
    }
  }
  return out;
}

/** The 13 UTF-16 units of one long entry, up to the terminator (for readers and tests). */
export function decodeLfnPiece(bytes: Uint8Array, offset: number): { ordinal: number; last: boolean; checksum: number; text: string } {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, DIR_ENTRY_SIZE);
  let text = '';
  for (const o of UNIT_OFFSETS) {
    const unit = v.getUint16(o, true);
    if (unit === 0x0000 || unit === 0xffff) break;
    text += String.fromCharCode(unit);
  }
  const ord = bytes[offset + LDIR_ORD]!;
  return { ordinal: ord & 0x1f, last: (ord & LAST_LONG_ENTRY) !== 0, checksum: bytes[offset + LDIR_CHKSUM]!, text };
}
