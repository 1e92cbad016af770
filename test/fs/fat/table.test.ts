import { describe, expect, test } from 'vitest';
import { encodeFatRange, endOfChain, fatEntries } from '../../../src/fs/fat/table.js';

describe('FAT table (fatgen103 §4)', () => {
  const runs = [{ first: 2, count: 1 }, { first: 3, count: 3 }, { first: 8, count: 2 }];

  test('entries: media and EOC in 0-1, next cluster within a run, EOC at its end, free elsewhere', () => {
    expect([...fatEntries(32, runs, 0, 11)]).toEqual([0x0ffffff8, 0x0fffffff, 0x0fffffff, 4, 5, 0x0fffffff, 0, 0, 9, 0x0fffffff, 0]);
    expect([...fatEntries(16, runs, 4, 3)]).toEqual([5, 0xffff, 0]);
    expect(endOfChain(12)).toBe(0xfff);
  });

  test('FAT12 packs two entries in three bytes, the even one low', () => {
    // Entries 0..3: FF8, FFF, FFF (cluster 2 ends), 004.
    expect([...encodeFatRange(12, runs, 0, 4)]).toEqual([0xf8, 0xff, 0xff, 0xff, 0x4f, 0x00]);
    expect(() => encodeFatRange(12, runs, 1, 2)).toThrow(/even/);
  });

  test('FAT16 and FAT32 are little-endian 2- and 4-byte entries; a range can start mid-table', () => {
    expect([...encodeFatRange(16, runs, 2, 2)]).toEqual([0xff, 0xff, 0x04, 0x00]);
    expect([...encodeFatRange(32, runs, 8, 2)]).toEqual([0x09, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f]);
  });
});
