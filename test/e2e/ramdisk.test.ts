/**
 * The ramdisk output boots: a Debian kernel and busybox-static (taken from a rootless mmdebstrap
 * rootfs) plus our own /init script, written as NAME.kernel + NAME.initramfs, started with
 * `qemu -kernel -initrd` under TCG; the kernel unpacks our cpio (so /dev/console, the busybox hard
 * links and the /init script must all be right) and runs /init, whose marker we wait for. The small
 * tree goes through the CLI (`tsdib assemble small.tar -t ramdisk`, dist/ built first) as a user would.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireKernel } from '../../src/boot/kernel.js';
import { resolvePath } from '../../src/boot/tree-path.js';
import { writeRamdisk } from '../../src/fs/cpio/ramdisk.js';
import { TsdibError } from '../../src/errors.js';
import { readRootfs, writeTar } from '../../src/tar/index.js';
import { tsdib } from '../helpers/cli.js';
import { bytesBody } from '../../src/tree/body.js';
import { FileTree } from '../../src/tree/tree.js';
import { fastBootRootfs } from '../boot/boot-rootfs.js';
import { haveTools } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';

const EPOCH = 1700000000;
const MARKER = 'TSDIB-RAMDISK-INIT';
const INIT = `#!/bin/sh
# Our /init: proves the kernel unpacked the archive and ran it as pid 1.
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
echo "${MARKER} pid=$$ links=$(/bin/busybox stat -c %h /bin/busybox)"
exec /bin/busybox poweroff -f
`;

/** The first bytes of each compression, so the test knows the kernel was handed what was asked for. */
const MAGIC = { gzip: '1f8b', xz: 'fd377a585a00', zstd: '28b52ffd' } as const;

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64'))('ramdisk boots under qemu -kernel -initrd', () => {
  let work = '';
  let tinyTar = '';

  // One directory for the whole group: the tiny tree is made once, each compression boots from it.
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tsdib-test-'));
    const rootfs = await readRootfs([fastBootRootfs()], { tmpDir: work });
    try {
      // A whole Debian tree has no /init: the error says so, and nothing is written.
      const err = await writeRamdisk(rootfs.tree, join(work, 'full')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TsdibError);
      expect((err as TsdibError).message).toMatch(/no \/init/);
      expect(existsSync(join(work, 'full.initramfs')) || existsSync(join(work, 'full.kernel'))).toBe(false);

      const { kernel } = requireKernel(rootfs.tree);
      const busybox = resolvePath(rootfs.tree, '/bin/busybox')!;
      const small = new FileTree({ sec: EPOCH, nsec: 0 });
      small.addFile(kernel.path, kernel.inode.body!, { mode: 0o644 });
      small.addFile('bin/busybox', busybox.inode.body!, { mode: 0o755 });
      small.addHardLink('bin/sh', 'bin/busybox');
      small.addHardLink('sbin/poweroff', 'bin/busybox');
      small.addSpecial('dev/console', 'char', { mode: 0o600, rdevMajor: 5, rdevMinor: 1 });
      small.addFile('init', bytesBody(Buffer.from(INIT)), { mode: 0o755 });
      tinyTar = join(work, 'tiny-rootfs.tar');
      await writeTar(small, tinyTar, { epoch: EPOCH });
    } finally {
      rootfs.cleanup();
    }
  }, 900_000);

  // gzip is the default; xz and zstd are our own encoders (src/compress), unpacked by Debian's kernel
  // (CONFIG_RD_XZ, CONFIG_RD_ZSTD): the kernel is their oracle here, as xz -t and zstd -t are in their tests.
  test.each(['gzip', 'xz', 'zstd'] as const)('NAME.kernel + NAME.initramfs (%s) reach the marker printed by our /init', async (compression) => {
    const name = `tiny-${compression}`;
    const args = ['assemble', tinyTar, '-t', 'ramdisk', '-o', name, ...(compression === 'gzip' ? [] : ['--ramdisk-compression', compression])];
    const cli = tsdib(args, { cwd: work, env: { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) } });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(`wrote ${name}.initramfs\nwrote ${name}.kernel\n`);
    const initramfs = join(work, `${name}.initramfs`);
    expect(readFileSync(initramfs).subarray(0, MAGIC[compression].length / 2).toString('hex')).toBe(MAGIC[compression]);
    const result = await boot({
      name: `ramdisk-busybox-${compression}`,
      kernel: join(work, `${name}.kernel`),
      initrd: initramfs,
      append: 'console=ttyS0 panic=-1',
      expect: new RegExp(`${MARKER} pid=1 links=3\\s`),
      timeoutMs: 240_000,
    });
    expect(result.matched, `console log: ${result.logPath}\n${result.log.slice(-3000)}`).toBe(true);
  }, 900_000);
});
