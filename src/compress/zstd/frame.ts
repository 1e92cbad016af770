/**
 * Frame and block headers (RFC 8878 §3.1.1).
 */
import { FRAME_MAGIC } from './constants.js';

/**
 * §3.1.1.1 Frame_Header. Either a window descriptor (streaming: the size is not known in advance),
 * or Single_Segment with the Frame_Content_Size (the whole input was seen before the first block).
 * Frame_Header_Descriptor bits: 7-6 FCS_Field_Size, 5 Single_Segment, 2 Content_Checksum.
 */
export function frameHeader(opts: { windowLog: number; contentSize?: number; checksum: boolean }): Uint8Array {
  const out: number[] = [FRAME_MAGIC & 0xff, (FRAME_MAGIC >>> 8) & 0xff, (FRAME_MAGIC >>> 16) & 0xff, FRAME_MAGIC >>> 24];
  const checksumFlag = opts.checksum ? 1 << 2 : 0;
  const size = opts.contentSize;
  if (size === undefined) {
    out.push(checksumFlag);
    // §3.1.1.1.2 Window_Descriptor: Exponent in bits 7-3 (window = 1 << (10 + Exponent)), Mantissa 0.
    out.push((opts.windowLog - 10) << 3);
  } else if (size < 256) {
    out.push(0x20 | checksumFlag, size);
  } else if (size < 65536 + 256) {
    // §3.1.1.1.4: the 2-byte field holds size - 256.
    const v = size - 256;
    out.push((1 << 6) | 0x20 | checksumFlag, v & 0xff, v >> 8);
  } else if (size < 2 ** 32) {
    out.push((2 << 6) | 0x20 | checksumFlag, size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24);
  } else {
    throw new Error('single-segment frames are only written for small inputs');
  }
  return Uint8Array.from(out);
}

/** §3.1.1.2 Block_Header: 3 bytes little-endian: Last_Block (bit 0), Block_Type (bits 1-2), Block_Size (bits 3-23). */
export function blockHeader(last: boolean, type: number, size: number): Uint8Array {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
}

/** §3.1.1: Content_Checksum, the low 32 bits of XXH64, little-endian. */
export function checksumTrailer(low32: number): Uint8Array {
  return Uint8Array.of(low32 & 0xff, (low32 >>> 8) & 0xff, (low32 >>> 16) & 0xff, low32 >>> 24);
}
