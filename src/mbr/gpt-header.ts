/**
 * The GPT header (UEFI spec 2.10 §5.3.2, table 5-5), at LBA 1 (primary) and the last LBA (backup).
 * 92 bytes, the rest of its sector zero. CRC32 over the 92 bytes with its own CRC field zeroed.
 */
import CRC32 from 'crc-32';
import { bytesToGuid, guidToBytes } from './guid.js';

export const GPT_SIGNATURE = 'EFI PART';
export const GPT_REVISION = 0x00010000;
export const GPT_HEADER_SIZE = 92;
const H_SIGNATURE = 0; // 8 bytes "EFI PART"
const H_REVISION = 8; // u32
const H_HEADER_SIZE = 12; // u32
const H_HEADER_CRC = 16; // u32
// 20: 4 reserved bytes, zero
const H_MY_LBA = 24; // u64
const H_ALTERNATE_LBA = 32; // u64
const H_FIRST_USABLE = 40; // u64
const H_LAST_USABLE = 48; // u64
const H_DISK_GUID = 56; // 16 bytes
const H_ENTRIES_LBA = 72; // u64
const H_ENTRY_COUNT = 80; // u32
const H_ENTRY_SIZE = 84; // u32
const H_ENTRIES_CRC = 88; // u32

export interface GptHeader {
  readonly myLba: number;
  readonly alternateLba: number;
  readonly firstUsableLba: number;
  readonly lastUsableLba: number;
  readonly diskGuid: string;
  readonly entriesLba: number;
  readonly entryCount: number;
  readonly entrySize: number;
  /** CRC32 of entryCount × entrySize bytes of the entry array. */
  readonly entriesCrc: number;
}

export function crc32(bytes: Uint8Array): number {
  return CRC32.buf(bytes) >>> 0;
}

/** One whole sector: the header, its CRC filled in, zeros after byte 92. */
export function encodeGptHeader(h: GptHeader, sectorSize: number): Uint8Array {
  const out = new Uint8Array(sectorSize);
  const v = new DataView(out.buffer);
  out.set(Buffer.from(GPT_SIGNATURE, 'latin1'), H_SIGNATURE);
  v.setUint32(H_REVISION, GPT_REVISION, true);
  v.setUint32(H_HEADER_SIZE, GPT_HEADER_SIZE, true);
  v.setBigUint64(H_MY_LBA, BigInt(h.myLba), true);
  v.setBigUint64(H_ALTERNATE_LBA, BigInt(h.alternateLba), true);
  v.setBigUint64(H_FIRST_USABLE, BigInt(h.firstUsableLba), true);
  v.setBigUint64(H_LAST_USABLE, BigInt(h.lastUsableLba), true);
  out.set(guidToBytes(h.diskGuid, 'GPT disk GUID'), H_DISK_GUID);
  v.setBigUint64(H_ENTRIES_LBA, BigInt(h.entriesLba), true);
  v.setUint32(H_ENTRY_COUNT, h.entryCount, true);
  v.setUint32(H_ENTRY_SIZE, h.entrySize, true);
  v.setUint32(H_ENTRIES_CRC, h.entriesCrc >>> 0, true);
  v.setUint32(H_HEADER_CRC, crc32(out.subarray(0, GPT_HEADER_SIZE)), true);
  return out;
}

export type HeaderCheck = { ok: true; header: GptHeader } | { ok: false; problem: string };

/** Decodes and checks signature, size and CRC. Never throws: a damaged header is a finding, not an error. */
export function decodeGptHeader(sector: Uint8Array): HeaderCheck {
  if (Buffer.from(sector.subarray(0, 8)).toString('latin1') !== GPT_SIGNATURE) return { ok: false, problem: 'no "EFI PART" signature' };
  const v = new DataView(sector.buffer, sector.byteOffset, sector.length);
  const size = v.getUint32(H_HEADER_SIZE, true);
  if (size < GPT_HEADER_SIZE || size > sector.length) return { ok: false, problem: `header size ${size} is invalid` };
  const copy = Uint8Array.from(sector.subarray(0, size));
  new DataView(copy.buffer).setUint32(H_HEADER_CRC, 0, true);
  const stored = v.getUint32(H_HEADER_CRC, true);
  const computed = crc32(copy);
  if (stored !== computed) return { ok: false, problem: `header CRC32 is 0x${hex32(stored)}, computed 0x${hex32(computed)}` };
  const entrySize = v.getUint32(H_ENTRY_SIZE, true);
  if (entrySize < 128 || entrySize % 8 !== 0) return { ok: false, problem: `entry size ${entrySize} is invalid` };
  return {
    ok: true,
    header: {
      myLba: Number(v.getBigUint64(H_MY_LBA, true)),
      alternateLba: Number(v.getBigUint64(H_ALTERNATE_LBA, true)),
      firstUsableLba: Number(v.getBigUint64(H_FIRST_USABLE, true)),
      lastUsableLba: Number(v.getBigUint64(H_LAST_USABLE, true)),
      diskGuid: bytesToGuid(sector, H_DISK_GUID),
      entriesLba: Number(v.getBigUint64(H_ENTRIES_LBA, true)),
      entryCount: v.getUint32(H_ENTRY_COUNT, true),
      entrySize,
      entriesCrc: v.getUint32(H_ENTRIES_CRC, true),
    },
  };
}

export function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
