/**
 * Patching ldlinux.sys once its sectors on the disk are known (what `extlinux --install` does;
 * bootloader.md §2.2, syslinux's syslxint.h for the structures). The patch area (found by
 * LDLINUX_MAGIC) gives the sector counts, the checksum and the offset of the extended patch area
 * (EPA), whose u16 fields point at: the ADV sector pointers, the install directory, the sector
 * extent list, and the two boot-sector offsets where the first sector's LBA goes.
 */
import { inputError } from '../errors.js';
import { findPatchArea, LDLINUX_MAGIC } from './extlinux-payload.js';

const SECTOR = 512;
// Patch area (struct patch_area), offsets from its start.
const PA_DATA_SECTORS = 0x08;
const PA_ADV_SECTORS = 0x0a;
const PA_DWORDS = 0x0c;
const PA_CHECKSUM = 0x10;
const PA_EPA_OFFSET = 0x16;
// Extended patch area (struct ext_patch_area): ten u16 fields in this order.
const EPA_FIELDS = ['advptroffset', 'diroffset', 'dirlen', 'subvoloffset', 'subvollen', 'secptroffset', 'secptrcnt', 'sect1ptr0', 'sect1ptr1', 'raidpatch'] as const;
export type Epa = Record<(typeof EPA_FIELDS)[number], number>;
/** struct syslinux_extent: {u64 lba; u16 len}. */
const EXTENT_SIZE = 10;
/** ldlinux.sys's sector 1 loads at 0x8000 + ...: extents may not cross a 64 KiB boundary nor reach 64 KiB. */
const FIRST_LOAD_ADDRESS = 0x8000;
const MAX_EXTENT_BYTES = 65536;
export const ADV_SECTORS = 2;

export function readEpa(sys: Uint8Array): Epa {
  const pa = findPatchArea(sys);
  if (pa < 0) throw inputError('ldlinux.sys has no patch area (LDLINUX_MAGIC)');
  const v = new DataView(sys.buffer, sys.byteOffset, sys.byteLength);
  const epa = v.getUint16(pa + PA_EPA_OFFSET, true);
  if (epa + EPA_FIELDS.length * 2 > sys.length) throw inputError('ldlinux.sys: the extended patch area lies past its end');
  const out = {} as Epa;
  EPA_FIELDS.forEach((name, i) => (out[name] = v.getUint16(epa + i * 2, true)));
  return out;
}

export interface SyslinuxExtent {
  readonly lba: number;
  readonly length: number;
}

/**
 * Runs of consecutive LBAs for sectors loaded from FIRST_LOAD_ADDRESS on, 512 bytes apiece; a run
 * stays below 64 KiB (one BIOS transfer). Checked against syslinux's own installer.
 */
export function sectorExtents(sectors: readonly number[]): SyslinuxExtent[] {
  const out: SyslinuxExtent[] = [];
  let addr = FIRST_LOAD_ADDRESS;
  let base = addr;
  let lba = 0;
  let len = 0;
  for (const sect of sectors) {
    const bytes = (len + 1) * SECTOR;
    // The check SYSLINUX's installer makes: the sector's load address and the extent's new last byte
    // lie in the same 64 KiB page (sectors are 512-aligned, so in practice only the length limit bites).
    const extend = len > 0 && sect === lba + len && bytes < MAX_EXTENT_BYTES && Math.floor(addr / MAX_EXTENT_BYTES) === Math.floor((base + bytes - 1) / MAX_EXTENT_BYTES);
    if (extend) {
      len++;
    } else {
      if (len > 0) out.push({ lba, length: len });
      base = addr;
      lba = sect;
      len = 1;
    }
    addr += SECTOR;
  }
  if (len > 0) out.push({ lba, length: len });
  return out;
}

export interface PatchedLdlinux {
  /** ldlinux.sys (code part, without the ADV), patched. */
  readonly sys: Uint8Array;
  /** The filesystem-relative LBA of its sector 0, for the boot sector. */
  readonly sector0: number;
  readonly epa: Epa;
}

/**
 * Patches a copy of ldlinux.sys (without ADV) for a file whose 512-byte sectors (code sectors then
 * the 2 ADV sectors, filesystem-relative LBAs) are `sectors`, installed in `installDir`.
 */
export function patchLdlinux(sysImage: Uint8Array, sectors: readonly number[], installDir: string): PatchedLdlinux {
  if (sysImage.length % SECTOR !== 0) throw inputError('ldlinux.sys is not a whole number of sectors');
  const dataSectors = sysImage.length / SECTOR;
  if (sectors.length !== dataSectors + ADV_SECTORS) throw inputError(`ldlinux.sys: ${sectors.length} sectors given, ${dataSectors + ADV_SECTORS} expected`);
  const sys = Uint8Array.from(sysImage);
  const v = new DataView(sys.buffer);
  const pa = findPatchArea(sys);
  const epa = readEpa(sys);
  v.setUint16(pa + PA_DATA_SECTORS, dataSectors, true);
  v.setUint16(pa + PA_ADV_SECTORS, ADV_SECTORS, true);
  v.setUint32(pa + PA_DWORDS, sys.length / 4, true);

  // ADV pointers: the file's last two sectors.
  v.setBigUint64(epa.advptroffset, BigInt(sectors[dataSectors]!), true);
  v.setBigUint64(epa.advptroffset + 8, BigInt(sectors[dataSectors + 1]!), true);

  // Install directory, NUL-terminated.
  const dir = new TextEncoder().encode(installDir);
  if (dir.length + 1 > epa.dirlen) throw inputError(`EXTLINUX install directory ${installDir} is longer than ${epa.dirlen - 1} bytes`);
  sys.fill(0, epa.diroffset, epa.diroffset + epa.dirlen);
  sys.set(dir, epa.diroffset);

  // Sectors 1 .. dataSectors-1 as extents (sector 0's LBA goes into the boot sector).
  const extents = sectorExtents(sectors.slice(1, dataSectors));
  if (extents.length > epa.secptrcnt) throw inputError(`ldlinux.sys is in ${extents.length} pieces; SYSLINUX can follow ${epa.secptrcnt}`, 'write it contiguously');
  sys.fill(0, epa.secptroffset, epa.secptroffset + epa.secptrcnt * EXTENT_SIZE);
  extents.forEach((e, i) => {
    v.setBigUint64(epa.secptroffset + i * EXTENT_SIZE, BigInt(e.lba), true);
    v.setUint16(epa.secptroffset + i * EXTENT_SIZE + 8, e.length, true);
  });

  // Checksum last: all dwords (ADV excluded) sum to LDLINUX_MAGIC.
  v.setUint32(pa + PA_CHECKSUM, 0, true);
  let sum = 0;
  for (let i = 0; i < sys.length; i += 4) sum = (sum + v.getUint32(i, true)) >>> 0;
  v.setUint32(pa + PA_CHECKSUM, (LDLINUX_MAGIC - sum) >>> 0, true);
  return { sys, sector0: sectors[0]!, epa };
}
