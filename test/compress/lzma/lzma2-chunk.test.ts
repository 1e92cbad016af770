import { expect, test } from 'vitest';
import { dictionarySizeByte, dictionarySizeFromByte, lzmaChunkHeader, uncompressedChunkHeader } from '../../../src/compress/lzma/lzma2-chunk.js';

test('dictionary-size byte: the table in xz-file-format.txt §5.3.1', () => {
  expect(dictionarySizeFromByte(0)).toBe(4 << 10);
  expect(dictionarySizeFromByte(1)).toBe(6 << 10);
  expect(dictionarySizeFromByte(2)).toBe(8 << 10);
  expect(dictionarySizeFromByte(22)).toBe(8 << 20);
  expect(dictionarySizeFromByte(40)).toBe(0xffffffff);
  expect(dictionarySizeByte(1 << 20)).toBe(16);
  expect(dictionarySizeByte(8 << 20)).toBe(22);
  expect(dictionarySizeByte(64 << 20)).toBe(28);
  expect(dictionarySizeByte(5 << 20)).toBe(21); // rounds up: 6 MiB
});

test('chunk headers: sizes minus one, big-endian; reset in bits 5-6; properties byte only with new properties', () => {
  expect([...uncompressedChunkHeader(65536, true)]).toEqual([0x01, 0xff, 0xff]);
  expect([...uncompressedChunkHeader(1, false)]).toEqual([0x02, 0x00, 0x00]);
  expect([...lzmaChunkHeader(2 << 20, 65536, 'dictionary', 0x5d)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0x5d]);
  expect([...lzmaChunkHeader(0x12345, 0x100, 'properties', 0x5d)]).toEqual([0xc1, 0x23, 0x44, 0x00, 0xff, 0x5d]);
  expect([...lzmaChunkHeader(1, 1, 'state', 0x5d)]).toEqual([0xa0, 0, 0, 0, 0]);
  expect([...lzmaChunkHeader(1, 1, 'none', 0x5d)]).toEqual([0x80, 0, 0, 0, 0]);
});
