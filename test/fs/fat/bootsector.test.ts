import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { decodeBootSector, encodeBootSector } from '../../../src/fs/fat/bootsector.js';
import { chooseGeometry } from '../../../src/fs/fat/geometry.js';

const mkfs = new Uint8Array(readFileSync(new URL('../../fixtures/fat/mkfs-fat32-64m.bootsector', import.meta.url)));

describe('boot sector and BPB (fatgen103 §3)', () => {
  test('decodes the boot sector mkfs.vfat wrote (fixture)', () => {
    expect(decodeBootSector(mkfs)).toMatchObject({
      sectorsPerCluster: 1, reservedSectors: 32, fatCount: 2, rootEntries: 0, totalSectors: 131072,
      fatSectors: 1009, rootCluster: 2, serial: 0x12345678, label: 'TESTLABEL  ', type: 32,
    });
  });

  test('ours for the same size agrees with mkfs.vfat on every BPB field but OEM name and CHS', () => {
    const ours = encodeBootSector({ geometry: chooseGeometry(131072, { type: 32 }), serial: 0x12345678, label: 'TESTLABEL  ', hiddenSectors: 0 });
    expect(decodeBootSector(ours)).toEqual(decodeBootSector(mkfs));
    // Byte ranges that must match: BPB 0x0B-0x17, 0x1C-0x57 (FAT32 extension through type), signature.
    const same = (from: number, to: number) => expect(ours.subarray(from, to), `0x${from.toString(16)}`).toEqual(mkfs.subarray(from, to));
    same(0x00, 0x03); // EB 58 90
    same(0x0b, 0x18);
    same(0x1c, 0x5a);
    same(0x1fe, 0x200);
  });

  test('FAT12/16 layout: jump to 0x3E, 16-bit total when it fits, FAT16 type string', () => {
    const g = chooseGeometry(32768, { type: 16 });
    const b = encodeBootSector({ geometry: g, serial: 1, label: 'NO NAME    ', hiddenSectors: 2048 });
    expect([...b.subarray(0, 3)]).toEqual([0xeb, 0x3c, 0x90]);
    expect(b[0x13]! | (b[0x14]! << 8)).toBe(32768);
    expect(String.fromCharCode(...b.subarray(0x36, 0x3e))).toBe('FAT16   ');
    expect(decodeBootSector(b)).toMatchObject({ type: 16, hiddenSectors: 2048, fatSectors: g.fatSectors, label: 'NO NAME    ', rootCluster: 0 });
  });
});
