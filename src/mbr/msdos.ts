/**
 * A whole MBR ("dos") partition table: up to four primary entries in sector 0, one of which may be
 * an extended partition holding a chain of EBRs, one per logical partition (numbered from 5).
 *
 * EBR chain layout (as fdisk and DIB write it): each EBR's entry 0 describes its logical partition
 * with a start relative to the EBR itself; entry 1 links to the next EBR with a start relative to
 * the extended partition's start and a length running from that EBR to the end of its logical
 * partition. Links carry type 0x05.
 */
import { inputError } from '../errors.js';
import { EMPTY_ENTRY, decodeMbrSector, encodeMbrSector, encodeTableTail, hasBootSignature, DISK_SIGNATURE_OFFSET, MBR_SIZE, ENTRY_SLOTS } from './sector.js';
import type { MbrEntry } from './entry.js';

/** MBR type bytes that mean "extended partition" (CHS, LBA, Linux). */
export const EXTENDED_TYPES: ReadonlySet<number> = new Set([0x05, 0x0f, 0x85]);
/** Type DIB (and fdisk for LBA disks) gives the extended entry in the MBR. */
export const EXTENDED_LBA = 0x0f;
/** Type of the EBR-to-EBR links. */
export const EBR_LINK = 0x05;
export const FIRST_LOGICAL = 5;
const MAX_UINT32 = 0xffffffff;

export interface MbrPartition {
  /** 1-4 for primary and extended entries (the MBR slot + 1), 5 and up for logical partitions. */
  readonly number: number;
  /** First sector (absolute LBA). */
  readonly start: number;
  /** Length in sectors. */
  readonly sectors: number;
  /** Type byte, e.g. 0x83 Linux, 0x0c FAT32 LBA, 0x0f extended. */
  readonly type: number;
  /** The active (boot) flag. */
  readonly bootable: boolean;
  /** Logical partitions only: the absolute LBA of the EBR describing it. */
  readonly ebr?: number;
}

export interface MbrTable {
  readonly scheme: 'mbr';
  /** Logical sector size in bytes: 512 or 4096. */
  readonly sectorSize: number;
  /** 32-bit disk signature at byte 440. */
  readonly diskId: number;
  /** Sorted by number; the extended container is listed like any primary entry. */
  readonly partitions: readonly MbrPartition[];
}

/** Bytes to put at a byte offset of the disk. */
export interface SectorWrite {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface EncodeOptions {
  /** Boot code for bytes 0..439 of sector 0. Absent: those bytes are not written at all. */
  readonly bootCode?: Uint8Array;
  /** Required alignment of every partition start, in sectors (e.g. 2048). Absent: not checked. */
  readonly alignSectors?: number;
}

export function isExtended(p: MbrPartition): boolean {
  return p.number <= ENTRY_SLOTS && EXTENDED_TYPES.has(p.type);
}

/** Checks that `table` can be written on a disk of `diskSectors`; throws a TsdibError naming the partition. */
export function validateMbrTable(table: MbrTable, diskSectors: number, options: EncodeOptions = {}): void {
  checkSectorSize(table.sectorSize);
  if (!Number.isInteger(table.diskId) || table.diskId < 0 || table.diskId > MAX_UINT32) throw inputError(`MBR: disk id ${table.diskId} is not a 32-bit unsigned number`);
  const seen = new Set<number>();
  const primaries: MbrPartition[] = [];
  const logicals: MbrPartition[] = [];
  for (const p of table.partitions) {
    const what = `MBR partition ${p.number}`;
    if (!Number.isInteger(p.number) || p.number < 1) throw inputError(`${what}: number must be 1-4 (primary) or 5 and up (logical)`);
    if (seen.has(p.number)) throw inputError(`${what}: number used twice`);
    seen.add(p.number);
    if (!Number.isInteger(p.type) || p.type < 1 || p.type > 0xff) throw inputError(`${what}: type ${p.type} is not a byte 0x01-0xff`);
    if (!Number.isInteger(p.start) || p.start < 1) throw inputError(`${what}: start ${p.start} must be a sector number >= 1 (sector 0 holds the MBR)`);
    if (!Number.isInteger(p.sectors) || p.sectors < 1) throw inputError(`${what}: size ${p.sectors} sectors must be >= 1`);
    if (p.start + p.sectors > diskSectors) {
      throw inputError(`${what}: ends at sector ${p.start + p.sectors - 1}, past the end of the disk (${diskSectors} sectors)`, 'make it smaller or the disk bigger');
    }
    if (p.start + p.sectors > MAX_UINT32 + 1) throw inputError(`${what}: ends past sector 2^32, which an MBR cannot address`, 'use a GPT');
    if (options.alignSectors && p.start % options.alignSectors !== 0) {
      throw inputError(`${what}: start sector ${p.start} is not aligned to ${options.alignSectors} sectors`);
    }
    (p.number <= ENTRY_SLOTS ? primaries : logicals).push(p);
  }
  const extended = primaries.filter(isExtended);
  if (extended.length > 1) throw inputError(`MBR: ${extended.length} extended partitions`, 'an MBR holds at most one');
  checkNoOverlap(primaries.map((p) => ({ what: `MBR partition ${p.number}`, first: p.start, end: p.start + p.sectors })));
  if (logicals.length === 0) return;
  const ext = extended[0];
  if (!ext) throw inputError(`MBR partition ${logicals[0]!.number}: a logical partition needs an extended partition (type 0x05 or 0x0f) to live in`);
  const sorted = [...logicals].sort((a, b) => a.number - b.number);
  const claims: { what: string; first: number; end: number }[] = [];
  sorted.forEach((p, i) => {
    const what = `MBR partition ${p.number}`;
    if (p.number !== FIRST_LOGICAL + i) throw inputError(`${what}: logical partitions are numbered 5, 6, 7... without gaps`);
    const ebr = p.ebr;
    if (ebr === undefined || !Number.isInteger(ebr)) throw inputError(`${what}: a logical partition needs the sector of its EBR (ebr)`);
    if (ebr >= p.start) throw inputError(`${what}: its EBR (sector ${ebr}) must come before its first sector ${p.start}`);
    if (ebr < ext.start || p.start + p.sectors > ext.start + ext.sectors) {
      throw inputError(`${what}: sectors ${ebr}..${p.start + p.sectors - 1} are not inside extended partition ${ext.number} (${ext.start}..${ext.start + ext.sectors - 1})`);
    }
    if (i === 0 ? ebr !== ext.start : false) throw inputError(`${what}: the first EBR must sit at the start of the extended partition (sector ${ext.start})`);
    const prev = sorted[i - 1];
    if (prev && ebr < prev.start + prev.sectors) throw inputError(`${what}: logical partitions must come in disk order (its EBR at ${ebr} is before the end of partition ${prev.number})`);
    claims.push({ what: `EBR of ${what}`, first: ebr, end: ebr + 1 }, { what, first: p.start, end: p.start + p.sectors });
  });
  checkNoOverlap(claims);
}

function checkSectorSize(sectorSize: number): void {
  if (sectorSize !== 512 && sectorSize !== 4096) throw inputError(`sector size ${sectorSize} is not supported`, 'use 512 or 4096');
}

export function checkNoOverlap(claims: readonly { what: string; first: number; end: number }[]): void {
  const sorted = [...claims].sort((a, b) => a.first - b.first);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.first < a.end) throw inputError(`${a.what} (sectors ${a.first}..${a.end - 1}) overlaps ${b.what} (sectors ${b.first}..${b.end - 1})`);
  }
}

/** The sectors to write for `table` on a disk of `diskSectors`: sector 0 (bytes 440..511 unless boot code is given) and one EBR per logical. */
export function encodeMbrTable(table: MbrTable, diskSectors: number, options: EncodeOptions = {}): SectorWrite[] {
  validateMbrTable(table, diskSectors, options);
  const ss = table.sectorSize;
  const slots: MbrEntry[] = [EMPTY_ENTRY, EMPTY_ENTRY, EMPTY_ENTRY, EMPTY_ENTRY];
  for (const p of table.partitions) {
    if (p.number <= ENTRY_SLOTS) slots[p.number - 1] = { bootable: p.bootable, type: p.type, lbaStart: p.start, sectorCount: p.sectors };
  }
  const mbr = { diskSignature: table.diskId, entries: slots };
  const writes: SectorWrite[] = options.bootCode
    ? [{ offset: 0, bytes: encodeMbrSector(mbr, options.bootCode) }]
    : [{ offset: DISK_SIGNATURE_OFFSET, bytes: encodeTableTail(mbr) }];
  const ext = table.partitions.find(isExtended);
  const logicals = table.partitions.filter((p) => p.number >= FIRST_LOGICAL).sort((a, b) => a.number - b.number);
  logicals.forEach((p, i) => {
    const ebr = p.ebr!;
    const next = logicals[i + 1];
    const own: MbrEntry = { bootable: p.bootable, type: p.type, lbaStart: p.start - ebr, sectorCount: p.sectors };
    const link: MbrEntry = next
      ? { bootable: false, type: EBR_LINK, lbaStart: next.ebr! - ext!.start, sectorCount: next.start + next.sectors - next.ebr! }
      : EMPTY_ENTRY;
    const sector = encodeMbrSector({ diskSignature: 0, entries: [own, link, EMPTY_ENTRY, EMPTY_ENTRY] }, undefined, [ebr, ext!.start]);
    writes.push({ offset: ebr * ss, bytes: sector });
  });
  return writes;
}

/** Reads `length` bytes at byte `offset` of the disk being decoded. */
export type ReadAt = (offset: number, length: number) => Uint8Array;

/** A sanity bound on EBR chains, so a looping chain in a damaged image cannot hang us. */
const MAX_LOGICALS = 4096;

/** Decodes the MBR table of a disk (sector 0 and the EBR chain) into the description encodeMbrTable takes. */
export function decodeMbrTable(read: ReadAt, diskSectors: number, sectorSize = 512, where = 'disk'): MbrTable {
  checkSectorSize(sectorSize);
  const mbr = decodeMbrSector(read(0, MBR_SIZE), 0, `${where}: MBR (sector 0)`);
  const partitions: MbrPartition[] = [];
  mbr.entries.forEach((e, i) => {
    if (e.type !== 0) partitions.push({ number: i + 1, start: e.lbaStart, sectors: e.sectorCount, type: e.type, bootable: e.bootable });
  });
  const ext = partitions.find(isExtended);
  if (ext) partitions.push(...decodeEbrChain(read, ext, diskSectors, sectorSize, where));
  return { scheme: 'mbr', sectorSize, diskId: mbr.diskSignature, partitions };
}

function decodeEbrChain(read: ReadAt, ext: MbrPartition, diskSectors: number, ss: number, where: string): MbrPartition[] {
  const out: MbrPartition[] = [];
  const visited = new Set<number>();
  let ebr = ext.start;
  for (;;) {
    if (ebr >= diskSectors) throw inputError(`${where}: EBR chain points to sector ${ebr}, past the end of the disk (${diskSectors} sectors)`);
    if (visited.has(ebr) || out.length >= MAX_LOGICALS) throw inputError(`${where}: EBR chain loops back to sector ${ebr}`);
    visited.add(ebr);
    const bytes = read(ebr * ss, MBR_SIZE);
    // An extended partition with no logical partitions may hold a blank first EBR.
    if (out.length === 0 && !hasBootSignature(bytes)) return out;
    const sector = decodeMbrSector(bytes, 0, `${where}: EBR at sector ${ebr}`);
    const own = sector.entries[0]!;
    if (own.type === 0) return out;
    out.push({ number: FIRST_LOGICAL + out.length, start: ebr + own.lbaStart, sectors: own.sectorCount, type: own.type, bootable: own.bootable, ebr });
    const link = sector.entries[1]!;
    if (!EXTENDED_TYPES.has(link.type)) return out;
    ebr = ext.start + link.lbaStart;
  }
}
