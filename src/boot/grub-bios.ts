/**
 * GRUB i386-pc installed by writing bytes (bootloader.md §1, §5.1): prepare adds /boot/grub (grub.cfg
 * and the module directory, from the rootfs's own GRUB build) to the tree and builds core.img; install,
 * once the table and filesystems are on the disk, writes core.img (post-MBR gap, or the BIOS boot
 * partition on GPT) and boot.img into LBA 0 around the partition table.
 */
import { inputError } from '../errors.js';
import type { Disk } from '../disk/index.js';
import type { FileTree } from '../tree/index.js';
import { buildCoreImage, SECTOR, type CoreImage } from './grub-core.js';
import { patchBlocklist } from './grub-blocklist.js';
import { grubBootSector } from './grub-bootsector.js';
import { parseModdep, resolveModules } from './grub-moddep.js';
import { listPayloadDir, readPayload, type PayloadSource } from './payload.js';

export const GRUB_I386_PC_DIR = '/usr/lib/grub/i386-pc';
export const GRUB_PC_PACKAGE = 'grub-pc-bin';
/** Where grub-install puts the modules GRUB loads at run time ($prefix/i386-pc). */
const MODULES_SUBDIR = 'i386-pc';

export interface GrubBiosTarget {
  readonly scheme: 'mbr' | 'gpt';
  /** The partition holding /boot (or / when /boot is not separate): GRUB's root device. */
  readonly bootPartitionNumber: number;
  /** "/boot/grub" when /boot is on the root filesystem, "/grub" when it is its own filesystem. */
  readonly grubDirOnFs: string;
  /** The filesystem holding /boot: "ext2" module for ext2/3/4, "fat" for vfat. */
  readonly bootFsModule: 'ext2' | 'fat';
  /** Where core.img goes: LBA and the sectors available there (the gap before the first partition, or the EF02 partition). */
  readonly coreLba: number;
  readonly coreRoomSectors: number;
  /** What the room is, for the error message ("post-MBR gap", "BIOS boot partition 1"). */
  readonly roomName: string;
}

export interface GrubBiosPlan {
  readonly core: CoreImage;
  readonly bootImg: Uint8Array;
  readonly target: GrubBiosTarget;
  readonly prefix: string;
  readonly embedded: readonly string[];
}

/** Modules embedded in core.img: the disk driver, both partition maps (as DIB asks) and /boot's filesystem. */
function embeddedModules(target: GrubBiosTarget): string[] {
  return ['biosdisk', 'part_msdos', 'part_gpt', target.bootFsModule];
}

/**
 * Builds core.img from the GRUB payloads and copies the module directory into the tree at
 * `<grubDir>/i386-pc` (grubDir is the tree path, e.g. /boot/grub). Throws when core.img does not fit.
 */
export function prepareGrubBios(src: PayloadSource, tree: FileTree, grubDir: string, target: GrubBiosTarget): GrubBiosPlan {
  const files = listPayloadDir(src, GRUB_I386_PC_DIR);
  const need = (name: string) => {
    const p = files.get(name);
    if (!p) throw inputError(`GRUB payload ${GRUB_I386_PC_DIR}/${name} is missing from the rootfs${src.hostFallback === false ? '' : ' and the host'}`, `install ${GRUB_PC_PACKAGE} in the rootfs`);
    return readPayload(p);
  };
  const moddep = parseModdep(new TextDecoder().decode(need('moddep.lst')));
  const order = resolveModules(embeddedModules(target), moddep, (m) => files.has(`${m}.mod`));
  const prefix = `(,${target.scheme === 'mbr' ? 'msdos' : 'gpt'}${target.bootPartitionNumber})${target.grubDirOnFs}`;
  const core = buildCoreImage({
    kernelImg: need('kernel.img'),
    diskbootImg: need('diskboot.img'),
    decompressorImg: need('lzma_decompress.img'),
    modules: order.map((name) => ({ name, bytes: need(`${name}.mod`) })),
    prefix,
  });
  if (core.sectors > target.coreRoomSectors) {
    throw inputError(
      `GRUB core.img needs ${core.sectors} sectors but the ${target.roomName} has ${target.coreRoomSectors}`,
      target.scheme === 'mbr' ? 'start the first partition at 1 MiB (the default alignment)' : 'make the BIOS boot partition (EF02) at least 1 MiB',
    );
  }
  const bootImg = need('boot.img');
  // Run-time modules, as grub-install copies them: *.mod and *.lst of the same build as core.img.
  for (const [name, p] of files) {
    if (!name.endsWith('.mod') && !name.endsWith('.lst')) continue;
    tree.addFile(`${grubDir}/${MODULES_SUBDIR}/${name}`, p.body, { mode: 0o644 });
  }
  return { core, bootImg, target, prefix, embedded: order };
}

/** Writes core.img and LBA 0. The partition table must already be on the disk (its bytes are kept). */
export function installGrubBios(disk: Disk, plan: GrubBiosPlan): void {
  const core = Uint8Array.from(plan.core.bytes);
  patchBlocklist(core, plan.target.coreLba);
  disk.write(plan.target.coreLba * SECTOR, core);
  const current = disk.read(0, SECTOR);
  disk.write(0, grubBootSector(plan.bootImg, current, plan.target.coreLba));
}
