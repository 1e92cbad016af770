/**
 * Full tier: a Debian system (systemd as init) assembled by the library with the efi layout and
 * `auto` boots to a serial `login:` under SeaBIOS (GRUB i386-pc from the BIOS boot partition) and
 * under OVMF (Debian's signed shim + GRUB from the ESP), from one image.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullBootRootfs } from '../boot/boot-rootfs.js';
import { buildBootImage, type BuiltImage } from '../boot/e2e-image.js';
import { haveTools } from '../helpers/oracles.js';
import { boot } from '../helpers/qemu.js';

const LOGIN = /\blogin: /;
const BOOT_TIMEOUT = 480_000;

describe.runIf(haveTools('mmdebstrap', 'qemu-system-x86_64'))('full Debian image to login: (efi layout, auto)', () => {
  let dir: string;
  let image: BuiltImage;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsdib-boot-full-'));
    image = await buildBootImage({ tarball: fullBootRootfs(), dir, name: 'full-efi', preset: 'efi', route: 'auto', trim: 'docs' });
  }, 1_800_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('auto chose GRUB for BIOS and shim + signed GRUB for UEFI', () => {
    expect([image.plan.bios, image.plan.uefi]).toEqual(['grub', 'shim-grub']);
  });

  test.each(['bios', 'uefi'] as const)('%s', { timeout: 900_000 }, async (firmware) => {
    const r = await boot({ name: `boot-full-${firmware}`, disk: { path: image.path, format: 'raw', interface: 'ide' }, firmware, expect: LOGIN, timeoutMs: BOOT_TIMEOUT, memoryMiB: 1024 });
    expect(r.matched, `no login: (${r.reason}); log: ${r.logPath}\n${r.log.slice(-3000)}`).toBe(true);
  });
});
