import { expect, test } from 'vitest';
import { encodeVli } from '../../../src/compress/xz/vli.js';

test('VLIs: 7 bits a byte, least significant first, continuation bit on all but the last (xz-file-format.txt §1.2)', () => {
  expect(encodeVli(0)).toEqual([0x00]);
  expect(encodeVli(0x7f)).toEqual([0x7f]);
  expect(encodeVli(0x80)).toEqual([0x80, 0x01]);
  expect(encodeVli(0x21)).toEqual([0x21]);
  expect(encodeVli(300)).toEqual([0xac, 0x02]);
  expect(encodeVli(2 ** 35)).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  expect(() => encodeVli(-1)).toThrow(RangeError);
});
