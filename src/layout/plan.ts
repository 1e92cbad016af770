/**
 * From a layout graph and an image size to a disk plan: the disk, its partition table (planned by
 * src/mbr's DIB rules) and, for later stages, the filesystems and where they go.
 */
import { failure, inputError } from '../errors.js';
import { planTable, type PlannedPartition } from '../mbr/plan.js';
import type { PartitionTable } from '../mbr/table.js';
import { parseLayout } from './parse.js';
import type { FstabNode, LayoutGraph, LocalLoopNode, MkfsNode, MountNode, PartitionNode } from './graph.js';

export interface PlannedFilesystem {
  readonly mkfs: MkfsNode;
  /** Where it goes: a partition name, or the disk itself (layout `none`). */
  readonly device: string;
  /** Byte window on the disk. */
  readonly offset: number;
  readonly size: number;
  readonly mount: MountNode | undefined;
  readonly fstab: FstabNode | undefined;
}

export interface DiskPlan {
  readonly disk: LocalLoopNode;
  /** Image size in bytes (a multiple of the sector size). */
  readonly size: number;
  readonly sectorSize: number;
  /** Undefined when the layout has no partitioning (filesystem on the whole disk). */
  readonly table: PartitionTable | undefined;
  readonly partitions: readonly PlannedPartition[];
  readonly filesystems: readonly PlannedFilesystem[];
}

export interface PlanOptions {
  /** Bytes; used when the local_loop has no size of its own. */
  readonly imageSize?: number;
  /** Seed for the disk id / GUIDs. */
  readonly seed?: string;
  /** Names the layout in errors (a file name); "block-device config" if absent. */
  readonly source?: string;
}

/** Parses a DIB block-device YAML document and plans it in one step (the library's shortcut). */
export function planLayoutYaml(text: string, options: PlanOptions = {}): DiskPlan {
  const layout = parseLayout(text, options.source);
  return planLayout(layout.graph, { ...options, source: layout.source });
}

export function planLayout(graph: LayoutGraph, options: PlanOptions = {}): DiskPlan {
  const src = options.source ?? 'block-device config';
  const nodes = [...graph.nodes.values()];
  const lvm = nodes.find((n) => n.kind === 'lvm');
  if (lvm) throw failure(`${src} ${lvm.path}: lvm is not supported yet`, 'use partitions without LVM for now');
  const disks = nodes.filter((n): n is LocalLoopNode => n.kind === 'local_loop');
  if (disks.length !== 1) {
    throw inputError(`${src}: ${disks.length} local_loop entries`, 'exactly one local_loop (the image, usually image0) is supported');
  }
  const disk = disks[0]!;
  const requested = disk.size ?? options.imageSize;
  if (requested === undefined) throw inputError('no image size', `give --image-size or a size in local_loop ${disk.name}`);
  const size = Math.ceil(requested / disk.blockSize) * disk.blockSize;
  if (graph.partitionings.length > 1) throw inputError(`${src}: more than one partitioning entry`, 'put all partitions of the disk in one partitioning list');
  const partitioning = graph.partitionings[0];
  let table: PartitionTable | undefined;
  let partitions: readonly PlannedPartition[] = [];
  if (partitioning) {
    if (partitioning.base !== disk.name) {
      throw inputError(`${src} ${partitioning.path}: base "${partitioning.base}" is not the disk`, `partition the local_loop "${disk.name}"`);
    }
    const requests = partitioning.partitions.map((name) => {
      const p = graph.nodes.get(name) as PartitionNode;
      if (partitioning.label === 'mbr' && typeof p.type === 'number') {
        // DIB reads the type as a hex string (int(x, 16)); an unquoted YAML number would silently mean decimal.
        throw inputError(`${src} ${p.path}.type: MBR type ${p.type} must be a quoted hex string`, `write type: '${p.type}' for 0x${p.type}, or type: '0x${p.type.toString(16)}'`);
      }
      return { name, size: p.size, ...(p.type !== undefined ? { type: p.type } : {}), flags: p.flags };
    });
    const plan = planTable({ label: partitioning.label, diskSize: size, sectorSize: disk.blockSize, align: partitioning.align, partitions: requests, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    table = plan.table;
    partitions = plan.partitions;
  }
  return { disk, size, sectorSize: disk.blockSize, table, partitions, filesystems: filesystemsOf(graph, disk, size, partitions, src) };
}

function filesystemsOf(graph: LayoutGraph, disk: LocalLoopNode, size: number, partitions: readonly PlannedPartition[], src: string): PlannedFilesystem[] {
  const nodes = [...graph.nodes.values()];
  return graph.order
    .map((name) => graph.nodes.get(name)!)
    .filter((n): n is MkfsNode => n.kind === 'mkfs')
    .map((mkfs) => {
      const part = partitions.find((p) => p.name === mkfs.base);
      if (!part && mkfs.base !== disk.name) throw inputError(`${src} ${mkfs.path}: mkfs base "${mkfs.base}" is neither a partition nor the disk`);
      const mount = nodes.find((n): n is MountNode => n.kind === 'mount' && n.base === mkfs.name);
      const fstab = mount ? nodes.find((n): n is FstabNode => n.kind === 'fstab' && n.base === mount.name) : undefined;
      return { mkfs, device: part ? part.name : disk.name, offset: part ? part.offset : 0, size: part ? part.size : size, mount, fstab };
    });
}
