import { describe, expect, test } from 'vitest';
import { FAT_EPOCH_MAX, FAT_EPOCH_MIN, fromFatTime, toFatTime } from '../../../src/fs/fat/time.js';

describe('FAT dates and times (fatgen103 §6), stored as UTC', () => {
  test('2023-11-14T22:13:21.5Z: 2-second time, odd second and fraction in the 10 ms field', () => {
    const t = toFatTime({ sec: 1700000001, nsec: 500_000_000 });
    expect(t.date).toBe(((2023 - 1980) << 9) | (11 << 5) | 14);
    expect(t.time).toBe((22 << 11) | (13 << 5) | 10);
    expect(t.hundredths).toBe(150);
    expect(fromFatTime(t.date, t.time)).toBe(1700000000);
  });

  test.each([
    [0, FAT_EPOCH_MIN],
    [-1e9, FAT_EPOCH_MIN],
    [FAT_EPOCH_MIN, FAT_EPOCH_MIN],
    [1e10, FAT_EPOCH_MAX],
    [FAT_EPOCH_MAX + 1, FAT_EPOCH_MAX],
  ])('%d clamps to FAT range (%d)', (sec, expected) => {
    const t = toFatTime({ sec, nsec: 0 });
    expect(fromFatTime(t.date, t.time)).toBe(expected);
  });

  test('the range ends are 1980-01-01 and 2107-12-31 23:59:58', () => {
    expect(new Date(FAT_EPOCH_MIN * 1000).toISOString()).toBe('1980-01-01T00:00:00.000Z');
    expect(new Date(FAT_EPOCH_MAX * 1000).toISOString()).toBe('2107-12-31T23:59:58.000Z');
    expect(toFatTime({ sec: 1e10, nsec: 0 }).hundredths).toBe(199);
  });
});
