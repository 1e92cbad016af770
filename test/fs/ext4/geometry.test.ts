import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { computeGeometry, groupHasSuper } from '../../../src/fs/ext4/geometry.js';
import { defaultJournalBlocks } from '../../../src/fs/ext4/journal.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { dumpe2fsHeader } from './oracle.js';

const tmp = useTmpDir();

describe('groupHasSuper (sparse_super)', () => {
  test('groups 0, 1 and powers of 3, 5, 7', () => {
    const withSuper = Array.from({ length: 130 }, (_, g) => g).filter((g) => groupHasSuper(g, true));
    expect(withSuper).toEqual([0, 1, 3, 5, 7, 9, 25, 27, 49, 81, 125]);
    expect(groupHasSuper(4, false)).toBe(true);
  });
});

describe.runIf(haveTools('mke2fs', 'dumpe2fs'))('geometry agrees with mke2fs', () => {
  test.each([
    [4096, 64],
    [4096, 300],
    [4096, 1024],
    [4096, 5 * 1024],
    [4096, 20 * 1024],
    [1024, 200],
  ])('%i-byte blocks, %i MiB: groups, reserved GDT blocks, inodes, backups, default journal', (blockSize, mib) => {
    const image = join(tmp(), 'ref.ext4');
    const r = runTool('mke2fs', ['-q', '-F', '-t', 'ext4', '-b', String(blockSize), '-i', '16384', '-I', '256', image, `${mib}M`], { env: { ...process.env, MKE2FS_CONFIG: '/etc/mke2fs.conf' } });
    expect(r.status, r.stderr).toBe(0);
    const h = dumpe2fsHeader(image);
    const blocks = Number(h.get('Block count'));
    const inodesWanted = Math.floor((blocks * blockSize) / 16384);
    const groups = Math.ceil((blocks - (blockSize === 1024 ? 1 : 0)) / (blockSize * 8));
    const unit = blockSize === 1024 ? 8 : 16;
    const geo = computeGeometry({
      blockSize,
      blocksCount: (mib * 1024 * 1024) / blockSize,
      inodeSize: 256,
      inodesPerGroup: Math.ceil(Math.ceil(inodesWanted / groups) / unit) * unit,
      sparseSuper: true,
      flexBg: true,
      resizeInode: true,
      is64bit: true,
    });
    expect(geo.blocksCount).toBe(blocks);
    expect(geo.reservedGdtBlocks).toBe(Number(h.get('Reserved GDT blocks')));
    expect(geo.inodesPerGroup).toBe(Number(h.get('Inodes per group')));
    expect(geo.inodesCount).toBe(Number(h.get('Inode count')));
    expect(defaultJournalBlocks(blocks)).toBe(Number(h.get('Total journal blocks')));
    const backups = /Superblock backups stored on blocks:\s*([\d,\s]+)/.exec(runTool('mke2fs', ['-n', '-F', '-t', 'ext4', '-b', String(blockSize), image, `${mib}M`]).stdout);
    const ours = geo.groups.filter((g, i) => i > 0 && g.hasSuper).map((g) => g.start);
    expect(ours).toEqual(backups ? backups[1]!.split(',').map((s) => Number(s.trim())) : []);
  });
});
