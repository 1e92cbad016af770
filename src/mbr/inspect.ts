/**
 * What `tsdib inspect` reports about a disk's partition table, computed from any ReadableDisk (a raw
 * file today; a qcow2/VHD/VMDK/VDI decoder's view once the formats issue plugs one in).
 */
import type { ReadableDisk } from '../disk/index.js';
import { ATTR_LEGACY_BIOS_BOOTABLE, ATTR_NO_BLOCK_IO, ATTR_REQUIRED } from './gpt-entry.js';
import { gptTypeInfo } from './gpt-types.js';
import { isExtended } from './msdos.js';
import { readTable } from './table.js';

export interface InspectedPartition {
  readonly number: number;
  /** First and last sector (inclusive), as fdisk and partx print them. */
  readonly start: number;
  readonly end: number;
  readonly sectors: number;
  /** Bytes. */
  readonly size: number;
  /** MBR: "0x83"; GPT: the type GUID. */
  readonly type: string;
  /** GPT: sgdisk's short code and name when known; MBR: "extended" for the container. */
  readonly typeName: string | undefined;
  /** MBR: "boot"; GPT: "required", "no-block-io", "legacy-bios-bootable", "bit N". */
  readonly flags: readonly string[];
  /** GPT partition name ("" on MBR). */
  readonly name: string;
  /** GPT unique partition GUID. */
  readonly guid?: string;
  /** MBR: primary, extended or logical. */
  readonly kind?: 'primary' | 'extended' | 'logical';
}

export interface InspectReport {
  readonly size: number;
  readonly scheme: 'mbr' | 'gpt' | 'none';
  readonly sectorSize: number;
  /** MBR: "0x1234abcd"; GPT: the disk GUID. */
  readonly diskId: string | undefined;
  readonly partitions: readonly InspectedPartition[];
  /** GPT: the state of both copies. */
  readonly gpt?: { readonly primary: { ok: boolean; problems: readonly string[] }; readonly backup: { ok: boolean; problems: readonly string[] } };
  readonly warnings: readonly string[];
}

function gptFlags(attributes: bigint): string[] {
  const named: [bigint, string][] = [
    [ATTR_REQUIRED, 'required'],
    [ATTR_NO_BLOCK_IO, 'no-block-io'],
    [ATTR_LEGACY_BIOS_BOOTABLE, 'legacy-bios-bootable'],
  ];
  const out = named.filter(([bit]) => (attributes & bit) !== 0n).map(([, name]) => name);
  for (let bit = 3n; bit < 64n; bit++) if ((attributes >> bit) & 1n) out.push(`bit ${bit}`);
  return out;
}

export function inspectTable(disk: ReadableDisk, options: { sectorSize?: number; where?: string } = {}): InspectReport {
  const r = readTable(disk, options);
  const t = r.table;
  if (!t) return { size: disk.size, scheme: 'none', sectorSize: options.sectorSize ?? 512, diskId: undefined, partitions: [], warnings: r.warnings };
  const ss = t.sectorSize;
  const common = (number: number, start: number, sectors: number) => ({ number, start, end: start + sectors - 1, sectors, size: sectors * ss });
  if (t.scheme === 'mbr') {
    return {
      size: disk.size,
      scheme: 'mbr',
      sectorSize: ss,
      diskId: `0x${t.diskId.toString(16).padStart(8, '0')}`,
      partitions: t.partitions.map((p) => ({
        ...common(p.number, p.start, p.sectors),
        type: `0x${p.type.toString(16).padStart(2, '0')}`,
        typeName: isExtended(p) ? 'extended' : undefined,
        flags: p.bootable ? ['boot'] : [],
        name: '',
        kind: isExtended(p) ? ('extended' as const) : p.number > 4 ? ('logical' as const) : ('primary' as const),
      })),
      warnings: r.warnings,
    };
  }
  return {
    size: disk.size,
    scheme: 'gpt',
    sectorSize: ss,
    diskId: t.diskGuid,
    partitions: t.partitions.map((p) => {
      const info = gptTypeInfo(p.type);
      return {
        ...common(p.number, p.start, p.sectors),
        type: p.type,
        typeName: info ? `${info.code} ${info.name}` : undefined,
        flags: gptFlags(p.attributes),
        name: p.name,
        guid: p.guid,
      };
    }),
    gpt: { primary: r.primary!, backup: r.backup! },
    warnings: r.warnings,
  };
}
