/**
 * The planner: partition requests (name, size or N% of what remains, type, flags) on a disk of a
 * given size → a PartitionTable, placed exactly where DIB places them (reference/dib.md §6.3):
 *
 * MBR (DIB's level1/mbr.py): the first partition starts one alignment unit in; each partition
 * starts at the next aligned sector and the next one starts after its end rounded up to the
 * alignment. "N%" is N% of `disk − (next free + one unit)`. Partitions flagged `primary` go in the
 * MBR and must come first; the others are logical (5, 6, ...): the first logical opens an extended
 * partition (type 0x0F) from the next free sector to the end of the disk, and each logical has its
 * EBR one alignment unit before its data.
 *
 * GPT (DIB's `sgdisk -n N:0:+<MiB>M` call): usable space is `disk − 2 MiB`; each size (absolute,
 * or N% of the usable space left) is taken from it and floored to whole MiB; partitions follow each
 * other from the first aligned sector, as sgdisk places them.
 */
import { inputError } from '../errors.js';
import { deriveUint32, deriveUuid } from '../seed.js';
import { parseSizeSpec, type SizeSpec } from '../size.js';
import { gptGeometry, DEFAULT_ENTRY_COUNT, type GptPartition, type GptTable } from './gpt.js';
import { gptTypeGuid } from './gpt-types.js';
import { EXTENDED_LBA, FIRST_LOGICAL, type MbrPartition, type MbrTable } from './msdos.js';
import type { PartitionTable } from './table.js';

const MiB = 1024 * 1024;
export const DEFAULT_ALIGN = MiB;
export const DEFAULT_MBR_TYPE = 0x83;
export const DEFAULT_GPT_TYPE = '8300';

export type PartitionFlag = 'boot' | 'primary';

export interface PartitionRequest {
  readonly name: string;
  /** Bytes, a DIB size string ("512MiB", "1G"), "N%" of the space remaining, or a parsed SizeSpec. */
  readonly size: number | string | SizeSpec;
  /** MBR: a type byte or a hex string ("83", "0x0c"); GPT: an sgdisk code ("EF00") or a GUID. */
  readonly type?: number | string;
  /** `boot`: MBR active flag (ignored on GPT, as DIB does); `primary`: MBR primary partition. */
  readonly flags?: readonly string[];
}

export interface TableRequest {
  readonly label: 'mbr' | 'gpt';
  /** Disk size in bytes. */
  readonly diskSize: number;
  /** 512 (default) or 4096. */
  readonly sectorSize?: number;
  /** Partition alignment in bytes; 1 MiB by default. */
  readonly align?: number;
  readonly partitions: readonly PartitionRequest[];
  /** Seed for the disk id / GUIDs (src/seed.ts); the same seed gives the same bytes. */
  readonly seed?: string;
  /** Overrides the derived MBR disk signature. */
  readonly diskId?: number;
  /** Overrides the derived GPT disk GUID. */
  readonly diskGuid?: string;
}

export interface PlannedPartition {
  readonly name: string;
  /** The partition number the OS will use (p1, p5, ...). */
  readonly number: number;
  /** Byte offset on the disk. */
  readonly offset: number;
  /** Length in bytes. */
  readonly size: number;
}

export interface TablePlan<T extends PartitionTable = PartitionTable> {
  readonly table: T;
  /** Requested partitions in request order (the MBR extended container is not one of them). */
  readonly partitions: readonly PlannedPartition[];
}

export function planTable(req: TableRequest & { readonly label: 'mbr' }): TablePlan<MbrTable>;
export function planTable(req: TableRequest & { readonly label: 'gpt' }): TablePlan<GptTable>;
export function planTable(req: TableRequest): TablePlan;
export function planTable(req: TableRequest): TablePlan {
  const ss = req.sectorSize ?? 512;
  if (ss !== 512 && ss !== 4096) throw inputError(`block_size ${ss} is not supported`, 'use 512 or 4096');
  const align = req.align ?? DEFAULT_ALIGN;
  if (!Number.isInteger(align) || align < ss || align % ss !== 0) {
    throw inputError(`align: ${align} bytes is not a whole number of ${ss}-byte sectors`, 'use e.g. 1MiB');
  }
  if (req.diskSize % ss !== 0) throw inputError(`disk size ${req.diskSize} is not a multiple of the ${ss}-byte sector size`);
  const names = new Set<string>();
  for (const p of req.partitions) {
    if (names.has(p.name)) throw inputError(`partition "${p.name}" is named twice`);
    names.add(p.name);
  }
  return req.label === 'mbr' ? planMbr(req, ss, align / ss) : planGpt(req, ss, align / ss);
}

function sizeOf(p: PartitionRequest): SizeSpec {
  return typeof p.size === 'object' ? p.size : parseSizeSpec(p.size, `partition "${p.name}" size`);
}

function bytesFor(spec: SizeSpec, remaining: number): number {
  // DIB: int(remaining * percent / 100)
  return spec.kind === 'percent' ? Math.floor((Math.max(remaining, 0) * spec.percent) / 100) : spec.bytes;
}

function alignUp(lba: number, unit: number): number {
  return Math.ceil(lba / unit) * unit;
}

function tooSmall(needBytes: number, haveBytes: number): Error {
  const need = Math.ceil(needBytes / MiB);
  const have = Math.floor(haveBytes / MiB);
  return inputError(`disk too small for the partition layout: need ${need} MiB, have ${have} MiB`, 'raise --image-size (or the local_loop size)');
}

/** The MBR type byte of a request: DIB reads the YAML string as hex (int(x, 16)). */
export function mbrTypeByte(type: number | string | undefined, what: string): number {
  if (type === undefined) return DEFAULT_MBR_TYPE;
  const value = typeof type === 'number' ? type : /^(0x)?[0-9a-f]{1,2}$/i.test(type.trim()) ? parseInt(type.trim().replace(/^0x/i, ''), 16) : NaN;
  if (!Number.isInteger(value) || value < 1 || value > 0xff) throw inputError(`${what}: MBR type "${type}" is not a byte in hex`, "write it like '83', '0x0c' or 'ef' (quoted in YAML)");
  return value;
}

function planMbr(req: TableRequest, ss: number, unit: number): TablePlan<MbrTable> {
  const diskSectors = req.diskSize / ss;
  const table: MbrPartition[] = [];
  const planned: PlannedPartition[] = [];
  let nextFree = unit;
  let slot = 0; // MBR slots used so far
  let extended: { number: number; start: number } | undefined;
  let logicalNumber = FIRST_LOGICAL;
  let needSectors = unit;
  for (const p of req.partitions) {
    const what = `partition "${p.name}"`;
    const flags = checkFlags(p, ['boot', 'primary'], what);
    const primary = flags.has('primary');
    const free = req.diskSize - (nextFree + unit) * ss;
    const bytes = bytesFor(sizeOf(p), free);
    const sectors = Math.floor(bytes / ss);
    const type = mbrTypeByte(p.type, what);
    if (primary) {
      if (extended) throw inputError(`${what}: a primary partition cannot follow a logical one`, "DIB's rule: all primary partitions must be given first");
      if (slot >= 4) throw inputError(`${what}: more than 4 primary partitions`, 'an MBR has 4 slots: drop the primary flag to make it logical');
    } else if (!extended) {
      if (slot >= 4) throw inputError(`${what}: no MBR slot left for the extended partition after 4 primaries`, 'make at most 3 partitions primary');
      extended = { number: slot + 1, start: nextFree };
      slot = 4;
    }
    const ebr = primary ? undefined : nextFree;
    const start = alignUp(primary ? nextFree : nextFree + 1, unit);
    if (sectors < 1) {
      needSectors = Math.max(needSectors, start + unit);
      if (free <= 0) throw tooSmall(needSectors * ss, req.diskSize);
      throw inputError(`${what}: size ${bytes} bytes is less than one sector`);
    }
    const number = primary ? ++slot : logicalNumber++;
    table.push({ number, start, sectors, type, bootable: flags.has('boot'), ...(ebr !== undefined ? { ebr } : {}) });
    planned.push({ name: p.name, number, offset: start * ss, size: sectors * ss });
    nextFree = alignUp(start + sectors, unit);
    needSectors = Math.max(needSectors, start + sectors);
  }
  if (needSectors > diskSectors) throw tooSmall(needSectors * ss, req.diskSize);
  if (extended) table.push({ number: extended.number, start: extended.start, sectors: diskSectors - extended.start, type: EXTENDED_LBA, bootable: false });
  table.sort((a, b) => a.number - b.number);
  const diskId = req.diskId ?? deriveUint32(req.seed ?? '', 'mbr/disk-id');
  return { table: { scheme: 'mbr', sectorSize: ss, diskId, partitions: table }, partitions: planned };
}

function planGpt(req: TableRequest, ss: number, unit: number): TablePlan<GptTable> {
  const diskSectors = req.diskSize / ss;
  const geo = gptGeometry(ss, diskSectors, DEFAULT_ENTRY_COUNT);
  const seed = req.seed ?? '';
  let usable = req.diskSize - 2 * MiB;
  let next = alignUp(geo.firstUsableLba, unit);
  let needSectors = next;
  const table: GptPartition[] = [];
  const planned: PlannedPartition[] = [];
  req.partitions.forEach((p, i) => {
    const what = `partition "${p.name}"`;
    const flags = checkFlags(p, ['boot', 'primary'], what);
    if (flags.has('primary')) throw inputError(`${what}: Primary flag not supported for GPT partitions`, "remove 'primary' from its flags");
    const bytes = bytesFor(sizeOf(p), usable);
    usable -= bytes;
    const mib = Math.floor(bytes / MiB);
    const start = alignUp(next, unit);
    if (mib < 1) {
      if (usable < 0 || bytes === 0) throw tooSmall((start + Math.max(unit, MiB / ss)) * ss + 2 * MiB, req.diskSize);
      throw inputError(`${what}: size ${bytes} bytes is less than 1 MiB`, 'GPT partitions are sized in whole MiB, as DIB sizes them for sgdisk');
    }
    const sectors = (mib * MiB) / ss;
    const number = i + 1;
    table.push({
      number,
      start,
      sectors,
      type: gptTypeGuid(p.type === undefined ? DEFAULT_GPT_TYPE : String(p.type), `${what} type`),
      guid: deriveUuid(seed, `gpt/partition/${number}`).toUpperCase(),
      name: p.name,
      attributes: 0n,
    });
    planned.push({ name: p.name, number, offset: start * ss, size: sectors * ss });
    next = start + sectors;
    needSectors = next;
  });
  if (usable < 0 || needSectors - 1 > geo.lastUsableLba) throw tooSmall(Math.max(needSectors * ss + 2 * MiB, req.diskSize - usable), req.diskSize);
  const diskGuid = (req.diskGuid ?? deriveUuid(seed, 'gpt/disk')).toUpperCase();
  return { table: { scheme: 'gpt', sectorSize: ss, diskGuid, entryCount: DEFAULT_ENTRY_COUNT, partitions: table }, partitions: planned };
}

function checkFlags(p: PartitionRequest, known: readonly string[], what: string): Set<string> {
  const flags = new Set<string>();
  for (const f of p.flags ?? []) {
    if (!known.includes(f)) throw inputError(`${what}: Unknown flag: ${f}`, `use ${known.join(' or ')}`);
    flags.add(f);
  }
  return flags;
}
