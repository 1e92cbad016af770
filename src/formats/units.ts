/**
 * The common front half of every encoder: the disk's non-zero units (clusters, blocks, grains) in
 * disk order, optionally compressed on worker threads. Results always come out in disk order.
 */
import type { ReadableDisk } from '../disk/index.js';
import { exposeGc, GC_EVERY_BYTES, type CompressPool } from './compress-pool.js';
import { canReadAhead } from './raw-reader.js';
import { isZeroRange, readDataUnits, readDataUnitsAhead } from './scan.js';

export interface DataUnit {
  /** Unit index (virtual offset / unit size). */
  index: number;
  /** The unit's bytes, or its compressed form when `compressed`. */
  bytes: Uint8Array;
  compressed: boolean;
}

export interface UnitBatch {
  units: DataUnit[];
  /** Virtual offset up to which the disk has been handled (for progress). */
  doneTo: number;
}

/** Bytes per compression job: small enough to spread over the workers, big enough to amortize messages. */
const COMPRESS_CHUNK = 1024 * 1024;

/**
 * Uncompressed units are views into read buffers that are reused: a batch's bytes are valid only
 * until the next batch is requested (encoders append them, which copies, before asking for more).
 */
export async function* nonZeroUnits(disk: ReadableDisk, unitSize: number, pool?: CompressPool): AsyncGenerator<UnitBatch> {
  if (!pool) {
    const chunks = canReadAhead(disk) ? readDataUnitsAhead(disk, unitSize) : readDataUnits(disk, unitSize, undefined, true);
    for await (const chunk of chunks) {
      const units: DataUnit[] = [];
      for (let i = 0; i < chunk.count; i++) {
        if (isZeroRange(chunk.bytes, i * unitSize, unitSize)) continue;
        units.push({ index: chunk.firstUnit + i, bytes: chunk.bytes.subarray(i * unitSize, (i + 1) * unitSize), compressed: false });
      }
      yield { units, doneTo: Math.min(disk.size, (chunk.firstUnit + chunk.count) * unitSize) };
    }
    return;
  }
  // Compressed: keep up to pool.depth jobs in flight and hand results back in submission order.
  const inFlight: Promise<UnitBatch>[] = [];
  const collect = exposeGc();
  let sinceGc = 0;
  for (const chunk of readDataUnits(disk, unitSize, Math.max(COMPRESS_CHUNK, unitSize))) {
    const local: number[] = [];
    for (let i = 0; i < chunk.count; i++) if (!isZeroRange(chunk.bytes, i * unitSize, unitSize)) local.push(i);
    const doneTo = Math.min(disk.size, (chunk.firstUnit + chunk.count) * unitSize);
    // Read buffers and compressed results are external memory V8 frees lazily; collect every few MiB.
    sinceGc += chunk.bytes.length;
    if (collect && sinceGc >= GC_EVERY_BYTES) {
      collect();
      sinceGc = 0;
    }
    const job = pool.compress({ bytes: chunk.bytes, unitSize, units: local }).then((parts) => ({
      units: parts.map((p, k) => ({ index: chunk.firstUnit + local[k]!, bytes: p.bytes, compressed: !p.stored })),
      doneTo,
    }));
    job.catch(() => {}); // the error surfaces when this job is awaited in order
    inFlight.push(job);
    if (inFlight.length >= pool.depth) yield await inFlight.shift()!;
  }
  while (inFlight.length > 0) yield await inFlight.shift()!;
}
