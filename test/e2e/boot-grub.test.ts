/**
 * GRUB i386-pc installed by tsdib (native core.img, our LZMA stream, boot.img patched around the
 * table) boots Debian's kernel under SeaBIOS, and the kernel runs our init from the ext4 root we wrote.
 */
import { describe, expect, test } from 'vitest';
import { fastBootRootfs, BOOT_MARKER } from '../boot/boot-rootfs.js';
import { buildBootImage, ROOT_LABEL } from '../boot/e2e-image.js';
import { haveTools } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const MARKER_ON_EXT4 = new RegExp(`${BOOT_MARKER} root=[^\\n]*root=LABEL=${ROOT_LABEL}[\\s\\S]*? / ext4 `);
const BOOT_TIMEOUT = 360_000;

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64'))('GRUB i386-pc boots (SeaBIOS, TCG)', () => {
  test.each(['mbr', 'gpt'] as const)('%s layout', { timeout: 1_200_000 }, async (preset) => {
    const image = await buildBootImage({ tarball: fastBootRootfs(), dir: tmp(), name: `grub-${preset}`, preset, route: 'grub', cmdline: 'init=/sbin/tsdib-marker panic=-1' });
    expect(image.plan.bios).toBe('grub');
    const r = await boot({ name: `boot-grub-${preset}`, disk: { path: image.path, format: 'raw', interface: 'ide' }, firmware: 'bios', expect: MARKER_ON_EXT4, timeoutMs: BOOT_TIMEOUT });
    expect(r.matched, `no marker (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });
});
