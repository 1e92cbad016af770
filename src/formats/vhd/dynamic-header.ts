/** The VHD dynamic disk header (VHD spec, "Dynamic Disk Header Format"): 1024 bytes, big-endian. */
import { inputError } from '../../errors.js';
import { vhdChecksum } from './checksum.js';

export const DYNAMIC_HEADER_SIZE = 1024;
const COOKIE = 'cxsparse';

const OFF_COOKIE = 0;
const OFF_DATA_OFFSET = 8;
const OFF_TABLE_OFFSET = 16;
const OFF_HEADER_VERSION = 24;
const OFF_MAX_TABLE_ENTRIES = 28;
const OFF_BLOCK_SIZE = 32;
const OFF_CHECKSUM = 36;
// 40: parent unique id, 56: parent timestamp, 64: parent unicode name, 576: parent locators (unused: no parent).

const HEADER_VERSION_1_0 = 0x00010000;
/** The spec's default block size, and qemu-img's. */
export const DEFAULT_BLOCK_SIZE = 2 * 1024 * 1024;
/** BAT entry of a block with no storage. */
export const BAT_UNUSED = 0xffffffff;

export interface VhdDynamicHeader {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
}

export function encodeVhdDynamicHeader(h: VhdDynamicHeader): Uint8Array {
  const out = new Uint8Array(DYNAMIC_HEADER_SIZE);
  const v = new DataView(out.buffer);
  out.set(Buffer.from(COOKIE, 'latin1'), OFF_COOKIE);
  v.setBigUint64(OFF_DATA_OFFSET, 0xffffffffffffffffn);
  v.setBigUint64(OFF_TABLE_OFFSET, BigInt(h.tableOffset));
  v.setUint32(OFF_HEADER_VERSION, HEADER_VERSION_1_0);
  v.setUint32(OFF_MAX_TABLE_ENTRIES, h.maxTableEntries);
  v.setUint32(OFF_BLOCK_SIZE, h.blockSize);
  v.setUint32(OFF_CHECKSUM, vhdChecksum(out, OFF_CHECKSUM));
  return out;
}

export function decodeVhdDynamicHeader(bytes: Uint8Array, name: string): VhdDynamicHeader {
  if (Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== COOKIE) throw inputError(`${name}: VHD dynamic header: bad cookie (expected "cxsparse")`, 'the image is corrupt');
  const v = new DataView(bytes.buffer, bytes.byteOffset, DYNAMIC_HEADER_SIZE);
  const stored = v.getUint32(OFF_CHECKSUM);
  if (stored !== vhdChecksum(bytes.subarray(0, DYNAMIC_HEADER_SIZE), OFF_CHECKSUM)) throw inputError(`${name}: VHD dynamic header checksum mismatch`, 'the image is corrupt');
  const h = { tableOffset: Number(v.getBigUint64(OFF_TABLE_OFFSET)), maxTableEntries: v.getUint32(OFF_MAX_TABLE_ENTRIES), blockSize: v.getUint32(OFF_BLOCK_SIZE) };
  if (h.blockSize < 512 || h.blockSize % 512 !== 0 || (h.blockSize & (h.blockSize - 1)) !== 0) throw inputError(`${name}: VHD dynamic header: block size ${h.blockSize} is not a power of two sectors`, 'the image is corrupt');
  return h;
}
