/**
 * The block-device graph (reference/dib.md §6.5): typed nodes built from graph entries, DIB's edges
 * (a partition after its base and the previous partition; mkfs after its base; a mount after its
 * base and after the mount point before it in DIB's mount order, see mount-order.ts; fstab after its base), and a deterministic
 * topological order. Nodes carry what a later stage needs: the planner reads local_loop and
 * partitions; the filesystem stage (issue 5) reads mkfs, mount and fstab.
 */
import { inputError } from '../errors.js';
import { parseSize, parseSizeSpec, type SizeSpec } from '../size.js';
import { dibMountOrder } from './mount-order.js';
import type { ConfigValues, GraphEntry } from './tree.js';

export interface LocalLoopNode {
  readonly kind: 'local_loop';
  readonly name: string;
  /** Bytes; undefined: the image size given on the command line. */
  readonly size: number | undefined;
  /** Logical sector size: 512 (default) or 4096. */
  readonly blockSize: number;
  readonly directory: string | undefined;
  readonly path: string;
}

export interface PartitionNode {
  readonly kind: 'partition';
  readonly name: string;
  /** The disk (local_loop) the partition table is on. */
  readonly base: string;
  /** Name of the partitioning entry holding it. */
  readonly table: string;
  readonly size: SizeSpec;
  /** As written: MBR hex byte string or GPT code/GUID; undefined: the label's default. */
  readonly type: string | number | undefined;
  readonly flags: readonly string[];
  readonly path: string;
}

export interface PartitioningInfo {
  readonly name: string;
  readonly base: string;
  readonly label: 'mbr' | 'gpt';
  /** Bytes. */
  readonly align: number;
  /** Partition names in order. */
  readonly partitions: readonly string[];
  readonly path: string;
}

export interface MkfsNode {
  readonly kind: 'mkfs';
  readonly name: string;
  readonly base: string;
  /** Filesystem type (ext4, vfat, xfs, swap...); undefined for mkfs_root means "the --fs-type". */
  readonly type: string | undefined;
  readonly label: string | undefined;
  readonly opts: string | undefined;
  readonly uuid: string | undefined;
  readonly path: string;
}

export interface MountNode {
  readonly kind: 'mount';
  readonly name: string;
  readonly base: string;
  readonly mountPoint: string;
  readonly path: string;
}

export interface FstabNode {
  readonly kind: 'fstab';
  readonly name: string;
  readonly base: string;
  readonly options: string;
  readonly dumpFreq: number;
  readonly fsckPassno: number;
  readonly path: string;
}

export interface LvmNode {
  readonly kind: 'lvm';
  readonly name: string;
  readonly base: string | undefined;
  readonly values: ConfigValues;
  readonly path: string;
}

export type LayoutNode = LocalLoopNode | PartitionNode | MkfsNode | MountNode | FstabNode | LvmNode;

export interface LayoutGraph {
  /** Every node by name. */
  readonly nodes: ReadonlyMap<string, LayoutNode>;
  /** Partitioning entries (not nodes themselves: their partitions are). */
  readonly partitionings: readonly PartitioningInfo[];
  /** [from, to] name pairs: `from` must be created before `to`. */
  readonly edges: readonly (readonly [string, string])[];
  /** Creation order: a topological sort, ties broken by document order. */
  readonly order: readonly string[];
}

function configError(path: string, message: string, hint?: string): Error {
  return inputError(`block-device config ${path}: ${message}`, hint);
}

function str(values: ConfigValues, key: string): string | undefined {
  const v = values[key];
  return v === undefined || v === null ? undefined : String(v);
}

function need(values: ConfigValues, key: string, path: string, message: string): string {
  const v = str(values, key);
  if (v === undefined) throw configError(path, message);
  return v;
}

function blockSizeOf(values: ConfigValues, path: string): number {
  const raw = values['block_size'];
  if (raw === undefined) return 512;
  const n = Number(raw);
  if (n !== 512 && n !== 4096) throw configError(`${path}.block_size`, `block size ${String(raw)} is not supported`, 'use 512 or 4096');
  return n;
}

function buildNodes(entries: readonly GraphEntry[]): { nodes: LayoutNode[]; partitionings: PartitioningInfo[] } {
  const nodes: LayoutNode[] = [];
  const partitionings: PartitioningInfo[] = [];
  for (const e of entries) {
    const v = e.values;
    switch (e.plugin) {
      case 'local_loop': {
        const name = need(v, 'name', e.path, 'local_loop config needs a name');
        const size = v['size'] === undefined ? undefined : parseSize(v['size'] as string | number, `block-device config ${e.path}.size`);
        nodes.push({ kind: 'local_loop', name, size, blockSize: blockSizeOf(v, e.path), directory: str(v, 'directory'), path: e.path });
        break;
      }
      case 'partitioning': {
        const base = need(v, 'base', e.path, "Partitioning config needs 'base'");
        if (v['partitions'] === undefined) throw configError(e.path, "Partitioning config needs 'partitions'");
        const label = need(v, 'label', e.path, "Partitioning config needs 'label'");
        if (label !== 'mbr' && label !== 'gpt') throw configError(`${e.path}.label`, "Label must be 'mbr' or 'gpt'", `got "${label}"`);
        const align = v['align'] === undefined ? 1024 * 1024 : parseSize(v['align'] as string | number, `block-device config ${e.path}.align`);
        const parts = v['partitions'] as ConfigValues[];
        const name = str(v, 'name') ?? `partitioning_${base}`;
        parts.forEach((p, i) => {
          const path = `${e.path}.partitions[${i}]`;
          const pname = need(p, 'name', path, "Missing 'name' in partition config");
          if (p['size'] === undefined) throw configError(path, `No 'size' in partition [${pname}]`);
          const type = p['type'] as string | number | undefined;
          nodes.push({
            kind: 'partition',
            name: pname,
            base,
            table: name,
            size: parseSizeSpec(p['size'] as string | number, `block-device config ${path}.size`),
            type,
            flags: (p['flags'] as string[] | undefined) ?? [],
            path,
          });
        });
        partitionings.push({ name, base, label, align, partitions: parts.map((p) => String(p['name'])), path: e.path });
        break;
      }
      case 'mkfs': {
        const base = need(v, 'base', e.path, 'Mkfs config needs [base]');
        const name = str(v, 'name') ?? `mkfs_${base}`;
        nodes.push({ kind: 'mkfs', name, base, type: str(v, 'type'), label: str(v, 'label'), opts: str(v, 'opts'), uuid: str(v, 'uuid'), path: e.path });
        break;
      }
      case 'mount': {
        const base = need(v, 'base', e.path, 'MountPoint config needs [base]');
        const mountPoint = need(v, 'mount_point', e.path, 'MountPoint config needs [mount_point]');
        nodes.push({ kind: 'mount', name: str(v, 'name') ?? `mount_${base}`, base, mountPoint, path: e.path });
        break;
      }
      case 'fstab': {
        const base = need(v, 'base', e.path, 'Fstab config needs [base]');
        nodes.push({
          kind: 'fstab',
          name: str(v, 'name') ?? `fstab_${base}`,
          base,
          options: str(v, 'options') ?? 'defaults',
          dumpFreq: Number(v['dump-freq'] ?? 0),
          fsckPassno: Number(v['fsck-passno'] ?? 2),
          path: e.path,
        });
        break;
      }
      case 'lvm': {
        nodes.push({ kind: 'lvm', name: need(v, 'name', e.path, "Lvm config requires 'name'"), base: str(v, 'base'), values: v, path: e.path });
        break;
      }
    }
  }
  return { nodes, partitionings };
}

function edgesOf(nodes: readonly LayoutNode[]): [string, string][] {
  const edges: [string, string][] = [];
  const previousInTable = new Map<string, string>();
  for (const n of nodes) {
    if (n.kind === 'partition') {
      edges.push([n.base, n.name]);
      const prev = previousInTable.get(n.table);
      if (prev !== undefined) edges.push([prev, n.name]);
      previousInTable.set(n.table, n.name);
    } else if (n.kind === 'mkfs' || n.kind === 'mount' || n.kind === 'fstab') {
      edges.push([n.base, n.name]);
    }
  }
  // Mounts: each after the one before it in DIB's mount order (parents mount first).
  const mountNodes = nodes.filter((n): n is MountNode => n.kind === 'mount');
  const byPoint = new Map<string, MountNode>();
  for (const m of mountNodes) {
    if (byPoint.has(m.mountPoint)) throw configError(m.path, `Mount point [${m.mountPoint}] specified more than once`);
    byPoint.set(m.mountPoint, m);
  }
  const mounts = dibMountOrder(mountNodes.map((m) => m.mountPoint)).map((mp) => byPoint.get(mp)!);
  for (let i = 1; i < mounts.length; i++) edges.push([mounts[i - 1]!.name, mounts[i]!.name]);
  return edges;
}

function topologicalOrder(names: readonly string[], edges: readonly (readonly [string, string])[]): string[] {
  const indegree = new Map(names.map((n) => [n, 0]));
  const next = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [from, to] of edges) {
    next.get(from)!.push(to);
    indegree.set(to, indegree.get(to)! + 1);
  }
  const order: string[] = [];
  const ready = names.filter((n) => indegree.get(n) === 0);
  while (ready.length > 0) {
    // Document order among the ready nodes keeps the result stable.
    ready.sort((a, b) => names.indexOf(a) - names.indexOf(b));
    const n = ready.shift()!;
    order.push(n);
    for (const m of next.get(n)!) {
      indegree.set(m, indegree.get(m)! - 1);
      if (indegree.get(m) === 0) ready.push(m);
    }
  }
  if (order.length !== names.length) {
    const stuck = names.filter((n) => !order.includes(n));
    throw inputError(`block-device config: the graph has a cycle through ${stuck.join(', ')}`, 'check the base: of these nodes');
  }
  return order;
}

/** Builds the typed graph; DIB's errors for duplicate names and undefined edges. */
export function buildGraph(entries: readonly GraphEntry[]): LayoutGraph {
  const { nodes, partitionings } = buildNodes(entries);
  const byName = new Map<string, LayoutNode>();
  for (const n of nodes) {
    if (byName.has(n.name)) throw configError(n.path, `Duplicate node name: ${n.name}`, 'every node (disk, partition, mkfs, mount, fstab) needs its own name');
    byName.set(n.name, n);
  }
  const edges = edgesOf(nodes);
  for (const [from, to] of edges) {
    if (!byName.has(from)) throw configError(byName.get(to)!.path, `Edge not defined: ${from}->${to}`, `no node is named "${from}"`);
  }
  return { nodes: byName, partitionings, edges, order: topologicalOrder(nodes.map((n) => n.name), edges) };
}
