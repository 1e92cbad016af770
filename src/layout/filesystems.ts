/**
 * The filesystem half of a layout (reference/dib.md §6.3, levels 2-4): each mkfs node resolved to
 * what a writer needs (type, label, uuid, options), its mount point and its fstab entry, with
 * DIB's rules: `mkfs_root` takes the root parameters (FS_TYPE, --root-label, --mkfs-options) for
 * the keys it does not set; a label defaults to the node's name, is upper-cased on vfat, must fit
 * the filesystem and be unique; a mount point is used once; swap is never mounted.
 */
import { failure, inputError } from '../errors.js';
import type { FstabNode, LayoutGraph, MkfsNode, MountNode } from './graph.js';
import { dibMountOrder } from './mount-order.js';

/** The filesystems we write. */
export const FS_TYPES = ['ext2', 'ext3', 'ext4', 'vfat', 'swap'] as const;
export type FsType = (typeof FS_TYPES)[number];

/** Longest label per type, in characters (DIB's file_system_max_label_length, plus mkswap's 16). */
export const LABEL_MAX: Readonly<Record<string, number>> = { ext2: 16, ext3: 16, ext4: 16, xfs: 12, vfat: 11, swap: 16 };

/** DIB's default root label (blockdevice.py: "cloudimg-rootfs", "img-rootfs" on xfs). */
export const DEFAULT_ROOT_LABEL = 'cloudimg-rootfs';
/** The mkfs node the root parameters merge into (DIB hard-wires this name). */
export const ROOT_MKFS = 'mkfs_root';

/** Parameters DIB merges into `mkfs_root` (params.yaml root-fs-type, root-label, root-fs-opts). */
export interface RootParams {
  /** FS_TYPE / --fs-type; ext4 when absent. */
  readonly fsType?: string | undefined;
  /** --root-label; cloudimg-rootfs when absent. */
  readonly label?: string | undefined;
  /** --mkfs-options. */
  readonly opts?: string | undefined;
}

export interface FstabEntry {
  readonly options: string;
  readonly dumpFreq: number;
  readonly fsckPassno: number;
}

export interface FilesystemSpec {
  /** The mkfs node's name (mkfs_root, mkfs_ESP, ...). */
  readonly name: string;
  /** The partition (or the disk) it is made on. */
  readonly device: string;
  readonly type: FsType;
  /** Final label: defaulted, upper-cased on vfat. */
  readonly label: string;
  /** As given in the layout; the writer derives one from the seed otherwise. */
  readonly uuid: string | undefined;
  /** mkfs options as given (a space-separated string). */
  readonly opts: string | undefined;
  /** Absolute mount point; undefined for swap and unmounted filesystems. */
  readonly mountPoint: string | undefined;
  readonly fstab: FstabEntry | undefined;
  /** Position in DIB's mount order (swap's "none" included); undefined when not mounted. */
  readonly mountRank: number | undefined;
  /** YAML path of the mkfs node, for errors. */
  readonly path: string;
}

function isFsType(t: string): t is FsType {
  return (FS_TYPES as readonly string[]).includes(t);
}

/** Refuses what we cannot write yet (lvm), before anything is sized. */
export function checkSupported(graph: LayoutGraph, src: string): void {
  for (const n of graph.nodes.values()) {
    if (n.kind === 'lvm') throw failure(`${src} ${n.path}: lvm is not supported yet`, 'use partitions without LVM for now');
  }
}

/** Every mkfs node of `graph`, in creation order, resolved (see the file comment). */
export function resolveFilesystems(graph: LayoutGraph, root: RootParams = {}, src = 'block-device config'): FilesystemSpec[] {
  checkSupported(graph, src);
  const nodes = [...graph.nodes.values()];
  const mkfsNodes = graph.order.map((name) => graph.nodes.get(name)!).filter((n): n is MkfsNode => n.kind === 'mkfs');
  const labels = new Set<string>();
  const mountPoints = new Set<string>();
  const order = dibMountOrder(nodes.filter((n): n is MountNode => n.kind === 'mount').map((m) => m.mountPoint));
  return mkfsNodes.map((mkfs) => {
    const isRoot = mkfs.name === ROOT_MKFS;
    const rawType = mkfs.type ?? (isRoot ? (root.fsType ?? 'ext4') : undefined);
    if (rawType === undefined) throw inputError(`${src} ${mkfs.path}: Mkfs config needs [type]`, `give the filesystem a type: ${FS_TYPES.join(', ')}`);
    // DIB checks labels before it runs mkfs, whatever the type: its label messages come first.
    let label = mkfs.label ?? (isRoot ? (root.label ?? DEFAULT_ROOT_LABEL) : mkfs.name);
    // DIB: "for fat/vfat, we use the label as an identifier for the disk", so it is upper-cased.
    if (rawType === 'vfat' || rawType === 'fat') label = label.toUpperCase();
    if (labels.has(label)) throw inputError(`${src} ${mkfs.path}: File system label [${label}] used more than once`, 'give each filesystem its own label');
    labels.add(label);
    const max = LABEL_MAX[rawType];
    if (max !== undefined && [...label].length > max) {
      throw inputError(`${src} ${mkfs.path}: Label [${label}] too long for filesystem [${rawType}]: ${[...label].length} > ${max}`, `use at most ${max} characters`);
    }
    const type = rawType === 'fat' ? 'vfat' : rawType;
    if (!isFsType(type)) throw inputError(`${src} ${mkfs.path}.type: filesystem type "${rawType}" is not supported`, `tsdib writes ${FS_TYPES.join(', ')}`);
    const mount = nodes.find((n): n is MountNode => n.kind === 'mount' && n.base === mkfs.name);
    const fstabNode = mount ? nodes.find((n): n is FstabNode => n.kind === 'fstab' && n.base === mount.name) : undefined;
    const mountPoint = mountPointOf(mount, type, src);
    if (mount && mountPoints.has(mount.mountPoint)) throw inputError(`${src} ${mount.path}: Mount point [${mount.mountPoint}] specified more than once`);
    if (mount) mountPoints.add(mount.mountPoint);
    const opts = mkfs.opts ?? (isRoot ? root.opts : undefined);
    return {
      name: mkfs.name,
      device: mkfs.base,
      type,
      label,
      uuid: mkfs.uuid,
      opts: opts === undefined || opts.trim() === '' ? undefined : opts.trim(),
      mountPoint,
      fstab: fstabNode ? { options: fstabNode.options, dumpFreq: fstabNode.dumpFreq, fsckPassno: fstabNode.fsckPassno } : undefined,
      mountRank: mount ? order.indexOf(mount.mountPoint) : undefined,
      path: mkfs.path,
    };
  });
}

function mountPointOf(mount: MountNode | undefined, type: FsType, src: string): string | undefined {
  if (!mount) return undefined;
  const mp = mount.mountPoint;
  if (type === 'swap') {
    if (mp !== 'none') throw inputError(`${src} ${mount.path}.mount_point: swap is not mounted, "${mp}" given`, 'write mount_point: none for swap');
    return undefined;
  }
  if (mp === 'none') throw inputError(`${src} ${mount.path}.mount_point: only swap may have mount_point none`);
  if (!mp.startsWith('/')) throw inputError(`${src} ${mount.path}.mount_point: "${mp}" is not an absolute path`, 'mount points start with /');
  if (mp.split('/').includes('..')) throw inputError(`${src} ${mount.path}.mount_point: "${mp}" contains ".."`);
  return normalizeMountPoint(mp);
}

/** "/var/log/" → "/var/log", "//" → "/". */
export function normalizeMountPoint(mp: string): string {
  const parts = mp.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

/** The mounted filesystems (swap with a mount node included) in DIB's mount order. */
export function mountOrder(filesystems: readonly FilesystemSpec[]): FilesystemSpec[] {
  return filesystems.filter((f) => f.mountRank !== undefined).sort((a, b) => a.mountRank! - b.mountRank!);
}

/**
 * /etc/fstab as DIB's writefstab writes it: one line per filesystem with an fstab entry, in mount
 * order, `LABEL=<label> <mount point> <type> <options> <dump> <passno>`; swap as
 * `LABEL=<label> none swap sw 0 0`.
 */
export function fstabText(filesystems: readonly FilesystemSpec[]): string {
  const lines: string[] = [];
  for (const f of mountOrder(filesystems)) {
    if (!f.fstab) continue;
    if (f.type === 'swap') lines.push(`LABEL=${f.label} none swap sw 0 0`);
    else lines.push(`LABEL=${f.label} ${f.mountPoint} ${f.type} ${f.fstab.options} ${f.fstab.dumpFreq} ${f.fstab.fsckPassno}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}
