/**
 * The Linux kernel as the oracle: loop-mount what we wrote (this needs root and loop devices, so it
 * runs where they exist and says so when skipped), compare it with the source tarball using GNU
 * tar's --compare (contents, modes, owners, mtimes, xattrs, ACLs, link targets, device numbers), then
 * let the kernel write to it (journal, allocation, htree growth, deletions) and have e2fsck check
 * the result.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk } from '../../../src/disk/index.js';
import { autoSize, planExt4, writeExt4 } from '../../../src/fs/ext4/index.js';
import { readRootfs, writeTar } from '../../../src/tar/index.js';
import { bytesBody, FileTree } from '../../../src/tree/index.js';
import { debianRootfs } from '../../helpers/debian.js';
import { findTool, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { fsck } from './oracle.js';

const tmp = useTmpDir();

/** Whether this process may loop-mount (root, mount, a loop device); probed once. */
function canLoopMount(): boolean {
  if (process.getuid?.() !== 0 || !findTool('mount') || !findTool('umount') || !findTool('tar')) return false;
  const r = spawnSync('sh', ['-c', 'd=$(mktemp -d) && truncate -s 2M "$d/i" && mkdir "$d/m" && (mount -o loop,ro "$d/i" "$d/m" 2>&1; true) | grep -q "wrong fs type\\|bad superblock\\|can.t read superblock"; s=$?; rm -rf "$d"; exit $s']);
  return r.status === 0; // mount reached the filesystem (and refused the empty image): loop devices work
}

const mountable = canLoopMount();
if (!mountable) console.warn('SKIPPED: kernel mount tests need root and loop devices');

function mounted<T>(image: string, options: string, body: (dir: string) => T): T {
  const dir = join(tmp(), 'mnt');
  mkdirSync(dir);
  const m = runTool('mount', ['-o', `loop,${options}`, image, dir]);
  if (m.status !== 0) throw new Error(`mount: ${m.stderr}`);
  try {
    return body(dir);
  } finally {
    runTool('umount', [dir]);
  }
}

async function imageOf(tar: string, work: string, more: { extra?: string; inodes?: number } = {}): Promise<string> {
  const rootfs = await readRootfs([tar], { tmpDir: work });
  try {
    const options = { seed: 'kernel', time: 1700000000, ...more };
    const plan = planExt4(rootfs.tree, options);
    const image = join(work, 'fs.ext4');
    const disk = FileDisk.create(image, autoSize(plan, options));
    writeExt4(disk, rootfs.tree, options, plan);
    disk.close();
    return image;
  } finally {
    rootfs.cleanup();
  }
}

const compare = (dir: string, tar: string) => runTool('tar', ['--compare', '--xattrs', '--xattrs-include=*', '--acls', '--numeric-owner', '-f', tar], { cwd: dir });

describe.runIf(mountable)('the Linux kernel reads and writes what we wrote', () => {
  test('edge cases: GNU tar --compare finds no difference; after the kernel writes, e2fsck is clean', async () => {
    const work = tmp();
    const t = new FileTree({ sec: 1700000000, nsec: 0 });
    const cap = Uint8Array.from([1, 0, 0, 2, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    t.addFile('bin/ping', bytesBody(new Uint8Array(3000).fill(9)), { mode: 0o755, xattrs: new Map([['security.capability', cap]]) });
    t.addFile('bin/su', bytesBody(new Uint8Array(100).fill(1)), { mode: 0o4755, mtime: { sec: 1690000000, nsec: 123456789 } });
    t.addFile('big', bytesBody(new Uint8Array(5 * 1024 * 1024).map((_, i) => i & 0xff)));
    t.addSymlink('slow-link', 'x/'.repeat(60));
    t.addSymlink('fast-link', 'bin/su');
    t.addSpecial('dev/null', 'char', { mode: 0o666, rdevMajor: 1, rdevMinor: 3 });
    t.addSpecial('dev/sda', 'block', { mode: 0o660, gid: 6, rdevMajor: 8, rdevMinor: 0 });
    t.addSpecial('run/fifo', 'fifo');
    t.addHardLink('bin/su2', 'bin/su');
    for (let i = 0; i < 3000; i++) t.addFile(`many/entry-${i}`, bytesBody(new Uint8Array([i & 0xff])), { uid: 1000, gid: 1000 });
    const tar = join(work, 'edge.tar');
    await writeTar(t, tar, { epoch: 1700000000 });
    const image = await imageOf(tar, work, { extra: '200%', inodes: 20000 }); // room for the kernel's writes
    const diff = mounted(image, 'ro', (dir) => compare(dir, tar));
    expect(diff.stdout + diff.stderr).toBe('');
    expect(diff.status).toBe(0);
    mounted(image, 'rw', (dir) => {
      const w = spawnSync('sh', ['-c', 'for i in $(seq 1 2000); do echo $i > many/new-$i; done && rm -f many/entry-1* && cp big big2 && mkdir d && mv bin d/ && sync'], { cwd: dir });
      expect(w.status, String(w.stderr)).toBe(0);
    });
    const check = fsck(image);
    expect(check.status, check.output).toBe(0);
  });

  test.runIf(findTool('mmdebstrap') !== undefined)('a Debian rootfs: GNU tar --compare finds no difference', { timeout: 900_000 }, async () => {
    const work = tmp();
    const tar = debianRootfs();
    const image = await imageOf(tar, work);
    const diff = mounted(image, 'ro', (dir) => compare(dir, tar));
    expect(diff.stdout + diff.stderr).toBe('');
    expect(diff.status).toBe(0);
  });
});
