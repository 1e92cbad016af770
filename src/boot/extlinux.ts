/**
 * EXTLINUX on ext2/3/4 (bootloader.md §2): not built yet.
 */
import { inputError } from '../errors.js';
import type { Disk } from '../disk/index.js';
import type { Extent } from '../fs/ext4/index.js';
import type { FileTree } from '../tree/index.js';
import type { PayloadSource } from './payload.js';

export const EXTLINUX_PACKAGE = 'extlinux';

export interface ExtlinuxTarget {
  readonly scheme: 'mbr' | 'gpt';
  readonly installDirInTree: string;
  readonly installDirOnFs: string;
  readonly partition: { readonly number: number; readonly offset: number; readonly size: number };
  readonly kernelOnFs: string;
  readonly initrdOnFs?: string;
  readonly cmdline: string;
  readonly timeout: number;
}

export interface ExtlinuxPlan {
  readonly installDirOnFs: string;
  readonly files: readonly string[];
}

export function hasExtlinux(_src: PayloadSource): boolean {
  return false;
}

export function prepareExtlinux(_src: PayloadSource, _tree: FileTree, _t: ExtlinuxTarget): ExtlinuxPlan {
  throw inputError('--bootloader extlinux is not available yet', 'use --bootloader grub');
}

export function installExtlinux(_disk: Disk, _plan: ExtlinuxPlan, _blockMap: (path: string) => Extent[] | undefined, _blockSize: number): void {
  throw inputError('--bootloader extlinux is not available yet');
}
