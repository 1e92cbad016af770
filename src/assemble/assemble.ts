/**
 * The whole assembly, as a library function the CLI calls:
 *   layout → filesystems (type, label, mount point) → /etc/fstab into the merged root → the root
 *   split by mount points → each filesystem planned (what it needs) → the disk sized → one sparse
 *   scratch disk: partition table, then every filesystem into its partition's window → each output
 *   encoded from that disk → checksums. Outputs are all-or-nothing: every file is written under a
 *   temporary name and renamed only when all of them are done. A raw output *is* the scratch disk
 *   (renamed, never copied).
 */
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { FileDisk } from '../disk/index.js';
import { failure, inputError } from '../errors.js';
import { fstabText, resolveFilesystems, type DiskPlan, type FilesystemSpec, type Layout, type RootParams } from '../layout/index.js';
import { writeTable } from '../mbr/table.js';
import { AtomicOutput } from '../output.js';
import type { Progress } from '../progress.js';
import type { FileTree } from '../tree/index.js';
import { checksumLine, digestFile, encodeDiskTo, isDiskType, outputFiles, outputPath, type OutputType } from './outputs.js';
import { checkTreeOutputs, writeTreeOutput, type TreeOutputSettings } from './tree-outputs.js';
import type { CpioCompression } from '../fs/cpio/index.js';
import { ScratchReader } from './scratch-reader.js';
import { planDisk } from './sizing.js';
import { splitByMountPoints, withFile, withPrivateDirs } from './split.js';
import { prepareFilesystem, type FsSummary, type PreparedFilesystem } from './writers.js';
import { bootLayoutFromPlan, findKernel, installBoot, prepareBoot, type BootLayout, type BootLayoutOptions, type BootPlan, type BootRoute } from '../boot/index.js';
import type { Ext4Result } from '../fs/ext4/index.js';
import { ext4Overrides } from './mkfs-options.js';

/** --bootloader: src/boot's routes. */
export type BootloaderChoice = BootRoute;

export interface AssembleOptions {
  readonly layout: Layout;
  /** Output name: files are NAME.<type>. */
  readonly name: string;
  readonly types: readonly OutputType[];
  /** FS_TYPE, --root-label, --mkfs-options for mkfs_root. */
  readonly root?: RootParams | undefined;
  /** Bytes (--image-size); automatic when absent. */
  readonly imageSize?: number | undefined;
  /** Bytes added to the root filesystem's automatic size (--image-extra-size); default 10% of its content. */
  readonly extraSize?: number | undefined;
  readonly seed: string;
  /** SOURCE_DATE_EPOCH seconds: every timestamp written. */
  readonly epoch: number;
  readonly lenient?: boolean | undefined;
  /** Write NAME.<type>.sha256 and .md5. */
  readonly checksum?: boolean | undefined;
  readonly compress?: boolean | undefined;
  /** qemu-img style -o options for the container encoders. */
  readonly formatOptions?: Record<string, string> | undefined;
  readonly force?: boolean | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
  /**
   * Bootloader route (src/boot); default none. `auto` installs what the rootfs (or the host) offers,
   * and skips with a warning when the rootfs has no kernel or the layout no partition table.
   * With a bootloader, its files are added under /boot of the tree (the directories are copied first).
   */
  readonly bootloader?: BootloaderChoice | undefined;
  /** Extra kernel arguments (--cmdline), after DIB's defaults. */
  readonly cmdline?: string | undefined;
  /** Starts a progress report for a step (the CLI passes startProgress). */
  readonly progress?: ((label: string) => Progress) | undefined;
  /** -t docker (required there, as DIB's --docker-target) and -t oci (optional): "repository[:tag]". */
  readonly dockerTarget?: string | undefined;
  /** -t ramdisk: the initramfs compression (default gzip) and level (default 6: level 9 costs minutes on a distribution tree for a few percent). */
  readonly ramdiskCompression?: CpioCompression | undefined;
  readonly ramdiskLevel?: number | undefined;
}

export interface AssembleResult {
  /** The disk; undefined when only tree types (tar, tgz, ramdisk, docker, oci) were asked: no disk is built. */
  readonly plan: DiskPlan | undefined;
  readonly filesystems: readonly FsSummary[];
  readonly fstab: string;
  /** What the bootloader stage installed; undefined without one. */
  readonly boot: { readonly bios: string; readonly uefi: string; readonly kernel: string | undefined; readonly cmdline: string | undefined; readonly messages: readonly string[] } | undefined;
  /** Files written, in -t order (checksum files after their image). */
  readonly outputs: readonly { readonly type: string; readonly path: string }[];
}

const silent: Progress = { update() {}, finish() {} };

/** Assembles `tree` (the merged rootfs, not modified) onto the layout and writes every output. */
export async function assemble(tree: FileTree, options: AssembleOptions): Promise<AssembleResult> {
  const src = options.layout.source;
  const specs = resolveFilesystems(options.layout.graph, options.root ?? {}, src);
  if (!specs.some((f) => f.mountPoint === '/')) throw inputError(`${src}: no filesystem is mounted at /`, 'the root files need a filesystem with mount_point: /');
  const onWarning = options.onWarning ?? (() => {});
  const progressFor = options.progress ?? (() => silent);
  const needsDisk = options.types.some(isDiskType);

  // DIB's writefstab replaces /etc/fstab with the layout's.
  const fstab = fstabText(specs);
  const rootTree = withFile(tree, '/etc/fstab', new TextEncoder().encode(fstab), options.epoch);
  // Tree outputs fail on their inputs (no /init, no kernel, no --docker-target) before a disk is built.
  const treeSettings: TreeOutputSettings = {
    epoch: options.epoch,
    dockerTarget: options.dockerTarget,
    ramdiskCompression: options.ramdiskCompression,
    ramdiskLevel: options.ramdiskLevel,
    onWarning,
  };
  checkTreeOutputs(rootTree, options.types, treeSettings);

  // The disk: only when a disk type is asked (tar, ramdisk, docker, oci need no table nor filesystem).
  let diskPlan: DiskPlan | undefined;
  let prepared: PreparedFilesystem[] = [];
  let boot: BootPlan | undefined;
  let bootLayout: BootLayout | undefined;
  if (needsDisk) {
    let merged = rootTree;
    const planFor = (root: FileTree, noHoles?: BootPlan['noHoles']) => prepareAndPlan(root, specs, options, onWarning, noHoles);
    let planned = planFor(merged);
    // The bootloader (src/boot) adds its files to the tree before the filesystems are sized for good:
    // it needs the partition numbers and offsets, which do not move when only the sizes change.
    const route = chooseRoute(options.bootloader ?? 'none', merged, planned.plan, onWarning);
    if (route !== 'none') {
      merged = withPrivateDirs(merged, '/boot');
      const layoutOptions = bootLayoutOptionsOf(specs, options.root ?? {});
      const draft = bootLayoutFromPlan(planned.plan, layoutOptions);
      boot = prepareBoot(merged, { route, layout: draft, ...(options.cmdline ? { cmdline: options.cmdline } : {}) });
      planned = planFor(merged, boot.noHoles);
      bootLayout = bootLayoutFromPlan(planned.plan, layoutOptions);
      if (JSON.stringify(bootPositions(bootLayout)) !== JSON.stringify(bootPositions(draft))) {
        throw failure('the partitions the bootloader uses moved when its files were added', 'give --image-size (a fixed size keeps them in place)');
      }
    }
    prepared = planned.prepared;
    diskPlan = planned.plan;
  }

  // Every output's temp file first: an existing output is refused before any work is done.
  const force = Boolean(options.force);
  const groups = options.types.map((type) => ({ type, outs: outputFiles(options.name, type).map((file) => new AtomicOutput(file, { force })) }));
  const images = groups.flatMap((g) => g.outs.map((out) => ({ type: g.type, out })));
  const sums = options.checksum
    ? images.flatMap(({ out }) => ['sha256', 'md5'].map((algo) => ({ algo, image: out, out: new AtomicOutput(`${out.finalPath}.${algo}`, { force }) })))
    : [];
  const rawOut = groups.find((g) => g.type === 'raw')?.outs[0];
  const scratch = !needsDisk
    ? undefined
    : (rawOut ?? new AtomicOutput(path.join(path.dirname(path.resolve(outputPath(options.name, 'raw'))), `.${path.basename(options.name)}.scratch`), { force: true }));
  const all = [...images.map((o) => o.out), ...sums.map((s) => s.out)];
  const summaries: FsSummary[] = [];
  const ext4Results = new Map<string, Ext4Result>();
  try {
    const disk = diskPlan && scratch ? FileDisk.create(scratch.tempPath, diskPlan.size, { scratch: scratch !== rawOut }) : undefined;
    try {
      if (disk && diskPlan) {
        if (diskPlan.table) writeTable(disk, diskPlan.table);
        for (const p of prepared) {
          const at = placeOf(diskPlan, p.spec);
          const progress = progressFor(`${p.spec.type} ${p.spec.name}${p.spec.mountPoint ? ` (${p.spec.mountPoint})` : ''}`);
          const { ext4, ...r } = p.write({ disk: disk.window(at.offset, at.size), offset: at.offset, onProgress: (d, t) => progress.update(d, t) });
          progress.finish();
          if (ext4 && p.spec.mountPoint) ext4Results.set(p.spec.mountPoint, ext4);
          summaries.push({ name: p.spec.name, type: p.spec.type, mountPoint: p.spec.mountPoint, device: p.spec.device, offset: at.offset, size: at.size, ...r });
        }
        if (boot) {
          // EXTLINUX needs the block map of the filesystem holding /boot.
          const holder = ext4Results.get('/boot') ?? ext4Results.get('/');
          installBoot(disk, boot, { ...(bootLayout ? { layout: bootLayout } : {}), ...(holder ? { blockMap: (path) => holder.blockMap(path), blockSize: holder.blockSize } : {}) });
        }
      }
      const reader = disk ? new ScratchReader(disk) : undefined;
      try {
        for (const { type, outs } of groups) {
          if (type === 'raw') continue;
          const progress = progressFor(`writing ${outs.map((o) => o.finalPath).join(' + ')}`);
          if (isDiskType(type)) {
            const out = outs[0]!;
            await encodeDiskTo(reader!, type, out.tempPath, out.finalPath, { seed: options.seed, epoch: options.epoch, compress: options.compress, options: options.formatOptions }, progress);
          } else {
            // From the tree with the layout's fstab, without the bootloader's files: the same bytes whatever else -t asks.
            await writeTreeOutput(rootTree, type, outs.map((o) => o.tempPath), { ...treeSettings, onProgress: (d, t) => progress.update(d, t) });
          }
          progress.finish();
        }
      } finally {
        reader?.close();
      }
    } finally {
      disk?.close();
    }
    // One read of each image feeds both hashes.
    for (const { out } of images) {
      const mine = sums.filter((s) => s.image === out);
      if (mine.length === 0) continue;
      const hexes = await digestFile(out.tempPath, mine.map((s) => s.algo));
      mine.forEach((s, i) => writeFileSync(s.out.tempPath, checksumLine(hexes[i]!, path.basename(out.finalPath))));
    }
    for (const o of all) o.commit();
    if (scratch && scratch !== rawOut) scratch.abort();
  } catch (e) {
    for (const o of all) o.abort();
    scratch?.abort();
    throw e;
  }
  return {
    plan: diskPlan,
    filesystems: summaries,
    fstab,
    boot: boot ? { bios: boot.bios, uefi: boot.uefi, kernel: boot.kernel?.kernel.path, cmdline: boot.cmdline, messages: boot.messages } : undefined,
    outputs: images.flatMap(({ type, out }) => [{ type, path: out.finalPath }, ...sums.filter((s) => s.image === out).map((s) => ({ type: s.algo, path: s.out.finalPath }))]),
  };
}

/** The byte window of a filesystem: its partition, or the whole disk. */
function placeOf(plan: DiskPlan, spec: FilesystemSpec): { offset: number; size: number } {
  const fs = plan.filesystems.find((f) => f.mkfs.name === spec.name);
  if (!fs) throw new Error(`internal: filesystem ${spec.name} missing from the disk plan`);
  return { offset: fs.offset, size: fs.size };
}

/** Splits `merged` by mount point, plans every filesystem against its tree, sizes the disk. */
function prepareAndPlan(
  merged: FileTree,
  specs: readonly FilesystemSpec[],
  options: AssembleOptions,
  onWarning: (m: string) => void,
  noHoles?: BootPlan['noHoles'],
): { prepared: PreparedFilesystem[]; plan: DiskPlan } {
  const src = options.layout.source;
  const trees = splitByMountPoints(merged, specs.flatMap((f) => (f.mountPoint ? [f.mountPoint] : [])));
  const prepared = specs.map((spec) =>
    prepareFilesystem(spec, spec.mountPoint ? trees.get(spec.mountPoint) : undefined, {
      seed: options.seed,
      epoch: options.epoch,
      lenient: Boolean(options.lenient),
      onWarning,
      extra: spec.mountPoint === '/' ? options.extraSize : undefined,
      noHoles,
    }),
  );
  const needs = new Map<string, number>();
  const needsAt = new Map<string, (size: number) => number>();
  for (const p of prepared) {
    if (needs.has(p.spec.device)) throw inputError(`${src} ${p.spec.path}: a second filesystem on ${p.spec.device}`, 'give each partition at most one mkfs');
    needs.set(p.spec.device, p.need);
    if (p.needAt) needsAt.set(p.spec.device, p.needAt);
  }
  const plan = planDisk(options.layout.graph, needs, { imageSize: options.imageSize, seed: options.seed, source: src, needsAt });
  const fat = specs.find((f) => f.type === 'vfat');
  if (fat && plan.sectorSize !== 512) {
    // Our FAT writer uses 512-byte sectors; a 4Kn disk needs 4096-byte FAT sectors (kernel rule).
    throw failure(`${src} ${fat.path}: vfat on a disk with ${plan.sectorSize}-byte sectors is not supported yet`, 'use block_size: 512 for layouts with an ESP or other vfat filesystem');
  }
  return { prepared, plan };
}

/** `auto` without a kernel or a partition table installs nothing (with a warning), as DIB skips it. */
function chooseRoute(route: BootRoute, tree: FileTree, plan: DiskPlan, onWarning: (m: string) => void): BootRoute {
  if (route !== 'auto') return route;
  if (!plan.table) {
    onWarning('warning: no bootloader installed: the layout has no partition table (--bootloader none silences this)');
    return 'none';
  }
  if (!findKernel(tree)) {
    onWarning('warning: no bootloader installed: the rootfs has no kernel in /boot (--bootloader none silences this)');
    return 'none';
  }
  return route;
}

/** What src/boot needs to know about our filesystems beyond the plan: root type/label, ext features. */
function bootLayoutOptionsOf(specs: readonly FilesystemSpec[], root: RootParams): BootLayoutOptions {
  const rootSpec = specs.find((f) => f.mountPoint === '/');
  return {
    ...(root.fsType ? { rootFsType: root.fsType } : {}),
    ...(rootSpec ? { rootLabel: rootSpec.label } : {}),
    features: (mp) => {
      const f = specs.find((x) => x.mountPoint === mp);
      return f && (f.type === 'ext2' || f.type === 'ext3' || f.type === 'ext4') ? ext4Overrides(f.type, f.opts, f.path).features : undefined;
    },
  };
}

/** The partitions a bootloader writes into or points at. */
function bootPositions(l: BootLayout): unknown {
  const at = (p: { number: number; offset: number } | undefined) => (p ? [p.number, p.offset] : undefined);
  return [at(l.root.partition), at(l.boot?.partition), at(l.esp?.partition), l.biosBoot?.partition, Math.min(...l.partitions.map((p) => p.offset))];
}
