import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { decodeLfnPiece, encodeLfnEntries, lfnEntryCount, shortNameChecksum } from '../../../src/fs/fat/lfn.js';

/** mtools' root directory: 2 long entries + LOADER~1.CON, then 3 long entries + AVERYL~1.TEX (see README). */
const mtoolsDir = new Uint8Array(readFileSync(new URL('../../fixtures/fat/mtools-lfn-rootdir.bin', import.meta.url)));
const loaderShort = mtoolsDir.subarray(0x40 - 0x20, 0x40 - 0x20 + 11);
const longShort = mtoolsDir.subarray(0xa0, 0xab);

describe('VFAT long-name entries (fatgen103 §7)', () => {
  test('the short-name checksum equals the one mtools stored', () => {
    expect(String.fromCharCode(...loaderShort)).toBe('LOADER~1CON');
    expect(shortNameChecksum(loaderShort)).toBe(mtoolsDir[0x0d]);
    expect(shortNameChecksum(longShort)).toBe(mtoolsDir[0x40 + 0x0d]);
  });

  test('entries are byte-identical to what mtools wrote for the same names', () => {
    expect(encodeLfnEntries('loader.conf', shortNameChecksum(loaderShort))).toEqual(mtoolsDir.subarray(0, 0x20));
    const name = 'a very long file name number 12.text';
    expect(lfnEntryCount(name)).toBe(3);
    expect(encodeLfnEntries(name, shortNameChecksum(longShort))).toEqual(mtoolsDir.subarray(0x40, 0xa0));
  });

  test('a name filling its last piece exactly has no terminator; pieces decode in order', () => {
    const name = 'exactly13char';
    const bytes = encodeLfnEntries(name, 0x5a);
    expect(bytes.length).toBe(32);
    expect(bytes.subarray(0x1c, 0x20)).toEqual(new Uint8Array([0x61, 0, 0x72, 0])); // "ar", no 0x0000
    expect(decodeLfnPiece(bytes, 0)).toEqual({ ordinal: 1, last: true, checksum: 0x5a, text: name });
    const two = encodeLfnEntries(`${name}+`, 1);
    expect([decodeLfnPiece(two, 0), decodeLfnPiece(two, 32)].map((p) => [p.ordinal, p.last, p.text])).toEqual([
      [2, true, '+'],
      [1, false, name],
    ]);
  });
});
