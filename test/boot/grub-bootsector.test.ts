/**
 * LBA 0 after GRUB's boot.img is patched in: the partition table and disk signature are what they
 * were (sfdisk -d, the oracle, reads the same table before and after), and the fields boot.img reads
 * hold the core.img LBA, the "use the BIOS drive" byte and the NOPed drive check.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { grubBootSector } from '../../src/boot/grub-bootsector.js';
import { FileDisk } from '../../src/disk/index.js';
import { planTable, writeTable } from '../../src/mbr/index.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const BOOT_IMG = '/usr/lib/grub/i386-pc/boot.img';

/** A stand-in boot.img: code bytes everywhere (so a table overwrite would show), 55 AA at the end. */
function fakeBootImg(): Uint8Array {
  const b = new Uint8Array(512).fill(0xcc);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

test('refuses a boot.img that is not a boot sector', () => {
  expect(() => grubBootSector(new Uint8Array(512), new Uint8Array(512), 1)).toThrow(/boot\.img/);
});

describe.runIf(haveTools('sfdisk'))('partition table kept (sfdisk -d)', () => {
  test.each(['mbr', 'gpt'] as const)('%s', (label) => {
    const path = join(tmp(), `${label}.img`);
    const table = planTable({ label, diskSize: 64 * 1024 * 1024, partitions: label === 'mbr' ? [{ name: 'a', size: '8MiB', flags: ['boot', 'primary'] }, { name: 'b', size: '100%', flags: ['primary'] }] : [{ name: 'a', size: '8MiB', type: 'EF02' }, { name: 'b', size: '100%' }], seed: 'bootsector' });
    const disk = FileDisk.create(path, 64 * 1024 * 1024);
    writeTable(disk, table.table);
    disk.close();
    const before = runTool('sfdisk', ['-d', path]);
    expect(before.status, before.stderr).toBe(0);

    const bootImg = existsSync(BOOT_IMG) ? new Uint8Array(readFileSync(BOOT_IMG)) : fakeBootImg();
    const current = new Uint8Array(readFileSync(path).subarray(0, 512));
    const sector = grubBootSector(bootImg, current, 2048);
    const full = readFileSync(path);
    full.set(sector, 0);
    writeFileSync(path, full);

    const after = runTool('sfdisk', ['-d', path]);
    expect(after.stdout).toBe(before.stdout);
    const v = new DataView(sector.buffer);
    expect(v.getBigUint64(0x5c, true)).toBe(2048n);
    expect(sector[0x64]).toBe(0xff);
    expect([sector[0x66], sector[0x67]]).toEqual([0x90, 0x90]);
    expect(Buffer.compare(Buffer.from(sector.subarray(0x1b8, 0x200)), Buffer.from(current.subarray(0x1b8, 0x200)))).toBe(0);
    expect(Buffer.compare(Buffer.from(sector.subarray(0, 3)), Buffer.from(bootImg.subarray(0, 3)))).toBe(0);
  });
});
