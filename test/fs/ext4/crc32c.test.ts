import { describe, expect, test } from 'vitest';
import { crc32cRaw, crc32cU32, inodeCsumSeed } from '../../../src/fs/ext4/crc32c.js';

describe('crc32c (raw, as ext4 chains it)', () => {
  test('the Castagnoli check value: ~raw(~0, "123456789") = 0xE3069283 (RFC 3720 B.4)', () => {
    expect(~crc32cRaw(0xffffffff, new TextEncoder().encode('123456789')) >>> 0).toBe(0xe3069283);
  });
  test('chaining over pieces equals one pass over the whole', () => {
    const a = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(crc32cRaw(crc32cRaw(0x1234, a.subarray(0, 4)), a.subarray(4))).toBe(crc32cRaw(0x1234, a));
    expect(crc32cU32(7, 0x04030201)).toBe(crc32cRaw(7, Uint8Array.from([1, 2, 3, 4])));
    expect(inodeCsumSeed(9, 12, 0)).toBe(crc32cRaw(9, Uint8Array.from([12, 0, 0, 0, 0, 0, 0, 0])));
  });
});
