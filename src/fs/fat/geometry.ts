/**
 * Where everything goes in a FAT volume of a given size: the type, the cluster size, the reserved
 * area, the two FATs, the fixed root directory (FAT12/16) and the data area (fatgen103 §3.5, §4, §6).
 * Pure arithmetic; the writer and the planner share it so they always agree.
 *
 * Against mkfs.vfat (dosfstools 4.2) for the same size (test/fs/fat/geometry.test.ts checks this):
 * - FAT32: same cluster size, 32 reserved sectors and the same FAT size at every size tested
 *   (34 MiB .. 8 GiB). mkfs.vfat only picks FAT32 by itself from 512 MiB; we do from 64 MiB, the ESP
 *   rule of bootloader.md §3.4.
 * - FAT16: same at 16, 32, 64 and 256 MiB. Elsewhere mkfs.vfat rounds the FAT up to whole clusters
 *   and pads the reserved area to match (63 MiB: FAT 128 against our 126; 300 MiB: 16 reserved and
 *   FAT 160);
 *   we pad only the reserved area (4 reserved, FAT 150) and give the rest to data. Under 16 MiB
 *   mkfs.vfat keeps 2 KiB clusters and refuses FAT16 (8 MiB); we halve the cluster until the count
 *   is in FAT16's range.
 * - FAT12: mkfs.vfat uses 2 KiB clusters on hard-disk-sized volumes; we use the smallest cluster
 *   that keeps the count under 4085, which wastes less space on small files.
 * - mkfs.vfat drops the sectors past the last whole CHS track of a block device (550 MiB: 1126377
 *   of 1126400 sectors); we use every sector. Both write SecPerTrk/NumHeads, which nothing reads.
 */
import { inputError } from '../../errors.js';
import { formatSize } from '../../size.js';
import { DIR_ENTRY_SIZE, FAT12_MAX_CLUSTERS, FAT16_MAX_CLUSTERS, FAT32_MAX_CLUSTERS, SECTOR_SIZE, type FatType } from './constants.js';

export interface FatGeometry {
  readonly type: FatType;
  readonly totalSectors: number;
  readonly sectorsPerCluster: number;
  /** Boot sector (+ FSInfo and backups on FAT32) and the padding that aligns the data area. */
  readonly reservedSectors: number;
  readonly fatCount: 2;
  /** Sectors of ONE FAT copy. */
  readonly fatSectors: number;
  /** Fixed root directory slots (FAT12/16); 0 on FAT32, whose root is a cluster chain. */
  readonly rootEntries: number;
  readonly rootDirSectors: number;
  /** First sector of cluster 2. */
  readonly dataStartSector: number;
  /** Data clusters, numbered 2 .. clusterCount + 1. This count alone decides the type (§3.5). */
  readonly clusterCount: number;
}

/** Bits per FAT entry. */
export function fatEntryBits(type: FatType): number {
  return type === 12 ? 12 : type === 16 ? 16 : 32;
}

export function clusterBytes(g: FatGeometry): number {
  return g.sectorsPerCluster * SECTOR_SIZE;
}

/** Byte offset of a data cluster inside the volume. */
export function clusterOffset(g: FatGeometry, cluster: number): number {
  return (g.dataStartSector + (cluster - 2) * g.sectorsPerCluster) * SECTOR_SIZE;
}

/** Cluster count range of each type (§3.5). FAT12 needs at least one cluster to hold anything. */
const CLUSTER_RANGE: Readonly<Record<FatType, readonly [number, number]>> = {
  12: [1, FAT12_MAX_CLUSTERS],
  16: [FAT12_MAX_CLUSTERS + 1, FAT16_MAX_CLUSTERS],
  32: [FAT16_MAX_CLUSTERS + 1, FAT32_MAX_CLUSTERS],
};

/** Largest cluster we make: 32 KiB. fatgen103 §3.1 warns that 64 KiB clusters break many drivers. */
const MAX_SECTORS_PER_CLUSTER = 64;
/** FAT32 reserves 32 sectors (boot, FSInfo, backups at 6-7, room to grow), FAT12/16 one (§3.1). */
const RESERVED_FAT32 = 32;
const RESERVED_FAT12_16 = 1;
/** Root slots mkfs.fat and fatgen103 give a hard disk's FAT12/16 root (§3.1 BPB_RootEntCnt). */
export const DEFAULT_ROOT_ENTRIES = 512;
/** Every total sector count must fit BPB_TotSec32. */
const MAX_TOTAL_SECTORS = 0xffffffff;

/**
 * Sectors per cluster from fatgen103's DskTableFAT16 / DskTableFAT32 (§3.5, 512-byte sectors);
 * FAT12, which those tables leave out, starts at one sector and grows until the count fits.
 */
function tableSectorsPerCluster(type: FatType, totalSectors: number): number {
  if (type === 12) return 1;
  const table: readonly (readonly [number, number])[] =
    type === 16
      ? [[32680, 2], [262144, 4], [524288, 8], [1048576, 16], [2097152, 32], [Infinity, 64]]
      : [[532480, 1], [16777216, 8], [33554432, 16], [67108864, 32], [Infinity, 64]];
  return table.find(([limit]) => totalSectors <= limit)![1];
}

/**
 * The layout for an exact type and cluster size, or undefined when the metadata does not fit.
 * The FAT must cover every cluster it leaves room for: fixed-point iteration from below finds a
 * size that does, then we shrink it while it still does (each sector given back may become data).
 * Reserved sectors are padded so the data area starts on a cluster boundary, as mkfs.fat does.
 */
export function layoutFor(type: FatType, totalSectors: number, sectorsPerCluster: number, rootEntries: number): FatGeometry | undefined {
  const entries = type === 32 ? 0 : rootEntries;
  const rootDirSectors = Math.ceil((entries * DIR_ENTRY_SIZE) / SECTOR_SIZE);
  const minReserved = type === 32 ? RESERVED_FAT32 : RESERVED_FAT12_16;
  const bits = fatEntryBits(type);
  /** The layout with exactly `fatSectors` per FAT, and how many FAT sectors its clusters need. */
  const attempt = (fatSectors: number): { g: FatGeometry | undefined; needed: number } => {
    const meta = minReserved + 2 * fatSectors + rootDirSectors;
    const pad = (sectorsPerCluster - (meta % sectorsPerCluster)) % sectorsPerCluster;
    const dataStartSector = meta + pad;
    if (dataStartSector >= totalSectors) return { g: undefined, needed: Infinity };
    const clusterCount = Math.floor((totalSectors - dataStartSector) / sectorsPerCluster);
    const needed = Math.ceil(((clusterCount + 2) * bits) / 8 / SECTOR_SIZE);
    const g: FatGeometry = {
      type, totalSectors, sectorsPerCluster, reservedSectors: minReserved + pad, fatCount: 2, fatSectors,
      rootEntries: entries, rootDirSectors, dataStartSector, clusterCount,
    };
    return { g, needed };
  };
  let fatSectors = 1;
  for (;;) {
    const { g, needed } = attempt(fatSectors);
    if (!g) return undefined;
    if (needed <= fatSectors) break;
    fatSectors = needed;
  }
  while (fatSectors > 1) {
    const smaller = attempt(fatSectors - 1);
    if (!smaller.g || smaller.needed > fatSectors - 1) break;
    fatSectors--;
  }
  // FAT32: like mkfs.fat, keep the 32 reserved sectors and round each FAT up to whole clusters,
  // which keeps the data area cluster-aligned (more FAT than needed still covers every cluster).
  if (type === 32) fatSectors = Math.ceil(fatSectors / sectorsPerCluster) * sectorsPerCluster;
  return attempt(fatSectors).g;
}

/** The layout of one type: the table's cluster size, moved until the cluster count is in range. */
export function geometryForType(type: FatType, totalSectors: number, rootEntries = DEFAULT_ROOT_ENTRIES): FatGeometry | undefined {
  const [min, max] = CLUSTER_RANGE[type];
  let spc = tableSectorsPerCluster(type, totalSectors);
  // Each step halves or doubles; 14 steps cover 1..64 both ways, so a dead end cannot loop.
  for (let step = 0; step < 14; step++) {
    const g = layoutFor(type, totalSectors, spc, rootEntries);
    if (g && g.clusterCount > max && spc < MAX_SECTORS_PER_CLUSTER) spc *= 2;
    else if ((!g || g.clusterCount < min) && spc > 1) spc /= 2;
    else return g && g.clusterCount >= min && g.clusterCount <= max ? g : undefined;
  }
  return undefined;
}

/** The volume size from which we pick FAT32 by default: the ESP rule of bootloader.md §3.4. */
export const FAT32_DEFAULT_FROM = 64 * 1024 * 1024;

/** The types tried, in order, for a volume of `totalSectors` when none is asked for. */
export function preferredTypes(totalSectors: number): FatType[] {
  return totalSectors * SECTOR_SIZE >= FAT32_DEFAULT_FROM ? [32, 16, 12] : [16, 12];
}

/**
 * The geometry for a volume: of the requested type, or the first type of `preferredTypes` that
 * works. An impossible request is an input error naming the size.
 */
export function chooseGeometry(totalSectors: number, options: { type?: FatType | undefined; rootEntries?: number | undefined } = {}): FatGeometry {
  const rootEntries = options.rootEntries ?? DEFAULT_ROOT_ENTRIES;
  const size = formatSize(totalSectors * SECTOR_SIZE);
  if (totalSectors > MAX_TOTAL_SECTORS) throw inputError(`FAT volume of ${size} is too large: FAT counts at most 2^32-1 sectors`, 'make the partition smaller than 2 TiB');
  const types = options.type ? [options.type] : preferredTypes(totalSectors);
  for (const type of types) {
    const g = geometryForType(type, totalSectors, rootEntries);
    if (g) return g;
  }
  const what = options.type ? `FAT${options.type}` : 'FAT';
  const [min, max] = CLUSTER_RANGE[options.type ?? 12];
  throw inputError(
    `a ${what} volume cannot be ${size}: it needs ${min}..${max} clusters of 512 B..32 KiB`,
    options.type === 32 ? 'FAT32 needs at least 33 MiB' : options.type === 16 ? 'FAT16 needs 2 MiB..2 GiB' : 'make the volume larger',
  );
}
