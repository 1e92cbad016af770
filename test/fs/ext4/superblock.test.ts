import { openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk } from '../../../src/disk/index.js';
import { writeExt4 } from '../../../src/fs/ext4/index.js';
import { decodeSuperblock } from '../../../src/fs/ext4/superblock.js';
import { FileTree } from '../../../src/tree/index.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';

const tmp = useTmpDir();
const UUID = '11111111-2222-3333-4444-555555555555';
const HASH_SEED = '66666666-7777-8888-9999-aaaaaaaaaaaa';

function superblockOf(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(1024);
  readSync(fd, b, 0, 1024, 1024);
  closeSync(fd);
  return new Uint8Array(b);
}

/**
 * Fields where mke2fs and we may differ by design: s_jnl_blocks (0x10C, 68 bytes: where the journal
 * sits), s_kbytes_written (0x178, 8), s_overhead_clusters (0x248, 4: 0 means "let the kernel count"),
 * and therefore s_checksum (0x3FC, 4).
 */
const MAY_DIFFER: [number, number][] = [
  [0x10c, 68],
  [0x178, 8],
  [0x248, 4],
  [0x3fc, 4],
];

function masked(sb: Uint8Array): Uint8Array {
  const b = sb.slice();
  for (const [at, n] of MAY_DIFFER) b.fill(0, at, at + n);
  return b;
}

describe.runIf(haveTools('mke2fs'))('superblock byte for byte against mke2fs', () => {
  test.each([
    ['ext4', 64, 4096],
    ['ext4', 600, 4096],
    ['ext4-legacy', 64, 4096],
    ['ext3', 100, 4096],
    ['ext4,^has_journal', 100, 1024], // with a journal, mke2fs puts it mid-filesystem where it needs an extent block
  ] as const)('%s, %i MiB, %i-byte blocks (empty filesystem, same UUID, hash seed and time)', (features, mib, blockSize) => {
    const dir = tmp();
    const ref = join(dir, 'ref.img');
    const mke2fsFeatures: Record<string, string[]> = {
      ext4: ['-t', 'ext4'],
      'ext4-legacy': ['-t', 'ext4', '-O', '^64bit,^metadata_csum'],
      ext3: ['-t', 'ext3'],
      'ext4,^has_journal': ['-t', 'ext4', '-O', '^has_journal'],
    };
    const r = runTool(
      'mke2fs',
      ['-q', '-F', ...mke2fsFeatures[features]!, '-b', String(blockSize), '-i', '16384', '-I', '256', '-U', UUID, '-E', `hash_seed=${HASH_SEED}`, ref, `${mib}M`],
      { env: { ...process.env, E2FSPROGS_FAKE_TIME: '1700000000', MKE2FS_CONFIG: '/etc/mke2fs.conf' } },
    );
    expect(r.status, r.stderr).toBe(0);
    const ours = join(dir, 'ours.img');
    const disk = FileDisk.create(ours, mib * 1024 * 1024);
    writeExt4(disk, new FileTree({ sec: 1700000000, nsec: 0 }), { seed: 'x', time: 1700000000, uuid: UUID, hashSeed: HASH_SEED, features, blockSize, inodeRatio: 16384 });
    disk.close();
    const a = superblockOf(ref);
    const b = superblockOf(ours);
    expect(decodeSuperblock(b)).toEqual(decodeSuperblock(a));
    const diffs: string[] = [];
    const ma = masked(a);
    const mb = masked(b);
    for (let i = 0; i < 1024; i++) if (ma[i] !== mb[i]) diffs.push(`0x${i.toString(16)}: mke2fs ${ma[i]} ours ${mb[i]}`);
    expect(diffs).toEqual([]);
  });
});
