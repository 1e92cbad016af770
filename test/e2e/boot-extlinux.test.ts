/**
 * EXTLINUX installed by tsdib (payloads pulled out of the rootfs's /usr/bin/extlinux, ldlinux.sys
 * patched with the sectors the ext4 writer chose, VBR, mbr.bin / gptmbr.bin) boots Debian's kernel
 * under SeaBIOS, to our init on the ext4 root we wrote.
 */
import { describe, expect, test } from 'vitest';
import { fastBootRootfs, BOOT_MARKER } from '../boot/boot-rootfs.js';
import { buildBootImage, ROOT_LABEL } from '../boot/e2e-image.js';
import { haveTools } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const MARKER_ON_EXT4 = new RegExp(`${BOOT_MARKER} root=[^\\n]*root=LABEL=${ROOT_LABEL}[\\s\\S]*? / ext4 `);

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64'))('EXTLINUX boots (SeaBIOS, TCG)', () => {
  test.each(['mbr', 'gpt'] as const)('%s layout', { timeout: 1_200_000 }, async (preset) => {
    const image = await buildBootImage({ tarball: fastBootRootfs(), dir: tmp(), name: `extlinux-${preset}`, preset, route: 'extlinux', cmdline: 'init=/sbin/tsdib-marker panic=-1' });
    expect(image.plan.bios).toBe('extlinux');
    const r = await boot({ name: `boot-extlinux-${preset}`, disk: { path: image.path, format: 'raw', interface: 'ide' }, firmware: 'bios', expect: MARKER_ON_EXT4, timeoutMs: 360_000 });
    expect(r.matched, `no marker (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });
});
