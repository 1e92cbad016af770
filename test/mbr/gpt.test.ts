import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, MemoryDisk } from '../../src/disk/index.js';
import { TsdibError } from '../../src/errors.js';
import {
  ATTR_LEGACY_BIOS_BOOTABLE,
  decodeGptTable,
  encodeGptTable,
  GPT_TYPES,
  gptTypeGuid,
  writeTable,
  type GptTable,
} from '../../src/mbr/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';
import { expectSameSectors, fixtureReader, loadFixture } from './fixtures.js';

const SGDISK_GPT: GptTable = {
  scheme: 'gpt',
  sectorSize: 512,
  diskGuid: '11111111-2222-3333-4444-555555555555',
  entryCount: 128,
  partitions: [
    { number: 1, start: 2048, sectors: 2048, type: '21686148-6449-6E6F-744E-656564454649', guid: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE', name: 'BSP', attributes: 0n },
    { number: 2, start: 4096, sectors: 4063, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', guid: '01234567-89AB-CDEF-0123-456789ABCDEF', name: 'root', attributes: ATTR_LEGACY_BIOS_BOOTABLE },
  ],
};

const SGDISK_GPT_GAP: GptTable = {
  scheme: 'gpt',
  sectorSize: 512,
  diskGuid: '0F0F0F0F-1234-4321-ABCD-00000000FFFF',
  entryCount: 128,
  partitions: [
    { number: 1, start: 2048, sectors: 2048, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', guid: '10000000-0000-4000-8000-000000000001', name: 'EFI System', attributes: 0n },
    { number: 3, start: 4096, sectors: 4096, type: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709', guid: '30000000-0000-4000-8000-000000000003', name: 'Root x86-64 ✓', attributes: (1n << 63n) | 1n },
  ],
};

function expectInputError(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TsdibError);
  expect((thrown as TsdibError).message).toMatch(message);
}

describe('GPT against sgdisk fixtures (test/fixtures/mbr)', () => {
  for (const [name, table] of [
    ['sgdisk-gpt', SGDISK_GPT],
    ['sgdisk-gpt-gap', SGDISK_GPT_GAP],
  ] as const) {
    test(`${name}: our encoder writes sgdisk's sectors byte for byte (protective MBR, headers, arrays, CRCs)`, () => {
      const f = loadFixture(name);
      const disk = new MemoryDisk(f.size);
      writeTable(disk, table);
      expectSameSectors(disk, f);
    });
    test(`${name}: our decoder reads sgdisk's table back, both copies sound`, () => {
      const f = loadFixture(name);
      const r = decodeGptTable(fixtureReader(f), f.size / 512);
      expect(r.table).toEqual(table);
      expect(r.primary).toEqual({ ok: true, problems: [] });
      expect(r.backup).toEqual({ ok: true, problems: [] });
      expect(r.warnings).toEqual([]);
    });
  }
  test('short codes and GUIDs name the same type; unknown codes are refused', () => {
    const viaCodes = { ...SGDISK_GPT, partitions: SGDISK_GPT.partitions.map((p, i) => ({ ...p, type: ['EF02', '8300'][i]! })) };
    expect(encodeGptTable(viaCodes, 8192)).toEqual(encodeGptTable(SGDISK_GPT, 8192));
    expect(gptTypeGuid('ef00')).toBe('C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
    expect(gptTypeGuid('8304')).toBe('4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709');
    expectInputError(() => gptTypeGuid('ZZ99', 'partition "x" type'), /partition "x" type: unknown type code "ZZ99"/);
  });
});

describe('GPT damage detection', () => {
  function damaged(offset: number): ReturnType<typeof decodeGptTable> {
    const f = loadFixture('sgdisk-gpt');
    const disk = new MemoryDisk(f.size);
    writeTable(disk, SGDISK_GPT);
    const b = disk.read(offset, 1);
    disk.write(offset, Uint8Array.of(b[0]! ^ 0xff));
    return decodeGptTable((o, l) => disk.read(o, l), f.size / 512);
  }
  test('a corrupt primary header: reported, table read from the backup', () => {
    const r = damaged(512 + 60);
    expect(r.primary.ok).toBe(false);
    expect(r.primary.problems.join()).toMatch(/primary header at LBA 1: header CRC32 is 0x[0-9a-f]{8}, computed/);
    expect(r.backup.ok).toBe(true);
    expect(r.table).toEqual(SGDISK_GPT);
  });
  test('a corrupt backup entry array: reported, primary used', () => {
    const r = damaged(8159 * 512 + 200);
    expect(r.primary.ok).toBe(true);
    expect(r.backup.problems.join()).toMatch(/backup entry array CRC32/);
    expect(r.table).toEqual(SGDISK_GPT);
  });
  test('both copies damaged: one clear input error', () => {
    const disk = new MemoryDisk(4 * 1024 * 1024);
    writeTable(disk, SGDISK_GPT);
    disk.write(512, new Uint8Array(8));
    disk.write(8191 * 512, new Uint8Array(8));
    expectInputError(() => decodeGptTable((o, l) => disk.read(o, l), 8192, 512, 'x.raw'), /x\.raw: both GPT copies are damaged/);
  });
});

describe('GPT validation', () => {
  test('first usable LBA is 34 with 512-byte sectors and 6 with 4096', () => {
    expectInputError(() => encodeGptTable({ ...SGDISK_GPT, partitions: [{ ...SGDISK_GPT.partitions[0]!, start: 33 }] }, 8192), /before the first usable sector 34/);
    const t4k: GptTable = { ...SGDISK_GPT, sectorSize: 4096, partitions: [{ ...SGDISK_GPT.partitions[0]!, start: 5, sectors: 10 }] };
    expectInputError(() => encodeGptTable(t4k, 1024), /before the first usable sector 6/);
    expect(() => encodeGptTable({ ...t4k, partitions: [{ ...t4k.partitions[0]!, start: 6 }] }, 1024)).not.toThrow();
  });
  test('past the last usable sector, overlaps, long names are refused', () => {
    expectInputError(() => encodeGptTable(SGDISK_GPT, 8000), /GPT partition 2: ends at sector 8158, past the last usable sector 7966/);
    const overlap = { ...SGDISK_GPT, partitions: [SGDISK_GPT.partitions[0]!, { ...SGDISK_GPT.partitions[1]!, start: 3000, sectors: 100 }] };
    expectInputError(() => encodeGptTable(overlap, 8192), /GPT partition 1 \(sectors 2048\.\.4095\) overlaps GPT partition 2/);
    const long = { ...SGDISK_GPT, partitions: [{ ...SGDISK_GPT.partitions[0]!, name: 'x'.repeat(37) }] };
    expectInputError(() => encodeGptTable(long, 8192), /is 37 UTF-16 units long/);
  });
});

describe.runIf(haveTools('sgdisk', 'sfdisk', 'fdisk'))('GPT we write, read by sgdisk, sfdisk and fdisk', () => {
  const tmp = useTmpDir();
  test('sgdisk -v finds no problems and sfdisk -d reads back our GUIDs, names and attributes', () => {
    const path = join(tmp(), 'g.raw');
    const disk = FileDisk.create(path, 64 * 1024 * 1024);
    const table: GptTable = {
      scheme: 'gpt',
      sectorSize: 512,
      diskGuid: 'DEADBEEF-0000-4000-8000-0123456789AB',
      entryCount: 128,
      partitions: [
        { number: 1, start: 2048, sectors: 20480, type: 'EF00', guid: 'E5E5E5E5-0000-4000-8000-000000000001', name: 'ESP', attributes: 0n },
        { number: 2, start: 22528, sectors: 2048, type: 'EF02', guid: 'E5E5E5E5-0000-4000-8000-000000000002', name: 'BSP', attributes: 0n },
        { number: 4, start: 24576, sectors: 100000, type: '8304', guid: 'E5E5E5E5-0000-4000-8000-000000000004', name: 'root fs', attributes: ATTR_LEGACY_BIOS_BOOTABLE },
      ],
    };
    writeTable(disk, table);
    disk.close();
    const v = runTool('sgdisk', ['-v', path]);
    expect(v.stdout).toContain('No problems found');
    const d = runTool('sfdisk', ['-d', path]);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain('label-id: DEADBEEF-0000-4000-8000-0123456789AB');
    expect(d.stdout).toMatch(/g\.raw1 : start=\s+2048, size=\s+20480, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=E5E5E5E5-0000-4000-8000-000000000001, name="ESP"/);
    expect(d.stdout).toMatch(/g\.raw2 : start=\s+22528, size=\s+2048, type=21686148-6449-6E6F-744E-656564454649, uuid=E5E5E5E5-0000-4000-8000-000000000002, name="BSP"/);
    expect(d.stdout).toMatch(/g\.raw4 : start=\s+24576, size=\s+100000, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=E5E5E5E5-0000-4000-8000-000000000004, name="root fs", attrs="LegacyBIOSBootable"/);
  });
  test('every short code maps to the GUID sgdisk gives it', () => {
    const path = join(tmp(), 'types.raw');
    writeFileSync(path, '');
    const disk = FileDisk.create(path, 64 * 1024 * 1024);
    disk.close();
    const args = GPT_TYPES.flatMap((t, i) => ['-n', `${i + 1}:0:+1M`, '-t', `${i + 1}:${t.code}`]);
    expect(runTool('sgdisk', [...args, path]).status).toBe(0);
    const d = runTool('sfdisk', ['-d', path]).stdout;
    GPT_TYPES.forEach((t, i) => expect(d).toMatch(new RegExp(`types\\.raw${i + 1} : .*type=${t.guid}`)));
  });
  test('4096-byte sectors: fdisk -b 4096 lists our partitions and no complaint', () => {
    const path = join(tmp(), 'g4k.raw');
    const disk = FileDisk.create(path, 64 * 1024 * 1024);
    const table: GptTable = {
      scheme: 'gpt',
      sectorSize: 4096,
      diskGuid: 'DEADBEEF-0000-4000-8000-0123456789AB',
      entryCount: 128,
      partitions: [
        { number: 1, start: 256, sectors: 2560, type: 'EF00', guid: 'E5E5E5E5-0000-4000-8000-000000000001', name: 'ESP', attributes: 0n },
        { number: 2, start: 2816, sectors: 10000, type: '8300', guid: 'E5E5E5E5-0000-4000-8000-000000000002', name: 'root', attributes: 0n },
      ],
    };
    writeTable(disk, table);
    disk.close();
    const r = runTool('fdisk', ['-b', '4096', '-l', path]);
    expect(r.status).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/mismatch|corrupt|invalid/i);
    expect(r.stdout).toContain('Disk identifier: DEADBEEF-0000-4000-8000-0123456789AB');
    expect(r.stdout).toMatch(/g4k\.raw1\s+256\s+2815\s+2560\s+10M EFI System/);
    expect(r.stdout).toMatch(/g4k\.raw2\s+2816\s+12815\s+10000\s+39\.1M Linux filesystem/);
  });
});
