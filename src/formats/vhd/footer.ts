/**
 * The VHD footer (VHD spec, "Hard Disk Footer Format"): 512 bytes, big-endian, at the end of every
 * VHD and (for dynamic disks) copied at offset 0.
 */
import { inputError } from '../../errors.js';
import { vhdChecksum } from './checksum.js';
import type { Chs } from './geometry.js';

export const FOOTER_SIZE = 512;
export const FOOTER_COOKIE = 'conectix';

const OFF_COOKIE = 0;
const OFF_FEATURES = 8;
const OFF_FORMAT_VERSION = 12;
const OFF_DATA_OFFSET = 16;
const OFF_TIMESTAMP = 24;
const OFF_CREATOR_APP = 28;
const OFF_CREATOR_VERSION = 32;
const OFF_CREATOR_HOST_OS = 36;
const OFF_ORIGINAL_SIZE = 40;
const OFF_CURRENT_SIZE = 48;
const OFF_CYLINDERS = 56;
const OFF_HEADS = 58;
const OFF_SECTORS_PER_TRACK = 59;
const OFF_DISK_TYPE = 60;
const OFF_CHECKSUM = 64;
const OFF_UNIQUE_ID = 68;
const OFF_SAVED_STATE = 84;

/** Features: bit 1 "reserved" must always be set. */
const FEATURES_RESERVED = 0x2;
const FORMAT_VERSION_1_0 = 0x00010000;
/** Data offset of a fixed disk: none. */
export const NO_DATA_OFFSET = 0xffffffffffffffffn;
/** Seconds from the Unix epoch to the VHD epoch, 2000-01-01 00:00:00 UTC. */
export const VHD_EPOCH_UNIX = 946684800;

export const DISK_TYPE_FIXED = 2;
export const DISK_TYPE_DYNAMIC = 3;
export const DISK_TYPE_DIFFERENCING = 4;

export interface VhdFooter {
  /** Byte offset of the dynamic header, or undefined for fixed disks. */
  dataOffset: number | undefined;
  /** Seconds since 2000-01-01 UTC. */
  timestamp: number;
  /** Four ASCII characters, e.g. 'qem2', 'win ', 'tap\0'. */
  creatorApp: string;
  creatorVersion: number;
  /** Four ASCII characters, e.g. 'Wi2k'. */
  creatorHostOs: string;
  originalSize: number;
  currentSize: number;
  geometry: Chs;
  diskType: number;
  uniqueId: Uint8Array;
}

export function encodeVhdFooter(f: VhdFooter): Uint8Array {
  const out = new Uint8Array(FOOTER_SIZE);
  const v = new DataView(out.buffer);
  out.set(Buffer.from(FOOTER_COOKIE, 'latin1'), OFF_COOKIE);
  v.setUint32(OFF_FEATURES, FEATURES_RESERVED);
  v.setUint32(OFF_FORMAT_VERSION, FORMAT_VERSION_1_0);
  v.setBigUint64(OFF_DATA_OFFSET, f.dataOffset === undefined ? NO_DATA_OFFSET : BigInt(f.dataOffset));
  v.setUint32(OFF_TIMESTAMP, f.timestamp >>> 0);
  out.set(Buffer.from(f.creatorApp.padEnd(4, '\0').slice(0, 4), 'latin1'), OFF_CREATOR_APP);
  v.setUint32(OFF_CREATOR_VERSION, f.creatorVersion);
  out.set(Buffer.from(f.creatorHostOs.padEnd(4, '\0').slice(0, 4), 'latin1'), OFF_CREATOR_HOST_OS);
  v.setBigUint64(OFF_ORIGINAL_SIZE, BigInt(f.originalSize));
  v.setBigUint64(OFF_CURRENT_SIZE, BigInt(f.currentSize));
  v.setUint16(OFF_CYLINDERS, f.geometry.cylinders);
  out[OFF_HEADS] = f.geometry.heads;
  out[OFF_SECTORS_PER_TRACK] = f.geometry.sectorsPerTrack;
  v.setUint32(OFF_DISK_TYPE, f.diskType);
  out.set(f.uniqueId.subarray(0, 16), OFF_UNIQUE_ID);
  out[OFF_SAVED_STATE] = 0;
  v.setUint32(OFF_CHECKSUM, vhdChecksum(out, OFF_CHECKSUM));
  return out;
}

export function hasFooterCookie(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).toString('latin1') === FOOTER_COOKIE;
}

/** Decodes and verifies a footer; `name` is for errors. */
export function decodeVhdFooter(bytes: Uint8Array, name: string): VhdFooter {
  if (bytes.length < FOOTER_SIZE || !hasFooterCookie(bytes)) throw inputError(`${name}: VHD footer: bad cookie (expected "conectix")`, 'the file is not a VHD or is truncated');
  const v = new DataView(bytes.buffer, bytes.byteOffset, FOOTER_SIZE);
  const stored = v.getUint32(OFF_CHECKSUM);
  const computed = vhdChecksum(bytes.subarray(0, FOOTER_SIZE), OFF_CHECKSUM);
  if (stored !== computed) {
    throw inputError(`${name}: VHD footer checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`, 'the image is corrupt');
  }
  const dataOffset = v.getBigUint64(OFF_DATA_OFFSET);
  const text = (off: number) => Buffer.from(bytes.subarray(off, off + 4)).toString('latin1');
  return {
    dataOffset: dataOffset === NO_DATA_OFFSET ? undefined : Number(dataOffset),
    timestamp: v.getUint32(OFF_TIMESTAMP),
    creatorApp: text(OFF_CREATOR_APP),
    creatorVersion: v.getUint32(OFF_CREATOR_VERSION),
    creatorHostOs: text(OFF_CREATOR_HOST_OS),
    originalSize: Number(v.getBigUint64(OFF_ORIGINAL_SIZE)),
    currentSize: Number(v.getBigUint64(OFF_CURRENT_SIZE)),
    geometry: { cylinders: v.getUint16(OFF_CYLINDERS), heads: bytes[OFF_HEADS]!, sectorsPerTrack: bytes[OFF_SECTORS_PER_TRACK]! },
    diskType: v.getUint32(OFF_DISK_TYPE),
    uniqueId: bytes.slice(OFF_UNIQUE_ID, OFF_UNIQUE_ID + 16),
  };
}
