import { describe, expect, test } from 'vitest';
import { formatSize, parseImageSize, parseSize, parseSizeSpec } from '../src/size.js';
import { TsdibError } from '../src/errors.js';

describe('DIB size syntax (dib.md §6.4)', () => {
  test("DIB's own test_utils cases", () => {
    expect(parseSize('154MiB')).toBe(161480704);
    expect(parseSize('198')).toBe(198);
  });
  test.each([
    ['1KiB', 1024], ['1 KiB', 1024], ['2GiB', 2 * 1024 ** 3], ['1TiB', 1024 ** 4], ['7.5GiB', 7.5 * 1024 ** 3],
    ['1K', 1000], ['1KB', 1000], ['10M', 10e6], ['10MB', 10e6], ['3G', 3e9], ['1T', 1e12], ['512B', 512],
  ])('%s = %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  test.each(['1 ZiB', 'abc', '1.2.3M', '-5M', '1  MiB', ''])('"%s" is refused with exit 2', (text) => {
    try {
      parseSize(text, 'local_loop.size');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TsdibError);
      expect((e as TsdibError).exitCode).toBe(2);
      expect((e as TsdibError).message).toContain('local_loop.size');
    }
  });
  test('percentages are a share of the remainder', () => {
    expect(parseSizeSpec('100%')).toEqual({ kind: 'percent', percent: 100 });
    expect(parseSizeSpec('54%')).toEqual({ kind: 'percent', percent: 54 });
    expect(parseSizeSpec('8MiB')).toEqual({ kind: 'absolute', bytes: 8 * 1024 ** 2 });
    expect(() => parseSizeSpec('0%')).toThrow(TsdibError);
    expect(() => parseSizeSpec('101%')).toThrow(TsdibError);
  });
  test('--image-size: a bare number is DIB "GB" (× 1024 × 1024 KiB)', () => {
    expect(parseImageSize('2')).toBe(2 * 1024 ** 3);
    expect(parseImageSize('1.5')).toBe(1.5 * 1024 ** 3);
    expect(parseImageSize('500MiB')).toBe(500 * 1024 ** 2);
  });
  test('formatSize', () => {
    expect(formatSize(812 * 1024 ** 2)).toBe('812 MiB');
    expect(formatSize(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatSize(100)).toBe('100 B');
  });
});
