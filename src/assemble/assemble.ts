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
import { checksumLine, digestFile, encodeDiskTo, isDiskType, outputPath, writeTarballTo, type OutputType } from './outputs.js';
import { ScratchReader } from './scratch-reader.js';
import { planDisk } from './sizing.js';
import { splitByMountPoints, withFile } from './split.js';
import { prepareFilesystem, type FsSummary, type PreparedFilesystem } from './writers.js';

/** The hooks the bootloader stage (src/boot, issue 6) will fill; `none` is the only one today. */
export type BootloaderChoice = 'auto' | 'grub' | 'systemd-boot' | 'extlinux' | 'none';

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
  /** Starts a progress report for a step (the CLI passes startProgress). */
  readonly progress?: ((label: string) => Progress) | undefined;
}

export interface AssembleResult {
  readonly plan: DiskPlan;
  readonly filesystems: readonly FsSummary[];
  readonly fstab: string;
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

  // DIB's writefstab replaces /etc/fstab with the layout's.
  const fstab = fstabText(specs);
  const merged = withFile(tree, '/etc/fstab', new TextEncoder().encode(fstab), options.epoch);
  const trees = splitByMountPoints(merged, specs.flatMap((f) => (f.mountPoint ? [f.mountPoint] : [])));

  const prepared: PreparedFilesystem[] = specs.map((spec) =>
    prepareFilesystem(spec, spec.mountPoint ? trees.get(spec.mountPoint) : undefined, {
      seed: options.seed,
      epoch: options.epoch,
      lenient: Boolean(options.lenient),
      onWarning,
      extra: spec.mountPoint === '/' ? options.extraSize : undefined,
    }),
  );
  const needs = new Map<string, number>();
  for (const p of prepared) {
    if (needs.has(p.spec.device)) throw inputError(`${src} ${p.spec.path}: a second filesystem on ${p.spec.device}`, 'give each partition at most one mkfs');
    needs.set(p.spec.device, p.need);
  }
  const plan = planDisk(options.layout.graph, needs, { imageSize: options.imageSize, seed: options.seed, source: src });
  const fat = specs.find((f) => f.type === 'vfat');
  if (fat && plan.sectorSize !== 512) {
    // Our FAT writer uses 512-byte sectors; a 4Kn disk needs 4096-byte FAT sectors (kernel rule).
    throw failure(`${src} ${fat.path}: vfat on a disk with ${plan.sectorSize}-byte sectors is not supported yet`, 'use block_size: 512 for layouts with an ESP or other vfat filesystem');
  }

  // Every output's temp file first: an existing output is refused before any work is done.
  const outs = options.types.map((type) => ({ type, out: new AtomicOutput(outputPath(options.name, type), { force: Boolean(options.force) }) }));
  const sums = options.checksum
    ? outs.flatMap(({ out }) => ['sha256', 'md5'].map((algo) => ({ algo, image: out, out: new AtomicOutput(`${out.finalPath}.${algo}`, { force: Boolean(options.force) }) })))
    : [];
  const rawOut = outs.find((o) => o.type === 'raw')?.out;
  const scratch = rawOut ?? new AtomicOutput(path.join(path.dirname(path.resolve(outputPath(options.name, 'raw'))), `.${path.basename(options.name)}.scratch`), { force: true });
  const all = [...outs.map((o) => o.out), ...sums.map((s) => s.out)];
  const summaries: FsSummary[] = [];
  try {
    const disk = FileDisk.create(scratch.tempPath, plan.size);
    try {
      if (plan.table) writeTable(disk, plan.table);
      for (const p of prepared) {
        const at = placeOf(plan, p.spec);
        const progress = progressFor(`${p.spec.type} ${p.spec.name}${p.spec.mountPoint ? ` (${p.spec.mountPoint})` : ''}`);
        const r = p.write({ disk: disk.window(at.offset, at.size), offset: at.offset, onProgress: (d, t) => progress.update(d, t) });
        progress.finish();
        summaries.push({ name: p.spec.name, type: p.spec.type, mountPoint: p.spec.mountPoint, device: p.spec.device, offset: at.offset, size: at.size, ...r });
      }
      const reader = new ScratchReader(disk);
      try {
        for (const { type, out } of outs) {
          if (type === 'raw') continue;
          const progress = progressFor(`writing ${out.finalPath}`);
          if (isDiskType(type)) {
            await encodeDiskTo(reader, type, out.tempPath, out.finalPath, { seed: options.seed, epoch: options.epoch, compress: options.compress, options: options.formatOptions }, progress);
          } else {
            await writeTarballTo(merged, out.tempPath, options.epoch, type === 'tgz');
          }
          progress.finish();
        }
      } finally {
        reader.close();
      }
    } finally {
      disk.close();
    }
    // One read of each image feeds both hashes.
    for (const { out } of outs) {
      const mine = sums.filter((s) => s.image === out);
      if (mine.length === 0) continue;
      const hexes = await digestFile(out.tempPath, mine.map((s) => s.algo));
      mine.forEach((s, i) => writeFileSync(s.out.tempPath, checksumLine(hexes[i]!, path.basename(out.finalPath))));
    }
    for (const o of all) o.commit();
    if (scratch !== rawOut) scratch.abort();
  } catch (e) {
    for (const o of all) o.abort();
    scratch.abort();
    throw e;
  }
  return {
    plan,
    filesystems: summaries,
    fstab,
    outputs: [...outs.flatMap(({ type, out }) => [{ type, path: out.finalPath }, ...sums.filter((s) => s.image === out).map((s) => ({ type: s.algo, path: s.out.finalPath }))])],
  };
}

/** The byte window of a filesystem: its partition, or the whole disk. */
function placeOf(plan: DiskPlan, spec: FilesystemSpec): { offset: number; size: number } {
  const fs = plan.filesystems.find((f) => f.mkfs.name === spec.name);
  if (!fs) throw new Error(`internal: filesystem ${spec.name} missing from the disk plan`);
  return { offset: fs.offset, size: fs.size };
}
