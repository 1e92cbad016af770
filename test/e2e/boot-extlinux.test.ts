/**
 * EXTLINUX installed by tsdib (payloads pulled out of the rootfs's /usr/bin/extlinux, ldlinux.sys
 * patched with the sectors the ext4 writer chose, VBR, mbr.bin / gptmbr.bin) boots Debian's kernel
 * under SeaBIOS, to our init on the ext4 root we wrote.
 */
import { describe, expect, test } from 'vitest';
import { fastBootRootfs, BOOT_MARKER } from '../boot/boot-rootfs.js';
import { buildBootImage, ROOT_LABEL } from '../boot/e2e-image.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LDLINUX_MAGIC } from '../../src/boot/extlinux-payload.js';
import { boot } from '../helpers/qemu.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const MARKER_ON_EXT4 = new RegExp(`${BOOT_MARKER} root=[^\\n]*root=LABEL=${ROOT_LABEL}[\\s\\S]*? / ext4 `);

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64', 'sfdisk', 'sgdisk', 'e2fsck', 'debugfs'))('EXTLINUX boots (SeaBIOS, TCG)', () => {
  test.each(['mbr', 'gpt'] as const)('%s layout', { timeout: 1_200_000 }, async (preset) => {
    const image = await buildBootImage({ tarball: fastBootRootfs(), dir: tmp(), name: `extlinux-${preset}`, preset, route: 'extlinux', cmdline: 'init=/sbin/tsdib-marker panic=-1' });
    expect(image.plan.bios).toBe('extlinux');
    // The table rewritten with the boot mark is still valid, as independent tools read it.
    if (preset === 'mbr') {
      expect(runTool('sfdisk', ['-d', image.path]).stdout).toMatch(/start=\s*2048,.*bootable/);
    } else {
      const verify = runTool('sgdisk', ['-v', image.path]);
      expect(verify.stdout).toMatch(/No problems found/);
      expect(runTool('sgdisk', ['-i', '2', image.path]).stdout).toMatch(/Attribute flags: 0000000000000004/);
    }
    // ext4 is still clean after ldlinux.sys was patched in place and the VBR written (e2fsck), and the
    // file as ext4 reads it (debugfs) is the patched one: its dwords sum to LDLINUX_MAGIC.
    const fs = `${image.path}?offset=${image.partitions.get('root')!.offset}`;
    const fsck = runTool('e2fsck', ['-fn', fs]);
    expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
    const dumped = join(tmp(), 'ldlinux.sys');
    expect(runTool('debugfs', ['-R', `dump /boot/syslinux/ldlinux.sys ${dumped}`, fs]).status).toBe(0);
    const sys = new Uint8Array(readFileSync(dumped));
    const code = sys.subarray(0, sys.length - 1024);
    const v = new DataView(code.buffer, code.byteOffset, code.length);
    let sum = 0;
    for (let i = 0; i < code.length; i += 4) sum = (sum + v.getUint32(i, true)) >>> 0;
    expect(sum).toBe(LDLINUX_MAGIC);
    expect(Buffer.from(code).toString('latin1')).toContain('/boot/syslinux\0');
    const r = await boot({ name: `boot-extlinux-${preset}`, disk: { path: image.path, format: 'raw', interface: 'ide' }, firmware: 'bios', expect: MARKER_ON_EXT4, timeoutMs: 360_000 });
    expect(r.matched, `no marker (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });
});
