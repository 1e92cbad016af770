import { describe, expect, test } from 'vitest';
import { decodeChs, encodeChs, lbaToChs } from '../../src/mbr/chs.js';

describe('CHS as partitioning tools compute it (255 heads, 63 sectors)', () => {
  test('LBA 2048 is cylinder 0, head 32, sector 33 (bytes 20 21 00, as sfdisk writes)', () => {
    expect(lbaToChs(2048)).toEqual({ cylinder: 0, head: 32, sector: 33 });
    expect(encodeChs(lbaToChs(2048))).toEqual([0x20, 0x21, 0x00]);
  });
  test('cylinder bits 8-9 go to the top of the sector byte', () => {
    const chs = { cylinder: 0x3ff, head: 7, sector: 5 };
    expect(encodeChs(chs)).toEqual([7, 0xc5, 0xff]);
    expect(decodeChs(Uint8Array.from(encodeChs(chs)), 0)).toEqual(chs);
  });
  test('addresses past cylinder 1023 clamp to 1023/254/63 (fe ff ff)', () => {
    expect(encodeChs(lbaToChs(1024 * 255 * 63))).toEqual([0xfe, 0xff, 0xff]);
    expect(lbaToChs(1023 * 255 * 63 + 254 * 63 + 62)).toEqual({ cylinder: 1023, head: 254, sector: 63 });
  });
});
