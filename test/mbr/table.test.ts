import { describe, expect, test } from 'vitest';
import { MemoryDisk } from '../../src/disk/index.js';
import { TsdibError } from '../../src/errors.js';
import { planTable, readTable, writeTable } from '../../src/mbr/index.js';

const MiB = 1024 * 1024;

describe('readTable: which table a disk holds', () => {
  const gpt = planTable({ label: 'gpt', diskSize: 16 * MiB, seed: 't', partitions: [{ name: 'root', size: '100%' }] }).table;
  test('a blank disk has none', () => {
    expect(readTable(new MemoryDisk(MiB))).toEqual({ table: undefined, warnings: [] });
  });
  test('a GPT whose primary header was wiped is still found (protective MBR → backup copy)', () => {
    const disk = new MemoryDisk(16 * MiB);
    writeTable(disk, gpt);
    disk.write(512, new Uint8Array(512));
    const r = readTable(disk);
    expect(r.table).toEqual(gpt);
    expect(r.primary).toEqual({ ok: false, problems: ['primary header at LBA 1: no "EFI PART" signature'] });
    expect(r.backup?.ok).toBe(true);
  });
  test('a GPT on 4 KiB sectors is recognised by its header at byte 4096', () => {
    const t4k = planTable({ label: 'gpt', diskSize: 16 * MiB, sectorSize: 4096, seed: 't', partitions: [{ name: 'root', size: '100%' }] }).table;
    const disk = new MemoryDisk(16 * MiB);
    writeTable(disk, t4k);
    expect(readTable(disk).table).toEqual(t4k);
  });
  test('a disk size that is not a whole number of sectors is refused when writing', () => {
    expect(() => writeTable(new MemoryDisk(16 * MiB + 100), gpt)).toThrow(TsdibError);
  });
});
