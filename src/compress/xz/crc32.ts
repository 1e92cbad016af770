/** CRC32 (IEEE 802.3, as xz-file-format.txt §3.1 uses for headers, the index and check type 0x01). */
import CRC32 from 'crc-32';

/** CRC32 of `bytes`, continuing from a previous result `crc` (0 to start). Unsigned. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  return CRC32.buf(bytes, crc) >>> 0;
}

export function writeUint32LE(out: Uint8Array, offset: number, value: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(offset, value >>> 0, true);
}
