import { describe, expect, test } from 'vitest';
import { MemoryDisk } from '../../src/disk/index.js';
import { TsdibError } from '../../src/errors.js';
import { decodeMbrSector, decodeMbrTable, encodeMbrTable, writeTable, type MbrTable } from '../../src/mbr/index.js';
import { expectSameSectors, fixtureReader, loadFixture } from './fixtures.js';

const PRIMARY: MbrTable = {
  scheme: 'mbr',
  sectorSize: 512,
  diskId: 0x12345678,
  partitions: [
    { number: 1, start: 2048, sectors: 4096, type: 0x83, bootable: true },
    { number: 2, start: 6144, sectors: 2048, type: 0x0c, bootable: false },
    { number: 3, start: 8192, sectors: 8192, type: 0x83, bootable: false },
  ],
};

const LOGICAL: MbrTable = {
  scheme: 'mbr',
  sectorSize: 512,
  diskId: 0x12345678,
  partitions: [
    { number: 1, start: 2048, sectors: 4096, type: 0x83, bootable: true },
    { number: 2, start: 6144, sectors: 2048, type: 0x0c, bootable: false },
    { number: 3, start: 8192, sectors: 8192, type: 0x05, bootable: false },
    { number: 5, start: 10240, sectors: 2048, type: 0x83, bootable: false, ebr: 8192 },
    { number: 6, start: 14336, sectors: 1024, type: 0x82, bootable: false, ebr: 12288 },
  ],
};

const CHS_CLAMP: MbrTable = {
  scheme: 'mbr',
  sectorSize: 512,
  diskId: 0xcafe0001,
  partitions: [
    { number: 1, start: 2048, sectors: 16777216, type: 0x83, bootable: false },
    { number: 2, start: 16779264, sectors: 20000000, type: 0x07, bootable: false },
  ],
};

function expectInputError(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TsdibError);
    expect((e as TsdibError).exitCode).toBe(2);
    expect((e as TsdibError).message).toMatch(message);
    return;
  }
  throw new Error(`expected a TsdibError matching ${message}`);
}

describe('MBR tables against sfdisk fixtures (test/fixtures/mbr)', () => {
  for (const [name, table] of [
    ['sfdisk-mbr-primary', PRIMARY],
    ['sfdisk-mbr-logical', LOGICAL],
    ['sfdisk-mbr-chs-clamp', CHS_CLAMP],
  ] as const) {
    test(`${name}: our encoder writes the same sectors byte for byte`, () => {
      const f = loadFixture(name);
      const disk = new MemoryDisk(f.size);
      writeTable(disk, table);
      expectSameSectors(disk, f);
    });
    test(`${name}: our decoder reads sfdisk's table back into the same description`, () => {
      const f = loadFixture(name);
      expect(decodeMbrTable(fixtureReader(f), f.size / 512)).toEqual(table);
    });
  }
});

describe('MBR codec', () => {
  test('writing a table never touches boot code bytes 0..439', () => {
    const disk = new MemoryDisk(8 * 1024 * 1024);
    const boot = new Uint8Array(440).fill(0xeb);
    disk.write(0, boot);
    writeTable(disk, PRIMARY);
    expect(disk.read(0, 440)).toEqual(boot);
    expect(decodeMbrSector(disk.read(0, 512)).diskSignature).toBe(0x12345678);
  });
  test('boot code is written only when asked', () => {
    const writes = encodeMbrTable(PRIMARY, 16384, { bootCode: new Uint8Array([0xfa, 0x31]) });
    expect(writes[0]!.offset).toBe(0);
    expect(writes[0]!.bytes.subarray(0, 3)).toEqual(Uint8Array.from([0xfa, 0x31, 0]));
    expect(encodeMbrTable(PRIMARY, 16384)[0]!.offset).toBe(440);
  });
  test('decoding rejects a sector without 0x55AA, naming the byte and what was found', () => {
    const sector = new Uint8Array(512);
    sector[510] = 0x12;
    expectInputError(() => decodeMbrSector(sector, 0, 'image.raw sector 0'), /image\.raw sector 0: bad boot signature 0x1200 at byte 510 \(expected 0x55AA\)/);
  });
  test('4096-byte sectors: the EBR goes at LBA × 4096', () => {
    const table: MbrTable = {
      scheme: 'mbr',
      sectorSize: 4096,
      diskId: 1,
      partitions: [
        { number: 1, start: 256, sectors: 256, type: 0x0f, bootable: false },
        { number: 5, start: 512 - 128, sectors: 128, type: 0x83, bootable: true, ebr: 256 },
      ],
    };
    const writes = encodeMbrTable(table, 1024);
    expect(writes.map((w) => w.offset)).toEqual([440, 256 * 4096]);
    const disk = new MemoryDisk(1024 * 4096);
    writeTable(disk, table);
    expect(decodeMbrTable((o, l) => disk.read(o, l), 1024, 4096)).toEqual(table);
  });
  test('overlapping partitions are refused, naming both', () => {
    const t: MbrTable = { ...PRIMARY, partitions: [PRIMARY.partitions[0]!, { ...PRIMARY.partitions[1]!, start: 4000 }] };
    expectInputError(() => encodeMbrTable(t, 16384), /MBR partition 1 \(sectors 2048\.\.6143\) overlaps MBR partition 2/);
  });
  test('a partition past the end of the disk is refused', () => {
    expectInputError(() => encodeMbrTable(PRIMARY, 10000), /MBR partition 2: ends at sector 8191, past the end of the disk \(10000 sectors\)|MBR partition 3: ends at sector 16383, past the end/);
  });
  test('misalignment is refused when alignment is required', () => {
    const t: MbrTable = { ...PRIMARY, partitions: [{ number: 1, start: 63, sectors: 100, type: 0x83, bootable: false }] };
    expectInputError(() => encodeMbrTable(t, 16384, { alignSectors: 2048 }), /start sector 63 is not aligned to 2048 sectors/);
    expect(encodeMbrTable(t, 16384)).toHaveLength(1);
  });
  test('a logical partition outside its extended partition is refused', () => {
    const t: MbrTable = { ...LOGICAL, partitions: LOGICAL.partitions.map((p) => (p.number === 6 ? { ...p, sectors: 4096 } : p)) };
    expectInputError(() => encodeMbrTable(t, 32768), /MBR partition 6: .* not inside extended partition 3/);
  });
  test('logical partitions need an extended partition', () => {
    const t: MbrTable = { ...LOGICAL, partitions: LOGICAL.partitions.filter((p) => p.number !== 3) };
    expectInputError(() => encodeMbrTable(t, 16384), /needs an extended partition/);
  });
  test('a looping EBR chain is reported, not followed forever', () => {
    const disk = new MemoryDisk(16384 * 512);
    writeTable(disk, LOGICAL);
    // Point partition 6's EBR link back at the first EBR.
    const ebr2 = disk.read(12288 * 512, 512);
    ebr2.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 462);
    ebr2.set([0, 0, 0, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0], 462);
    disk.write(12288 * 512, ebr2);
    expectInputError(() => decodeMbrTable((o, l) => disk.read(o, l), 16384), /EBR chain loops back to sector 8192/);
  });
});
