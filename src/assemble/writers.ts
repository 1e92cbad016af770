/**
 * One prepared writer per filesystem of the layout: planned against its tree before the disk is
 * sized (so `need` is what the filesystem really takes), then written into its partition's window.
 * Ids derive from the seed with the filesystem's name in the label, so no two filesystems share one.
 */
import type { Disk } from '../disk/index.js';
import { autoSize, planExt4, writeExt4, type Ext4Options, type Ext4Plan, type Ext4Result } from '../fs/ext4/index.js';
import { checkFits, layoutFor, minInodesFor } from '../fs/ext4/planner.js';
import { planFat, writeFat } from '../fs/fat/index.js';
import { SWAP_MIN_PAGES, SWAP_PAGE_SIZE, writeSwap } from '../fs/swap.js';
import type { FilesystemSpec } from '../layout/index.js';
import { deriveUint32, deriveUuid } from '../seed.js';
import { FileTree, type Inode } from '../tree/index.js';
import { ext4Overrides, fatOverrides, swapOverrides } from './mkfs-options.js';

export interface WriterContext {
  readonly seed: string;
  /** SOURCE_DATE_EPOCH seconds. */
  readonly epoch: number;
  /** Skip what FAT cannot hold, with a warning, instead of failing. */
  readonly lenient: boolean;
  readonly onWarning: (message: string) => void;
  /** Headroom for this filesystem's automatic size (ext only): bytes or "N%". */
  readonly extra?: number | string | undefined;
  /** ext2/3/4: files written without holes (a bootloader reads them block by block). */
  readonly noHoles?: ((path: string, inode: Inode) => boolean) | undefined;
}

export interface WriteTarget {
  readonly disk: Disk;
  /** Byte offset of the window on the whole disk (FAT records it as hidden sectors). */
  readonly offset: number;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface FsSummary {
  readonly name: string;
  readonly type: string;
  readonly label: string;
  readonly uuid: string | undefined;
  readonly mountPoint: string | undefined;
  readonly device: string;
  readonly offset: number;
  readonly size: number;
  readonly files: number;
}

export interface PreparedFilesystem {
  readonly spec: FilesystemSpec;
  /** Bytes the filesystem needs at least (content, metadata, headroom). */
  readonly need: number;
  /**
   * Bytes it needs when made `size` bytes big, where that differs from `need`: ext4's metadata is not
   * monotonic in the size (the journal appears at 8 MiB and grows in steps), so a partition larger
   * than `need` can still be too small.
   */
  readonly needAt?: (size: number) => number;
  /** Bytes of file content it will hold. */
  readonly contentBytes: number;
  write(target: WriteTarget): Omit<FsSummary, 'device' | 'offset' | 'size' | 'name' | 'type' | 'mountPoint'> & { ext4?: Ext4Result };
}

export function prepareFilesystem(spec: FilesystemSpec, tree: FileTree | undefined, ctx: WriterContext): PreparedFilesystem {
  const where = `${spec.path} (${spec.name}) opts`;
  switch (spec.type) {
    case 'ext2':
    case 'ext3':
    case 'ext4': {
      const content = tree ?? emptyTree(ctx);
      const options: Ext4Options = {
        ...ext4Overrides(spec.type, spec.opts, where),
        seed: `${ctx.seed}/fs/${spec.name}`,
        time: ctx.epoch,
        label: spec.label,
        ...(spec.uuid !== undefined ? { uuid: spec.uuid } : {}),
        ...(ctx.extra !== undefined ? { extra: ctx.extra } : {}),
        ...(ctx.noHoles ? { noHoles: ctx.noHoles } : {}),
      };
      const plan: Ext4Plan = planExt4(content, options);
      return {
        spec,
        need: autoSize(plan, options),
        needAt: (size) => ext4NeedAt(plan, options, size),
        contentBytes: plan.bytes,
        write: (t) => {
          const r = writeExt4(t.disk, content, { ...options, ...(t.onProgress ? { onProgress: t.onProgress } : {}) }, plan);
          return { label: spec.label, uuid: r.uuid, files: r.files, ext4: r };
        },
      };
    }
    case 'vfat': {
      const content = tree ?? emptyTree(ctx);
      const { type } = fatOverrides(spec.opts, where);
      // Warnings about skipped files are given once, when the volume is written.
      const plan = planFat(content, { type, label: spec.label, lenient: ctx.lenient, onWarning: () => {} });
      return {
        spec,
        need: plan.size,
        contentBytes: plan.content.fileSizes.reduce((a, b) => a + b, 0),
        write: (t) => {
          const r = writeFat(t.disk, content, {
            serial: deriveUint32(ctx.seed, `fs/${spec.name}/vfat serial`),
            label: spec.label,
            time: ctx.epoch,
            type,
            lenient: ctx.lenient,
            onWarning: ctx.onWarning,
            hiddenSectors: t.offset / 512,
            ...(t.onProgress ? { onProgress: t.onProgress } : {}),
          });
          const serial = deriveUint32(ctx.seed, `fs/${spec.name}/vfat serial`).toString(16).padStart(8, '0').toUpperCase();
          return { label: spec.label, uuid: `${serial.slice(0, 4)}-${serial.slice(4)}`, files: plan.content.fileSizes.length, skipped: r.skipped.length };
        },
      };
    }
    case 'swap': {
      swapOverrides(spec.opts, where);
      if (tree && tree.root.children!.size > 0) ctx.onWarning(`${spec.name}: swap holds no files`);
      const uuid = spec.uuid ?? deriveUuid(ctx.seed, `fs/${spec.name}/swap uuid`);
      return {
        spec,
        need: SWAP_MIN_PAGES * SWAP_PAGE_SIZE,
        contentBytes: 0,
        write: (t) => {
          writeSwap(t.disk, { uuid, label: spec.label });
          return { label: spec.label, uuid, files: 0 };
        },
      };
    }
  }
}

function emptyTree(ctx: WriterContext): FileTree {
  return new FileTree({ sec: ctx.epoch, nsec: 0 });
}

/** What an ext4 of `size` bytes needs: `size` when the writer's own fit check passes there, else one MiB more. */
function ext4NeedAt(plan: Ext4Plan, options: Ext4Options, size: number): number {
  try {
    checkFits(plan, options, layoutFor(plan, options, Math.floor(size / plan.blockSize), minInodesFor(plan, options)));
    return size;
  } catch {
    return size + 1024 * 1024;
  }
}
