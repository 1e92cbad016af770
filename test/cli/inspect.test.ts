/**
 * `tsdib inspect`: tables written by sfdisk and sgdisk (independent writers) read back by us, and
 * the damaged-copy report. Runs the built CLI (npm run build first).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tsdib } from '../helpers/cli.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

function blank(path: string, size: number): void {
  writeFileSync(path, '');
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(1), 0, 1, size - 1);
  closeSync(fd);
}

describe('tsdib inspect: errors', () => {
  const tmp = useTmpDir();
  test('a missing image is an input error (exit 2)', () => {
    const r = tsdib(['inspect', join(tmp(), 'nope.raw')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.raw: ENOENT/);
  });
  test('a blank image has no partition table', () => {
    const path = join(tmp(), 'blank.raw');
    blank(path, 1024 * 1024);
    const r = tsdib(['inspect', path, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'raw', size: 1024 * 1024, scheme: 'none', partitions: [] });
    expect(tsdib(['inspect', path]).stdout).toContain('partition table: none');
  });
  test('a damaged container is an input error naming it (exit 2)', () => {
    const path = join(tmp(), 'x.qcow2');
    writeFileSync(path, Buffer.concat([Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]), Buffer.alloc(504)]));
    const r = tsdib(['inspect', path]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/x\.qcow2/);
  });
});

describe.runIf(haveTools('blkid'))('tsdib inspect: every container, and the filesystems inside (blkid agrees)', () => {
  const tmp = useTmpDir();
  test('an assembled efi disk as qcow2, vhd, vmdk, vdi and raw: same table, FAT32 ESP and ext4 root found by signature', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'rootfs/etc'), { recursive: true });
    writeFileSync(join(dir, 'rootfs/etc/hostname'), 'x\n');
    const a = tsdib(['assemble', join(dir, 'rootfs'), '--block-device', 'efi', '-t', 'raw,qcow2,vhd,vmdk,vdi', '-o', 'd', '--bootloader', 'none', '--seed', 'i', '-q'], { cwd: dir });
    expect(a.status, a.stderr).toBe(0);
    const reports = ['raw', 'qcow2', 'vhd', 'vmdk', 'vdi'].map((t) => {
      const r = tsdib(['inspect', join(dir, `d.${t}`), '--json']);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { format: string; scheme: string; partitions: { number: number; start: number }[]; filesystems: Record<string, { type: string; label: string; uuid: string } | null> };
    });
    expect(reports.map((r) => r.format)).toEqual(['raw', 'qcow2', 'vhd', 'vmdk', 'vdi']);
    for (const r of reports) {
      expect(r.partitions).toEqual(reports[0]!.partitions);
      expect(r.filesystems).toEqual(reports[0]!.filesystems);
    }
    const raw = join(dir, 'd.raw');
    const blkid = (n: number) => {
      const out = runTool('blkid', ['-p', '-O', String(reports[0]!.partitions.find((p) => p.number === n)!.start * 512), '-o', 'export', raw]).stdout;
      return Object.fromEntries(out.trim().split('\n').map((l) => l.split('=') as [string, string]));
    };
    const fs = reports[0]!.filesystems;
    expect(fs['1']).toMatchObject({ type: 'vfat (FAT32)', label: blkid(1)['LABEL'], uuid: blkid(1)['UUID'] });
    expect(fs['2']).toBeNull();
    expect(fs['3']).toMatchObject({ type: blkid(3)['TYPE'], label: blkid(3)['LABEL'], uuid: blkid(3)['UUID'] });
    const text = tsdib(['inspect', join(dir, 'd.qcow2')]).stdout;
    expect(text).toMatch(/^.*d\.qcow2: qcow2, compat 1\.1, 64 KiB clusters, .* allocated; disk \d+ MiB/);
    expect(text).toMatch(/ESP +vfat \(FAT32\) "MKFS_ESP"/);
    expect(text).toMatch(/root +ext4 "cloudimg-rootfs" [0-9a-f-]{36}/);
  });
  test('a bare filesystem (layout none) is reported as the disk filesystem', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'rootfs'));
    expect(tsdib(['assemble', join(dir, 'rootfs'), '--block-device', 'none', '-t', 'vdi', '-o', 'n', '--bootloader', 'none'], { cwd: dir }).status).toBe(0);
    const text = tsdib(['inspect', join(dir, 'n.vdi')]).stdout;
    expect(text).toContain('partition table: none');
    expect(text).toMatch(/filesystem: ext4 "cloudimg-rootfs"/);
  });
});

describe.runIf(haveTools('sfdisk', 'sgdisk'))('tsdib inspect reads what sfdisk and sgdisk wrote', () => {
  const tmp = useTmpDir();
  test('an MBR with an extended partition and logicals (sfdisk)', () => {
    const path = join(tmp(), 'mbr.raw');
    blank(path, 16 * 1024 * 1024);
    const script = 'label: dos\nlabel-id: 0x0badcafe\nunit: sectors\nstart=2048, size=4096, type=83, bootable\nstart=8192, type=f\nstart=10240, size=2048, type=82\nstart=14336, size=4096, type=83\n';
    expect(runTool('sfdisk', ['-q', path], { input: script }).status).toBe(0);
    const r = tsdib(['inspect', path, '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { scheme: string; diskId: string; partitions: Record<string, unknown>[] };
    expect(report.scheme).toBe('mbr');
    expect(report.diskId).toBe('0x0badcafe');
    expect(report.partitions.map((p) => [p['number'], p['start'], p['end'], p['type'], p['flags'], p['kind']])).toEqual([
      [1, 2048, 6143, '0x83', ['boot'], 'primary'],
      [2, 8192, 32767, '0x0f', [], 'extended'],
      [5, 10240, 12287, '0x82', [], 'logical'],
      [6, 14336, 18431, '0x83', [], 'logical'],
    ]);
    const text = tsdib(['inspect', path]).stdout;
    expect(text).toContain('partition table: mbr, disk id 0x0badcafe, 512-byte sectors');
    expect(text).toMatch(/\n {2}5 +10240 +12287 +2048 +1 MiB +0x82 +- +- +-\n/);
  });
  test('a GPT (sgdisk): GUIDs, names, types, attributes; a damaged primary header is reported', () => {
    const path = join(tmp(), 'gpt.raw');
    blank(path, 8 * 1024 * 1024);
    const mk = runTool('sgdisk', [
      '-U', '11111111-2222-3333-4444-555555555555',
      '-n', '1:0:+1M', '-t', '1:EF02', '-c', '1:BSP', '-u', '1:AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE',
      '-n', '2:0:0', '-t', '2:8304', '-c', '2:root', '-A', '2:set:2', path,
    ]);
    expect(mk.status).toBe(0);
    const report = JSON.parse(tsdib(['inspect', path, '--json']).stdout) as { scheme: string; diskId: string; gpt: unknown; partitions: Record<string, unknown>[] };
    expect(report.scheme).toBe('gpt');
    expect(report.diskId).toBe('11111111-2222-3333-4444-555555555555');
    expect(report.gpt).toEqual({ primary: { ok: true, problems: [] }, backup: { ok: true, problems: [] } });
    expect(report.partitions.map((p) => [p['number'], p['start'], p['type'], p['typeName'], p['flags'], p['name']])).toEqual([
      [1, 2048, '21686148-6449-6E6F-744E-656564454649', 'EF02 BIOS boot partition', [], 'BSP'],
      [2, 4096, '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709', '8304 Linux x86-64 root (/)', ['legacy-bios-bootable'], 'root'],
    ]);
    expect(report.partitions[0]!['guid']).toBe('AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE');
    // Flip a byte of the primary header's disk GUID: its CRC no longer matches.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from([0x99]), 0, 1, 512 + 60);
    closeSync(fd);
    const damaged = tsdib(['inspect', path]);
    expect(damaged.status).toBe(0);
    expect(damaged.stdout).toMatch(/primary GPT: DAMAGED: primary header at LBA 1: header CRC32 is 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
    expect(damaged.stdout).toContain('backup GPT: ok');
    expect(damaged.stdout).toMatch(/ 2 +4096 .* root/);
  });
});

describe.runIf(haveTools('fdisk'))('tsdib inspect: 4096-byte sectors', () => {
  const tmp = useTmpDir();
  test('a GPT on 4 KiB sectors (assembled from a block_size: 4096 layout) is found without --sector-size; fdisk -b 4096 agrees', () => {
    const dir = tmp();
    const yaml = join(dir, 'l.yaml');
    writeFileSync(yaml, "- local_loop:\n    name: image0\n    block_size: 4096\n- partitioning:\n    base: image0\n    label: gpt\n    partitions:\n      - name: ESP\n        type: 'EF00'\n        size: 16MiB\n      - name: root\n        size: 100%\n        mkfs:\n          name: mkfs_root\n          mount:\n            mount_point: /\n");
    mkdirSync(join(dir, 'rootfs'));
    expect(tsdib(['assemble', join(dir, 'rootfs'), '--block-device', yaml, '--image-size', '128MiB', '-o', 'd', '-t', 'raw', '-q', '--bootloader', 'none'], { cwd: dir }).status).toBe(0);
    const report = JSON.parse(tsdib(['inspect', join(dir, 'd.raw'), '--json']).stdout) as { sectorSize: number; partitions: { start: number; end: number; name: string }[] };
    expect(report.sectorSize).toBe(4096);
    expect(report.partitions.map((p) => [p.name, p.start, p.end])).toEqual([
      ['ESP', 256, 4351],
      ['root', 4352, 4352 + (126 - 16) * 256 - 1],
    ]);
    const f = runTool('fdisk', ['-b', '4096', '-l', join(dir, 'd.raw')]);
    expect(f.stdout).toMatch(/d\.raw1\s+256\s+4351\s/);
    expect(f.stdout).toMatch(new RegExp(`d\\.raw2\\s+4352\\s+${4352 + 110 * 256 - 1}\\s`));
  });
});
