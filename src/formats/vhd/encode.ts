/**
 * VHD (qemu's "vpc") encoder: fixed (the data, then the footer) and dynamic (footer copy, dynamic
 * header, BAT, 2 MiB blocks each led by a sector bitmap, footer). Timestamp and unique id are
 * parameters, so output is reproducible.
 */
import type { ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { copySparse } from '../raw.js';
import { roundUp } from '../scan.js';
import { Appender } from '../sink.js';
import type { EncodeProgress, Sink } from '../types.js';
import { nonZeroUnits } from '../units.js';
import { DEFAULT_BLOCK_SIZE, DYNAMIC_HEADER_SIZE, encodeVhdDynamicHeader } from './dynamic-header.js';
import { DISK_TYPE_DYNAMIC, DISK_TYPE_FIXED, encodeVhdFooter, FOOTER_SIZE, VHD_EPOCH_UNIX, type VhdFooter } from './footer.js';
import { chsCovering, chsFor, chsSectors, MAX_CHS_SECTORS } from './geometry.js';

export type VhdCreator = 'qemu' | 'win' | 'tap';

export interface VhdOptions {
  subformat: 'dynamic' | 'fixed';
  /** Exact virtual size in current_size (true, default) or size rounded up to the CHS geometry. */
  forceSize: boolean;
  creator: VhdCreator;
  /** Check Azure's rules (fixed, whole MiB, exact size) and refuse otherwise. */
  azure: boolean;
  /** Unix seconds for the footer timestamp (SOURCE_DATE_EPOCH). */
  epoch: number;
  /** 16 bytes of unique id (derived from the seed). */
  uniqueId: Uint8Array;
}

/** The VHD limit: 2040 GiB (VHD spec, and qemu's VHD_MAX_SECTORS). */
export const VHD_MAX_SIZE = 0xff000000 * 512;
const MIB = 1024 * 1024;
/** The data unit we check for zeros; blocks keep holes at this granularity. */
const UNIT = 64 * 1024;
/** Where qemu and Hyper-V put the BAT: after the footer copy and the dynamic header. */
const BAT_OFFSET = FOOTER_SIZE + DYNAMIC_HEADER_SIZE;

/**
 * Creator application and version as each consumer expects. qemu reads current_size (not CHS)
 * from 'qem2', 'win ' and 'tap\0' (block/vpc.c); 'qemu' means "size by geometry".
 */
function creatorFields(creator: VhdCreator, forceSize: boolean): Pick<VhdFooter, 'creatorApp' | 'creatorVersion' | 'creatorHostOs'> {
  switch (creator) {
    case 'win':
      return { creatorApp: 'win ', creatorVersion: 0x000a0000, creatorHostOs: 'Wi2k' };
    case 'tap':
      return { creatorApp: 'tap\0', creatorVersion: 0x00010003, creatorHostOs: '\0\0\0\0' };
    default:
      return { creatorApp: forceSize ? 'qem2' : 'qemu', creatorVersion: 0x00050003, creatorHostOs: 'Wi2k' };
  }
}

/**
 * The virtual size and geometry the footer will state for a disk of `size` bytes. With force_size
 * and the qemu creator, the geometry is the largest one, as qemu-img writes it: every qemu version
 * then reads current_size. Hyper-V and Xen creators get the spec's geometry for the size.
 */
export function vhdSizing(size: number, forceSize: boolean, creator: VhdCreator = 'qemu'): { currentSize: number; geometry: ReturnType<typeof chsFor> } {
  const sectors = Math.ceil(size / 512);
  if (forceSize) return { currentSize: sectors * 512, geometry: chsFor(creator === 'qemu' ? MAX_CHS_SECTORS : sectors) };
  const geometry = chsCovering(sectors);
  return { currentSize: Math.max(chsSectors(geometry), sectors) * 512, geometry };
}

/** Azure's rules for uploaded VHDs; returns every broken rule, so the user fixes them at once. */
export function azureProblems(size: number, options: VhdOptions): string[] {
  const problems: string[] = [];
  if (options.subformat !== 'fixed') problems.push('Azure needs subformat=fixed');
  if (size % MIB !== 0) problems.push(`the virtual size ${size} is not a whole number of MiB (next: ${roundUp(size, MIB)})`);
  if (!options.forceSize) problems.push('Azure needs force_size=on (the exact size, not a CHS-rounded one)');
  return problems;
}

export async function encodeVhd(disk: ReadableDisk, sink: Sink, options: VhdOptions, progress?: EncodeProgress): Promise<void> {
  if (options.azure) {
    const problems = azureProblems(disk.size, options);
    if (problems.length > 0) throw inputError(`VHD for Azure: ${problems.join('; ')}`, 'fix these or drop -o azure=on');
  }
  const { currentSize, geometry } = vhdSizing(disk.size, options.forceSize, options.creator);
  if (currentSize > VHD_MAX_SIZE) throw inputError(`VHD: a ${disk.size}-byte disk exceeds the VHD limit of 2040 GiB`, 'use qcow2 or vmdk');
  const footer = (dataOffset: number | undefined, diskType: number) =>
    encodeVhdFooter({
      dataOffset,
      timestamp: Math.max(0, options.epoch - VHD_EPOCH_UNIX),
      ...creatorFields(options.creator, options.forceSize),
      originalSize: currentSize,
      currentSize,
      geometry,
      diskType,
      uniqueId: options.uniqueId,
    });

  if (options.subformat === 'fixed') {
    sink.setSize(currentSize + FOOTER_SIZE);
    await copySparse(disk, sink, progress);
    sink.write(currentSize, footer(undefined, DISK_TYPE_FIXED));
    return;
  }

  const blockSize = DEFAULT_BLOCK_SIZE;
  const bitmapSize = roundUp(blockSize / 512 / 8, 512);
  const blocks = Math.ceil(currentSize / blockSize);
  const bat = new Uint8Array(roundUp(blocks * 4, 512)).fill(0xff);
  const batView = new DataView(bat.buffer);
  const bitmap = new Uint8Array(bitmapSize).fill(0xff); // every sector of an allocated block is "present"
  const out = new Appender(sink, BAT_OFFSET + bat.length);
  let block = -1;
  let blockData = 0;
  const endBlock = () => {
    if (block >= 0) out.skip(blockData + blockSize - out.position);
  };
  for await (const batch of nonZeroUnits(disk, UNIT)) {
    for (const u of batch.units) {
      const offset = u.index * UNIT;
      const b = Math.floor(offset / blockSize);
      if (b !== block) {
        endBlock();
        block = b;
        batView.setUint32(b * 4, out.position / 512);
        out.append(bitmap);
        blockData = out.position;
      }
      out.skip(blockData + (offset - b * blockSize) - out.position);
      out.appendView(u.bytes);
    }
    // Units were queued without a copy: their buffer goes back to the reader once written.
    batch.holdUntil(out.flushed());
    await out.settle(); // bound the writes in flight
    progress?.update(batch.doneTo, disk.size);
  }
  endBlock();
  out.append(footer(FOOTER_SIZE, DISK_TYPE_DYNAMIC));
  await out.finish();
  sink.write(0, footer(FOOTER_SIZE, DISK_TYPE_DYNAMIC));
  sink.write(FOOTER_SIZE, encodeVhdDynamicHeader({ tableOffset: BAT_OFFSET, maxTableEntries: blocks, blockSize }));
  sink.write(BAT_OFFSET, bat);
  sink.setSize(out.position);
}
