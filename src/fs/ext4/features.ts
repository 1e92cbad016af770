/**
 * Feature profiles: which superblock feature bits a filesystem gets. `ext4` is Debian 12's mke2fs
 * default (DESIGN.md §5); `ext4-legacy` drops 64bit and metadata_csum for SYSLINUX 6.03 and older
 * kernels; `ext2` and `ext3` are Debian's mke2fs -t ext2/ext3 (block maps instead of extents).
 * Features GRUB 2.06 cannot read (reference/bootloader.md §1.7) are refused: we never write them.
 */
import { inputError } from '../../errors.js';
import { COMPAT, INCOMPAT, RO_COMPAT } from './constants.js';

export type FeatureName = keyof typeof COMPAT | keyof typeof INCOMPAT | keyof typeof RO_COMPAT;

export const PROFILES = {
  ext2: ['ext_attr', 'resize_inode', 'dir_index', 'filetype', 'sparse_super', 'large_file'],
  ext3: ['has_journal', 'ext_attr', 'resize_inode', 'dir_index', 'filetype', 'sparse_super', 'large_file'],
  ext4: ['has_journal', 'ext_attr', 'resize_inode', 'dir_index', 'filetype', 'extent', '64bit', 'flex_bg', 'sparse_super', 'large_file', 'huge_file', 'dir_nlink', 'extra_isize', 'metadata_csum'],
  'ext4-legacy': ['has_journal', 'ext_attr', 'resize_inode', 'dir_index', 'filetype', 'extent', 'flex_bg', 'sparse_super', 'large_file', 'huge_file', 'dir_nlink', 'extra_isize'],
} as const satisfies Record<string, readonly FeatureName[]>;

export type ProfileName = keyof typeof PROFILES;

/** Features the writer knows how to write; a profile may drop any of these with "^name". */
const OPTIONAL: ReadonlySet<string> = new Set(['has_journal', 'ext_attr', 'resize_inode', 'dir_index', 'extent', '64bit', 'flex_bg', 'sparse_super', 'large_file', 'huge_file', 'dir_nlink', 'extra_isize', 'metadata_csum']);
/** Features GRUB 2.06 cannot read (bootloader.md §1.7) or that this writer does not produce. */
const REFUSED: ReadonlySet<string> = new Set(['metadata_csum_seed', 'large_dir', 'inline_data', 'casefold', 'ea_inode', 'encrypt', 'meta_bg', 'bigalloc', 'mmp', 'journal_dev', 'compression', 'dirdata', 'quota', 'project', 'sparse_super2', 'uninit_bg']);

export interface FeatureSet {
  compat: number;
  incompat: number;
  roCompat: number;
  names: ReadonlySet<string>;
}

/**
 * Parses `--features`: a profile name, optionally followed by ",^feature" (drop) or ",feature" (add
 * back one of the profile's optional features): e.g. "ext4", "ext4-legacy", "ext4,^has_journal".
 */
export function resolveFeatures(spec: string | undefined): FeatureSet {
  const parts = (spec ?? 'ext4').split(',').map((s) => s.trim()).filter(Boolean);
  const profile = parts[0] ?? 'ext4';
  if (!(profile in PROFILES)) {
    throw inputError(`--features: unknown profile "${profile}"`, `use one of ${Object.keys(PROFILES).join(', ')}`);
  }
  const names = new Set<string>(PROFILES[profile as ProfileName]);
  for (const p of parts.slice(1)) {
    const drop = p.startsWith('^');
    const name = drop ? p.slice(1) : p;
    if (name === 'filetype') {
      if (drop) throw inputError('--features: filetype cannot be turned off', 'tsdib always records file types in directory entries');
      continue;
    }
    if (REFUSED.has(name)) throw inputError(`--features: ${name} is not supported`, 'GRUB 2.06 cannot read it or tsdib does not write it');
    if (!OPTIONAL.has(name)) throw inputError(`--features: unknown feature "${name}"`, `known: ${[...OPTIONAL].join(', ')}`);
    if (drop) names.delete(name);
    else names.add(name);
  }
  if (names.has('metadata_csum') && !names.has('extra_isize')) names.add('extra_isize');
  let compat = 0;
  let incompat = 0;
  let roCompat = 0;
  for (const n of names) {
    if (n in COMPAT) compat |= COMPAT[n as keyof typeof COMPAT];
    else if (n in INCOMPAT) incompat |= INCOMPAT[n as keyof typeof INCOMPAT];
    else roCompat |= RO_COMPAT[n as keyof typeof RO_COMPAT];
  }
  return { compat, incompat, roCompat, names };
}
