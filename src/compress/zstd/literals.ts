/**
 * The literals section (RFC 8878 §3.1.1.3.1): Raw, RLE, or Huffman-compressed, whichever is smallest.
 */
import { concatBytes } from '../concat.js';
import { LITERALS_COMPRESSED, LITERALS_RAW, LITERALS_RLE } from './constants.js';
import { buildHuffmanCode, encodeHuffmanStreams, writeTreeDescription } from './huffman.js';

/** Below this many literals a Huffman table costs more than it saves. */
const HUFFMAN_MIN_LITERALS = 64;

/**
 * §3.1.1.3.1.1 header for Raw and RLE literals: Size_Format picks 1 byte (5-bit size), 2 bytes
 * (12-bit size) or 3 bytes (20-bit size).
 */
function rawOrRleHeader(type: number, size: number): Uint8Array {
  if (size < 32) return Uint8Array.of(type | (size << 3));
  if (size < 4096) return Uint8Array.of(type | (1 << 2) | ((size & 0x0f) << 4), size >> 4);
  return Uint8Array.of(type | (3 << 2) | ((size & 0x0f) << 4), (size >> 4) & 0xff, size >> 12);
}

/**
 * §3.1.1.3.1.1 header for compressed literals: Size_Format 0 = one stream with 10-bit sizes, 1-3 = four
 * streams with 10-, 14- or 18-bit sizes (regenerated size, then compressed size).
 */
function compressedHeader(regenerated: number, compressed: number, fourStreams: boolean): Uint8Array {
  const largest = Math.max(regenerated, compressed);
  if (largest < 1024) {
    const v = LITERALS_COMPRESSED | ((fourStreams ? 1 : 0) << 2) | (regenerated << 4) | (compressed << 14);
    return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
  }
  if (largest < 16384) {
    const v = LITERALS_COMPRESSED | (2 << 2) | (regenerated << 4) | (compressed << 18);
    return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  // 2 + 2 + 18 + 18 = 40 bits: split, as 40 bits do not fit a 32-bit integer.
  const low = LITERALS_COMPRESSED | (3 << 2) | (regenerated << 4) | ((compressed & 0x3ff) << 22);
  return Uint8Array.of(low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, (low >>> 24) & 0xff, compressed >>> 10);
}

/** The literals section for `literals`: the smallest valid encoding. */
export function encodeLiterals(literals: Uint8Array): Uint8Array {
  const n = literals.length;
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i++) counts[literals[i]!]!++;
  let distinct = 0;
  for (let s = 0; s < 256; s++) if (counts[s]! > 0) distinct++;
  if (n > 0 && distinct === 1) return concatBytes([rawOrRleHeader(LITERALS_RLE, n), literals.subarray(0, 1)]);
  const raw = (): Uint8Array => concatBytes([rawOrRleHeader(LITERALS_RAW, n), literals]);
  if (n < HUFFMAN_MIN_LITERALS) return raw();
  const code = buildHuffmanCode(counts);
  const tree = writeTreeDescription(code);
  if (!tree) return raw();
  // One stream only with Size_Format 0 (sizes under 1024); four otherwise.
  const fourStreams = n >= 1024;
  const streams = encodeHuffmanStreams(literals, code, fourStreams);
  const compressedSize = tree.length + streams.length;
  if (!fourStreams && compressedSize >= 1024) return raw();
  const header = compressedHeader(n, compressedSize, fourStreams);
  if (header.length + compressedSize >= n + rawOrRleHeader(LITERALS_RAW, n).length) return raw();
  return concatBytes([header, tree, streams]);
}
