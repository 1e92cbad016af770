/**
 * EXTLINUX (SYSLINUX 6) on ext2/3/4, installed without extlinux (bootloader.md §2, §5.3):
 *  - prepare: ldlinux.sys (+ an empty ADV), ldlinux.c32 and extlinux.conf go into the tree, written
 *    without holes (SYSLINUX reads a hole as block 0);
 *  - install, after ext4 is written: the file's sectors come from the writer's block map; ldlinux.sys
 *    is patched (sector extents, ADV pointers, install dir, checksum) and rewritten in place; the VBR
 *    goes to the partition's first sector; mbr.bin (MBR, partition made active) or gptmbr.bin (GPT,
 *    attribute bit 2 "legacy BIOS bootable") goes to LBA 0 around the table.
 * Payloads come from the rootfs's /usr/bin/extlinux and /usr/lib/syslinux/mbr (host fallback).
 */
import { failure, inputError } from '../errors.js';
import type { Disk } from '../disk/index.js';
import type { Extent } from '../fs/ext4/index.js';
import { readTable, writeTable, ATTR_LEGACY_BIOS_BOOTABLE, type PartitionTable } from '../mbr/index.js';
import type { FileTree } from '../tree/index.js';
import { bytesBody } from '../tree/index.js';
import { extlinuxConfig } from './extlinux-config.js';
import { extractSyslinuxPayloads, type SyslinuxPayloads } from './extlinux-payload.js';
import { extlinuxVbr } from './extlinux-vbr.js';
import { ADV_SECTORS, patchLdlinux } from './ldlinux-patch.js';
import { findPayload, readPayload, type PayloadSource } from './payload.js';
import { emptyAdv } from './syslinux-adv.js';

export const EXTLINUX_PACKAGE = 'extlinux';
export const EXTLINUX_BINARY = '/usr/bin/extlinux';
const MBR_DIRS = ['/usr/lib/syslinux/mbr', '/usr/lib/EXTLINUX'];
const MBR_PACKAGE = 'syslinux-common';
const SECTOR = 512;
/** Bytes 0..439 of LBA 0 are boot code; the disk signature and table follow. */
const MBR_CODE_SIZE = 440;

export interface ExtlinuxTarget {
  readonly scheme: 'mbr' | 'gpt';
  /** Tree path of the install directory ("/boot/syslinux"). */
  readonly installDirInTree: string;
  /** The same directory seen from the filesystem holding it ("/boot/syslinux", or "/syslinux" on a separate /boot). */
  readonly installDirOnFs: string;
  readonly partition: { readonly number: number; readonly offset: number; readonly size: number };
  readonly kernelOnFs: string;
  readonly initrdOnFs?: string;
  readonly cmdline: string;
  readonly timeout: number;
}

export interface ExtlinuxPlan {
  readonly target: ExtlinuxTarget;
  readonly installDirOnFs: string;
  readonly files: readonly string[];
  readonly payloads: SyslinuxPayloads;
  /** mbr.bin or gptmbr.bin (440 bytes). */
  readonly mbrCode: Uint8Array;
}

export function hasExtlinux(src: PayloadSource): boolean {
  return findPayload(src, EXTLINUX_BINARY) !== undefined;
}

function findMbrCode(src: PayloadSource, scheme: 'mbr' | 'gpt'): Uint8Array {
  const name = scheme === 'mbr' ? 'mbr.bin' : 'gptmbr.bin';
  for (const dir of MBR_DIRS) {
    const p = findPayload(src, `${dir}/${name}`);
    if (!p) continue;
    const bytes = readPayload(p);
    if (bytes.length > MBR_CODE_SIZE) throw inputError(`${p.path} is ${bytes.length} bytes; MBR boot code has at most ${MBR_CODE_SIZE}`);
    return bytes;
  }
  throw inputError(`SYSLINUX ${name} is missing from the rootfs${src.hostFallback === false ? '' : ' and the host'} (${MBR_DIRS.join(', ')})`, `install ${MBR_PACKAGE} in the rootfs`);
}

export function prepareExtlinux(src: PayloadSource, tree: FileTree, t: ExtlinuxTarget): ExtlinuxPlan {
  if (t.scheme === 'mbr' && t.partition.number > 4) {
    throw inputError(`EXTLINUX: /boot is on logical partition ${t.partition.number}`, "SYSLINUX's mbr.bin boots only an active primary partition: make it primary");
  }
  const bin = findPayload(src, EXTLINUX_BINARY);
  if (!bin) throw inputError(`${EXTLINUX_BINARY} is missing from the rootfs${src.hostFallback === false ? '' : ' and the host'}`, `install ${EXTLINUX_PACKAGE} in the rootfs`);
  const payloads = extractSyslinuxPayloads(readPayload(bin), bin.path);
  const mbrCode = findMbrCode(src, t.scheme);
  const dir = t.installDirInTree.replace(/\/$/, '');
  const sys = new Uint8Array(payloads.ldlinuxSys.length + ADV_SECTORS * SECTOR);
  sys.set(payloads.ldlinuxSys);
  sys.set(emptyAdv(), payloads.ldlinuxSys.length);
  tree.addFile(`${dir}/ldlinux.sys`, bytesBody(sys), { mode: 0o444 });
  tree.addFile(`${dir}/ldlinux.c32`, bytesBody(payloads.ldlinuxC32), { mode: 0o644 });
  const conf = extlinuxConfig({ kernel: t.kernelOnFs, ...(t.initrdOnFs ? { initrd: t.initrdOnFs } : {}), append: t.cmdline, timeout: t.timeout });
  tree.addFile(`${dir}/extlinux.conf`, bytesBody(new TextEncoder().encode(conf)), { mode: 0o644 });
  return { target: t, installDirOnFs: t.installDirOnFs, files: [`${dir}/ldlinux.sys`, `${dir}/ldlinux.c32`, `${dir}/extlinux.conf`], payloads, mbrCode };
}

/** 512-byte sectors (filesystem-relative) of a file from its block extents, in file order. */
export function fileSectors(extents: readonly Extent[], blockSize: number, sectors: number): number[] {
  const perBlock = blockSize / SECTOR;
  const out: number[] = [];
  for (const e of [...extents].sort((a, b) => a.logical - b.logical)) {
    if (e.logical * perBlock !== out.length) throw failure(`ldlinux.sys has a hole at block ${out.length / perBlock}`, 'it must be written without holes (noHoles)');
    for (let b = 0; b < e.length; b++) for (let s = 0; s < perBlock; s++) out.push((e.physical + b) * perBlock + s);
  }
  if (out.length < sectors) throw failure(`ldlinux.sys occupies ${out.length} sectors, ${sectors} expected`);
  return out.slice(0, sectors);
}

/** The table with the boot partition marked: MBR active flag, or GPT attribute bit 2. */
function markBootable(table: PartitionTable, number: number): PartitionTable {
  if (table.scheme === 'mbr') return { ...table, partitions: table.partitions.map((p) => ({ ...p, bootable: p.number === number })) };
  return { ...table, partitions: table.partitions.map((p) => (p.number === number ? { ...p, attributes: p.attributes | ATTR_LEGACY_BIOS_BOOTABLE } : p)) };
}

export function installExtlinux(disk: Disk, plan: ExtlinuxPlan, blockMap: (path: string) => Extent[] | undefined, blockSize: number): void {
  const t = plan.target;
  const sysPath = `${plan.installDirOnFs.replace(/\/$/, '')}/ldlinux.sys`;
  const extents = blockMap(sysPath);
  if (!extents) throw failure(`EXTLINUX: the filesystem writer has no block map for ${sysPath}`);
  const sectorCount = plan.payloads.ldlinuxSys.length / SECTOR + ADV_SECTORS;
  const sectors = fileSectors(extents, blockSize, sectorCount);
  const patched = patchLdlinux(plan.payloads.ldlinuxSys, sectors, plan.installDirOnFs);
  // Rewrite the code sectors in place (the ADV sectors are unchanged).
  for (let i = 0; i < patched.sys.length / SECTOR; i++) disk.write(t.partition.offset + sectors[i]! * SECTOR, patched.sys.subarray(i * SECTOR, (i + 1) * SECTOR));
  disk.write(t.partition.offset, extlinuxVbr(plan.payloads.bootSector, { partitionLba: t.partition.offset / SECTOR, fsSectors: Math.floor(t.partition.size / SECTOR), sector0: patched.sector0, epa: patched.epa }));

  const read = readTable(disk);
  if (!read.table) throw failure('EXTLINUX: the disk has no partition table to mark the boot partition in');
  writeTable(disk, markBootable(read.table, t.partition.number));
  disk.write(0, plan.mbrCode);
}
