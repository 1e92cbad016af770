/**
 * Writes a whole FAT12/16/32 volume into a Disk window: boot sector (+ FSInfo and backups on
 * FAT32), two identical FATs, directories, and file bodies streamed from their sources. Every file
 * and directory is contiguous, allocated depth-first in name order from cluster 2.
 *
 * The window must read as zeros where we do not write (a fresh FileDisk or MemoryDisk): unused FAT
 * entries, cluster slack and free clusters are left as holes so the image stays sparse.
 */
import type { Disk } from '../../disk/index.js';
import { isAllZero } from '../../disk/index.js';
import { BodyReader, type FileTree, type Inode } from '../../tree/index.js';
import { BACKUP_BOOT_SECTOR, encodeBootSector, FSINFO_SECTOR } from './bootsector.js';
import { DIR_ENTRY_SIZE, SECTOR_SIZE, type FatType } from './constants.js';
import { collectFat, type FatDirNode, type FatEntry } from './content.js';
import { encodeDirectory } from './directory.js';
import { encodeFsInfo } from './fsinfo.js';
import { clusterBytes, clusterOffset, type FatGeometry } from './geometry.js';
import { NO_LABEL, normalizeLabel } from './label.js';
import { planContent } from './planner.js';
import { encodeFatRange, type ClusterRun } from './table.js';

export interface FatOptions {
  /** Volume serial number (BS_VolID), derived from the seed by the caller (deriveUint32(seed, ...)). */
  readonly serial: number;
  /** Up to 11 characters; upper-cased. None: "NO NAME" in the boot sector and no label entry. */
  readonly label?: string | undefined;
  /** Epoch seconds (SOURCE_DATE_EPOCH) for the label entry, the one entry without an inode. */
  readonly time: number;
  /** Force a FAT type; by default FAT32 from 64 MiB, else FAT16, else FAT12 (by cluster count). */
  readonly type?: FatType | undefined;
  /** Skip what FAT cannot hold (symlinks, devices, bad names) with a warning instead of failing. */
  readonly lenient?: boolean | undefined;
  /** Where warnings go (lenient skips). */
  readonly onWarning?: ((message: string) => void) | undefined;
  /** LBA of the partition, for BPB_HiddSec; 0 for a bare filesystem image. */
  readonly hiddenSectors?: number | undefined;
  /** Called as bytes of file content are written (for progress). */
  readonly onProgress?: ((bytesDone: number, bytesTotal: number) => void) | undefined;
}

export interface FatResult {
  readonly geometry: FatGeometry;
  readonly usedClusters: number;
  readonly freeClusters: number;
  /** Paths skipped under `lenient`. */
  readonly skipped: readonly string[];
}

/** File bodies are copied in pieces of this size, so no body is ever held whole. */
const COPY_CHUNK = 1024 * 1024;
/** FAT16/32 tables are encoded this many entries at a time (a multiple of any sector's entries). */
const FAT_CHUNK_ENTRIES = 128 * 1024;

export function writeFat(disk: Disk, tree: FileTree | Inode, options: FatOptions): FatResult {
  const label = options.label === undefined ? undefined : normalizeLabel(options.label, 'label');
  const content = collectFat(tree, { hasLabel: label !== undefined, lenient: options.lenient, onWarning: options.onWarning });
  const plan = planContent(content, { type: options.type, size: disk.size });
  const g = plan.geometry;
  const { runs, firstCluster, nextFree } = allocate(content.root, g);

  writeFatTables(disk, g, runs, nextFree);
  writeDirectories(disk, g, content.root, firstCluster, label, options.time);
  writeBodies(disk, g, content.root, firstCluster, options.onProgress);

  const freeClusters = g.clusterCount - plan.usedClusters;
  const boot = encodeBootSector({ geometry: g, serial: options.serial, label: label ?? NO_LABEL, hiddenSectors: options.hiddenSectors ?? 0 });
  if (g.type === 32) {
    // FSI_Nxt_Free: the last allocated cluster, as mkfs.fat writes it and Linux reads it.
    const fsinfo = encodeFsInfo(freeClusters, nextFree - 1);
    disk.write(FSINFO_SECTOR * SECTOR_SIZE, fsinfo);
    disk.write(BACKUP_BOOT_SECTOR * SECTOR_SIZE, boot);
    disk.write((BACKUP_BOOT_SECTOR + FSINFO_SECTOR) * SECTOR_SIZE, fsinfo);
  }
  // The boot sector goes last: a volume interrupted half-way is not recognised as FAT.
  disk.write(0, boot);
  return { geometry: g, usedClusters: plan.usedClusters, freeClusters, skipped: content.skipped };
}

interface Allocation {
  /** Sorted, disjoint chains. */
  readonly runs: ClusterRun[];
  /** First cluster of every directory (the FAT32 root included) and non-empty file. */
  readonly firstCluster: Map<object, number>;
  /** The first cluster after the last one allocated. */
  readonly nextFree: number;
}

/** Depth-first, in name order: each directory, then its entries; the FAT32 root is cluster 2. */
function allocate(root: FatDirNode, g: FatGeometry): Allocation {
  const cb = clusterBytes(g);
  const runs: ClusterRun[] = [];
  const firstCluster = new Map<object, number>();
  let next = 2;
  const take = (node: object, count: number): void => {
    if (count === 0) return;
    firstCluster.set(node, next);
    runs.push({ first: next, count });
    next += count;
  };
  const visit = (dir: FatDirNode, isRoot: boolean): void => {
    if (!isRoot || g.type === 32) take(dir, Math.max(1, Math.ceil((dir.slots * DIR_ENTRY_SIZE) / cb)));
    for (const e of dir.entries) {
      if (e.node.kind === 'file') take(e.node, Math.ceil(e.node.size / cb));
      else visit(e.node, false);
    }
  };
  visit(root, true);
  return { runs, firstCluster, nextFree: next };
}

/** Both FAT copies, only as far as entries are in use (the rest is free, i.e. zero). */
function writeFatTables(disk: Disk, g: FatGeometry, runs: readonly ClusterRun[], nextFree: number): void {
  const copies = [g.reservedSectors * SECTOR_SIZE, (g.reservedSectors + g.fatSectors) * SECTOR_SIZE];
  const put = (byteOffset: number, bytes: Uint8Array): void => {
    for (const start of copies) disk.write(start + byteOffset, bytes);
  };
  if (g.type === 12) {
    // An even count (two entries per three bytes); the padding entry is free and must not spill
    // past the FAT when the volume is full.
    const bytes = encodeFatRange(12, runs, 0, nextFree + (nextFree % 2));
    put(0, bytes.subarray(0, Math.min(bytes.length, g.fatSectors * SECTOR_SIZE)));
    return;
  }
  const entryBytes = g.type === 16 ? 2 : 4;
  for (let first = 0; first < nextFree; first += FAT_CHUNK_ENTRIES) {
    put(first * entryBytes, encodeFatRange(g.type, runs, first, Math.min(FAT_CHUNK_ENTRIES, nextFree - first)));
  }
}

function writeDirectories(disk: Disk, g: FatGeometry, root: FatDirNode, firstCluster: Map<object, number>, label: string | undefined, time: number): void {
  const cb = clusterBytes(g);
  const clusterOf = (e: FatEntry): number => firstCluster.get(e.node) ?? 0;
  const visit = (dir: FatDirNode, parentCluster: number, isRoot: boolean): void => {
    const self = isRoot && g.type !== 32 ? 0 : firstCluster.get(dir)!;
    const ctx = { self, parent: parentCluster, isRoot, clusterOf, label, time };
    if (isRoot && g.type !== 32) {
      const rootStart = (g.reservedSectors + 2 * g.fatSectors) * SECTOR_SIZE;
      disk.write(rootStart, encodeDirectory(dir, ctx, g.rootDirSectors * SECTOR_SIZE));
    } else {
      const length = Math.max(1, Math.ceil((dir.slots * DIR_ENTRY_SIZE) / cb)) * cb;
      disk.write(clusterOffset(g, self), encodeDirectory(dir, ctx, length));
    }
    // ".." of a directory whose parent is the root holds 0 (fatgen103 §6.3), even on FAT32.
    for (const e of dir.entries) if (e.node.kind === 'dir') visit(e.node, isRoot ? 0 : self, false);
  };
  visit(root, 0, true);
}

function writeBodies(disk: Disk, g: FatGeometry, root: FatDirNode, firstCluster: Map<object, number>, onProgress?: (done: number, total: number) => void): void {
  const files: { offset: number; node: Extract<FatEntry['node'], { kind: 'file' }> }[] = [];
  const collect = (dir: FatDirNode): void => {
    for (const e of dir.entries) {
      if (e.node.kind === 'dir') collect(e.node);
      else if (e.node.size > 0) files.push({ offset: clusterOffset(g, firstCluster.get(e.node)!), node: e.node });
    }
  };
  collect(root);
  const total = files.reduce((n, f) => n + f.node.size, 0);
  let done = 0;
  const reader = new BodyReader();
  try {
    for (const f of files) {
      reader.forEachChunk(f.node.inode.body!, COPY_CHUNK, (off, bytes) => {
        // Zero runs stay holes in the image: the window reads as zeros already.
        if (!isAllZero(bytes)) disk.write(f.offset + off, bytes);
        done += bytes.length;
        onProgress?.(done, total);
      });
    }
  } finally {
    reader.close();
  }
}
