/**
 * One GPT partition entry (UEFI spec 2.10 §5.3.3, table 5-6): 128 bytes.
 */
import { inputError } from '../errors.js';
import { bytesToGuid, guidToBytes, ZERO_GUID } from './guid.js';

export const GPT_ENTRY_SIZE = 128;
const E_TYPE_GUID = 0; // 16 bytes; all zero = unused entry
const E_UNIQUE_GUID = 16; // 16 bytes
const E_FIRST_LBA = 32; // u64
const E_LAST_LBA = 40; // u64, inclusive
const E_ATTRIBUTES = 48; // u64
const E_NAME = 56; // 72 bytes: 36 UTF-16LE code units, zero padded
export const GPT_NAME_UNITS = 36;

/** Attribute bit 0: required by the platform. */
export const ATTR_REQUIRED = 1n << 0n;
/** Attribute bit 1: no block IO protocol (EFI must not read it). */
export const ATTR_NO_BLOCK_IO = 1n << 1n;
/** Attribute bit 2: legacy BIOS bootable (what some BIOSes and syslinux's gptmbr look for). */
export const ATTR_LEGACY_BIOS_BOOTABLE = 1n << 2n;

export interface GptEntry {
  readonly typeGuid: string;
  readonly uniqueGuid: string;
  readonly firstLba: number;
  /** Inclusive. */
  readonly lastLba: number;
  readonly attributes: bigint;
  readonly name: string;
}

export function encodeGptName(name: string, what = 'GPT partition name'): Uint8Array {
  if (name.length > GPT_NAME_UNITS) throw inputError(`${what} "${name}" is ${name.length} UTF-16 units long`, `GPT names hold at most ${GPT_NAME_UNITS}`);
  const out = new Uint8Array(GPT_NAME_UNITS * 2);
  out.set(Buffer.from(name, 'utf16le'), 0);
  return out;
}

export function encodeGptEntry(e: GptEntry): Uint8Array {
  const out = new Uint8Array(GPT_ENTRY_SIZE);
  const v = new DataView(out.buffer);
  out.set(guidToBytes(e.typeGuid, 'GPT partition type'), E_TYPE_GUID);
  out.set(guidToBytes(e.uniqueGuid, 'GPT partition GUID'), E_UNIQUE_GUID);
  v.setBigUint64(E_FIRST_LBA, BigInt(e.firstLba), true);
  v.setBigUint64(E_LAST_LBA, BigInt(e.lastLba), true);
  v.setBigUint64(E_ATTRIBUTES, BigInt.asUintN(64, e.attributes), true);
  out.set(encodeGptName(e.name), E_NAME);
  return out;
}

/** Undefined for an unused entry (type GUID all zero). */
export function decodeGptEntry(bytes: Uint8Array, offset: number): GptEntry | undefined {
  const typeGuid = bytesToGuid(bytes, offset + E_TYPE_GUID);
  if (typeGuid === ZERO_GUID) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset, GPT_ENTRY_SIZE);
  const nameBytes = bytes.subarray(offset + E_NAME, offset + E_NAME + GPT_NAME_UNITS * 2);
  let units = 0;
  while (units < GPT_NAME_UNITS && (nameBytes[units * 2] !== 0 || nameBytes[units * 2 + 1] !== 0)) units++;
  return {
    typeGuid,
    uniqueGuid: bytesToGuid(bytes, offset + E_UNIQUE_GUID),
    firstLba: Number(v.getBigUint64(E_FIRST_LBA, true)),
    lastLba: Number(v.getBigUint64(E_LAST_LBA, true)),
    attributes: v.getBigUint64(E_ATTRIBUTES, true),
    name: Buffer.from(nameBytes.subarray(0, units * 2)).toString('utf16le'),
  };
}
