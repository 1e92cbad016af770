/** mkfs options (DIB `opts:` and --mkfs-options) read into writer options; the rest refused by name. */
import { describe, expect, test } from 'vitest';
import { ext4Overrides, fatOverrides } from '../../src/assemble/index.js';

describe('mkfs options', () => {
  test("mke2fs options DIB layouts use: -i, -J size=, -b, -I, -N, -m, -O, -q (\"-b4096\" or \"-b 4096\")", () => {
    expect(ext4Overrides('ext4', '-i 4096 -J size=64 -q', 'w')).toEqual({ features: 'ext4', inodeRatio: 4096, journalSize: 64 * 1024 * 1024 });
    expect(ext4Overrides('ext3', '-b1024 -I 128 -N 5000 -m 0 -O ^dir_index', 'w')).toEqual({ features: 'ext3,^dir_index', blockSize: 1024, inodeSize: 128, inodes: 5000, reservedPercent: 0 });
    expect(ext4Overrides('ext2', undefined, 'w')).toEqual({ features: 'ext2' });
  });
  test('anything else is an input error naming the option and where it came from', () => {
    expect(() => ext4Overrides('ext4', '-E resize=100000', 'layout.yaml [1].mkfs opts')).toThrow(/^layout\.yaml \[1\]\.mkfs opts: mkfs option -E is not supported$/);
    expect(() => ext4Overrides('ext4', '-i lots', 'w')).toThrow(/-i needs a whole number, got "lots"/);
    expect(() => ext4Overrides('ext4', 'quick', 'w')).toThrow(/mkfs option "quick" is not understood/);
    expect(() => ext4Overrides('ext4', '-J device=/dev/x', 'w')).toThrow(/-J "device=\/dev\/x" is not understood/);
  });
  test('mkfs.vfat -F 12|16|32', () => {
    expect(fatOverrides('-F 32', 'w')).toEqual({ type: 32 });
    expect(fatOverrides('-F16 -v', 'w')).toEqual({ type: 16 });
    expect(fatOverrides(undefined, 'w')).toEqual({});
    expect(() => fatOverrides('-F 64', 'w')).toThrow(/FAT type must be 12, 16 or 32/);
    expect(() => fatOverrides('-s 8', 'w')).toThrow(/"-s" is not supported for vfat/);
  });
});
