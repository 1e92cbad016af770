/**
 * The Huffman code builder: RFC 8878 §4.2.1's example of canonical codes, the 11-bit limit, and a
 * complete code (Kraft sum exactly 1, which the decoder needs to infer the last weight).
 */
import { expect, test } from 'vitest';
import { buildHuffmanCode } from '../../../src/compress/zstd/huffman.js';

function kraft(lengths: Uint8Array, maxBits: number): number {
  let sum = 0;
  for (const l of lengths) if (l > 0) sum += 2 ** (maxBits - l);
  return sum / 2 ** maxBits;
}

test('codes are assigned as RFC 8878 §4.2.1 shows: longest first, in symbol order', () => {
  // Counts giving lengths 1, 2, 3, 4, 4 to literals 0-4 (the RFC's example).
  const counts = new Uint32Array(256);
  [16, 8, 4, 2, 2].forEach((c, s) => (counts[s] = c));
  const code = buildHuffmanCode(counts);
  expect([...code.lengths.subarray(0, 5)]).toEqual([1, 2, 3, 4, 4]);
  expect([...code.codes.subarray(0, 5)].map((c, s) => c.toString(2).padStart(code.lengths[s]!, '0'))).toEqual(['1', '01', '001', '0000', '0001']);
});

test('very skewed counts are limited to 11 bits and the code stays complete', () => {
  const counts = new Uint32Array(256);
  for (let s = 0; s < 256; s++) counts[s] = s < 30 ? 2 ** Math.min(s, 30) : 1;
  const code = buildHuffmanCode(counts);
  expect(code.maxBits).toBeLessThanOrEqual(11);
  expect(Math.max(...code.lengths)).toBe(code.maxBits);
  expect(kraft(code.lengths, code.maxBits)).toBe(1);
  expect([...code.lengths].every((l) => l > 0)).toBe(true);
});
