/**
 * mkfs options as DIB layouts and --mkfs-options give them (`opts: "-i 4096 -J size=64"`, passed
 * to mkfs in DIB), read into our writers' options. Only the options that shape the filesystem are
 * understood; anything else is refused by name rather than silently ignored.
 */
import { inputError } from '../errors.js';
import type { Ext4Options } from '../fs/ext4/index.js';
import type { FatType } from '../fs/fat/constants.js';

const MiB = 1024 * 1024;

export type Ext4Overrides = Pick<Ext4Options, 'blockSize' | 'inodeSize' | 'inodeRatio' | 'inodes' | 'reservedPercent' | 'features' | 'journalSize'>;

function integer(value: string | undefined, flag: string, where: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw inputError(`${where}: ${flag} needs a whole number${value === undefined ? '' : `, got "${value}"`}`);
  return Number(value);
}

/** Splits on whitespace, accepting "-b4096" as well as "-b 4096". */
function tokens(opts: string): string[] {
  return opts.trim().split(/\s+/).filter((t) => t !== '');
}

/**
 * mke2fs options: -b block size, -I inode size, -i bytes per inode, -N inodes, -m reserved %,
 * -O feature list (ext4 names, "^" to drop), -J size=MiB, -q (ignored). `type` picks the profile.
 */
export function ext4Overrides(type: 'ext2' | 'ext3' | 'ext4', opts: string | undefined, where: string): Ext4Overrides {
  const out: { -readonly [K in keyof Ext4Overrides]: Ext4Overrides[K] } = { features: type };
  const list = tokens(opts ?? '');
  for (let i = 0; i < list.length; i++) {
    const tok = list[i]!;
    const m = /^-([A-Za-z])(.*)$/.exec(tok);
    if (!m) throw inputError(`${where}: mkfs option "${tok}" is not understood`, 'tsdib reads -b, -I, -i, -N, -m, -O, -J size=N and -q');
    const flag = m[1]!;
    const value = () => (m[2] !== '' ? m[2] : list[++i]);
    switch (flag) {
      case 'q':
        break;
      case 'b':
        out.blockSize = integer(value(), '-b', where);
        break;
      case 'I':
        out.inodeSize = integer(value(), '-I', where);
        break;
      case 'i':
        out.inodeRatio = integer(value(), '-i', where);
        break;
      case 'N':
        out.inodes = integer(value(), '-N', where);
        break;
      case 'm':
        out.reservedPercent = integer(value(), '-m', where);
        break;
      case 'O': {
        const v = value();
        if (!v) throw inputError(`${where}: -O needs a feature list`);
        out.features = `${out.features},${v}`;
        break;
      }
      case 'J': {
        const v = value() ?? '';
        const j = /^size=(\d+)$/.exec(v);
        if (!j) throw inputError(`${where}: -J "${v}" is not understood`, 'write -J size=N (MiB), as mke2fs takes it');
        out.journalSize = Number(j[1]) * MiB;
        break;
      }
      default:
        throw inputError(`${where}: mkfs option -${flag} is not supported`, 'tsdib reads -b, -I, -i, -N, -m, -O, -J size=N and -q');
    }
  }
  return out;
}

/** mkfs.vfat options: -F 12|16|32 (FAT type); -v and -q are ignored. */
export function fatOverrides(opts: string | undefined, where: string): { type?: FatType } {
  const list = tokens(opts ?? '');
  let type: FatType | undefined;
  for (let i = 0; i < list.length; i++) {
    const tok = list[i]!;
    if (tok === '-v' || tok === '-q') continue;
    const m = /^-F(\d*)$/.exec(tok);
    if (!m) throw inputError(`${where}: mkfs option "${tok}" is not supported for vfat`, 'tsdib reads -F 12|16|32');
    const v = m[1] !== '' ? m[1] : list[++i];
    if (v !== '12' && v !== '16' && v !== '32') throw inputError(`${where}: -F ${v ?? ''}: FAT type must be 12, 16 or 32`);
    type = Number(v) as FatType;
  }
  return type === undefined ? {} : { type };
}

/** mkswap takes nothing that changes the signature page we write. */
export function swapOverrides(opts: string | undefined, where: string): void {
  if (opts !== undefined && tokens(opts).length > 0) throw inputError(`${where}: mkfs options "${opts}" are not supported for swap`);
}
