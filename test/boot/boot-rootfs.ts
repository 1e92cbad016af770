/**
 * The one rootfs the fast boot tier uses for every route (built once by mmdebstrap, cached): Debian's
 * kernel and initramfs-tools initrd, busybox, and every loader's payload package. Its init is our
 * script: it prints the marker from the ext4 root the test wrote, then powers the guest off.
 */
import { debianRootfs } from '../helpers/debian.js';

export const BOOT_MARKER = 'TSDIB-BOOT-MARKER-OK';

export const FAST_RECIPE = {
  variant: 'minbase' as const,
  include: ['linux-image-amd64', 'busybox-static', 'grub-pc-bin', 'systemd-boot-efi', 'extlinux', 'syslinux-common'],
  customize: [
    `printf '#!/bin/busybox sh\\n/bin/busybox mount -t proc proc /proc\\necho "${BOOT_MARKER} root=$(/bin/busybox cat /proc/cmdline)"\\n/bin/busybox grep " / " /proc/mounts\\n/bin/busybox poweroff -f\\n' > "$1/sbin/tsdib-marker" && chmod 755 "$1/sbin/tsdib-marker"`,
  ],
};

/** The cached tarball (built on first use: a download and a few minutes). */
export function fastBootRootfs(): string {
  return debianRootfs(FAST_RECIPE);
}

/**
 * The full tier: a Debian system with systemd as init, the kernel, and every loader's payloads
 * (GRUB i386-pc, systemd-boot, Debian's signed shim and GRUB). It boots to a serial `login:`.
 */
export const FULL_RECIPE = {
  variant: 'minbase' as const,
  include: ['systemd-sysv', 'linux-image-amd64', 'grub-pc-bin', 'systemd-boot-efi', 'shim-signed', 'grub-efi-amd64-signed'],
  customize: [`printf 'LABEL=cloudimg-rootfs / ext4 defaults 0 1\\n' > "$1/etc/fstab"`],
};

export function fullBootRootfs(): string {
  return debianRootfs(FULL_RECIPE);
}
