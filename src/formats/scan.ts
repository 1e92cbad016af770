/**
 * Walking a finished disk in fixed-size units (clusters, blocks, grains) without scanning holes:
 * only units that intersect `dataRanges()` are read, in large sequential reads, and each unit is
 * checked for zeros with a native compare.
 */
import type { ReadableDisk } from '../disk/index.js';
import { canReadAhead, canReadInto } from './raw-reader.js';

/** Bytes read from the disk at once (a whole number of units). */
const READ_CHUNK = 4 * 1024 * 1024;

/** A run of consecutive units read from the disk; `bytes.length` is `count * unitSize`. */
export interface UnitChunk {
  /** Index of the first unit (offset / unitSize). */
  firstUnit: number;
  count: number;
  bytes: Uint8Array;
}

/** Unit-aligned spans [firstUnit, endUnit) covering every data range, coalesced. */
export function* dataUnitSpans(disk: ReadableDisk, unitSize: number): Generator<{ first: number; end: number }> {
  let span: { first: number; end: number } | undefined;
  for (const r of disk.dataRanges()) {
    if (r.length <= 0) continue;
    const first = Math.floor(r.offset / unitSize);
    const end = Math.ceil(Math.min(r.offset + r.length, disk.size) / unitSize);
    if (span && first <= span.end) span.end = Math.max(span.end, end);
    else {
      if (span) yield span;
      span = { first, end };
    }
  }
  if (span) yield span;
}

/** The chunks (runs of at most `chunkBytes / unitSize` units) that cover every data range, in order. */
export function* chunkPlan(disk: ReadableDisk, unitSize: number, chunkBytes = READ_CHUNK): Generator<{ firstUnit: number; count: number }> {
  const perChunk = Math.max(1, Math.floor(chunkBytes / unitSize));
  for (const span of dataUnitSpans(disk, unitSize)) {
    for (let u = span.first; u < span.end; u += perChunk) yield { firstUnit: u, count: Math.min(perChunk, span.end - u) };
  }
}

/** Buffers the ring reader cycles through: one being encoded, the rest being read or written. */
const RING_BUFFERS = 4;

/** A chunk read into one of the ring's buffers. */
export interface RingChunk extends UnitChunk {
  /**
   * Keeps this chunk's buffer out of the ring until `written` settles, so its bytes can be written
   * straight from the buffer (no copy). Without it the buffer is reused once the next chunk is asked for.
   */
  holdUntil(written: Promise<void>): void;
}

/**
 * The data chunks of `disk` read into a small ring of reused buffers, up to `ringSize - 1` reads
 * ahead (in the background when the disk can), so reading overlaps encoding and writing, and
 * memory stays at `ringSize * chunkBytes` whatever the disk size.
 */
export async function* readChunkRing(disk: ReadableDisk, unitSize: number, chunkBytes = READ_CHUNK, ringSize = RING_BUFFERS): AsyncGenerator<RingChunk> {
  const bufferBytes = Math.max(1, Math.floor(chunkBytes / unitSize)) * unitSize;
  const plan = chunkPlan(disk, unitSize, bufferBytes);
  // Buffers come back as promises: a held one returns when its writes are done. A read takes a
  // buffer that is back already, else a new one while the ring is not full, else waits for the oldest.
  const free: { buffer: Promise<Uint8Array>; ready: boolean }[] = [];
  let allocated = 0;
  const giveBack = (buffer: Uint8Array, held?: Promise<unknown>) => {
    if (!held) return void free.push({ buffer: Promise.resolve(buffer), ready: true });
    const entry = { buffer: held.then(() => buffer, () => buffer), ready: false };
    void entry.buffer.then(() => (entry.ready = true));
    free.push(entry);
  };
  const takeBuffer = (): Promise<Uint8Array> => {
    const ready = free.findIndex((f) => f.ready);
    if (ready >= 0) return free.splice(ready, 1)[0]!.buffer;
    if (allocated < ringSize || free.length === 0) {
      allocated++;
      return Promise.resolve(new Uint8Array(Math.min(bufferBytes, roundUp(disk.size, unitSize))));
    }
    return free.shift()!.buffer;
  };
  const reads: Promise<UnitChunk & { buffer: Uint8Array }>[] = [];
  const startRead = (firstUnit: number, count: number) => {
    const read = takeBuffer().then(async (buf) => {
      const offset = firstUnit * unitSize;
      const bytes = buf.subarray(0, count * unitSize);
      const inside = Math.min(bytes.length, disk.size - offset);
      await fillFrom(disk, offset, bytes.subarray(0, inside));
      bytes.fill(0, inside); // the last unit's padding past the end of the disk
      return { firstUnit, count, bytes, buffer: buf };
    });
    read.catch(() => {}); // surfaces when awaited, in order
    reads.push(read);
  };
  const topUp = () => {
    while (reads.length < ringSize - 1) {
      const next = plan.next();
      if (next.done) return;
      startRead(next.value.firstUnit, next.value.count);
    }
  };
  topUp();
  while (reads.length > 0) {
    const { buffer, ...chunk } = await reads.shift()!;
    let held: Promise<unknown> | undefined;
    yield { ...chunk, holdUntil: (written) => void (held = held ? Promise.allSettled([held, written]) : written) };
    giveBack(buffer, held);
    topUp();
  }
}

/** Reads [offset, offset + target.length) of the disk into `target`, in the background when it can. */
async function fillFrom(disk: ReadableDisk, offset: number, target: Uint8Array): Promise<void> {
  if (canReadAhead(disk)) return disk.readIntoAsync(offset, target);
  if (canReadInto(disk)) return disk.readInto(offset, target);
  target.set(disk.read(offset, target.length));
}

const zeroBuffers = new Map<number, Buffer>();

/** True when `bytes[start, start + length)` is all zeros (memcmp against a shared zero buffer). */
export function isZeroRange(bytes: Uint8Array, start: number, length: number): boolean {
  let zeros = zeroBuffers.get(length);
  if (!zeros) {
    zeros = Buffer.alloc(length);
    if (zeroBuffers.size < 16) zeroBuffers.set(length, zeros);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).equals(zeros);
}

export function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
