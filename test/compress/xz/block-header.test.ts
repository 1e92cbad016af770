import { expect, test } from 'vitest';
import { blockPadding, encodeBlockHeader } from '../../../src/compress/xz/block-header.js';
import { crc32 } from '../../../src/compress/xz/crc32.js';

test('block header: 12 bytes, size byte 2, one filter, LZMA2 id 0x21 with the dictionary byte, CRC32 last (§3.1)', () => {
  const h = encodeBlockHeader(22);
  expect(h.length).toBe(12);
  expect([...h.subarray(0, 8)]).toEqual([0x02, 0x00, 0x21, 0x01, 22, 0, 0, 0]);
  expect(Buffer.from(h).readUInt32LE(8)).toBe(crc32(h.subarray(0, 8)));
});

test('block padding brings the compressed size to a multiple of 4', () => {
  expect([0, 1, 2, 3, 4].map((n) => blockPadding(n).length)).toEqual([0, 3, 2, 1, 0]);
});
