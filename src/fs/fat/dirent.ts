/**
 * The 32-byte short directory entry (fatgen103 §6, "FAT Directory Structure").
 */
import { ATTR_LONG_NAME, DIR_ENTRY_SIZE } from './constants.js';
import type { FatTime } from './time.js';

/** Field offsets (§6). */
const DIR_NAME = 0x00; // 11 bytes: 8-byte base + 3-byte extension, space padded
const DIR_ATTR = 0x0b;
const DIR_NTRES = 0x0c; // Windows NT: case flags of the 8.3 name
const DIR_CRT_TIME_TENTH = 0x0d;
const DIR_CRT_TIME = 0x0e;
const DIR_CRT_DATE = 0x10;
const DIR_LST_ACC_DATE = 0x12;
const DIR_FST_CLUS_HI = 0x14;
const DIR_WRT_TIME = 0x16;
const DIR_WRT_DATE = 0x18;
const DIR_FST_CLUS_LO = 0x1a;
const DIR_FILE_SIZE = 0x1c;

/**
 * DIR_NTRes bits Windows NT and Linux (shortname=mixed) use: the base or the extension of a
 * name that fits 8.3 is shown in lower case. This saves a long-name entry for names like "vmlinuz".
 */
export const NTRES_LOWER_BASE = 0x08;
export const NTRES_LOWER_EXT = 0x10;

/** First-byte values with a meaning (§6): a free entry, and 0xE5 stored as 0x05 in a real name. */
export const DIR_ENTRY_FREE = 0xe5;
export const DIR_ENTRY_KANJI_E5 = 0x05;

export interface ShortEntry {
  /** The 11 name bytes, already padded ("README  TXT", ".          "). */
  readonly name: Uint8Array;
  readonly attr: number;
  readonly ntRes: number;
  readonly created: FatTime;
  /** Only the date part is stored for the last access. */
  readonly accessed: FatTime;
  readonly written: FatTime;
  readonly firstCluster: number;
  readonly size: number;
}

export function encodeShortEntry(e: ShortEntry): Uint8Array {
  const out = new Uint8Array(DIR_ENTRY_SIZE);
  const v = new DataView(out.buffer);
  out.set(e.name.subarray(0, 11), DIR_NAME);
  if (out[DIR_NAME] === DIR_ENTRY_FREE) out[DIR_NAME] = DIR_ENTRY_KANJI_E5;
  out[DIR_ATTR] = e.attr;
  out[DIR_NTRES] = e.ntRes;
  out[DIR_CRT_TIME_TENTH] = e.created.hundredths;
  v.setUint16(DIR_CRT_TIME, e.created.time, true);
  v.setUint16(DIR_CRT_DATE, e.created.date, true);
  v.setUint16(DIR_LST_ACC_DATE, e.accessed.date, true);
  v.setUint16(DIR_FST_CLUS_HI, e.firstCluster >>> 16, true);
  v.setUint16(DIR_WRT_TIME, e.written.time, true);
  v.setUint16(DIR_WRT_DATE, e.written.date, true);
  v.setUint16(DIR_FST_CLUS_LO, e.firstCluster & 0xffff, true);
  v.setUint32(DIR_FILE_SIZE, e.size, true);
  return out;
}

export interface DecodedShortEntry {
  readonly name: Uint8Array;
  readonly attr: number;
  readonly ntRes: number;
  readonly writeDate: number;
  readonly writeTime: number;
  readonly firstCluster: number;
  readonly size: number;
}

/** Reads one short entry; undefined for the end marker (first byte 0) and for long-name entries. */
export function decodeShortEntry(bytes: Uint8Array, offset = 0): DecodedShortEntry | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, DIR_ENTRY_SIZE);
  const attr = bytes[offset + DIR_ATTR]!;
  if (bytes[offset] === 0 || (attr & 0x3f) === ATTR_LONG_NAME) return undefined;
  const name = bytes.slice(offset + DIR_NAME, offset + DIR_NAME + 11);
  if (name[0] === DIR_ENTRY_KANJI_E5) name[0] = DIR_ENTRY_FREE;
  return {
    name,
    attr,
    ntRes: bytes[offset + DIR_NTRES]!,
    writeDate: v.getUint16(DIR_WRT_DATE, true),
    writeTime: v.getUint16(DIR_WRT_TIME, true),
    firstCluster: (v.getUint16(DIR_FST_CLUS_HI, true) << 16) | v.getUint16(DIR_FST_CLUS_LO, true),
    size: v.getUint32(DIR_FILE_SIZE, true),
  };
}
