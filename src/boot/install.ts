/**
 * The library entry point for bootloaders, in two phases around the filesystem writers:
 *
 *   const plan = prepareBoot(tree, { route, layout, ... });   // adds /boot/grub, ESP files, ... to the tree
 *   ...write the partition table and the filesystems (ext4: noHoles = plan.noHoles)...
 *   installBoot(disk, plan, { blockMap });                     // boot sectors, core.img, patched sectors
 *
 * `auto` picks by what the rootfs provides (falling back to the host's files) and says what it chose
 * in plan.messages. Every refusal (missing payload, a filesystem the loader cannot read, no room for
 * core.img) happens in prepareBoot, before any byte is written.
 */
import { failure, inputError } from '../errors.js';
import type { Disk } from '../disk/index.js';
import type { Extent } from '../fs/ext4/index.js';
import type { FileTree, Inode } from '../tree/index.js';
import { bytesBody } from '../tree/index.js';
import { kernelCmdline } from './cmdline.js';
import { checkEspIsFat, checkExtlinuxCanRead, checkGrubCanRead, type BootFilesystem } from './fs-support.js';
import { grubConfig } from './grub-cfg.js';
import { GRUB_I386_PC_DIR, GRUB_PC_PACKAGE, installGrubBios, prepareGrubBios, type GrubBiosPlan } from './grub-bios.js';
import { SECTOR } from './grub-core.js';
import { requireKernel, type KernelPair, type KernelSearchOptions } from './kernel.js';
import { hasPayloadDir, type PayloadSource } from './payload.js';
import { hasSystemdBoot, prepareSystemdBoot, SYSTEMD_BOOT_PACKAGE } from './systemd-boot.js';
import { hasShimGrub, prepareShimGrub, SHIM_PACKAGES } from './shim-grub.js';
import { EXTLINUX_PACKAGE, hasExtlinux, installExtlinux, prepareExtlinux, type ExtlinuxPlan } from './extlinux.js';

export type BootRoute = 'auto' | 'grub' | 'systemd-boot' | 'extlinux' | 'none';
export type UefiLoader = 'systemd-boot' | 'shim-grub' | 'none';
export const BOOT_ROUTES: readonly BootRoute[] = ['auto', 'grub', 'systemd-boot', 'extlinux', 'none'];

export interface BootPartitionRef {
  /** The partition number the OS uses (1-based: msdos1, gpt2). */
  readonly number: number;
  /** Byte offset and size on the disk. */
  readonly offset: number;
  readonly size: number;
}

export interface BootLayout {
  readonly scheme: 'mbr' | 'gpt';
  /** Every partition of the table (for the post-MBR gap: the lowest offset wins). */
  readonly partitions: readonly BootPartitionRef[];
  /** The partition holding "/", its filesystem and label. */
  readonly root: { readonly partition: BootPartitionRef; readonly fs: BootFilesystem; readonly label: string };
  /** A separate /boot partition, when there is one. */
  readonly boot?: { readonly partition: BootPartitionRef; readonly fs: BootFilesystem; readonly label?: string };
  /** The EFI system partition and where it is mounted in the tree (DIB: /boot/efi). */
  readonly esp?: { readonly partition: BootPartitionRef; readonly fs: BootFilesystem; readonly mountPoint?: string };
  /** The BIOS boot partition (GPT type EF02), where GRUB's core.img goes on GPT. */
  readonly biosBoot?: { readonly partition: BootPartitionRef };
}

export interface PrepareBootOptions {
  readonly route: BootRoute;
  readonly layout: BootLayout;
  /** Extra kernel arguments (--cmdline), appended to DIB's defaults. */
  readonly cmdline?: string;
  /** Seconds the menu waits (default 1). */
  readonly timeout?: number;
  /** Menu title (default "Linux <version> (tsdib)"). */
  readonly title?: string;
  readonly kernel?: KernelSearchOptions;
  /** Take payloads from the host when the rootfs lacks them (default true). */
  readonly hostFallback?: boolean;
  /** Host root for the fallback (default "/"). */
  readonly hostRoot?: string;
}

export interface BootPlan {
  /** The BIOS-side loader installed (none on UEFI-only routes). */
  readonly bios: 'grub' | 'extlinux' | 'none';
  /** The UEFI-side loader installed (only with an ESP). */
  readonly uefi: UefiLoader;
  readonly kernel: KernelPair | undefined;
  readonly cmdline: string | undefined;
  /** What was chosen and why (auto says what it picked). */
  readonly messages: readonly string[];
  /** Tree paths added by prepareBoot. */
  readonly files: readonly string[];
  /** The ext4 writers' noHoles predicate: files a loader reads must not have holes (SYSLINUX cannot read them). */
  readonly noHoles: (path: string, inode: Inode) => boolean;
  /** Internal: what installBoot writes. */
  readonly grub?: GrubBiosPlan;
  readonly extlinux?: ExtlinuxPlan;
}

export interface InstallBootInputs {
  /** blockMap of the ext2/3/4 writer result for the filesystem holding /boot (EXTLINUX needs it). */
  readonly blockMap?: (path: string) => Extent[] | undefined;
  /** That filesystem's block size. */
  readonly blockSize?: number;
  /**
   * The final layout, when partition sizes changed after prepareBoot (e.g. the root was sized to its
   * content): partitions are matched by number; where the loader's fixed parts sit must not move.
   */
  readonly layout?: BootLayout;
}

const utf8 = new TextEncoder();

/** Where /boot's files are, seen from the filesystem holding them. */
function bootPlacement(layout: BootLayout): { partition: BootPartitionRef; fs: BootFilesystem; onFs: (p: string) => string; where: string } {
  if (layout.boot) return { partition: layout.boot.partition, fs: layout.boot.fs, onFs: (p) => p.replace(/^\/boot(?=\/|$)/, '') || '/', where: '/boot' };
  return { partition: layout.root.partition, fs: layout.root.fs, onFs: (p) => p, where: '/ (holding /boot)' };
}

function chooseBios(o: PrepareBootOptions, src: PayloadSource, messages: string[]): 'grub' | 'extlinux' | 'none' {
  const route = o.route;
  if (route === 'none' || route === 'systemd-boot') return 'none';
  if (route === 'grub' || route === 'extlinux') return route;
  const gptWithoutBiosBoot = o.layout.scheme === 'gpt' && !o.layout.biosBoot;
  if (hasPayloadDir(src, GRUB_I386_PC_DIR) && !gptWithoutBiosBoot) {
    messages.push(`bootloader: auto chose GRUB i386-pc (${GRUB_I386_PC_DIR} found) for BIOS`);
    return 'grub';
  }
  if (hasExtlinux(src)) {
    messages.push('bootloader: auto chose EXTLINUX (/usr/bin/extlinux found) for BIOS');
    return 'extlinux';
  }
  return 'none';
}

function chooseUefi(o: PrepareBootOptions, src: PayloadSource, messages: string[]): UefiLoader {
  if (o.route === 'systemd-boot') {
    if (!o.layout.esp) throw inputError('--bootloader systemd-boot needs an EFI system partition', 'use --block-device efi, or a layout with an EF00 partition mounted at /boot/efi');
    return 'systemd-boot';
  }
  if (!o.layout.esp || o.route === 'none' || o.route === 'extlinux') return 'none';
  // Debian's signed shim + GRUB first (Secure Boot capable), then systemd-boot.
  if (hasShimGrub(src)) {
    messages.push('bootloader: chose shim + signed GRUB for UEFI (shim-signed and grub-efi-amd64-signed found)');
    return 'shim-grub';
  }
  if (hasSystemdBoot(src)) {
    messages.push('bootloader: chose systemd-boot for UEFI (systemd-bootx64.efi found)');
    return 'systemd-boot';
  }
  messages.push(`bootloader: the image has an ESP but no UEFI loader was found; install ${SYSTEMD_BOOT_PACKAGE} (or ${SHIM_PACKAGES}) in the rootfs for UEFI boot`);
  return 'none';
}

const NO_HOLES_NONE = (): boolean => false;

/** Phase 1: checks, payloads, configuration; adds the loader's files to `tree`. Writes nothing to a disk. */
export function prepareBoot(tree: FileTree, o: PrepareBootOptions): BootPlan {
  if (!BOOT_ROUTES.includes(o.route)) throw inputError(`--bootloader ${String(o.route)} is not a route`, `use one of ${BOOT_ROUTES.join(', ')}`);
  const messages: string[] = [];
  if (o.route === 'none') return { bios: 'none', uefi: 'none', kernel: undefined, cmdline: undefined, messages: ['bootloader: none installed (--bootloader none)'], files: [], noHoles: NO_HOLES_NONE };
  const src: PayloadSource = { tree, hostFallback: o.hostFallback ?? true, ...(o.hostRoot ? { hostRoot: o.hostRoot } : {}) };
  const bios = chooseBios(o, src, messages);
  const uefi = chooseUefi(o, src, messages);
  if (bios === 'none' && uefi === 'none') {
    throw inputError('no bootloader payload found in the rootfs (nor on the host)', `install ${GRUB_PC_PACKAGE} (BIOS), ${EXTLINUX_PACKAGE} (BIOS), ${SYSTEMD_BOOT_PACKAGE} or ${SHIM_PACKAGES} (UEFI, with an ESP) in the rootfs, or pass --bootloader none`);
  }
  const kernel = requireKernel(tree, o.kernel);
  const cmdline = kernelCmdline({ rootLabel: o.layout.root.label, ...(o.cmdline ? { extra: o.cmdline } : {}), ...(o.layout.boot?.label ? { bootLabel: o.layout.boot.label } : {}) });
  const title = o.title ?? `Linux${kernel.version ? ` ${kernel.version}` : ''} (tsdib)`;
  const placement = bootPlacement(o.layout);
  const files: string[] = [];
  let grub: GrubBiosPlan | undefined;
  let extlinux: ExtlinuxPlan | undefined;

  const writeGrubCfg = () => {
    const cfg = grubConfig({
      timeout: o.timeout ?? 1,
      entries: [{ title, kernel: placement.onFs(kernel.kernel.path), ...(kernel.initrd ? { initrd: placement.onFs(kernel.initrd.path) } : {}), cmdline }],
    });
    tree.addFile('/boot/grub/grub.cfg', bytesBody(utf8.encode(cfg)), { mode: 0o644 });
    files.push('/boot/grub/grub.cfg');
  };
  if (bios === 'grub' || uefi === 'shim-grub') {
    checkGrubCanRead(placement.fs, placement.where);
    writeGrubCfg();
  }
  if (bios === 'grub') {
    grub = prepareGrubBios(src, tree, '/boot/grub', {
      scheme: o.layout.scheme,
      bootPartitionNumber: placement.partition.number,
      grubDirOnFs: placement.onFs('/boot/grub'),
      bootFsModule: placement.fs.type === 'vfat' ? 'fat' : 'ext2',
      ...coreRoom(o.layout),
    });
    files.push('/boot/grub/i386-pc/');
    messages.push(`bootloader: GRUB i386-pc, core.img ${grub.core.sectors} sectors at LBA ${grub.target.coreLba}, prefix ${grub.prefix}`);
  } else if (bios === 'extlinux') {
    checkExtlinuxCanRead(placement.fs, placement.where);
    if (kernel.kernel.path.startsWith('/boot/') !== true && o.layout.boot) throw inputError(`the kernel ${kernel.kernel.path} is not under /boot`, 'EXTLINUX reads only the /boot filesystem');
    extlinux = prepareExtlinux(src, tree, {
      scheme: o.layout.scheme,
      installDirInTree: '/boot/syslinux',
      installDirOnFs: placement.onFs('/boot/syslinux'),
      partition: placement.partition,
      kernelOnFs: placement.onFs(kernel.kernel.path),
      ...(kernel.initrd ? { initrdOnFs: placement.onFs(kernel.initrd.path) } : {}),
      cmdline,
      timeout: o.timeout ?? 1,
    });
    files.push(...extlinux.files);
    messages.push(`bootloader: EXTLINUX in ${extlinux.installDirOnFs} on partition ${placement.partition.number}`);
  }
  if (uefi !== 'none') {
    const esp = o.layout.esp!;
    checkEspIsFat(esp.fs);
    const espMount = esp.mountPoint ?? '/boot/efi';
    if (uefi === 'systemd-boot') {
      files.push(...prepareSystemdBoot(src, tree, { espMount, kernel, cmdline, title, timeout: o.timeout ?? 1 }).files);
      messages.push(`bootloader: systemd-boot as \\EFI\\BOOT\\BOOTX64.EFI on the ESP (partition ${esp.partition.number}), kernel copied there`);
    } else {
      const bootFsLabel = o.layout.boot ? o.layout.boot.label : o.layout.root.label;
      files.push(...prepareShimGrub(src, tree, { espMount, grubDirOnFs: placement.onFs('/boot/grub'), ...(bootFsLabel ? { bootFsLabel } : {}) }).files);
      messages.push(`bootloader: shim + signed GRUB as \\EFI\\BOOT\\BOOTX64.EFI on the ESP (partition ${esp.partition.number}), reading /boot/grub/grub.cfg`);
    }
  }
  // SYSLINUX maps a hole to block 0 (bootloader.md §2.4): everything it reads is written whole. By
  // inode, not path, so the predicate holds whether /boot is written as part of / or on its own.
  let noHoles: BootPlan['noHoles'] = NO_HOLES_NONE;
  if (extlinux) {
    const whole = new Set<Inode>([kernel.kernel.inode, ...(kernel.initrd ? [kernel.initrd.inode] : [])]);
    for (const f of extlinux.files) {
      const inode = tree.lookup(f);
      if (inode) whole.add(inode);
    }
    noHoles = (_path, inode) => whole.has(inode);
  }
  return { bios, uefi, kernel, cmdline, messages, files, noHoles, ...(grub ? { grub } : {}), ...(extlinux ? { extlinux } : {}) };
}

/** Where core.img goes: the post-MBR gap on MBR, the BIOS boot partition on GPT. */
function coreRoom(layout: BootLayout): { coreLba: number; coreRoomSectors: number; roomName: string } {
  if (layout.scheme === 'gpt') {
    if (!layout.biosBoot) throw inputError('GRUB on a GPT disk needs a BIOS boot partition (type EF02)', 'use --block-device gpt or efi, or add an EF02 partition of 1 MiB or more');
    const p = layout.biosBoot.partition;
    return { coreLba: p.offset / SECTOR, coreRoomSectors: Math.floor(p.size / SECTOR), roomName: `BIOS boot partition ${p.number}` };
  }
  const first = Math.min(...layout.partitions.map((p) => p.offset));
  return { coreLba: 1, coreRoomSectors: Math.floor(first / SECTOR) - 1, roomName: 'post-MBR gap' };
}

/** Phase 2: after the table and filesystems are on `disk`, writes what the loaders need outside files. */
export function installBoot(disk: Disk, plan: BootPlan, inputs: InstallBootInputs = {}): void {
  const final = (p: BootPartitionRef): BootPartitionRef => {
    const found = inputs.layout?.partitions.find((q) => q.number === p.number);
    if (!found) return p;
    if (found.offset !== p.offset) throw failure(`partition ${p.number} moved from byte ${p.offset} to ${found.offset} after prepareBoot`, 'plan partition offsets before prepareBoot; only sizes may change');
    return found;
  };
  if (plan.grub) {
    const first = inputs.layout ? Math.min(...inputs.layout.partitions.map((p) => p.offset)) / SECTOR : undefined;
    if (plan.grub.target.scheme === 'mbr' && first !== undefined && plan.grub.target.coreLba + plan.grub.core.sectors > first) {
      throw failure(`GRUB core.img (${plan.grub.core.sectors} sectors) would overlap the first partition at LBA ${first}`);
    }
    installGrubBios(disk, plan.grub);
  }
  if (plan.extlinux) {
    if (!inputs.blockMap || !inputs.blockSize) throw inputError('EXTLINUX needs the block map of the filesystem holding /boot', 'pass the ext4 writer result (blockMap, blockSize) to installBoot');
    const target = { ...plan.extlinux.target, partition: final(plan.extlinux.target.partition) };
    installExtlinux(disk, { ...plan.extlinux, target }, inputs.blockMap, inputs.blockSize);
  }
}
