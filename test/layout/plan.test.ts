/**
 * Planning layouts onto a disk: DIB's test_gpt sizes (reference/dib.md §6.8), block_size, image size.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseLayout, planLayout, presetLayout } from '../../src/layout/index.js';
import { error } from '../helpers/errors.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/layout/${name}.yaml`, import.meta.url), 'utf8');
}
function layout(name: string) {
  return parseLayout(fixture(name), `${name}.yaml`);
}
describe('planning layouts', () => {
  test("gpt_efi (DIB's test_gpt): ESP 8 MiB, BSP 8 MiB, 'Root Part' 1006 MiB on 1 GiB", () => {
    const plan = planLayout(layout('gpt_efi').graph, { imageSize: GiB, seed: 's' });
    expect(plan.table?.scheme).toBe('gpt');
    expect(plan.partitions.map((p) => [p.name, p.number, p.size / MiB])).toEqual([
      ['ESP', 1, 8],
      ['BSP', 2, 8],
      ['Root Part', 3, 1006],
    ]);
    expect(plan.filesystems.map((f) => [f.mkfs.name, f.device, f.mount?.mountPoint, f.fstab?.fsckPassno])).toEqual([
      ['mkfs_ESP', 'ESP', '/boot/efi', 1],
      ['mkfs_Root Part', 'Root Part', '/', 1],
    ]);
  });
  test('the local_loop size wins over the image size; block_size 4096 gives 4 KiB sectors', () => {
    const text = fixture('deep_tree').replace('size: 2GiB', 'size: 2GiB\n    block_size: 4096');
    const plan = planLayout(parseLayout(text).graph, { imageSize: GiB });
    expect(plan.size).toBe(2 * GiB);
    expect(plan.sectorSize).toBe(4096);
    expect(plan.partitions).toEqual([{ name: 'root', number: 1, offset: MiB, size: 2 * GiB - 2 * MiB }]);
  });
  test('no size anywhere is an input error', () => {
    expect(error(() => planLayout(presetLayout('mbr').graph)).message).toBe('no image size');
  });
  test('a disk too small says how much is needed', () => {
    expect(error(() => planLayout(presetLayout('efi').graph, { imageSize: 100 * MiB })).message).toMatch(/need \d+ MiB, have 100 MiB/);
  });
});

