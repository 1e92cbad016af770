/**
 * The xz Index (xz-file-format.txt §4): indicator 0x00 | number of records (VLI) | per block: unpadded
 * size (VLI: block header + compressed data + check, without block padding) and uncompressed size (VLI)
 * | zero padding to a multiple of 4 | CRC32 of everything before it.
 */
import { crc32, writeUint32LE } from './crc32.js';
import { encodeVli } from './vli.js';

const INDEX_INDICATOR = 0x00;
const CRC_SIZE = 4;

export interface IndexRecord {
  readonly unpaddedSize: number;
  readonly uncompressedSize: number;
}

export function encodeIndex(records: readonly IndexRecord[]): Uint8Array {
  const body = [INDEX_INDICATOR, ...encodeVli(records.length)];
  for (const r of records) body.push(...encodeVli(r.unpaddedSize), ...encodeVli(r.uncompressedSize));
  const size = Math.ceil((body.length + CRC_SIZE) / 4) * 4;
  const out = new Uint8Array(size);
  out.set(body);
  writeUint32LE(out, size - CRC_SIZE, crc32(out.subarray(0, size - CRC_SIZE)));
  return out;
}
