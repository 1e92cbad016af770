import { describe, expect, test } from 'vitest';
import { PaxError, encodePaxRecord, formatPaxTime, parsePaxRecords, parsePaxTime } from '../../src/tar/pax.js';

describe('pax records', () => {
  test('values are bytes: 0x80, 0xff, NUL and newline survive', () => {
    const value = new Uint8Array([0x80, 0xff, 0x00, 0x0a, 0x41]);
    const rec = encodePaxRecord('SCHILY.xattr.security.capability', value);
    const [back] = parsePaxRecords(rec);
    expect(back!.key).toBe('SCHILY.xattr.security.capability');
    expect([...back!.value]).toEqual([...value]);
  });

  test('the length prefix counts itself, across a digit boundary', () => {
    for (let n = 80; n < 120; n++) {
      const rec = encodePaxRecord('k', new Uint8Array(n).fill(0x61));
      expect(Number(Buffer.from(rec).toString('latin1').split(' ')[0])).toBe(rec.length);
      expect(parsePaxRecords(rec)[0]!.value.length).toBe(n);
    }
  });

  test('repeated keys keep their order; NUL padding ends the data', () => {
    const data = Buffer.concat([encodePaxRecord('a', Buffer.from('1')), encodePaxRecord('a', Buffer.from('2')), Buffer.alloc(20)]);
    expect(parsePaxRecords(data).map((r) => Buffer.from(r.value).toString())).toEqual(['1', '2']);
  });

  test.each([
    ['30 no newline at the end......', 'not ended by a newline'],
    ['99 path=x\n', 'bad length'],
    ['x path=y\n', 'bad length'],
    ['8 pathx\n', 'no "="'],
  ])('malformed %j', (text, message) => {
    expect(() => parsePaxRecords(Buffer.from(text))).toThrow(PaxError);
    expect(() => parsePaxRecords(Buffer.from(text))).toThrow(message);
  });
});

describe('pax times', () => {
  test.each([
    ['1714979289.123456789', { sec: 1714979289, nsec: 123456789 }],
    ['1714979289.5', { sec: 1714979289, nsec: 500000000 }],
    ['1714979289', { sec: 1714979289, nsec: 0 }],
    ['-1.25', { sec: -2, nsec: 750000000 }],
    ['-3', { sec: -3, nsec: 0 }],
    ['1.1234567899', { sec: 1, nsec: 123456789 }],
  ])('%s', (text, t) => {
    expect(parsePaxTime(text)).toEqual(t);
  });
  test('round trip through formatPaxTime', () => {
    for (const t of [{ sec: 5, nsec: 1 }, { sec: -2, nsec: 750000000 }, { sec: 0, nsec: 0 }]) expect(parsePaxTime(formatPaxTime(t))).toEqual(t);
  });
  test('junk is refused', () => {
    expect(parsePaxTime('12a')).toBeUndefined();
    expect(parsePaxTime('')).toBeUndefined();
  });
});
