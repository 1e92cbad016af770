/**
 * `tsdib assemble` with no ROOTFS: a sparse raw image holding only the partition table, checked by
 * partx, sfdisk and sgdisk. Runs the built CLI (npm run build first).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tsdib } from '../helpers/cli.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const fixture = (name: string) => new URL(`../fixtures/layout/${name}.yaml`, import.meta.url).pathname;
const partx = (path: string) => runTool('partx', ['--raw', '--output', 'NR,START,END,TYPE,FLAGS,SCHEME', '-g', '-b', '-', path]);

describe('tsdib assemble: usage and errors', () => {
  const tmp = useTmpDir();
  test('--help explains the command with examples', () => {
    const r = tsdib(['assemble', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--block-device');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('disk.raw with an ESP, a BIOS boot partition');
  });
  test('an unknown -t is a usage error (exit 2); other real formats are not built yet (exit 1)', () => {
    const dir = tmp();
    const bad = tsdib(['assemble', '-o', 'x', '-t', 'iso', '--image-size', '1'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tsdib: -t: unknown image type "iso": use qcow2, raw, vhd, vmdk, vdi, tar\n');
    const qcow = tsdib(['assemble', '-o', 'x', '--image-size', '1'], { cwd: dir });
    expect(qcow.status).toBe(1);
    expect(qcow.stderr).toMatch(/^tsdib: -t qcow2: only raw images are written so far: the formats issue adds/);
    expect(readdirSync(dir)).toEqual([]);
  });
  test('ROOTFS arguments are refused for now (exit 1)', () => {
    const dir = tmp();
    const r = tsdib(['assemble', 'rootfs.tar', '-o', 'x', '-t', 'raw', '--image-size', '1'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ROOTFS arguments \(rootfs\.tar\) are not supported yet: filesystems come with issue 5/);
  });
  test('no image size, a too-small disk, a YAML typo, an unknown preset: exit 2, no output left behind', () => {
    const dir = tmp();
    const cases: [string[], RegExp][] = [
      [['--block-device', 'gpt'], /^tsdib: no image size: give --image-size/],
      [['--block-device', 'efi', '--image-size', '100MiB'], /^tsdib: disk too small for the partition layout: need \d+ MiB, have 100 MiB/],
      [['--block-device', fixture('typo_key'), '--image-size', '1'], /typo_key\.yaml \[1\]\.partitioning\.partitions\[0\]\.mkfs\.mount\.fstab: unknown key "fck-passno"/],
      [['--block-device', 'msdos', '--image-size', '1'], /--block-device msdos: neither a preset \(mbr, gpt, efi, none\) nor a YAML file/],
      [['--block-device', join(dir, 'missing.yaml'), '--image-size', '1'], /missing\.yaml: neither a preset/],
    ];
    for (const [args, message] of cases) {
      const r = tsdib(['assemble', '-o', 'x', '-t', 'raw', ...args], { cwd: dir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
  test('lvm layouts are refused: not supported yet (exit 1)', () => {
    const r = tsdib(['assemble', '-o', 'x', '-t', 'raw', '--block-device', fixture('lvm_tree'), '--image-size', '1'], { cwd: tmp() });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/lvm_tree\.yaml \[2\]\.lvm: lvm is not supported yet/);
  });
  test('an existing output is kept unless --force', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.raw'), 'precious');
    const r = tsdib(['assemble', '-o', 'x', '-t', 'raw', '--image-size', '64MiB'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('tsdib: x.raw already exists: remove it or pass --force\n');
    expect(readFileSync(join(dir, 'x.raw'), 'utf8')).toBe('precious');
    expect(tsdib(['assemble', '-o', 'x', '-t', 'raw', '--image-size', '64MiB', '--force'], { cwd: dir }).status).toBe(0);
    expect(statSync(join(dir, 'x.raw')).size).toBe(64 * MiB);
    expect(readdirSync(dir)).toEqual(['x.raw']);
  });
});

describe.runIf(haveTools('partx', 'sfdisk', 'sgdisk'))('tsdib assemble: tables read by partx, sfdisk, sgdisk', () => {
  const tmp = useTmpDir();
  test('--block-device mbr: one bootable primary root, sparse, sfdisk --verify clean; the mkfs nodes are reported as not written', () => {
    const dir = tmp();
    const r = tsdib(['assemble', '--block-device', 'mbr', '--image-size', '1', '-o', 'disk', '-t', 'raw', '--seed', 'a'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('tsdib: no ROOTFS given: wrote the partition table only; mkfs_root (/) not created (filesystems come with issue 5)\n');
    const path = join(dir, 'disk.raw');
    expect(statSync(path).size).toBe(GiB);
    expect(statSync(path).blocks * 512).toBeLessThan(MiB);
    expect(partx(path).stdout).toBe('1 2048 2095103 0x83 0x80 dos\n');
    expect(runTool('sfdisk', ['--verify', path]).stdout).toContain('No errors detected');
  });
  test("DIB's test_mbr '3 primaries + 7 logical' through a YAML layout and a raw image", () => {
    const dir = tmp();
    const r = tsdib(['assemble', '--block-device', fixture('dib_mbr_three_primaries_seven_logical'), '--image-size', '1GiB', '-o', 'disk.raw', '-t', 'raw'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(partx(join(dir, 'disk.raw')).stdout).toBe(
      [
        '1 2048 22527 0x83 0x0 dos',
        '2 22528 43007 0x83 0x0 dos',
        '3 43008 63487 0x83 0x0 dos',
        '4 63488 2097151 0xf 0x0 dos',
        '5 65536 86015 0x83 0x0 dos',
        '6 88064 108543 0x83 0x0 dos',
        '7 110592 131071 0x83 0x0 dos',
        '8 133120 153599 0x83 0x0 dos',
        '9 155648 176127 0x83 0x0 dos',
        '10 178176 198655 0x83 0x0 dos',
        '11 200704 221183 0x83 0x0 dos',
        '',
      ].join('\n'),
    );
    expect(runTool('sfdisk', ['--verify', join(dir, 'disk.raw')]).stdout).toContain('No errors detected');
  });
  test("DIB's test_mbr 'one logical' through a YAML layout", () => {
    const dir = tmp();
    expect(tsdib(['assemble', '--block-device', fixture('dib_mbr_one_logical'), '--image-size', '1GiB', '-o', 'd', '-t', 'raw'], { cwd: dir }).status).toBe(0);
    expect(partx(join(dir, 'd.raw')).stdout).toBe('1 2048 2097151 0xf 0x0 dos\n5 4096 24575 0x83 0x0 dos\n');
  });
  test('--block-device efi: sgdisk -v clean, sfdisk -d reads ESP/BSP/root with their types; same seed, same bytes', () => {
    const dir = tmp();
    for (const name of ['a', 'b']) {
      const r = tsdib(['assemble', '--block-device', 'efi', '--image-size', '1GiB', '-o', name, '-t', 'raw', '--seed', 'same', '--json'], { cwd: dir });
      expect(r.status).toBe(0);
      const json = JSON.parse(r.stdout) as { scheme: string; partitions: { name: string; size: number }[] };
      expect(json.scheme).toBe('gpt');
      expect(json.partitions.map((p) => [p.name, p.size / MiB])).toEqual([
        ['ESP', 550],
        ['BSP', 8],
        ['root', 1024 - 2 - 558],
      ]);
    }
    const a = join(dir, 'a.raw');
    expect(runTool('sgdisk', ['-v', a]).stdout).toContain('No problems found');
    const d = runTool('sfdisk', ['-d', a]).stdout;
    expect(d).toMatch(/a\.raw1 : start=\s+2048, size=\s+1126400, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=[0-9A-F-]{36}, name="ESP"/);
    expect(d).toMatch(/a\.raw2 : start=\s+1128448, size=\s+16384, type=21686148-6449-6E6F-744E-656564454649, uuid=[0-9A-F-]{36}, name="BSP"/);
    expect(d).toMatch(/a\.raw3 : start=\s+1144832, size=\s+950272, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=[0-9A-F-]{36}, name="root"/);
    expect(runTool('cmp', [a, join(dir, 'b.raw')]).status).toBe(0);
    const other = tsdib(['assemble', '--block-device', 'efi', '--image-size', '1GiB', '-o', 'c', '-t', 'raw', '--seed', 'other'], { cwd: dir });
    expect(other.status).toBe(0);
    expect(runTool('cmp', ['-s', a, join(dir, 'c.raw')]).status).toBe(1);
  });
  test('--block-device none: a blank disk of the right size, no table', () => {
    const dir = tmp();
    const r = tsdib(['assemble', '--block-device', 'none', '--image-size', '64MiB', '-o', 'n', '-t', 'raw'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('tsdib: no ROOTFS given: wrote an empty disk (this layout has no partition table); mkfs_root (/) not created (filesystems come with issue 5)\n');
    expect(statSync(join(dir, 'n.raw')).size).toBe(64 * MiB);
    expect(existsSync(join(dir, 'n.raw'))).toBe(true);
    expect(partx(join(dir, 'n.raw')).status).not.toBe(0);
  });
});
