/**
 * Sizing a FAT volume for a tree: the smallest size that holds it, and the type and geometry that
 * size gets. The layout planner calls this before it places partitions; the writer uses the same
 * arithmetic, so a planned size always fits.
 */
import { inputError } from '../../errors.js';
import { formatSize } from '../../size.js';
import type { FileTree, Inode } from '../../tree/index.js';
import { DIR_ENTRY_SIZE, SECTOR_SIZE, type FatType } from './constants.js';
import { clustersNeeded, collectFat, type FatContent } from './content.js';
import { chooseGeometry, clusterBytes, DEFAULT_ROOT_ENTRIES, type FatGeometry } from './geometry.js';

export interface FatPlanOptions {
  /** Force FAT12, FAT16 or FAT32; by default FAT32 from 64 MiB, else FAT16, else FAT12. */
  readonly type?: FatType | undefined;
  /** Whether a label will be written (it takes a root slot). */
  readonly label?: string | undefined;
  readonly lenient?: boolean | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
}

export interface FatPlan {
  /** Bytes: the minimum, or the size that was asked for. A multiple of 512. */
  readonly size: number;
  readonly geometry: FatGeometry;
  /** Clusters the content takes. */
  readonly usedClusters: number;
  readonly content: FatContent;
}

/** The fixed root's slots on FAT12/16: 512 as usual, more (in whole sectors) when the root needs them. */
export function rootEntriesFor(content: FatContent): number {
  const perSector = SECTOR_SIZE / DIR_ENTRY_SIZE;
  return Math.min(0xffff - (0xffff % perSector), Math.max(DEFAULT_ROOT_ENTRIES, Math.ceil(content.root.slots / perSector) * perSector));
}

/** The geometry for `totalSectors`, or undefined when no (requested) type fits that size. */
function tryGeometry(totalSectors: number, type: FatType | undefined, rootEntries: number): FatGeometry | undefined {
  try {
    return chooseGeometry(totalSectors, { type, rootEntries });
  } catch {
    return undefined;
  }
}

/** Smallest volumes we consider: FAT32 needs 65525 clusters (about 33 MiB), FAT16 4085. */
const MIN_SECTORS: Readonly<Record<FatType, number>> = { 12: 64, 16: 4150, 32: 66581 };

/** Checks that content fits a geometry; the error names what is needed. */
export function checkFits(content: FatContent, g: FatGeometry, type: FatType | undefined): number {
  const used = clustersNeeded(content, clusterBytes(g), g.type === 32);
  if (used > g.clusterCount || (g.type !== 32 && content.root.slots > g.rootEntries)) {
    const min = minimumPlan(content, type);
    throw inputError(
      `FAT volume of ${formatSize(g.totalSectors * SECTOR_SIZE)} is too small: the files need ${used} clusters of ${formatSize(clusterBytes(g))}, it has ${g.clusterCount}`,
      `make it at least ${formatSize(min.size)}`,
    );
  }
  return used;
}

/** Searches upward from a lower bound, stepping by the cluster deficit, to the first size that fits. */
function minimumPlan(content: FatContent, type: FatType | undefined): { size: number; geometry: FatGeometry; used: number } {
  const rootEntries = rootEntriesFor(content);
  const dataBytes = content.fileSizes.reduce((a, b) => a + b, 0) + content.dirSlots.reduce((a, b) => a + b, 0) * DIR_ENTRY_SIZE;
  let sectors = Math.max(MIN_SECTORS[type ?? 12], Math.ceil(dataBytes / SECTOR_SIZE));
  for (let step = 0; step < 10_000; step++) {
    const g = tryGeometry(sectors, type, rootEntries);
    if (!g) {
      sectors += Math.max(1, Math.ceil(sectors / 64));
      continue;
    }
    const used = clustersNeeded(content, clusterBytes(g), g.type === 32);
    if (used <= g.clusterCount) return { size: sectors * SECTOR_SIZE, geometry: g, used };
    sectors += (used - g.clusterCount) * g.sectorsPerCluster;
  }
  throw new Error('FAT planner did not converge');
}

/**
 * Plans a FAT volume for `tree`: with `size`, checks that the tree fits (an input error naming the
 * size needed otherwise); without, finds the smallest size that holds it.
 */
export function planFat(tree: FileTree | Inode, options: FatPlanOptions & { size?: number | undefined } = {}): FatPlan {
  const content = collectFat(tree, { hasLabel: options.label !== undefined, lenient: options.lenient, onWarning: options.onWarning });
  return planContent(content, options);
}

export function planContent(content: FatContent, options: { type?: FatType | undefined; size?: number | undefined }): FatPlan {
  if (options.size === undefined) {
    const min = minimumPlan(content, options.type);
    return { size: min.size, geometry: min.geometry, usedClusters: min.used, content };
  }
  const totalSectors = Math.floor(options.size / SECTOR_SIZE);
  const geometry = chooseGeometry(totalSectors, { type: options.type, rootEntries: rootEntriesFor(content) });
  const usedClusters = checkFits(content, geometry, options.type);
  return { size: totalSectors * SECTOR_SIZE, geometry, usedClusters, content };
}
