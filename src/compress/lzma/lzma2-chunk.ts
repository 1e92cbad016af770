/**
 * LZMA2 chunk headers (xz-file-format.txt §5.3.1 names the filter; the chunk layout is the LZMA SDK's
 * Lzma2Dec.c / liblzma's lzma2_decoder.c, as documented there):
 *   0x00                       end of the LZMA2 data
 *   0x01 U U                   uncompressed chunk, dictionary reset;  U U = size - 1, big-endian
 *   0x02 U U                   uncompressed chunk, no reset
 *   1rruuuuu U U P P [S]       LZMA chunk; uuuuu U U = uncompressed size - 1 (21 bits),
 *                              P P = compressed size - 1; rr = reset: 0 none, 1 state,
 *                              2 state + new properties (byte S follows), 3 also the dictionary
 */

export const LZMA2_END = 0x00;
/** An uncompressed chunk holds at most 64 KiB. */
export const UNCOMPRESSED_CHUNK_MAX = 1 << 16;
/** An LZMA chunk unpacks to at most 2 MiB... */
export const LZMA_CHUNK_UNCOMPRESSED_MAX = 1 << 21;
/** ...and packs to at most 64 KiB. */
export const LZMA_CHUNK_COMPRESSED_MAX = 1 << 16;

const CONTROL_UNCOMPRESSED_RESET_DICT = 0x01;
const CONTROL_UNCOMPRESSED = 0x02;
const CONTROL_LZMA = 0x80;
/** The reset field sits in bits 5-6 of an LZMA chunk's control byte. */
const RESET_SHIFT = 5;

export type LzmaChunkReset = 'none' | 'state' | 'properties' | 'dictionary';
const RESET_CODE: Record<LzmaChunkReset, number> = { none: 0, state: 1, properties: 2, dictionary: 3 };

/** The header of an uncompressed chunk of `size` (1..64 KiB) bytes. */
export function uncompressedChunkHeader(size: number, resetDictionary: boolean): Uint8Array {
  const u = size - 1;
  return Uint8Array.of(resetDictionary ? CONTROL_UNCOMPRESSED_RESET_DICT : CONTROL_UNCOMPRESSED, u >>> 8, u & 0xff);
}

/** The header of an LZMA chunk; the properties byte is written for resets that need it. */
export function lzmaChunkHeader(uncompressedSize: number, compressedSize: number, reset: LzmaChunkReset, propertiesByte: number): Uint8Array {
  const u = uncompressedSize - 1;
  const c = compressedSize - 1;
  const code = RESET_CODE[reset];
  const header = [CONTROL_LZMA | (code << RESET_SHIFT) | (u >>> 16), (u >>> 8) & 0xff, u & 0xff, c >>> 8, c & 0xff];
  if (code >= RESET_CODE.properties) header.push(propertiesByte);
  return Uint8Array.from(header);
}

/**
 * The LZMA2 dictionary-size byte (xz-file-format.txt §5.3.1): sizes are 2^(n/2 + 12) for even n and
 * 3 × 2^((n-1)/2 + 11) for odd n; this picks the smallest n whose size is at least `dictSize`.
 */
export function dictionarySizeByte(dictSize: number): number {
  for (let n = 0; n < 40; n++) {
    if (dictionarySizeFromByte(n) >= dictSize) return n;
  }
  return 40;
}

/** The dictionary size a dictionary-size byte stands for (40 = 4 GiB - 1). */
export function dictionarySizeFromByte(n: number): number {
  if (n === 40) return 0xffffffff;
  return (2 | (n & 1)) * 2 ** ((n >>> 1) + 11);
}
