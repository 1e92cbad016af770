/**
 * The xz Block Header (xz-file-format.txt §3.1) for one LZMA2 filter and unknown sizes (we stream, so
 * neither the compressed nor the uncompressed size is known when the header is written; the Index
 * records both afterwards):
 *   header size byte = size/4 - 1 | block flags (filters - 1; bits 6/7 = sizes present: off)
 *   | filter flags: id 0x21 (LZMA2, §5.3.1), properties size 1, dictionary-size byte
 *   | zero padding to a multiple of 4 | CRC32 of everything before it
 */
import { crc32, writeUint32LE } from './crc32.js';
import { encodeVli } from './vli.js';

export const FILTER_LZMA2 = 0x21;
const LZMA2_PROPERTIES_SIZE = 1;
const CRC_SIZE = 4;

export function encodeBlockHeader(dictionarySizeByte: number): Uint8Array {
  const body = [0 /* size, set below */, 0x00 /* one filter, no sizes */, ...encodeVli(FILTER_LZMA2), ...encodeVli(LZMA2_PROPERTIES_SIZE), dictionarySizeByte];
  const size = Math.ceil((body.length + CRC_SIZE) / 4) * 4;
  const out = new Uint8Array(size);
  out.set(body);
  out[0] = size / 4 - 1;
  writeUint32LE(out, size - CRC_SIZE, crc32(out.subarray(0, size - CRC_SIZE)));
  return out;
}

/** Block Padding (§3.3): zeros after the compressed data up to a multiple of 4. */
export function blockPadding(compressedSize: number): Uint8Array {
  return new Uint8Array((4 - (compressedSize % 4)) % 4);
}
