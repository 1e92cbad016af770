/**
 * The ramdisk output boots: a Debian kernel and busybox-static (taken from a rootless mmdebstrap
 * rootfs) plus our own /init script, written as NAME.kernel + NAME.initramfs, started with
 * `qemu -kernel -initrd` under TCG; the kernel unpacks our cpio (so /dev/console, the busybox hard
 * links and the /init script must all be right) and runs /init, whose marker we wait for. The small
 * tree goes through the CLI (`tsdib assemble small.tar -t ramdisk`, dist/ built first) as a user would.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
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
import { useTmpDir } from '../helpers/tmp.js';

const EPOCH = 1700000000;
const MARKER = 'TSDIB-RAMDISK-INIT';
const INIT = `#!/bin/sh
# Our /init: proves the kernel unpacked the archive and ran it as pid 1.
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
echo "${MARKER} pid=$$ links=$(/bin/busybox stat -c %h /bin/busybox)"
exec /bin/busybox poweroff -f
`;

const tmp = useTmpDir();

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64'))('ramdisk boots under qemu -kernel -initrd', () => {
  test('NAME.kernel + NAME.initramfs reach the marker printed by our /init', async () => {
    const work = tmp();
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

      await writeTar(small, join(work, 'tiny-rootfs.tar'), { epoch: EPOCH });
      const cli = tsdib(['assemble', join(work, 'tiny-rootfs.tar'), '-t', 'ramdisk', '-o', 'tiny'], { cwd: work, env: { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) } });
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stdout).toBe('wrote tiny.initramfs\nwrote tiny.kernel\n');
      const out = { kernelPath: join(work, 'tiny.kernel'), initramfsPath: join(work, 'tiny.initramfs') };
      const result = await boot({
        name: 'ramdisk-busybox',
        kernel: out.kernelPath,
        initrd: out.initramfsPath,
        append: 'console=ttyS0 panic=-1',
        expect: new RegExp(`${MARKER} pid=1 links=3\\s`),
        timeoutMs: 240_000,
      });
      expect(result.matched, `console log: ${result.logPath}\n${result.log.slice(-3000)}`).toBe(true);
    } finally {
      rootfs.cleanup();
    }
  }, 900_000);
});
