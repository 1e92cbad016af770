/**
 * The xz Stream Header and Stream Footer (xz-file-format.txt §2.1.1, §2.1.2).
 *   Header (12 bytes): magic FD 37 7A 58 5A 00 | stream flags (2) | CRC32 of the flags (4)
 *   Footer (12 bytes): CRC32 of backward size + flags (4) | backward size (4) | stream flags (2) | "YZ"
 * Stream flags: a zero byte, then the check type in the low 4 bits of the second byte.
 */
import { crc32, writeUint32LE } from './crc32.js';

const HEADER_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FOOTER_MAGIC = [0x59, 0x5a];
export const STREAM_HEADER_SIZE = 12;
export const STREAM_FOOTER_SIZE = 12;

/** §2.1.1.2 check types: the one we write (what the kernel's initramfs decoder wants). */
export const CHECK_CRC32 = 0x01;
export const CHECK_CRC32_SIZE = 4;

function streamFlags(checkType: number): Uint8Array {
  return Uint8Array.of(0x00, checkType & 0x0f);
}

export function encodeStreamHeader(checkType = CHECK_CRC32): Uint8Array {
  const out = new Uint8Array(STREAM_HEADER_SIZE);
  out.set(HEADER_MAGIC, 0);
  const flags = streamFlags(checkType);
  out.set(flags, 6);
  writeUint32LE(out, 8, crc32(flags));
  return out;
}

/** `indexSize` is the Index's full size in bytes (a multiple of 4); the footer stores it as size/4 - 1. */
export function encodeStreamFooter(indexSize: number, checkType = CHECK_CRC32): Uint8Array {
  const out = new Uint8Array(STREAM_FOOTER_SIZE);
  writeUint32LE(out, 4, indexSize / 4 - 1);
  out.set(streamFlags(checkType), 8);
  out.set(FOOTER_MAGIC, 10);
  writeUint32LE(out, 0, crc32(out.subarray(4, 10)));
  return out;
}
