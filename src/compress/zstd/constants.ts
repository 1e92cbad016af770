/**
 * Zstandard format constants (RFC 8878). Sections named beside each value.
 */

/** §3.1.1: every frame starts with this little-endian magic number. */
export const FRAME_MAGIC = 0xfd2fb528;
/** §3.1.1.2: Block_Maximum_Size = min(Window_Size, 128 KiB). */
export const BLOCK_SIZE_MAX = 128 * 1024;
/** §3.1.1.2.1: Block_Type values in the block header. */
export const BLOCK_RAW = 0;
export const BLOCK_RLE = 1;
export const BLOCK_COMPRESSED = 2;
/** §3.1.1.3.1.1: Literals_Block_Type values. */
export const LITERALS_RAW = 0;
export const LITERALS_RLE = 1;
export const LITERALS_COMPRESSED = 2;
/** §3.1.1.3.2.1: Symbol compression modes of the sequences section. */
export const MODE_PREDEFINED = 0;
export const MODE_RLE = 1;
export const MODE_FSE = 2;
/** §3.1.1.3.2.1: the largest accuracy logs a decoder accepts for each table. */
export const LL_MAX_ACCURACY_LOG = 9;
export const ML_MAX_ACCURACY_LOG = 9;
export const OF_MAX_ACCURACY_LOG = 8;
/** §4.2.1.2: Huffman weights are FSE-compressed with an accuracy log of at most 6. */
export const HUFFMAN_WEIGHTS_MAX_ACCURACY_LOG = 6;
/** §4.2.1: a Huffman code is at most 11 bits long. */
export const HUFFMAN_MAX_BITS = 11;
/** §4.1.1: FSE accuracy logs are written as (log - 5). */
export const FSE_MIN_ACCURACY_LOG = 5;
/** §3.1.2.5: repeat offsets start as 1, 4, 8 at the start of each frame. */
export const INITIAL_REPEAT_OFFSETS: readonly [number, number, number] = [1, 4, 8];
/** Our match finder's shortest match (the format allows 3; 4 keeps the hash simple and fast). */
export const MIN_MATCH = 4;

/** §3.1.1.3.2.1.1: Literals_Length codes: baseline and number of extra bits. */
export const LL_BASELINE = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
  8192, 16384, 32768, 65536,
] as const;
export const LL_EXTRA_BITS = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
] as const;

/** §3.1.1.3.2.1.1: Match_Length codes: baseline and number of extra bits. */
export const ML_BASELINE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 37,
  39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
] as const;
export const ML_EXTRA_BITS = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5,
  7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
] as const;

/** §3.1.1.3.2.2.1-3: the Predefined_Mode distributions (-1 = "less than 1"). */
export const LL_PREDEFINED = {
  accuracyLog: 6,
  norm: [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1],
} as const;
export const ML_PREDEFINED = {
  accuracyLog: 6,
  norm: [
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
  ],
} as const;
export const OF_PREDEFINED = {
  accuracyLog: 5,
  norm: [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1],
} as const;

/** Index of the highest set bit of v (v >= 1): floor(log2(v)). */
export function highBit(v: number): number {
  return 31 - Math.clz32(v);
}
