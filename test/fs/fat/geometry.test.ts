import { join } from 'node:path';
import { truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TsdibError } from '../../../src/errors.js';
import { chooseGeometry, geometryForType, layoutFor } from '../../../src/fs/fat/geometry.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { minfo } from './oracle.js';

const tmp = useTmpDir();
const MiB_SECTORS = 2048;

describe('FAT geometry (fatgen103 §3.5)', () => {
  test('the type follows the cluster count alone: <4085 FAT12, <65525 FAT16, else FAT32', () => {
    for (const [sectors, type] of [[2048, 12], [16 * MiB_SECTORS, 16], [63 * MiB_SECTORS, 16], [64 * MiB_SECTORS, 32], [550 * MiB_SECTORS, 32]] as const) {
      const g = chooseGeometry(sectors);
      expect(g.type).toBe(type);
      expect(g.clusterCount).toBeLessThan(type === 12 ? 4085 : type === 16 ? 65525 : 0x0ffffff6);
      if (type !== 12) expect(g.clusterCount).toBeGreaterThanOrEqual(type === 16 ? 4085 : 65525);
    }
  });

  test('every FAT covers its clusters, and one sector less would not', () => {
    for (const sectors of [100, 2048, 8191, 8192, 40000, 131072, 1126400, 4194304]) {
      for (const type of [12, 16, 32] as const) {
        const g = geometryForType(type, sectors);
        if (!g) continue;
        const bits = type === 12 ? 12 : type === 16 ? 16 : 32;
        expect(g.fatSectors * 512 * 8).toBeGreaterThanOrEqual((g.clusterCount + 2) * bits);
        expect(g.dataStartSector % g.sectorsPerCluster).toBe(0);
        expect(g.dataStartSector + g.clusterCount * g.sectorsPerCluster).toBeLessThanOrEqual(sectors);
        expect(g.reservedSectors + 2 * g.fatSectors + g.rootDirSectors).toBeLessThanOrEqual(g.dataStartSector);
      }
    }
  });

  test('the smallest FAT32 has 65525 clusters: 33 MiB works, 32 MiB does not', () => {
    expect(geometryForType(32, 33 * MiB_SECTORS)?.clusterCount).toBeGreaterThanOrEqual(65525);
    expect(geometryForType(32, 32 * MiB_SECTORS)).toBeUndefined();
    try {
      chooseGeometry(32 * MiB_SECTORS, { type: 32 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TsdibError);
      expect((e as TsdibError).toLine()).toBe('a FAT32 volume cannot be 32 MiB: it needs 65525..268435445 clusters of 512 B..32 KiB: FAT32 needs at least 33 MiB');
    }
  });

  test('a root needing more than 512 slots gets them, in whole sectors', () => {
    const g = layoutFor(16, 16 * MiB_SECTORS, 4, 1024)!;
    expect(g.rootEntries).toBe(1024);
    expect(g.rootDirSectors).toBe(64);
  });

  test('volumes above 2 TiB are refused', () => {
    expect(() => chooseGeometry(2 ** 32)).toThrow(/at most 2\^32-1 sectors/);
  });
});

/**
 * mkfs.vfat's choices for the same sizes. We match it on FAT32 (every size here) and on FAT16 from
 * 16 MiB where its FAT is not padded; see the README for where and why we differ.
 */
describe.runIf(haveTools('mkfs.vfat', 'minfo'))('FAT geometry against mkfs.vfat', () => {
  test.each([
    [16, 16], [32, 16], [64, 16], [256, 16],
    [34, 32], [64, 32], [100, 32], [260, 32], [300, 32], [550, 32], [1024, 32], [8192, 32],
  ] as const)('%i MiB FAT%i: same cluster size, reserved sectors and FAT size', (mib, type) => {
    const img = join(tmp(), 'mkfs.img');
    writeFileSync(img, '');
    truncateSync(img, mib * 1024 * 1024);
    expect(runTool('mkfs.vfat', ['-F', String(type), img]).status).toBe(0);
    const theirs = minfo(img);
    const ours = chooseGeometry(mib * MiB_SECTORS, { type });
    expect({ clusterSectors: ours.sectorsPerCluster, reserved: ours.reservedSectors, fatSectors: ours.fatSectors, type: `FAT${type}` }).toEqual({
      clusterSectors: theirs.clusterSectors,
      reserved: theirs.reserved,
      fatSectors: theirs.fatSectors,
      type: theirs.type,
    });
  });
});
