/**
 * Kernel and initrd discovery in a FileTree, following DIB's rules (reference/dib.md §7,
 * `select_boot_kernel_initrd` in lib/img-functions): the kernels are /boot/vmlinuz-<version> (or
 * vmlinux-/kernel- on other distributions); Debian's "*generic" flavour wins when present, otherwise
 * the newest version by Debian version ordering; the initrd is the one built for the same version
 * (initrd.img-<v>, initramfs-<v>.img, initrd-<v>, initrd-<v>.img). Symlinks such as /vmlinuz,
 * /boot/vmlinuz and /initrd.img are followed when /boot holds no versioned kernel. Rescue and debug
 * kernels are skipped, as DIB does.
 */
import { inputError } from '../errors.js';
import type { FileTree, Inode } from '../tree/index.js';
import { compareDebianVersions } from './debian-version.js';
import { resolvePath } from './tree-path.js';

export interface TreeFile {
  /** Canonical path in the image ("/boot/vmlinuz-6.1.0-13-amd64"). */
  readonly path: string;
  readonly inode: Inode;
}

export interface KernelPair {
  /** The version suffix of the kernel's file name ("6.1.0-13-amd64"); "" for an unversioned /vmlinuz. */
  readonly version: string;
  readonly kernel: TreeFile;
  /** Absent when the rootfs has no initrd for this kernel (a kernel with built-in drivers can boot without). */
  readonly initrd?: TreeFile;
}

export interface KernelSearchOptions {
  /** Glob (`*`, `?`) on the kernel's file name in /boot, like DIB_BAREMETAL_KERNEL_PATTERN. */
  readonly kernelPattern?: string;
  /** Glob on the initrd's file name in /boot, like DIB_BAREMETAL_INITRD_PATTERN. */
  readonly initrdPattern?: string;
}

const KERNEL_PREFIXES = ['vmlinuz-', 'vmlinux-', 'kernel-'];
const INITRD_NAMES = (v: string): string[] => [`initrd.img-${v}`, `initramfs-${v}.img`, `initrd-${v}`, `initrd-${v}.img`];
/** Names that are never the kernel to boot (Fedora's rescue kernel, debug builds, GRUB's own files). */
const SKIPPED = /(^|[-.+_])(rescue|debug)([-.+_]|$)|\.(sig|hmac|old|bak)$/;
/** Unversioned links distributions keep to the current kernel and initrd. */
const KERNEL_LINKS = ['/boot/vmlinuz', '/vmlinuz', '/boot/vmlinux', '/vmlinux'];
const INITRD_LINKS = ['/boot/initrd.img', '/initrd.img', '/boot/initrd', '/boot/initramfs.img'];

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The regular file `path` names after following symlinks, or undefined. */
function regularFile(tree: FileTree, path: string): TreeFile | undefined {
  const found = resolvePath(tree, path);
  return found && found.inode.type === 'file' ? found : undefined;
}

/** Every versioned kernel in /boot with its initrd, newest first (DIB's preference order). */
export function listKernels(tree: FileTree, options: KernelSearchOptions = {}): KernelPair[] {
  const boot = resolvePath(tree, '/boot');
  if (!boot || boot.inode.type !== 'dir') return [];
  const kernelMatch = options.kernelPattern ? globToRegExp(options.kernelPattern) : undefined;
  const initrdMatch = options.initrdPattern ? globToRegExp(options.initrdPattern) : undefined;
  const found: KernelPair[] = [];
  for (const name of boot.inode.children!.keys()) {
    const prefix = KERNEL_PREFIXES.find((p) => name.startsWith(p));
    if (!prefix || SKIPPED.test(name)) continue;
    if (kernelMatch && !kernelMatch.test(name)) continue;
    const kernel = regularFile(tree, `${boot.path}/${name}`);
    if (!kernel) continue;
    const version = name.slice(prefix.length);
    const initrdName = INITRD_NAMES(version).find((n) => (!initrdMatch || initrdMatch.test(n)) && regularFile(tree, `${boot.path}/${n}`));
    const initrd = initrdName ? regularFile(tree, `${boot.path}/${initrdName}`) : undefined;
    found.push(initrd ? { version, kernel, initrd } : { version, kernel });
  }
  // Debian's rule: a "generic" flavour first, then newest first; ties by name keep the order stable.
  const generic = (k: KernelPair): number => (k.version.endsWith('generic') ? 0 : 1);
  return found.sort((a, b) => generic(a) - generic(b) || compareDebianVersions(b.version, a.version) || (a.kernel.path < b.kernel.path ? -1 : 1));
}

/** The kernel (and its initrd) the image boots, or undefined when the rootfs has none. */
export function findKernel(tree: FileTree, options: KernelSearchOptions = {}): KernelPair | undefined {
  const listed = listKernels(tree, options);
  if (listed.length > 0) return listed[0];
  if (options.kernelPattern) return undefined;
  for (const link of KERNEL_LINKS) {
    const kernel = regularFile(tree, link);
    if (!kernel) continue;
    const base = kernel.path.slice(kernel.path.lastIndexOf('/') + 1);
    const prefix = KERNEL_PREFIXES.find((p) => base.startsWith(p));
    const version = prefix ? base.slice(prefix.length) : '';
    const dir = kernel.path.slice(0, kernel.path.lastIndexOf('/')) || '/';
    const byVersion = version ? INITRD_NAMES(version).map((n) => `${dir === '/' ? '' : dir}/${n}`) : [];
    const initrd = [...byVersion, ...INITRD_LINKS].map((p) => regularFile(tree, p)).find((f) => f !== undefined);
    return initrd ? { version, kernel, initrd } : { version, kernel };
  }
  return undefined;
}

/** Like findKernel, but a rootfs without a kernel is an input error that says what to install. */
export function requireKernel(tree: FileTree, options: KernelSearchOptions = {}): KernelPair {
  const found = findKernel(tree, options);
  if (found) return found;
  const what = options.kernelPattern ? `no kernel in /boot matches "${options.kernelPattern}"` : 'no kernel in the rootfs (/boot/vmlinuz-*, /vmlinuz)';
  throw inputError(what, 'install a kernel package in the rootfs (Debian/Ubuntu: linux-image-amd64 or linux-image-generic)');
}
