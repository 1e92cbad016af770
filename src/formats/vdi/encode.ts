/**
 * VDI encoder (dynamic): header sector, block map, then the allocated 1 MiB blocks in disk order.
 * Zero 64 KiB units inside an allocated block stay holes in the file.
 */
import type { ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { roundUp } from '../scan.js';
import { Appender } from '../sink.js';
import type { EncodeProgress, Sink } from '../types.js';
import { nonZeroUnits } from '../units.js';
import { encodeVdiHeader, VDI_HEADER_SECTOR, VDI_TYPE_DYNAMIC } from './header.js';

export interface VdiOptions {
  /** 16 bytes each, derived from the seed. */
  uuidImage: Uint8Array;
  uuidLastSnap: Uint8Array;
}

/** qemu and VirtualBox use 1 MiB blocks (qemu reads no other size). */
const BLOCK = 1024 * 1024;
const UNIT = 64 * 1024;

export async function encodeVdi(disk: ReadableDisk, sink: Sink, options: VdiOptions, progress?: EncodeProgress): Promise<void> {
  const diskSize = roundUp(disk.size, 512);
  const blocks = Math.ceil(diskSize / BLOCK);
  if (blocks > 0x3fffffff) throw inputError(`VDI: a ${disk.size}-byte disk has too many 1 MiB blocks`, 'use qcow2');
  // 0xff fill: every block not allocated below stays VDI_UNALLOCATED.
  const bmap = new Uint8Array(roundUp(Math.max(1, blocks) * 4, 512)).fill(0xff);
  const bmapView = new DataView(bmap.buffer);
  const offsetData = VDI_HEADER_SECTOR + bmap.length;
  const out = new Appender(sink, offsetData);
  let allocated = 0;
  let block = -1;
  let blockStart = 0;
  for await (const batch of nonZeroUnits(disk, UNIT)) {
    for (const u of batch.units) {
      const offset = u.index * UNIT;
      const b = Math.floor(offset / BLOCK);
      if (b !== block) {
        if (block >= 0) out.skip(blockStart + BLOCK - out.position);
        block = b;
        blockStart = out.position;
        bmapView.setUint32(b * 4, allocated++, true);
      }
      out.skip(blockStart + (offset - b * BLOCK) - out.position);
      out.appendView(u.bytes);
    }
    // Units were queued without a copy: their buffer goes back to the reader once written.
    batch.holdUntil(out.flushed());
    await out.settle(); // bound the writes in flight
    progress?.update(batch.doneTo, disk.size);
  }
  if (block >= 0) out.skip(blockStart + BLOCK - out.position);
  await out.finish();
  sink.write(
    0,
    encodeVdiHeader({
      imageType: VDI_TYPE_DYNAMIC,
      offsetBmap: VDI_HEADER_SECTOR,
      offsetData,
      sectorSize: 512,
      diskSize,
      blockSize: BLOCK,
      blockExtra: 0,
      blocksInImage: blocks,
      blocksAllocated: allocated,
      uuidImage: options.uuidImage,
      uuidLastSnap: options.uuidLastSnap,
      uuidLink: new Uint8Array(16),
      uuidParent: new Uint8Array(16),
    }),
  );
  sink.write(VDI_HEADER_SECTOR, bmap);
  sink.setSize(out.position);
}
