/**
 * A whole GPT (UEFI spec 2.10 §5.3): protective MBR in LBA 0, primary header at LBA 1 and its entry
 * array from LBA 2, the backup entry array just before the last LBA and the backup header in the last LBA.
 */
import { inputError } from '../errors.js';
import { EMPTY_ENTRY, encodeMbrSector, encodeTableTail, DISK_SIGNATURE_OFFSET, MBR_SIZE, decodeMbrSector } from './sector.js';
import { checkNoOverlap, type EncodeOptions, type ReadAt, type SectorWrite } from './msdos.js';
import { crc32, decodeGptHeader, encodeGptHeader, hex32, type GptHeader } from './gpt-header.js';
import { decodeGptEntry, encodeGptEntry, encodeGptName, GPT_ENTRY_SIZE } from './gpt-entry.js';
import { gptTypeGuid } from './gpt-types.js';
import { normalizeGuid } from './guid.js';

/** The protective MBR's single entry type (UEFI spec §5.2.3). */
export const PROTECTIVE_TYPE = 0xee;
export const DEFAULT_ENTRY_COUNT = 128;
const PRIMARY_HEADER_LBA = 1;
const PRIMARY_ENTRIES_LBA = 2;

export interface GptPartition {
  /** Entry index + 1 (1..entryCount). */
  readonly number: number;
  /** First sector (LBA). */
  readonly start: number;
  /** Length in sectors. */
  readonly sectors: number;
  /** Type GUID, or an sgdisk short code such as 8300 or EF00 (decoding always gives the GUID). */
  readonly type: string;
  /** Unique partition GUID. */
  readonly guid: string;
  /** Up to 36 UTF-16 code units. */
  readonly name: string;
  /** The 64 attribute bits; bit 2 (4n) is "legacy BIOS bootable". */
  readonly attributes: bigint;
}

export interface GptTable {
  readonly scheme: 'gpt';
  readonly sectorSize: number;
  readonly diskGuid: string;
  /** Entries in the array; 128 unless you need more. */
  readonly entryCount: number;
  readonly partitions: readonly GptPartition[];
}

/** Where things sit for a table with `entryCount` entries on a disk of `diskSectors`. */
export interface GptGeometry {
  readonly entrySectors: number;
  readonly firstUsableLba: number;
  readonly lastUsableLba: number;
  readonly backupEntriesLba: number;
  readonly backupHeaderLba: number;
}

export function gptGeometry(sectorSize: number, diskSectors: number, entryCount = DEFAULT_ENTRY_COUNT): GptGeometry {
  const entrySectors = Math.ceil((entryCount * GPT_ENTRY_SIZE) / sectorSize);
  const backupHeaderLba = diskSectors - 1;
  const backupEntriesLba = backupHeaderLba - entrySectors;
  return { entrySectors, firstUsableLba: PRIMARY_ENTRIES_LBA + entrySectors, lastUsableLba: backupEntriesLba - 1, backupEntriesLba, backupHeaderLba };
}

export function validateGptTable(table: GptTable, diskSectors: number, options: EncodeOptions = {}): GptGeometry {
  if (table.sectorSize !== 512 && table.sectorSize !== 4096) throw inputError(`sector size ${table.sectorSize} is not supported`, 'use 512 or 4096');
  // The UEFI spec (§5.3.2) reserves at least 16 KiB for the array, i.e. 128 entries.
  if (!Number.isInteger(table.entryCount) || table.entryCount < DEFAULT_ENTRY_COUNT || table.entryCount > 16384) {
    throw inputError(`GPT: entry count ${table.entryCount} is invalid`, 'use 128 (the minimum the UEFI spec allows) up to 16384');
  }
  normalizeGuid(table.diskGuid, 'GPT disk GUID');
  const geo = gptGeometry(table.sectorSize, diskSectors, table.entryCount);
  if (geo.lastUsableLba < geo.firstUsableLba) throw inputError(`GPT: a disk of ${diskSectors} sectors is too small for a GPT`);
  const numbers = new Set<number>();
  for (const p of table.partitions) {
    const what = `GPT partition ${p.number}`;
    if (!Number.isInteger(p.number) || p.number < 1 || p.number > table.entryCount) throw inputError(`${what}: number must be 1..${table.entryCount}`);
    if (numbers.has(p.number)) throw inputError(`${what}: number used twice`);
    numbers.add(p.number);
    gptTypeGuid(p.type, `${what} type`);
    normalizeGuid(p.guid, `${what} GUID`);
    encodeGptName(p.name, `${what} name`);
    if (!Number.isInteger(p.sectors) || p.sectors < 1) throw inputError(`${what}: size ${p.sectors} sectors must be >= 1`);
    if (!Number.isInteger(p.start) || p.start < geo.firstUsableLba) throw inputError(`${what}: starts at sector ${p.start}, before the first usable sector ${geo.firstUsableLba}`);
    const last = p.start + p.sectors - 1;
    if (last > geo.lastUsableLba) {
      throw inputError(`${what}: ends at sector ${last}, past the last usable sector ${geo.lastUsableLba} of a ${diskSectors}-sector disk`, 'make it smaller or the disk bigger');
    }
    if (options.alignSectors && p.start % options.alignSectors !== 0) throw inputError(`${what}: start sector ${p.start} is not aligned to ${options.alignSectors} sectors`);
  }
  checkNoOverlap(table.partitions.map((p) => ({ what: `GPT partition ${p.number}`, first: p.start, end: p.start + p.sectors })));
  return geo;
}

/** The entry array bytes (entryCount × 128). */
export function encodeGptEntries(table: GptTable): Uint8Array {
  const out = new Uint8Array(table.entryCount * GPT_ENTRY_SIZE);
  for (const p of table.partitions) {
    out.set(
      encodeGptEntry({
        typeGuid: gptTypeGuid(p.type),
        uniqueGuid: p.guid,
        firstLba: p.start,
        lastLba: p.start + p.sectors - 1,
        attributes: p.attributes,
        name: p.name,
      }),
      (p.number - 1) * GPT_ENTRY_SIZE,
    );
  }
  return out;
}

/** Bytes 440..511 of LBA 0: one 0xEE entry covering the disk from LBA 1 (clamped to 32 bits). */
function protectiveMbr(diskSectors: number) {
  const sectorCount = Math.min(diskSectors - 1, 0xffffffff);
  return { diskSignature: 0, entries: [{ bootable: false, type: PROTECTIVE_TYPE, lbaStart: 1, sectorCount }, EMPTY_ENTRY, EMPTY_ENTRY, EMPTY_ENTRY] };
}

/** Every write that lays `table` on a disk of `diskSectors`: protective MBR, both headers, both arrays. */
export function encodeGptTable(table: GptTable, diskSectors: number, options: EncodeOptions = {}): SectorWrite[] {
  const geo = validateGptTable(table, diskSectors, options);
  const ss = table.sectorSize;
  const entries = encodeGptEntries(table);
  const arrayBytes = new Uint8Array(geo.entrySectors * ss);
  arrayBytes.set(entries);
  const common = {
    firstUsableLba: geo.firstUsableLba,
    lastUsableLba: geo.lastUsableLba,
    diskGuid: normalizeGuid(table.diskGuid),
    entryCount: table.entryCount,
    entrySize: GPT_ENTRY_SIZE,
    entriesCrc: crc32(entries),
  };
  const primary: GptHeader = { ...common, myLba: PRIMARY_HEADER_LBA, alternateLba: geo.backupHeaderLba, entriesLba: PRIMARY_ENTRIES_LBA };
  const backup: GptHeader = { ...common, myLba: geo.backupHeaderLba, alternateLba: PRIMARY_HEADER_LBA, entriesLba: geo.backupEntriesLba };
  const pmbr = protectiveMbr(diskSectors);
  return [
    options.bootCode ? { offset: 0, bytes: encodeMbrSector(pmbr, options.bootCode) } : { offset: DISK_SIGNATURE_OFFSET, bytes: encodeTableTail(pmbr) },
    { offset: PRIMARY_HEADER_LBA * ss, bytes: encodeGptHeader(primary, ss) },
    { offset: PRIMARY_ENTRIES_LBA * ss, bytes: arrayBytes },
    { offset: geo.backupEntriesLba * ss, bytes: arrayBytes },
    { offset: geo.backupHeaderLba * ss, bytes: encodeGptHeader(backup, ss) },
  ];
}

export interface GptCopyStatus {
  readonly ok: boolean;
  /** What is wrong with this copy (header or array), empty when ok. */
  readonly problems: readonly string[];
}

export interface GptReadResult {
  readonly table: GptTable;
  readonly primary: GptCopyStatus;
  readonly backup: GptCopyStatus;
  /** Other findings: protective MBR missing, copies disagreeing. */
  readonly warnings: readonly string[];
}

interface CopyRead {
  status: GptCopyStatus;
  header?: GptHeader;
  entries?: Uint8Array;
}

function readCopy(read: ReadAt, lba: number, expectedMyLba: number, ss: number, diskSectors: number, label: string): CopyRead {
  if (lba < 1 || lba >= diskSectors) return { status: { ok: false, problems: [`${label} header LBA ${lba} is outside the disk`] } };
  const check = decodeGptHeader(read(lba * ss, ss));
  if (!check.ok) return { status: { ok: false, problems: [`${label} header at LBA ${lba}: ${check.problem}`] } };
  const h = check.header;
  const problems: string[] = [];
  if (h.myLba !== expectedMyLba) problems.push(`${label} header says it is at LBA ${h.myLba}, found at ${expectedMyLba}`);
  const arrayLength = h.entryCount * h.entrySize;
  if (h.entriesLba < 1 || h.entriesLba * ss + arrayLength > diskSectors * ss || arrayLength > 64 * 1024 * 1024) {
    problems.push(`${label} entry array (LBA ${h.entriesLba}, ${h.entryCount} entries) is outside the disk`);
    return { status: { ok: false, problems }, header: h };
  }
  const entries = read(h.entriesLba * ss, arrayLength);
  const crc = crc32(entries);
  if (crc !== h.entriesCrc) problems.push(`${label} entry array CRC32 is 0x${hex32(h.entriesCrc)}, computed 0x${hex32(crc)}`);
  return { status: { ok: problems.length === 0, problems }, header: h, entries };
}

/** True when LBA 1 (for this sector size) holds a GPT signature. */
export function looksLikeGpt(read: ReadAt, sectorSize: number, diskSize: number): boolean {
  if (diskSize < sectorSize * 2) return false;
  return Buffer.from(read(sectorSize, 8)).toString('latin1') === 'EFI PART';
}

/**
 * Reads both copies, verifies signatures, LBAs and CRCs, and describes the table from the primary
 * copy if it is sound, else from the backup. Throws only when neither copy can be read.
 */
export function decodeGptTable(read: ReadAt, diskSectors: number, sectorSize = 512, where = 'disk'): GptReadResult {
  const warnings: string[] = [];
  const pmbrBytes = read(0, MBR_SIZE);
  try {
    const pmbr = decodeMbrSector(pmbrBytes, 0, `${where}: protective MBR`);
    if (!pmbr.entries.some((e) => e.type === PROTECTIVE_TYPE)) warnings.push('LBA 0 has no protective 0xEE entry (a hybrid MBR or none)');
  } catch {
    warnings.push('LBA 0 has no valid protective MBR');
  }
  const primary = readCopy(read, PRIMARY_HEADER_LBA, PRIMARY_HEADER_LBA, sectorSize, diskSectors, 'primary');
  const backupLba = primary.header ? primary.header.alternateLba : diskSectors - 1;
  let backup = readCopy(read, backupLba, backupLba, sectorSize, diskSectors, 'backup');
  if (!backup.status.ok && backupLba !== diskSectors - 1) backup = readCopy(read, diskSectors - 1, diskSectors - 1, sectorSize, diskSectors, 'backup');
  if (primary.header && primary.header.alternateLba !== diskSectors - 1) {
    warnings.push(`the backup header is at LBA ${primary.header.alternateLba}, not at the last LBA ${diskSectors - 1} (was the image resized?)`);
  }
  const source = primary.status.ok ? primary : backup.status.ok ? backup : undefined;
  if (!source || !source.header || !source.entries) {
    throw inputError(`${where}: both GPT copies are damaged: ${[...primary.status.problems, ...backup.status.problems].join('; ')}`, 'repair it with sgdisk or gdisk');
  }
  if (primary.status.ok && backup.status.ok && primary.header!.entriesCrc !== backup.header!.entriesCrc) warnings.push('the primary and backup entry arrays differ');
  const h = source.header;
  const partitions: GptPartition[] = [];
  for (let i = 0; i < h.entryCount; i++) {
    const e = decodeGptEntry(source.entries, i * h.entrySize);
    if (!e) continue;
    partitions.push({ number: i + 1, start: e.firstLba, sectors: e.lastLba - e.firstLba + 1, type: e.typeGuid, guid: e.uniqueGuid, name: e.name, attributes: e.attributes });
  }
  return {
    table: { scheme: 'gpt', sectorSize, diskGuid: h.diskGuid, entryCount: h.entryCount, partitions },
    primary: primary.status,
    backup: backup.status,
    warnings,
  };
}
