/**
 * UEFI with systemd-boot (bootloader.md §3.1): the firmware's removable-media path
 * \EFI\BOOT\BOOTX64.EFI is systemd-bootx64.efi from the rootfs, with loader.conf and one Boot Loader
 * Specification entry. systemd-boot reads only FAT, so the kernel and initrd are copied onto the ESP
 * (the copies share the rootfs's bodies: nothing is read until the FAT writer streams them).
 * Nothing is patched and no NVRAM entry is needed.
 */
import type { FileTree } from '../tree/index.js';
import { bytesBody } from '../tree/index.js';
import type { KernelPair } from './kernel.js';
import { findPayload, type PayloadSource } from './payload.js';
import { loaderConf, loaderEntry } from './systemd-boot-config.js';
import { inputError } from '../errors.js';

export const SYSTEMD_BOOT_EFI = '/usr/lib/systemd/boot/efi/systemd-bootx64.efi';
export const SYSTEMD_BOOT_PACKAGE = 'systemd-boot-efi';
/** The UEFI removable-media boot path for x86-64 (UEFI spec §3.5.1.1). */
export const REMOVABLE_BOOT_PATH = '/EFI/BOOT/BOOTX64.EFI';
const ENTRY_ID = 'tsdib';
/** Where on the ESP the kernel and initrd copies go. */
const ESP_KERNEL_DIR = '/tsdib';

export interface SystemdBootOptions {
  /** Tree path where the ESP is mounted ("/boot/efi"). */
  readonly espMount: string;
  readonly kernel: KernelPair;
  readonly cmdline: string;
  readonly title: string;
  readonly timeout?: number;
}

export function hasSystemdBoot(src: PayloadSource): boolean {
  return findPayload(src, SYSTEMD_BOOT_EFI) !== undefined;
}

/** Adds the loader, its configuration and kernel/initrd copies under the ESP's mount point in the tree. */
export function prepareSystemdBoot(src: PayloadSource, tree: FileTree, o: SystemdBootOptions): { files: string[] } {
  const efi = findPayload(src, SYSTEMD_BOOT_EFI);
  if (!efi) throw inputError(`systemd-boot (${SYSTEMD_BOOT_EFI}) is missing from the rootfs${src.hostFallback === false ? '' : ' and the host'}`, `install ${SYSTEMD_BOOT_PACKAGE} in the rootfs`);
  const at = (p: string) => `${o.espMount.replace(/\/$/, '')}${p}`;
  const suffix = o.kernel.version ? `-${o.kernel.version}` : '';
  const linux = `${ESP_KERNEL_DIR}/vmlinuz${suffix}`;
  const initrd = o.kernel.initrd ? `${ESP_KERNEL_DIR}/initrd.img${suffix}` : undefined;
  const text = (s: string) => bytesBody(new TextEncoder().encode(s));
  const files: string[] = [];
  const add = (p: string, body: Parameters<FileTree['addFile']>[1], mode = 0o644) => {
    tree.addFile(at(p), body, { mode });
    files.push(at(p));
  };
  add(REMOVABLE_BOOT_PATH, efi.body, 0o755);
  add('/loader/loader.conf', text(loaderConf(ENTRY_ID, o.timeout ?? 1)));
  add(`/loader/entries/${ENTRY_ID}.conf`, text(loaderEntry({ id: ENTRY_ID, title: o.title, version: o.kernel.version || undefined, linux, initrd, options: o.cmdline })));
  add(linux, o.kernel.kernel.inode.body!);
  if (initrd && o.kernel.initrd) add(initrd, o.kernel.initrd.inode.body!);
  return { files };
}
