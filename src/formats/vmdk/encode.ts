/**
 * VMDK encoder: monolithicSparse (header, embedded descriptor, redundant and primary grain
 * directories with preallocated grain tables, 64 KiB grains) and streamOptimized (header,
 * descriptor, deflated grains behind markers in LBA order, each grain table after its grains,
 * then the grain directory, the footer and the end-of-stream marker). One grain table in memory.
 */
import type { ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { Appender } from '../sink.js';
import type { EncodeProgress, Sink } from '../types.js';
import { nonZeroUnits } from '../units.js';
import { encodeVmdkDescriptor, type VmdkAdapter, type VmdkSubformat } from './descriptor.js';
import {
  COMPRESSION_DEFLATE,
  encodeVmdkHeader,
  FLAG_COMPRESSED,
  FLAG_MARKERS,
  FLAG_REDUNDANT_GRAIN_TABLE,
  FLAG_VALID_NEWLINE_TEST,
  SECTOR,
  type VmdkHeader,
} from './header.js';
import { encodeGrain, encodeMetadataMarker, MARKER_FOOTER, MARKER_GD, MARKER_GT } from './marker.js';

export interface VmdkOptions {
  subformat: VmdkSubformat;
  adapter: VmdkAdapter;
  /** Content id (from the seed). */
  cid: number;
  /** Base name of the output file, written into the descriptor's extent line. */
  fileName: string;
  compressionLevel: number;
  threads?: number;
}

const GRAIN_SECTORS = 128; // 64 KiB, as qemu-img and VMware
const GRAIN = GRAIN_SECTORS * SECTOR;
const GTES_PER_GT = 512;
const GT_SECTORS = (GTES_PER_GT * 4) / SECTOR;
const GT_SPAN = GTES_PER_GT * GRAIN; // 32 MiB of disk per grain table
const DESCRIPTOR_OFFSET = 1;
const DESCRIPTOR_SECTORS = 20;
/** Grain-table and directory entries are 32-bit sector numbers. */
const MAX_SECTOR = 0xffffffff;

function layout(size: number) {
  const capacity = Math.ceil(size / SECTOR);
  const numGTs = Math.max(1, Math.ceil(size / GT_SPAN));
  const gdSectors = Math.ceil((numGTs * 4) / SECTOR);
  return { capacity, numGTs, gdSectors };
}

function descriptorSectors(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > DESCRIPTOR_SECTORS * SECTOR) throw inputError(`VMDK descriptor is ${bytes.length} bytes, over ${DESCRIPTOR_SECTORS} sectors`, 'use a shorter output file name');
  const out = new Uint8Array(DESCRIPTOR_SECTORS * SECTOR);
  out.set(bytes);
  return out;
}

function sectorOf(byteOffset: number): number {
  const s = byteOffset / SECTOR;
  if (s > MAX_SECTOR) throw inputError('VMDK: the image grows past 2 TiB of sectors a grain table can address', 'use qcow2');
  return s;
}

export async function encodeVmdk(disk: ReadableDisk, sink: Sink, options: VmdkOptions, progress?: EncodeProgress): Promise<void> {
  if (disk.size === 0) throw inputError('VMDK: an empty (0-byte) disk cannot be written', 'a VMDK extent needs at least one sector (qemu-img cannot open one either)');
  const descriptor = descriptorSectors(
    encodeVmdkDescriptor({ cid: options.cid, createType: options.subformat, capacitySectors: layout(disk.size).capacity, extentFile: options.fileName, adapter: options.adapter }),
  );
  if (options.subformat === 'streamOptimized') await encodeStreamOptimized(disk, sink, options, descriptor, progress);
  else await encodeMonolithicSparse(disk, sink, descriptor, progress);
}

async function encodeMonolithicSparse(disk: ReadableDisk, sink: Sink, descriptor: Uint8Array, progress?: EncodeProgress): Promise<void> {
  const { capacity, numGTs, gdSectors } = layout(disk.size);
  const rgdOffset = DESCRIPTOR_OFFSET + DESCRIPTOR_SECTORS;
  const rgtStart = rgdOffset + gdSectors;
  const gdOffset = rgtStart + numGTs * GT_SECTORS;
  const gtStart = gdOffset + gdSectors;
  const overHead = Math.ceil((gtStart + numGTs * GT_SECTORS) / GRAIN_SECTORS) * GRAIN_SECTORS;
  sectorOf(overHead * SECTOR); // refuses at once a disk whose grain tables could not be addressed

  // Both directories point at every (preallocated) grain table.
  const rgd = new Uint8Array(gdSectors * SECTOR);
  const gd = new Uint8Array(gdSectors * SECTOR);
  for (let i = 0; i < numGTs; i++) {
    new DataView(rgd.buffer).setUint32(i * 4, rgtStart + i * GT_SECTORS, true);
    new DataView(gd.buffer).setUint32(i * 4, gtStart + i * GT_SECTORS, true);
  }
  const out = new Appender(sink, overHead * SECTOR);
  let gtIndex = -1;
  let gt = new Uint8Array(GT_SECTORS * SECTOR);
  const flushGt = () => {
    if (gtIndex < 0) return;
    sink.write((rgtStart + gtIndex * GT_SECTORS) * SECTOR, gt);
    sink.write((gtStart + gtIndex * GT_SECTORS) * SECTOR, gt);
    gt = new Uint8Array(GT_SECTORS * SECTOR);
  };
  for await (const batch of nonZeroUnits(disk, GRAIN)) {
    for (const u of batch.units) {
      const g = Math.floor(u.index / GTES_PER_GT);
      if (g !== gtIndex) {
        flushGt();
        gtIndex = g;
      }
      new DataView(gt.buffer).setUint32((u.index % GTES_PER_GT) * 4, sectorOf(out.position), true);
      out.appendView(u.bytes);
    }
    // Units were queued without a copy: their buffer goes back to the reader once written.
    batch.holdUntil(out.flushed());
    await out.settle(); // bound the writes in flight
    progress?.update(batch.doneTo, disk.size);
  }
  flushGt();
  await out.finish();
  const header: VmdkHeader = {
    version: 1,
    flags: FLAG_VALID_NEWLINE_TEST | FLAG_REDUNDANT_GRAIN_TABLE,
    capacity,
    grainSize: GRAIN_SECTORS,
    descriptorOffset: DESCRIPTOR_OFFSET,
    descriptorSize: DESCRIPTOR_SECTORS,
    numGTEsPerGT: GTES_PER_GT,
    rgdOffset,
    gdOffset,
    overHead,
    compressAlgorithm: 0,
  };
  sink.write(0, encodeVmdkHeader(header));
  sink.write(DESCRIPTOR_OFFSET * SECTOR, descriptor);
  sink.write(rgdOffset * SECTOR, rgd);
  sink.write(gdOffset * SECTOR, gd);
  sink.setSize(Math.max(out.position, overHead * SECTOR));
}

async function encodeStreamOptimized(disk: ReadableDisk, sink: Sink, options: VmdkOptions, descriptor: Uint8Array, progress?: EncodeProgress): Promise<void> {
  const { capacity, gdSectors } = layout(disk.size);
  const overHead = GRAIN_SECTORS; // header + descriptor, padded to the first grain boundary
  const header: VmdkHeader = {
    version: 3,
    flags: FLAG_VALID_NEWLINE_TEST | FLAG_COMPRESSED | FLAG_MARKERS,
    capacity,
    grainSize: GRAIN_SECTORS,
    descriptorOffset: DESCRIPTOR_OFFSET,
    descriptorSize: DESCRIPTOR_SECTORS,
    numGTEsPerGT: GTES_PER_GT,
    rgdOffset: 0,
    gdOffset: undefined,
    overHead,
    compressAlgorithm: COMPRESSION_DEFLATE,
  };
  const gd = new Uint8Array(gdSectors * SECTOR);
  const gdView = new DataView(gd.buffer);
  const out = new Appender(sink, 0);
  out.append(encodeVmdkHeader(header));
  out.append(descriptor);
  out.skip(overHead * SECTOR - out.position);

  let gtIndex = -1;
  let gt = new Uint8Array(GT_SECTORS * SECTOR);
  const flushGt = () => {
    if (gtIndex < 0) return;
    out.append(encodeMetadataMarker(MARKER_GT, GT_SECTORS));
    gdView.setUint32(gtIndex * 4, sectorOf(out.position), true);
    out.append(gt);
    gt = new Uint8Array(GT_SECTORS * SECTOR);
  };
  // Loaded here, not at import: every convert loads this module, few write streamOptimized.
  const pool = new (await import('../compress-pool.js')).CompressPool('zlib', options.compressionLevel, options.threads);
  try {
    for await (const batch of nonZeroUnits(disk, GRAIN, pool)) {
      for (const u of batch.units) {
        const g = Math.floor(u.index / GTES_PER_GT);
        if (g !== gtIndex) {
          flushGt();
          gtIndex = g;
        }
        new DataView(gt.buffer).setUint32((u.index % GTES_PER_GT) * 4, sectorOf(out.position), true);
        out.append(encodeGrain(u.index * GRAIN_SECTORS, u.bytes));
      }
      await out.settle(); // bound the writes in flight (appended bytes were copied)
      progress?.update(batch.doneTo, disk.size);
    }
  } finally {
    await pool.close();
  }
  flushGt();
  out.append(encodeMetadataMarker(MARKER_GD, gdSectors));
  const gdOffset = sectorOf(out.position);
  out.append(gd);
  out.append(encodeMetadataMarker(MARKER_FOOTER, 1));
  out.append(encodeVmdkHeader({ ...header, gdOffset }));
  out.append(new Uint8Array(SECTOR)); // end-of-stream marker
  await out.finish();
  sink.setSize(out.position);
}
