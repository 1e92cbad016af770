import { describe, expect, test } from 'vitest';
import { decodeFsInfo, encodeFsInfo } from '../../../src/fs/fat/fsinfo.js';

describe('FSInfo (fatgen103 §5)', () => {
  test('signatures at 0, 0x1E4 and 0x1FC; counts at 0x1E8 and 0x1EC', () => {
    const s = encodeFsInfo(140516, 2);
    expect(String.fromCharCode(...s.subarray(0, 4))).toBe('RRaA');
    expect(String.fromCharCode(...s.subarray(0x1e4, 0x1e8))).toBe('rrAa');
    expect([...s.subarray(0x1fc)]).toEqual([0, 0, 0x55, 0xaa]);
    expect(decodeFsInfo(s)).toEqual({ freeClusters: 140516, nextFree: 2, valid: true });
    expect(decodeFsInfo(new Uint8Array(512)).valid).toBe(false);
  });
});
