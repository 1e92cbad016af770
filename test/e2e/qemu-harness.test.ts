/**
 * The boot harness itself: SeaBIOS and OVMF start under TCG and their console is read as a stream.
 * Boot tests of our images rely on this; if it breaks they would all fail for the wrong reason.
 */
import { describe, expect, test } from 'vitest';
import { boot } from '../helpers/qemu.js';
import { haveTools } from '../helpers/oracles.js';
import { existsSync } from 'node:fs';

describe.runIf(haveTools('qemu-system-x86_64'))('QEMU boot harness', () => {
  test('SeaBIOS with no bootable disk reports it on the serial console', async () => {
    const r = await boot({ name: 'harness-bios', expect: /Booting from Hard Disk/, timeoutMs: 60_000 });
    expect(r.reason, r.log).toBe('matched');
  });
  test('a pattern that never appears ends in a timeout with the log kept', async () => {
    const r = await boot({ name: 'harness-timeout', expect: /this text never appears/, timeoutMs: 3_000 });
    expect(r.matched).toBe(false);
    expect(r.reason).toBe('timeout');
    expect(existsSync(r.logPath)).toBe(true);
  });
});

describe.runIf(haveTools('qemu-system-x86_64') && existsSync('/usr/share/OVMF/OVMF_CODE_4M.fd'))('QEMU boot harness (UEFI)', () => {
  test('OVMF starts and falls back to its shell or boot manager when no disk boots', async () => {
    const r = await boot({ name: 'harness-uefi', firmware: 'uefi', expect: /BdsDxe|UEFI Interactive Shell|Shell>/, timeoutMs: 120_000 });
    expect(r.reason, r.log.slice(-2000)).toBe('matched');
  });
});
