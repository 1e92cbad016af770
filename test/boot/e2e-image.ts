/**
 * Builds a bootable raw image in a test, with the library only: the partition table (src/mbr), ext4
 * for / (writeExt4 into the partition's window of a FileDisk), FAT for the ESP (writeFat), then the
 * bootloader (prepareBoot before the filesystems, installBoot after). The rootfs is trimmed of what
 * the fast tier never reads (kernel modules live in the initrd, docs), so images stay small.
 */
import { join } from 'node:path';
import { FileDisk } from '../../src/disk/index.js';
import { autoSize, planExt4, writeExt4, type Ext4Options } from '../../src/fs/ext4/index.js';
import { writeFat } from '../../src/fs/fat/index.js';
import { planTable, writeTable, type PartitionRequest } from '../../src/mbr/index.js';
import { deriveUint32 } from '../../src/seed.js';
import { readRootfs } from '../../src/tar/index.js';
import { installBoot, prepareBoot, type BootLayout, type BootPlan, type BootRoute } from '../../src/boot/index.js';

export const ROOT_LABEL = 'cloudimg-rootfs';
const MiB = 1024 * 1024;
const TRIM = ['/usr/lib/modules', '/usr/lib/firmware', '/usr/share/doc', '/usr/share/locale', '/usr/share/man', '/usr/share/info', '/var/cache/apt', '/var/lib/apt/lists'];

export interface BuildImageOptions {
  readonly tarball: string;
  readonly dir: string;
  readonly name: string;
  readonly preset: 'mbr' | 'gpt' | 'efi';
  readonly route: BootRoute;
  readonly cmdline?: string;
  readonly ext4?: Partial<Ext4Options>;
  /** Bytes of free space before the first partition (MBR), to test the gap refusal. */
  readonly align?: number;
  readonly hostFallback?: boolean;
  /** 'fast' drops kernel modules and firmware too (the initrd has what the fast tier needs); 'docs' only docs. */
  readonly trim?: 'fast' | 'docs';
}

export interface BuiltImage {
  readonly path: string;
  readonly plan: BootPlan;
  /** Partitions by name (byte offsets and sizes on the image). */
  readonly partitions: ReadonlyMap<string, { offset: number; size: number }>;
}

export async function buildBootImage(o: BuildImageOptions): Promise<BuiltImage> {
  const rootfs = await readRootfs([o.tarball], { tmpDir: o.dir, defaultTime: { sec: 1_700_000_000, nsec: 0 } });
  try {
    const tree = rootfs.tree;
    for (const p of o.trim === 'docs' ? TRIM.filter((t) => t.startsWith('/usr/share')) : TRIM) tree.remove(p);
    const seed = `boot-e2e-${o.name}`;
    const ext4Options: Ext4Options = { seed, time: 1_700_000_000, label: ROOT_LABEL, ...o.ext4 };
    const espSize = 128 * MiB;
    const requests: PartitionRequest[] =
      o.preset === 'mbr'
        ? [{ name: 'root', size: '100%', flags: ['boot', 'primary'] }]
        : o.preset === 'gpt'
          ? [{ name: 'BSP', size: '8MiB', type: 'EF02' }, { name: 'root', size: '100%' }]
          : [{ name: 'ESP', size: espSize, type: 'EF00' }, { name: 'BSP', size: '8MiB', type: 'EF02' }, { name: 'root', size: '100%' }];
    // Size: the table's fixed parts, then the root filesystem as the content needs (after prepareBoot
    // added the loader's files, so they are counted).
    const placeholder = { number: 0, offset: 0, size: 0 };
    const draftLayout = (parts: { name: string; number: number; offset: number; size: number }[]): BootLayout => {
      const by = (n: string) => parts.find((p) => p.name === n);
      return {
        scheme: o.preset === 'mbr' ? 'mbr' : 'gpt',
        partitions: parts,
        root: { partition: by('root') ?? placeholder, fs: { type: 'ext4', ...(o.ext4?.features ? { features: o.ext4.features } : {}) }, label: ROOT_LABEL },
        ...(by('ESP') ? { esp: { partition: by('ESP')!, fs: { type: 'vfat' }, mountPoint: '/boot/efi' } } : {}),
        ...(by('BSP') ? { biosBoot: { partition: by('BSP')! } } : {}),
      };
    };
    // The partition numbers and offsets do not depend on the root's size: plan once with a guess to
    // learn them, prepare the boot files, size ext4, then plan the real table.
    const guess = planTable({ label: o.preset === 'mbr' ? 'mbr' : 'gpt', diskSize: 4096 * MiB, partitions: requests, seed, ...(o.align ? { align: o.align } : {}) });
    const plan = prepareBoot(tree, {
      route: o.route,
      layout: draftLayout(guess.partitions.map((p) => ({ ...p }))),
      ...(o.cmdline ? { cmdline: o.cmdline } : {}),
      ...(o.hostFallback === false ? { hostFallback: false } : {}),
    });
    const espNode = tree.lookup('/boot/efi');
    if (o.preset === 'efi' && espNode) {
      tree.remove('/boot/efi');
      tree.addDir('/boot/efi');
    }
    const opts: Ext4Options = { ...ext4Options, noHoles: plan.noHoles };
    const ext4Plan = planExt4(tree, opts);
    const rootSize = autoSize(ext4Plan, opts);
    const rootStart = guess.partitions.find((p) => p.name === 'root')!.offset;
    const diskSize = rootStart + rootSize + MiB;
    const table = planTable({ label: o.preset === 'mbr' ? 'mbr' : 'gpt', diskSize, partitions: requests, seed, ...(o.align ? { align: o.align } : {}) });
    const path = join(o.dir, `${o.name}.raw`);
    const disk = FileDisk.create(path, diskSize);
    try {
      writeTable(disk, table.table);
      const part = (n: string) => table.partitions.find((p) => p.name === n)!;
      const root = part('root');
      const result = writeExt4(disk.window(root.offset, root.size), tree, opts, ext4Plan);
      if (o.preset === 'efi') {
        const esp = part('ESP');
        writeFat(disk.window(esp.offset, esp.size), espNode ?? tree.addDir('/boot/efi'), { serial: deriveUint32(seed, 'esp'), label: 'ESP', time: 1_700_000_000, hiddenSectors: esp.offset / 512 });
      }
      installBoot(disk, plan, { blockMap: (p) => result.blockMap(p), blockSize: result.blockSize, layout: draftLayout(table.partitions.map((p) => ({ ...p }))) });
    } finally {
      disk.close();
    }
    return { path, plan, partitions: new Map(table.partitions.map((p) => [p.name, { offset: p.offset, size: p.size }])) };
  } finally {
    rootfs.cleanup();
  }
}
