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
  /** Units back to back; `units[i]` are indices of the ones to compress. */
  bytes: Uint8Array;
  unitSize: number;
  units: number[];
}

/** Pure: compresses one unit the same way the workers do (also used when there is one core). */
export function compressUnit(unit: Uint8Array, kind: CompressionKind, level: number): Uint8Array {
  return kind === 'raw-4k' ? deflateRawSync(unit, { level, windowBits: 12, memLevel: 9 }) : deflateSync(unit, { level });
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
let sinceGc = 0;
parentPort.on('message', (m) => {
  // Input and output buffers are external memory V8 collects lazily (tens of MiB late);
  // a full collection every few MiB keeps a worker near its idle size.
  sinceGc += m.byteLength;
  if (collect && sinceGc >= ${GC_EVERY_BYTES}) { collect(); sinceGc = 0; }
  const src = new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
  const outs = [];
  const flags = [];
  let total = 0;
  for (const u of m.units) {
    const unit = src.subarray(u * m.unitSize, (u + 1) * m.unitSize);
    const c = m.kind === 'raw-4k'
      ? zlib.deflateRawSync(unit, { level: m.level, windowBits: 12, memLevel: 9 })
      : zlib.deflateSync(unit, { level: m.level });
    // A unit that does not shrink is sent back as is ("stored"): qcow2 then writes it uncompressed.
    const stored = m.kind === 'raw-4k' && c.length >= m.unitSize;
    outs.push(stored ? unit : c);
    total += stored ? unit.length : c.length;
    flags.push(stored);
  }
  const out = new Uint8Array(total);
  const lengths = [];
  let pos = 0;
  for (const c of outs) { out.set(c, pos); pos += c.length; lengths.push(c.length); }
  parentPort.postMessage({ id: m.id, out: out.buffer, lengths, flags }, [out.buffer]);
});
`;

/** One unit's result: its compressed bytes, or (stored) its own bytes when compression did not shrink it. */
export interface CompressedUnit {
  bytes: Uint8Array;
  stored: boolean;
}

interface Pending {
  resolve(parts: CompressedUnit[]): void;
  reject(e: unknown): void;
}

/** A fixed set of workers; `compress` returns one compressed buffer per requested unit, in order. */
export class CompressPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private nextWorker = 0;

  constructor(
    private readonly kind: CompressionKind,
    private readonly level: number,
    threads = defaultThreads(),
  ) {
    if (threads > 0) exposeGc();
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (m: { id: number; out: ArrayBuffer; lengths: number[]; flags: boolean[] }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        const all = new Uint8Array(m.out);
        const parts: CompressedUnit[] = [];
        let pos = 0;
        m.lengths.forEach((n, i) => {
          parts.push({ bytes: all.subarray(pos, pos + n), stored: m.flags[i]! });
          pos += n;
        });
        p.resolve(parts);
      });
      w.on('error', (e) => this.failAll(e));
      this.workers.push(w);
    }
  }

  /** How many jobs may be in flight to keep every worker busy without holding much memory. */
  get depth(): number {
    return this.workers.length * 3;
  }

  /** Compresses the listed units. The job's buffer is transferred to the worker: do not use it afterwards. */
  compress(job: CompressJob): Promise<CompressedUnit[]> {
    if (job.units.length === 0) return Promise.resolve([]);
    if (this.workers.length === 0) {
      return Promise.resolve(
        job.units.map((u) => {
          const unit = job.bytes.subarray(u * job.unitSize, (u + 1) * job.unitSize);
          const c = compressUnit(unit, this.kind, this.level);
          const stored = this.kind === 'raw-4k' && c.length >= job.unitSize;
          return { bytes: stored ? unit : c, stored };
        }),
      );
    }
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker]!;
    this.nextWorker = (this.nextWorker + 1) % this.workers.length;
    // Copy out if the view does not own its whole buffer, so we can transfer it.
    const own = job.bytes.byteOffset === 0 && job.bytes.byteLength === job.bytes.buffer.byteLength ? job.bytes : job.bytes.slice();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const buffer = own.buffer as ArrayBuffer;
      worker.postMessage(
        { id, buffer, byteOffset: 0, byteLength: own.byteLength, unitSize: job.unitSize, units: job.units, kind: this.kind, level: this.level },
        [buffer],
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** One worker per core: the main thread mostly waits on I/O. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}
