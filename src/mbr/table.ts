/**
 * Partition tables as one type, and the edge where they meet a Disk: write a table's sectors, read
 * a table back from any ReadableDisk (a raw file, or a container decoder's view).
 */
import type { Disk, ReadableDisk } from '../disk/index.js';
import { inputError } from '../errors.js';
import { decodeMbrTable, encodeMbrTable, type EncodeOptions, type MbrTable, type SectorWrite } from './msdos.js';
import { decodeGptTable, encodeGptTable, looksLikeGpt, PROTECTIVE_TYPE, type GptCopyStatus, type GptTable } from './gpt.js';
import { hasBootSignature, MBR_SIZE } from './sector.js';

export type PartitionTable = MbrTable | GptTable;

function diskSectorsOf(size: number, sectorSize: number, what: string): number {
  if (size % sectorSize !== 0) throw inputError(`${what}: size ${size} is not a multiple of the ${sectorSize}-byte sector size`);
  return size / sectorSize;
}

/** The sector writes for `table` on a disk of `diskSize` bytes (pure). */
export function encodeTable(table: PartitionTable, diskSize: number, options: EncodeOptions = {}): SectorWrite[] {
  const sectors = diskSectorsOf(diskSize, table.sectorSize, 'disk');
  return table.scheme === 'mbr' ? encodeMbrTable(table, sectors, options) : encodeGptTable(table, sectors, options);
}

/**
 * Writes `table` onto `disk`. Bytes 0..439 of sector 0 (boot code) are left alone unless
 * `options.bootCode` is given.
 */
export function writeTable(disk: Disk, table: PartitionTable, options: EncodeOptions = {}): void {
  for (const w of encodeTable(table, disk.size, options)) disk.write(w.offset, w.bytes);
}

export interface TableReadResult {
  /** Undefined when the disk has no partition table. */
  readonly table: PartitionTable | undefined;
  /** GPT only: the state of each copy. */
  readonly primary?: GptCopyStatus;
  readonly backup?: GptCopyStatus;
  readonly warnings: readonly string[];
}

/**
 * Reads the partition table of `disk`. GPT is recognised by its header at LBA 1 (512 or 4096-byte
 * sectors are tried); otherwise a valid 0x55AA sector 0 is read as MBR; otherwise there is no table.
 */
export function readTable(disk: ReadableDisk, options: { sectorSize?: number; where?: string } = {}): TableReadResult {
  const where = options.where ?? 'disk';
  const read = (offset: number, length: number) => disk.read(offset, length);
  if (disk.size < MBR_SIZE) return { table: undefined, warnings: [] };
  const sizes = options.sectorSize ? [options.sectorSize] : [512, 4096];
  for (const ss of sizes) {
    if (looksLikeGpt(read, ss, disk.size)) {
      const r = decodeGptTable(read, Math.floor(disk.size / ss), ss, where);
      return { table: r.table, primary: r.primary, backup: r.backup, warnings: r.warnings };
    }
  }
  if (!hasBootSignature(disk.read(0, MBR_SIZE))) return { table: undefined, warnings: [] };
  const ss = options.sectorSize ?? 512;
  const mbr = decodeMbrTable(read, Math.floor(disk.size / ss), ss, where);
  if (mbr.partitions.some((p) => p.type === PROTECTIVE_TYPE)) {
    // A protective MBR without a primary header: the primary GPT is gone, the backup may not be.
    const r = decodeGptTable(read, Math.floor(disk.size / ss), ss, where);
    return { table: r.table, primary: r.primary, backup: r.backup, warnings: r.warnings };
  }
  return { table: mbr, warnings: [] };
}
