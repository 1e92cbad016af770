import { describe, expect, test } from 'vitest';
import { HeaderError, computeChecksum, decodeHeader, encodeHeader, parseNumeric } from '../../src/tar/header.js';

const b = (...bytes: number[]) => new Uint8Array(bytes);
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('numeric fields', () => {
  test('octal with NUL or space terminators and leading spaces', () => {
    expect(parseNumeric(ascii('0000644\0'))).toBe(0o644);
    expect(parseNumeric(ascii('   644 \0'))).toBe(0o644);
    expect(parseNumeric(ascii('\0\0\0\0\0\0\0\0'))).toBe(0);
    expect(parseNumeric(ascii('77777777777\0'))).toBe(8 ** 11 - 1);
  });
  test('junk in an octal field is refused', () => {
    expect(parseNumeric(ascii('00006x4\0'))).toBeUndefined();
    expect(parseNumeric(ascii('0000 64\0'))).toBeUndefined();
  });
  test('GNU base-256: positive (0x80) and negative (0xff)', () => {
    expect(parseNumeric(b(0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0))).toBe(3_000_000);
    expect(parseNumeric(b(0x80, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0))).toBe(2 ** 41); // a size past 8 GiB
    expect(parseNumeric(b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe))).toBe(-2);
    expect(parseNumeric(b(0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBeUndefined(); // > 2^53
  });
});

describe('header blocks', () => {
  const fields = { name: ascii('a/b'), mode: 0o4755, uid: 1000, gid: 100, size: 5, mtime: 1714979289, typeflag: '0', uname: 'u', gname: 'g' };

  test('encode then decode keeps every field; the checksum is the unsigned sum', () => {
    const block = encodeHeader(fields);
    const h = decodeHeader(block);
    expect({ ...h, name: Buffer.from(h.name).toString() }).toMatchObject({ name: 'a/b', mode: 0o4755, uid: 1000, gid: 100, size: 5, mtime: 1714979289, typeflag: '0', format: 'ustar', uname: 'u', gname: 'g' });
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
    expect(Buffer.from(block.subarray(148, 156)).toString('latin1')).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
  });

  test('a signed-char checksum (old tars) is accepted', () => {
    const block = encodeHeader({ ...fields, name: new Uint8Array([0xc3, 0xa9]) });
    let signed = 0;
    for (let i = 0; i < 512; i++) {
      const v = i >= 148 && i < 156 ? 0x20 : block[i]!;
      signed += v >= 0x80 ? v - 256 : v;
    }
    block.set(ascii(`${signed.toString(8).padStart(6, '0')}\0 `), 148);
    expect(decodeHeader(block).size).toBe(5);
  });

  test('a bad checksum is a HeaderError', () => {
    const block = encodeHeader(fields);
    block[0] = 0x7a;
    expect(() => decodeHeader(block)).toThrow(HeaderError);
  });

  test('values that do not fit are refused by the encoder (the writer moves them to pax first)', () => {
    expect(() => encodeHeader({ ...fields, uid: 0o10000000 })).toThrow(RangeError);
    expect(() => encodeHeader({ ...fields, name: new Uint8Array(101) })).toThrow(RangeError);
  });
});

test('the header checksum is the plain byte sum (checksum field as spaces) whatever the block alignment', () => {
  const bytes = new Uint8Array(BLOCK_SIZE_FOR_TEST + 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 193 + 71) & 0xff; // many bytes >= 0x80
  for (const at of [0, 1]) {
    const block = bytes.subarray(at, at + BLOCK_SIZE_FOR_TEST);
    let want = 0;
    for (let i = 0; i < BLOCK_SIZE_FOR_TEST; i++) want += i >= 148 && i < 156 ? 0x20 : block[i]!;
    expect(computeChecksum(block)).toBe(want);
  }
  expect(computeChecksum(new Uint8Array(BLOCK_SIZE_FOR_TEST).fill(0xff))).toBe(504 * 0xff + 8 * 0x20);
});

const BLOCK_SIZE_FOR_TEST = 512;
