import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../../src/errors.js';
import { normalizeLabel } from '../../../src/fs/fat/label.js';

describe('FAT volume label', () => {
  test.each([
    ['esp', 'ESP        '],
    ['varlog', 'VARLOG     '],
    ['EFI SYSTEM', 'EFI SYSTEM '],
    ["A-B_C!#$%&'", "A-B_C!#$%&'"],
  ])('%s → "%s" (upper-cased, padded to 11)', (label, expected) => {
    expect(normalizeLabel(label)).toBe(expected);
  });

  test.each([
    ['twelve chars', 'mkfs.label: FAT label "twelve chars" is 12 characters, at most 11 fit'],
    ['a.b', 'mkfs.label: FAT label "a.b" contains ".", which FAT does not allow'],
    ['é', 'mkfs.label: FAT label "é" contains "É", which FAT does not allow'],
    [' lead', 'mkfs.label: FAT label " lead" starts with a space'],
    ['', 'mkfs.label: a FAT label cannot be empty'],
  ])('%j is refused, naming the field', (label, message) => {
    try {
      normalizeLabel(label, 'mkfs.label');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TsdibError);
      expect((e as TsdibError).exitCode).toBe(2);
      expect((e as TsdibError).message).toBe(message);
    }
  });
});
