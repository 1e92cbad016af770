/**
 * UEFI through Debian's signed shim and signed monolithic GRUB (bootloader.md §3.2, route g): nothing
 * is generated but a 3-line grub.cfg. shim is the removable-media loader \EFI\BOOT\BOOTX64.EFI and
 * starts grubx64.efi from its own directory; that GRUB's built-in config falls back to
 * $cmdpath/grub.cfg, ours, which finds the filesystem holding /boot and hands over to the same
 * /boot/grub/grub.cfg the BIOS route uses. The only route here that can run under Secure Boot.
 */
import { inputError } from '../errors.js';
import type { FileTree } from '../tree/index.js';
import { bytesBody } from '../tree/index.js';
import { findPayload, type PayloadSource } from './payload.js';
import { REMOVABLE_BOOT_PATH } from './systemd-boot.js';

export const SHIM_EFI = '/usr/lib/shim/shimx64.efi.signed';
export const SIGNED_GRUB_EFI = '/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed';
export const SHIM_PACKAGES = 'shim-signed and grub-efi-amd64-signed';

export function hasShimGrub(src: PayloadSource): boolean {
  return findPayload(src, SHIM_EFI) !== undefined && findPayload(src, SIGNED_GRUB_EFI) !== undefined;
}

/** The ESP's grub.cfg: find /boot's filesystem by label (or by the config file), then chain to its grub.cfg. */
export function espGrubConfig(o: { label?: string; grubDirOnFs: string }): string {
  const find = o.label ? `search --no-floppy --label --set=root ${o.label}` : `search --no-floppy --file --set=root ${o.grubDirOnFs}/grub.cfg`;
  return `${find}\nset prefix=($root)${o.grubDirOnFs}\nconfigfile $prefix/grub.cfg\n`;
}

export interface ShimGrubOptions {
  readonly espMount: string;
  /** Label of the filesystem holding /boot (root label when /boot is not separate). */
  readonly bootFsLabel?: string;
  readonly grubDirOnFs: string;
}

export function prepareShimGrub(src: PayloadSource, tree: FileTree, o: ShimGrubOptions): { files: string[] } {
  const shim = findPayload(src, SHIM_EFI);
  const grub = findPayload(src, SIGNED_GRUB_EFI);
  if (!shim || !grub) throw inputError(`${shim ? SIGNED_GRUB_EFI : SHIM_EFI} is missing from the rootfs${src.hostFallback === false ? '' : ' and the host'}`, `install ${SHIM_PACKAGES} in the rootfs`);
  const dir = REMOVABLE_BOOT_PATH.slice(0, REMOVABLE_BOOT_PATH.lastIndexOf('/'));
  const at = (p: string) => `${o.espMount.replace(/\/$/, '')}${p}`;
  const files = [at(REMOVABLE_BOOT_PATH), at(`${dir}/grubx64.efi`), at(`${dir}/grub.cfg`)];
  tree.addFile(files[0]!, shim.body, { mode: 0o755 });
  tree.addFile(files[1]!, grub.body, { mode: 0o755 });
  tree.addFile(files[2]!, bytesBody(new TextEncoder().encode(espGrubConfig({ ...(o.bootFsLabel ? { label: o.bootFsLabel } : {}), grubDirOnFs: o.grubDirOnFs }))), { mode: 0o644 });
  return { files };
}
