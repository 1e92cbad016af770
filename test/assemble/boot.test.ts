/**
 * assemble() with a bootloader (src/boot wired in): the fast boot rootfs (Debian kernel, initrd,
 * busybox, every loader's payload) assembled onto DIB's efi preset with `auto` boots under SeaBIOS
 * (GRUB i386-pc from the BIOS boot partition) and OVMF (systemd-boot from the ESP), to our marker
 * init on the ext4 root mounted by label. Images from mbr with `auto` (GRUB) and `extlinux` boot too.
 * TCG, minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assemble, type AssembleResult } from '../../src/assemble/index.js';
import { presetLayout } from '../../src/layout/index.js';
import { readRootfs, type Rootfs } from '../../src/tar/index.js';
import { BOOT_MARKER, fastBootRootfs } from '../boot/boot-rootfs.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';

const MARKER = new RegExp(`${BOOT_MARKER} root=[^\\n]*root=LABEL=cloudimg-rootfs[\\s\\S]*? / ext4 `);
const BOOT_TIMEOUT = 360_000;
const EPOCH = 1_700_000_000;
// What the fast tier never reads: kept out so the images stay small (modules are in the initrd).
const TRIM = ['/usr/lib/modules', '/usr/lib/firmware', '/usr/share/doc', '/usr/share/locale', '/usr/share/man', '/usr/share/info', '/var/cache/apt', '/var/lib/apt/lists'];

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64', 'e2fsck', 'sgdisk', 'sfdisk'))('assembled images boot (TCG)', () => {
  let work: string;
  let rootfs: Rootfs;
  const images = new Map<string, { path: string; result: AssembleResult }>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tsdib-assemble-boot-'));
    rootfs = await readRootfs([fastBootRootfs()], { tmpDir: work, defaultTime: { sec: EPOCH, nsec: 0 } });
    for (const p of TRIM) rootfs.tree.remove(p);
    for (const [name, preset, bootloader] of [['efi', 'efi', 'auto'], ['mbr', 'mbr', 'auto'], ['extlinux', 'mbr', 'extlinux']] as const) {
      const result = await assemble(rootfs.tree, {
        layout: presetLayout(preset),
        name: join(work, name),
        types: ['raw'],
        seed: `boot-${name}`,
        epoch: EPOCH,
        bootloader,
        cmdline: 'init=/sbin/tsdib-marker panic=-1',
      });
      images.set(name, { path: join(work, `${name}.raw`), result });
    }
  }, 1_800_000);

  afterAll(() => {
    rootfs?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('auto picked GRUB for BIOS and a UEFI loader for the ESP, and the image is still clean (sgdisk, e2fsck)', () => {
    const efi = images.get('efi')!;
    expect(efi.result.boot).toMatchObject({ bios: 'grub' });
    expect(efi.result.boot!.uefi).not.toBe('none');
    expect(efi.result.boot!.cmdline).toMatch(/root=LABEL=cloudimg-rootfs .*init=\/sbin\/tsdib-marker/);
    expect(runTool('sgdisk', ['-v', efi.path]).stdout).toContain('No problems found');
    const root = efi.result.filesystems.find((f) => f.mountPoint === '/')!;
    expect(runTool('e2fsck', ['-fn', `${efi.path}?offset=${root.offset}`]).status).toBe(0);
    expect(images.get('mbr')!.result.boot).toMatchObject({ bios: 'grub', uefi: 'none' });
    const ext = images.get('extlinux')!;
    expect(ext.result.boot).toMatchObject({ bios: 'extlinux', uefi: 'none' });
    expect(runTool('sfdisk', ['--verify', ext.path]).status).toBe(0);
    expect(runTool('e2fsck', ['-fn', `${ext.path}?offset=${ext.result.filesystems[0]!.offset}`]).status).toBe(0);
  });

  test.each([
    ['efi', 'bios'],
    ['efi', 'uefi'],
    ['mbr', 'bios'],
    ['extlinux', 'bios'],
  ] as const)('%s image under %s firmware reaches the marker init on the ext4 root', { timeout: 900_000 }, async (preset, firmware) => {
    const image = images.get(preset)!;
    const r = await boot({ name: `assemble-${preset}-${firmware}`, disk: { path: image.path, format: 'raw', interface: 'ide' }, firmware, expect: MARKER, timeoutMs: BOOT_TIMEOUT });
    expect(r.matched, `no marker (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });
});
