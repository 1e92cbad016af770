import { describe, expect, test } from 'vitest';
import { MemoryDisk } from '../../../src/disk/index.js';
import { planFat, writeFat } from '../../../src/fs/fat/index.js';
import { bytesBody, FileTree } from '../../../src/tree/index.js';
import { haveTools } from '../../helpers/oracles.js';
import { expectFsckClean } from './oracle.js';
import { FileDisk } from '../../../src/disk/index.js';
import { join } from 'node:path';
import { useTmpDir } from '../../helpers/tmp.js';

const tmp = useTmpDir();
const MiB = 1024 * 1024;

function treeOf(fileSizes: number[], dirs = 0): FileTree {
  const t = new FileTree({ sec: 1700000000, nsec: 0 });
  fileSizes.forEach((n, i) => t.addFile(`/d${i % Math.max(1, dirs)}/file number ${i}.bin`, bytesBody(new Uint8Array(n).fill(i & 0xff))));
  return t;
}

describe('FAT planner', () => {
  test.each([
    ['an empty tree', [], 0, 12],
    ['a few small files', [10, 2000, 70_000], 2, 12],
    ['3 MiB', [3 * MiB], 1, 16],
    ['20 MiB over 40 files', Array.from({ length: 40 }, () => MiB / 2), 4, 16],
    ['60 MiB (FAT16 still fits under 64 MiB)', [60 * MiB], 1, 16],
    ['70 MiB', [70 * MiB], 1, 32],
  ] as const)('%s: the minimum fits, and 64 KiB less does not', (_, sizes, dirs, type) => {
    const tree = treeOf([...sizes], dirs);
    const plan = planFat(tree, { label: 'ESP' });
    expect(plan.geometry.type).toBe(type);
    expect(plan.size % 512).toBe(0);
    expect(plan.usedClusters).toBeLessThanOrEqual(plan.geometry.clusterCount);
    expect(() => writeFat(new MemoryDisk(plan.size), tree, { serial: 1, label: 'ESP', time: 0 })).not.toThrow();
    if (plan.size > 64 * 1024) expect(() => planFat(tree, { label: 'ESP', size: plan.size - 64 * 1024 })).toThrow(/too small/);
  });

  test('a forced FAT32 plans at least the 65525 clusters FAT32 needs', () => {
    const plan = planFat(treeOf([1000]), { type: 32 });
    expect(plan.geometry.type).toBe(32);
    expect(plan.geometry.clusterCount).toBeGreaterThanOrEqual(65525);
    expect(plan.size).toBeLessThan(34 * MiB);
  });

  test('with a size: the geometry of that size, or an error naming the size needed', () => {
    const tree = treeOf([5 * MiB]);
    expect(planFat(tree, { size: 550 * MiB }).geometry).toMatchObject({ type: 32, sectorsPerCluster: 8 });
    expect(() => planFat(tree, { size: 4 * MiB })).toThrow(/FAT volume of 4 MiB is too small/);
  });
});

describe.runIf(haveTools('fsck.vfat'))('planned sizes against fsck.vfat', () => {
  test('an image of exactly the planned minimum is clean', () => {
    const tree = treeOf(Array.from({ length: 30 }, (_, i) => 1000 * i), 3);
    const plan = planFat(tree);
    const path = join(tmp(), 'min.img');
    const disk = FileDisk.create(path, plan.size);
    writeFat(disk, tree, { serial: 7, time: 0 });
    disk.close();
    expectFsckClean(path);
  });
});
