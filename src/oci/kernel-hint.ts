/**
 * A container image rarely holds a kernel (nor, often, an init): it cannot boot as a VM as it is. The
 * error says which packages to add, by the image's distribution (/etc/os-release ID and ID_LIKE)
 * and architecture, rather than leaving the user at a bootloader that found nothing.
 */
import { findKernel, type KernelPair, type KernelSearchOptions } from '../boot/kernel.js';
import { resolvePath } from '../boot/tree-path.js';
import { inputError } from '../errors.js';
import { BodyReader } from '../tree/body.js';
import type { FileTree } from '../tree/tree.js';

/** os-release is a few hundred bytes; never read more than this of it. */
const OS_RELEASE_MAX = 64 << 10;

interface DistroPackages {
  kernel: (arch: string) => string;
  init: string;
  install: string;
}

/** By os-release ID (then each ID_LIKE): the kernel and init packages, and how to install them. */
const DISTROS: Readonly<Record<string, DistroPackages>> = {
  debian: { kernel: (a) => `linux-image-${a === 'arm64' ? 'arm64' : a === '386' ? '686' : 'amd64'}`, init: 'systemd-sysv', install: 'apt-get install' },
  ubuntu: { kernel: () => 'linux-image-virtual', init: 'systemd-sysv', install: 'apt-get install' },
  fedora: { kernel: () => 'kernel', init: 'systemd', install: 'dnf install' },
  rhel: { kernel: () => 'kernel', init: 'systemd', install: 'dnf install' },
  suse: { kernel: () => 'kernel-default', init: 'systemd', install: 'zypper install' },
  alpine: { kernel: () => 'linux-virt', init: 'openrc', install: 'apk add' },
  arch: { kernel: () => 'linux', init: 'systemd-sysvcompat', install: 'pacman -S' },
};
const ALIASES: Readonly<Record<string, string>> = { centos: 'rhel', rocky: 'rhel', almalinux: 'rhel', ol: 'rhel', opensuse: 'suse', 'opensuse-leap': 'suse', 'opensuse-tumbleweed': 'suse', sles: 'suse' };

/** ID and ID_LIKE from the tree's os-release (following /etc/os-release → /usr/lib/os-release). */
export function osReleaseIds(tree: FileTree): string[] {
  const file = resolvePath(tree, '/etc/os-release') ?? resolvePath(tree, '/usr/lib/os-release');
  if (file?.inode.type !== 'file' || !file.inode.body) return [];
  const reader = new BodyReader();
  let text: string;
  try {
    text = Buffer.from(reader.read(file.inode.body, 0, Math.min(file.inode.body.size, OS_RELEASE_MAX))).toString('utf8');
  } finally {
    reader.close();
  }
  const value = (key: string) => new RegExp(`^${key}=["']?([^"'\\n]*)`, 'm').exec(text)?.[1] ?? '';
  return [value('ID'), ...value('ID_LIKE').split(/\s+/)].map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

/** What to tell a user whose image lacks a kernel (and maybe an init). */
export function kernelAdvice(tree: FileTree, architecture = 'amd64'): string {
  const ids = osReleaseIds(tree);
  const distro = ids.map((id) => DISTROS[ALIASES[id] ?? id]).find((d) => d !== undefined);
  const hasInit = resolvePath(tree, '/sbin/init') !== undefined;
  if (!distro) {
    return `install a kernel package in the image (Debian: linux-image-amd64, Ubuntu: linux-image-virtual, Fedora: kernel)${hasInit ? '' : ' and an init system'}`;
  }
  const packages = [distro.kernel(architecture), ...(hasInit ? [] : [distro.init])];
  return `add ${packages.join(' and ')} to the image (e.g. RUN ${distro.install} ${packages.join(' ')} in its Containerfile)`;
}

/**
 * The kernel a container image boots with; an input error naming the packages to add when it has
 * none. `image` names the input in the message.
 */
export function requireImageKernel(tree: FileTree, image: string, options: KernelSearchOptions & { architecture?: string } = {}): KernelPair {
  const found = findKernel(tree, options);
  if (found) return found;
  throw inputError(`${image}: the container image has no kernel (/boot/vmlinuz-*), so it cannot boot as a VM disk`, kernelAdvice(tree, options.architecture));
}
