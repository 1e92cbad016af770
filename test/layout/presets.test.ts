/**
 * The presets: DIB's block-device-mbr/-gpt/-efi layouts and its built-in fallback (reference/dib.md §6.7).
 */
import { describe, expect, test } from 'vitest';
import { planLayout, presetLayout } from '../../src/layout/index.js';
import { error } from '../helpers/errors.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('presets (DIB block-device-mbr/-gpt/-efi and the built-in fallback)', () => {
  test('mbr: one bootable primary root filling the disk', () => {
    const plan = planLayout(presetLayout('mbr').graph, { imageSize: GiB, seed: 'x' });
    expect(plan.table?.scheme).toBe('mbr');
    expect(plan.table?.partitions).toEqual([{ number: 1, start: 2048, sectors: 2093056, type: 0x83, bootable: true }]);
    expect(plan.filesystems.map((f) => [f.mkfs.name, f.mkfs.type, f.mount?.mountPoint])).toEqual([['mkfs_root', undefined, '/']]);
  });
  test('gpt: BSP EF02 8 MiB then root', () => {
    const plan = planLayout(presetLayout('gpt').graph, { imageSize: GiB, seed: 'x' });
    expect(plan.partitions.map((p) => [p.name, p.number, p.offset / MiB, p.size / MiB])).toEqual([
      ['BSP', 1, 1, 8],
      ['root', 2, 9, 1014],
    ]);
  });
  test('efi: ESP EF00 550 MiB vfat on /boot/efi, BSP, root', () => {
    const plan = planLayout(presetLayout('efi').graph, { imageSize: 2 * GiB, seed: 'x' });
    expect(plan.partitions.map((p) => [p.name, p.size / MiB])).toEqual([
      ['ESP', 550],
      ['BSP', 8],
      ['root', 2048 - 2 - 558],
    ]);
    expect(plan.table?.scheme === 'gpt' && plan.table.partitions.map((p) => p.type)).toEqual([
      'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
      '21686148-6449-6E6F-744E-656564454649',
      '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
    ]);
    expect(plan.filesystems[0]).toMatchObject({ device: 'ESP', mkfs: { name: 'mkfs_ESP', type: 'vfat' }, mount: { mountPoint: '/boot/efi' } });
  });
  test('none: no partition table, the filesystem takes the whole disk', () => {
    const plan = planLayout(presetLayout('none').graph, { imageSize: GiB });
    expect(plan.table).toBeUndefined();
    expect(plan.filesystems.map((f) => [f.device, f.offset, f.size])).toEqual([['image0', 0, GiB]]);
  });
  test('an unknown preset is an input error listing the presets', () => {
    const e = error(() => presetLayout('msdos'));
    expect(e.exitCode).toBe(2);
    expect(e.hint).toContain('mbr, gpt, efi, none');
  });
});
