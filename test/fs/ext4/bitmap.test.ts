import { describe, expect, test } from 'vitest';
import { encodeBlockBitmap, encodeInodeBitmap, setBits } from '../../../src/fs/ext4/bitmap.js';

const bit = (b: Uint8Array, i: number) => (b[i >> 3]! >> (i & 7)) & 1;

describe('bitmaps', () => {
  test('setBits sets exactly [from, to) for any alignment', () => {
    for (let from = 0; from < 40; from++) {
      for (let to = from; to < 60; to += 3) {
        const b = new Uint8Array(8);
        setBits(b, from, to);
        for (let i = 0; i < 64; i++) expect(bit(b, i), `${from}-${to} bit ${i}`).toBe(i >= from && i < to ? 1 : 0);
      }
    }
  });
  test('block bitmap: prefix plus metadata runs, overlaps counted once, padding past the group set', () => {
    const out = new Uint8Array(16); // 128 bits
    const used = encodeBlockBitmap(out, 100, 30, [[0, 5], [20, 40], [90, 200]]);
    const expected = new Set<number>();
    for (let i = 0; i < 30; i++) expected.add(i);
    for (let i = 20; i < 40; i++) expected.add(i);
    for (let i = 90; i < 100; i++) expected.add(i);
    expect(used).toBe(expected.size);
    for (let i = 0; i < 128; i++) expect(bit(out, i), `bit ${i}`).toBe(expected.has(i) || i >= 100 ? 1 : 0);
  });
  test('inode bitmap: the first used inodes, padding from inodes_per_group on', () => {
    const out = new Uint8Array(8);
    encodeInodeBitmap(out, 40, 13);
    for (let i = 0; i < 64; i++) expect(bit(out, i)).toBe(i < 13 || i >= 40 ? 1 : 0);
  });
});
