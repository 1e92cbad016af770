/**
 * The library API as users call it: a typed description → bytes → the same description, for MBR and
 * GPT; and a layout YAML string → a plan.
 */
import { describe, expect, test } from 'vitest';
import { MemoryDisk } from '../../src/disk/index.js';
import { planLayoutYaml } from '../../src/layout/index.js';
import { ATTR_LEGACY_BIOS_BOOTABLE, encodeTable, readTable, writeTable, type GptTable, type MbrTable } from '../../src/mbr/index.js';

const MiB = 1024 * 1024;

describe('library round trips', () => {
  test('MBR with an extended partition and logicals: description → bytes → description', () => {
    const table: MbrTable = {
      scheme: 'mbr',
      sectorSize: 512,
      diskId: 0xdeadbeef,
      partitions: [
        { number: 1, start: 2048, sectors: 2048, type: 0xef, bootable: false },
        { number: 2, start: 4096, sectors: 12288, type: 0x0f, bootable: false },
        { number: 5, start: 6144, sectors: 2048, type: 0x83, bootable: true, ebr: 4096 },
        { number: 6, start: 10240, sectors: 2048, type: 0x82, bootable: false, ebr: 8192 },
      ],
    };
    const disk = new MemoryDisk(8 * MiB);
    writeTable(disk, table);
    expect(readTable(disk).table).toEqual(table);
    // Only the MBR tail and two EBRs are written: 72 + 512 + 512 bytes.
    expect(encodeTable(table, 8 * MiB).map((w) => [w.offset, w.bytes.length])).toEqual([
      [440, 72],
      [4096 * 512, 512],
      [8192 * 512, 512],
    ]);
  });
  test('GPT: description → bytes → description, with attributes and names', () => {
    const table: GptTable = {
      scheme: 'gpt',
      sectorSize: 512,
      diskGuid: '01020304-0506-0708-090A-0B0C0D0E0F10',
      entryCount: 128,
      partitions: [
        { number: 1, start: 2048, sectors: 2048, type: 'EF02', guid: 'AAAAAAAA-0000-4000-8000-000000000001', name: 'BSP', attributes: 0n },
        { number: 2, start: 4096, sectors: 8192, type: '8304', guid: 'AAAAAAAA-0000-4000-8000-000000000002', name: 'root', attributes: ATTR_LEGACY_BIOS_BOOTABLE },
      ],
    };
    const disk = new MemoryDisk(8 * MiB);
    writeTable(disk, table);
    const back = readTable(disk);
    expect(back.primary?.ok && back.backup?.ok).toBe(true);
    // Decoding names types by GUID; everything else comes back as given.
    expect(back.table).toEqual({
      ...table,
      partitions: [
        { ...table.partitions[0]!, type: '21686148-6449-6E6F-744E-656564454649' },
        { ...table.partitions[1]!, type: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709' },
      ],
    });
  });
  test('a layout YAML string → a plan; an unquoted MBR type is refused instead of read as decimal', () => {
    const yaml = `
- local_loop:
    name: image0
    size: 64MiB
- partitioning:
    base: image0
    label: mbr
    partitions:
      - name: esp
        type: 'ef'
        flags: [ primary ]
        size: 16MiB
      - name: root
        flags: [ primary, boot ]
        size: 100%
`;
    const plan = planLayoutYaml(yaml, { seed: 'doc' });
    expect(plan.table?.scheme === 'mbr' && plan.table.partitions.map((p) => [p.number, p.type, p.bootable])).toEqual([
      [1, 0xef, false],
      [2, 0x83, true],
    ]);
    expect(() => planLayoutYaml(yaml.replace("type: 'ef'", 'type: 83'), { source: 'l.yaml' })).toThrow(
      "l.yaml [1].partitioning.partitions[0].type: MBR type 83 must be a quoted hex string",
    );
  });
});
