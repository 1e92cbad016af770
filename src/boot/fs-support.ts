/**
 * What each loader can read, checked before any byte is written (bootloader.md §1.7, §2.4, §3.1):
 * an image whose loader cannot read /boot is refused with the reason.
 */
import { inputError } from '../errors.js';
import { INCOMPAT } from '../fs/ext4/constants.js';
import { resolveFeatures } from '../fs/ext4/features.js';

export type BootFsType = 'ext2' | 'ext3' | 'ext4' | 'vfat' | 'xfs' | 'btrfs' | string;

export interface BootFilesystem {
  readonly type: BootFsType;
  /** ext2/3/4: the feature spec given to the writer ("ext4", "ext4,^has_journal", ...). */
  readonly features?: string;
  /** ext2/3/4: the raw s_feature_incompat bits, when known (an existing superblock); wins over `features`. */
  readonly incompat?: number;
}

/** GRUB 2.06 grub-core/fs/ext2.c: the incompat bits it reads; it ignores recover and mmp; any other bit is "unknown filesystem". */
const GRUB_EXT_INCOMPAT_OK = INCOMPAT.filetype | INCOMPAT.meta_bg | INCOMPAT.extent | INCOMPAT['64bit'] | INCOMPAT.flex_bg | INCOMPAT.encrypt | INCOMPAT.recover | INCOMPAT.mmp;
/** SYSLINUX 6.04 core/fs/ext2: no inline data, and meta_bg descriptors are assumed contiguous. */
const EXTLINUX_EXT_INCOMPAT_BAD = INCOMPAT.inline_data | INCOMPAT.meta_bg | INCOMPAT.compression | INCOMPAT.journal_dev | INCOMPAT.ea_inode | INCOMPAT.dirdata;

const isExt = (t: string): boolean => t === 'ext2' || t === 'ext3' || t === 'ext4';

function names(mask: number): string {
  return Object.entries(INCOMPAT)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([n]) => n)
    .join(', ');
}

function extIncompat(fs: BootFilesystem): number {
  return fs.incompat ?? resolveFeatures(fs.features ?? fs.type).incompat;
}

/** GRUB reads ext2/3/4 (without the features above) and FAT. `where` names the mount point ("/boot"). */
export function checkGrubCanRead(fs: BootFilesystem, where: string): void {
  if (isExt(fs.type)) {
    const bad = extIncompat(fs) & ~GRUB_EXT_INCOMPAT_OK;
    if (bad) throw inputError(`GRUB cannot read ${where}: its ${fs.type} has ${names(bad)}`, `drop ${names(bad)} from the filesystem features (GRUB 2.06 reads filetype, extent, 64bit, flex_bg, meta_bg)`);
    return;
  }
  if (fs.type === 'vfat') return;
  throw inputError(`GRUB (as tsdib installs it) cannot read ${where} on ${fs.type}`, 'put /boot on ext4 or vfat');
}

/** EXTLINUX reads ext2/3/4 without inline_data or meta_bg (and FAT, which tsdib does not install on). */
export function checkExtlinuxCanRead(fs: BootFilesystem, where: string): void {
  if (!isExt(fs.type)) throw inputError(`EXTLINUX (as tsdib installs it) cannot boot from ${where} on ${fs.type}`, 'put /boot on ext4, or use --bootloader grub');
  const bad = extIncompat(fs) & EXTLINUX_EXT_INCOMPAT_BAD;
  if (bad) throw inputError(`EXTLINUX cannot read ${where}: its ${fs.type} has ${names(bad)}`, `drop ${names(bad)} from the filesystem features`);
}

/** systemd-boot reads only FAT: the kernels it starts must be on the ESP. */
export function checkEspIsFat(fs: BootFilesystem): void {
  if (fs.type !== 'vfat') throw inputError(`the EFI system partition holds ${fs.type}`, 'UEFI firmware and systemd-boot read only FAT: make the ESP vfat');
}
