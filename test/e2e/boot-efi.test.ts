/**
 * The efi layout (ESP FAT32 + BIOS boot partition + ext4 root), with `auto`: GRUB i386-pc for BIOS
 * and systemd-boot for UEFI on the same image. It boots to our init on the ext4 root under SeaBIOS
 * and under OVMF. `--bootloader systemd-boot` alone boots under OVMF.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { fastBootRootfs, BOOT_MARKER } from '../boot/boot-rootfs.js';
import { buildBootImage, ROOT_LABEL, type BuiltImage } from '../boot/e2e-image.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';

const MARKER_ON_EXT4 = new RegExp(`${BOOT_MARKER} root=[^\\n]*root=LABEL=${ROOT_LABEL}[\\s\\S]*? / ext4 `);
const BOOT_TIMEOUT = 360_000;

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64', 'fsck.vfat', 'mdir', 'mtype'))('efi layout, one image, both firmwares (TCG)', () => {
  let dir: string;
  let hybrid: BuiltImage;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsdib-boot-efi-'));
    hybrid = await buildBootImage({ tarball: fastBootRootfs(), dir, name: 'efi-auto', preset: 'efi', route: 'auto', cmdline: 'init=/sbin/tsdib-marker panic=-1' });
  }, 1_200_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('auto chose GRUB for BIOS and systemd-boot for UEFI, and said so', () => {
    expect(hybrid.plan.bios).toBe('grub');
    expect(hybrid.plan.uefi).toBe('systemd-boot');
    expect(hybrid.plan.messages.join('\n')).toMatch(/auto chose GRUB[\s\S]*systemd-boot/);
  });

  test('the ESP is a clean FAT (fsck.vfat) holding BOOTX64.EFI, the loader entry and the kernel (mtools)', () => {
    const esp = hybrid.partitions.get('ESP')!;
    const copy = join(dir, 'esp.img');
    const fd = openSync(hybrid.path, 'r');
    const bytes = Buffer.alloc(esp.size);
    readSync(fd, bytes, 0, esp.size, esp.offset);
    closeSync(fd);
    writeFileSync(copy, bytes);
    const fsck = runTool('fsck.vfat', ['-n', copy]);
    expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
    const dirList = runTool('mdir', ['-b', '-/', '-i', copy, '::/']);
    expect(dirList.stdout).toMatch(/::\/EFI\/BOOT\/BOOTX64\.EFI/);
    expect(dirList.stdout).toMatch(/::\/tsdib\/vmlinuz-/);
    const entry = runTool('mtype', ['-i', copy, '::/loader/entries/tsdib.conf']);
    expect(entry.stdout).toMatch(/^options root=LABEL=cloudimg-rootfs .*init=\/sbin\/tsdib-marker/m);
  });

  test('SeaBIOS: GRUB from the BIOS boot partition', { timeout: 600_000 }, async () => {
    const r = await boot({ name: 'boot-efi-auto-bios', disk: { path: hybrid.path, format: 'raw', interface: 'ide' }, firmware: 'bios', expect: MARKER_ON_EXT4, timeoutMs: BOOT_TIMEOUT });
    expect(r.matched, `no marker (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });

  test('OVMF: systemd-boot from \\EFI\\BOOT\\BOOTX64.EFI', { timeout: 600_000 }, async () => {
    const r = await boot({ name: 'boot-efi-auto-uefi', disk: { path: hybrid.path, format: 'raw', interface: 'ide' }, firmware: 'uefi', expect: MARKER_ON_EXT4, timeoutMs: BOOT_TIMEOUT });
    expect(r.matched, `no marker (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });
});
