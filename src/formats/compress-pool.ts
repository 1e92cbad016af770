/**
 * Parallel compression of clusters/grains on worker threads. Jobs are submitted in disk order and
 * their results are awaited in the same order, so the output is byte-identical whatever the thread
 * timing. zlib is deterministic for a given level, window and memLevel.
 *
 * The worker is given as source text (eval) so it runs the same from dist/ and from the TypeScript
 * sources under test.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { deflateRawSync, deflateSync } from 'node:zlib';

/** 'raw-4k': raw deflate with a 4 KiB window (qcow2: qemu inflates with windowBits -12). 'zlib': RFC 1950 (VMDK grains). */
export type CompressionKind = 'raw-4k' | 'zlib';

export interface CompressJob {
  /** `count` units of `unitSize` bytes back to back from offset 0. Transferred to a worker: detached until the result comes back. */
  buffer: ArrayBuffer;
  unitSize: number;
  count: number;
}

export interface CompressResult {
  /** The job's buffer, back from the worker, for reuse once `parts` are written. */
  buffer: ArrayBuffer;
  /** One result per unit, in order (views into `buffer`, or into a buffer of their own). */
  parts: CompressedUnit[];
}

/** Pure: compresses one unit the same way the workers do (also used when there is one core). */
export function compressUnit(unit: Uint8Array, kind: CompressionKind, level: number): Uint8Array {
  return kind === 'raw-4k' ? deflateRawSync(unit, { level, windowBits: 12, memLevel: 9 }) : deflateSync(unit, { level });
}

/**
 * Compresses the units of `src` (the job's buffer) and lays the results out back to back. For
 * 'raw-4k', a unit that does not shrink is kept as is ("stored": qcow2 then writes it uncompressed),
 * so every result fits in its unit and the results are written over the input in place: result k
 * ends at or before the end of unit k, whose input is already consumed. 'zlib' output can grow, so
 * it goes to a buffer of its own. Returns that buffer (or undefined) and each result's length and flag.
 * This function's body is also the workers' code (see WORKER_SOURCE): it must stay self-contained.
 */
export function compressInPlace(
  src: Uint8Array,
  unitSize: number,
  count: number,
  kind: CompressionKind,
  level: number,
  deflate: typeof compressUnit,
): { out?: Uint8Array; lengths: number[]; flags: boolean[] } {
  const lengths: number[] = [];
  const flags: boolean[] = [];
  const outs: Uint8Array[] = [];
  let pos = 0;
  for (let k = 0; k < count; k++) {
    const unit = src.subarray(k * unitSize, (k + 1) * unitSize);
    const c = deflate(unit, kind, level);
    const stored = kind === 'raw-4k' && c.length >= unitSize;
    const length = stored ? unitSize : c.length;
    if (kind === 'raw-4k') {
      if (stored) src.copyWithin(pos, k * unitSize, (k + 1) * unitSize);
      else src.set(c, pos);
    } else outs.push(c);
    pos += length;
    lengths.push(length);
    flags.push(stored);
  }
  if (kind === 'raw-4k') return { lengths, flags };
  const out = new Uint8Array(pos);
  let at = 0;
  for (const c of outs) {
    out.set(c, at);
    at += c.length;
  }
  return { out, lengths, flags };
}

/** Bytes a worker compresses between forced garbage collections. */
export const GC_EVERY_BYTES = 4 * 1024 * 1024;

/**
 * V8's gc() for threads: exposing it is process-wide, so workers created after this can call it.
 * Used only to bound memory; nothing depends on when collection happens.
 */
export function exposeGc(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  return runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const collect = require('node:vm').runInNewContext('typeof gc === "function" ? gc : undefined');
const compressUnit = (unit, kind, level) => kind === 'raw-4k'
  ? zlib.deflateRawSync(unit, { level, windowBits: 12, memLevel: 9 })
  : zlib.deflateSync(unit, { level });
const compressInPlace = ${compressInPlace.toString()};
let sinceGc = 0;
parentPort.on('message', (m) => {
  // zlib's result buffers are external memory V8 collects lazily (tens of MiB late);
  // a full collection every few MiB keeps a worker near its idle size (measured: 124 MiB peak RSS
  // for the whole process at 4 MiB, 154 MiB at 16 MiB, same CPU time).
  sinceGc += m.count * m.unitSize;
  if (collect && sinceGc >= ${GC_EVERY_BYTES}) { collect(); sinceGc = 0; }
  const r = compressInPlace(new Uint8Array(m.buffer), m.unitSize, m.count, m.kind, m.level, compressUnit);
  const transfer = r.out ? [m.buffer, r.out.buffer] : [m.buffer];
  parentPort.postMessage({ id: m.id, buffer: m.buffer, out: r.out && r.out.buffer, lengths: r.lengths, flags: r.flags }, transfer);
});
`;

/** One unit's result: its compressed bytes, or (stored) its own bytes when compression did not shrink it. */
export interface CompressedUnit {
  bytes: Uint8Array;
  stored: boolean;
}

interface Pending {
  worker: number;
  resolve(result: CompressResult): void;
  reject(e: unknown): void;
}

interface WorkerReply {
  id: number;
  buffer: ArrayBuffer;
  out?: ArrayBuffer;
  lengths: number[];
  flags: boolean[];
}

/** A fixed set of workers; each job goes to the least busy one, and its results come back in unit order. */
export class CompressPool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly kind: CompressionKind,
    private readonly level: number,
    threads = defaultThreads(),
  ) {
    if (threads > 0) exposeGc();
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: WorkerReply) => this.settle(m));
      w.on('error', (e) => this.failAll(e));
      this.workers.push(w);
      this.busy.push(0);
    }
  }

  /** How many jobs may be in flight to keep every worker busy without holding much memory. */
  get depth(): number {
    return Math.max(1, this.workers.length * 4);
  }

  /** Compresses the job's units. Its buffer is transferred to a worker and handed back in the result. */
  compress(job: CompressJob): Promise<CompressResult> {
    if (job.count === 0) return Promise.resolve({ buffer: job.buffer, parts: [] });
    if (this.workers.length === 0) {
      const r = compressInPlace(new Uint8Array(job.buffer), job.unitSize, job.count, this.kind, this.level, compressUnit);
      return Promise.resolve({ buffer: job.buffer, parts: partsOf(r.out ?? new Uint8Array(job.buffer), r.lengths, r.flags) });
    }
    const id = this.nextId++;
    const worker = this.busy.indexOf(Math.min(...this.busy));
    this.busy[worker]! += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      this.workers[worker]!.postMessage(
        { id, buffer: job.buffer, unitSize: job.unitSize, count: job.count, kind: this.kind, level: this.level },
        [job.buffer],
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private settle(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.busy[p.worker]! -= 1;
    p.resolve({ buffer: m.buffer, parts: partsOf(new Uint8Array(m.out ?? m.buffer), m.lengths, m.flags) });
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** Splits results laid out back to back. */
function partsOf(all: Uint8Array, lengths: number[], flags: boolean[]): CompressedUnit[] {
  const parts: CompressedUnit[] = [];
  let pos = 0;
  lengths.forEach((n, i) => {
    parts.push({ bytes: all.subarray(pos, pos + n), stored: flags[i]! });
    pos += n;
  });
  return parts;
}

/** One worker per core: the main thread mostly waits on I/O. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}
