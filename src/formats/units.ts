/**
 * The common front half of every encoder: the disk's non-zero units (clusters, blocks, grains) in
 * disk order, optionally compressed on worker threads. Results always come out in disk order.
 */
import type { ReadableDisk } from '../disk/index.js';
import type { CompressPool } from './compress-pool.js';
import { isZeroRange, readChunkRing } from './scan.js';

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
  /**
   * Units' bytes live in reused buffers: they are valid until the next batch is asked for, or,
   * after `holdUntil(written)`, until `written` settles (for writing them without a copy).
   */
  holdUntil(written: Promise<void>): void;
}

/** Bytes read at once: big reads into a few reused buffers (holes are read too, then skipped). */
const READ_CHUNK = 8 * 1024 * 1024;
const COMPRESS_READ_CHUNK = 4 * 1024 * 1024;
/** Bytes of non-zero units per compression job: enough to amortize a message, small enough to spread over the workers. */
const COMPRESS_JOB_BYTES = 1024 * 1024;

export async function* nonZeroUnits(disk: ReadableDisk, unitSize: number, pool?: CompressPool): AsyncGenerator<UnitBatch> {
  if (pool) {
    yield* compressedUnits(disk, unitSize, pool);
    return;
  }
  for await (const chunk of readChunkRing(disk, unitSize, Math.max(READ_CHUNK, unitSize))) {
    const units: DataUnit[] = [];
    for (let i = 0; i < chunk.count; i++) {
      if (isZeroRange(chunk.bytes, i * unitSize, unitSize)) continue;
      units.push({ index: chunk.firstUnit + i, bytes: chunk.bytes.subarray(i * unitSize, (i + 1) * unitSize), compressed: false });
    }
    yield { units, doneTo: Math.min(disk.size, (chunk.firstUnit + chunk.count) * unitSize), holdUntil: chunk.holdUntil };
  }
}

/** A job being filled: non-zero units copied back to back, with their indices. */
interface OpenJob {
  buffer: ArrayBuffer;
  indices: number[];
}

/**
 * Non-zero units gathered into jobs of about COMPRESS_JOB_BYTES (only data crosses to the
 * workers), results handed back in submission order. Reading and submitting run as their own loop,
 * ahead of the in-order consumer: a worker that finishes early gets more work even while the
 * consumer waits for a slower, older job (no head-of-line stall), up to pool.depth jobs not yet
 * consumed. Job buffers go to a worker and come back (transferred, never copied) holding the
 * results, and are reused once the consumer's writes of them are done.
 */
async function* compressedUnits(disk: ReadableDisk, unitSize: number, pool: CompressPool): AsyncGenerator<UnitBatch> {
  const perJob = Math.max(1, Math.floor(COMPRESS_JOB_BYTES / unitSize));
  const spare: ArrayBuffer[] = [];
  const queue: Promise<UnitBatch & { buffer?: ArrayBuffer }>[] = [];
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  let produced = false;
  let failure: { error: unknown } | undefined;
  const enqueue = (result: Promise<UnitBatch & { buffer?: ArrayBuffer }>) => {
    result.catch(() => {}); // surfaces when the consumer awaits it, in order
    queue.push(result);
    wakeConsumer?.();
  };

  const produce = async () => {
    let job: OpenJob | undefined;
    let doneTo = 0;
    const submit = async () => {
      if (!job) return;
      const { buffer, indices } = job;
      const until = doneTo;
      job = undefined;
      while (queue.length >= pool.depth) await new Promise<void>((r) => (wakeProducer = r));
      enqueue(
        pool.compress({ buffer, unitSize, count: indices.length }).then(({ buffer: back, parts }) => ({
          units: parts.map((p, k) => ({ index: indices[k]!, bytes: p.bytes, compressed: !p.stored })),
          doneTo: until,
          buffer: back,
          holdUntil: () => {},
        })),
      );
    };
    // Smaller reads than uncompressed: the workers, not the disk, set the pace here.
    for await (const chunk of readChunkRing(disk, unitSize, Math.max(COMPRESS_READ_CHUNK, unitSize))) {
      doneTo = Math.min(disk.size, (chunk.firstUnit + chunk.count) * unitSize);
      for (let i = 0; i < chunk.count; i++) {
        if (isZeroRange(chunk.bytes, i * unitSize, unitSize)) continue;
        job ??= { buffer: spare.pop() ?? new ArrayBuffer(perJob * unitSize), indices: [] };
        new Uint8Array(job.buffer, job.indices.length * unitSize, unitSize).set(chunk.bytes.subarray(i * unitSize, (i + 1) * unitSize));
        job.indices.push(chunk.firstUnit + i);
        if (job.indices.length === perJob) await submit();
      }
      // A run of holes still moves progress on.
      if (!job && queue.length === 0) enqueue(Promise.resolve({ units: [], doneTo, holdUntil: () => {} }));
    }
    await submit();
  };
  const producing = produce().then(
    () => void (produced = true),
    (error: unknown) => void (failure = { error }),
  );
  void producing.then(() => wakeConsumer?.());

  for (;;) {
    if (queue.length === 0) {
      if (failure) throw failure.error;
      if (produced) break;
      await new Promise<void>((r) => (wakeConsumer = r));
      wakeConsumer = undefined;
      continue;
    }
    const { buffer, ...batch } = await queue.shift()!;
    wakeProducer?.();
    wakeProducer = undefined;
    let held: Promise<unknown> | undefined;
    yield { ...batch, holdUntil: (written) => void (held = held ? Promise.allSettled([held, written]) : written) };
    if (!buffer) continue;
    const reuse = () => void spare.push(buffer);
    if (held) held.then(reuse, reuse);
    else reuse();
  }
}
