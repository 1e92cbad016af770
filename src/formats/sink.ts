/** The file edge of the encoders: a Sink on a file descriptor, and an append cursor that batches writes. */
import * as fs from 'node:fs';
import { writeFully } from '../disk/file.js';
import type { Sink } from './types.js';

/** Size of one staging buffer of the appender. */
const STAGE_BYTES = 8 * 1024 * 1024;
/** Staged writes allowed in flight at once (bounds memory to a few stages). */
const MAX_IN_FLIGHT = 2;
/**
 * Bytes written between background writebacks. Without them the kernel keeps gigabytes dirty and
 * the fsync before the atomic rename pays for all of them at the end, with the encoder idle.
 */
const FLUSH_EVERY_BYTES = 64 * 1024 * 1024;

export class FileSink implements Sink {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly fd: number) {}

  /** Opens (creating or truncating) `path` for writing. */
  static create(path: string): { sink: FileSink; close(): void } {
    const fd = fs.openSync(path, 'w');
    return { sink: new FileSink(fd), close: () => fs.closeSync(fd) };
  }

  write(offset: number, bytes: Uint8Array): void {
    writeFully(this.fd, bytes, offset);
  }

  writev(offset: number, chunks: readonly Uint8Array[]): void {
    let total = 0;
    for (const c of chunks) total += c.length;
    const written = total === 0 ? 0 : fs.writevSync(this.fd, chunks as Uint8Array[], offset);
    this.finishShortWrite(offset, chunks, written);
  }

  /** The same as writev, on libuv's thread pool, so the caller can read and encode meanwhile. */
  writevAsync(offset: number, chunks: readonly Uint8Array[]): Promise<void> {
    const write = new Promise<void>((resolve, reject) => {
      fs.writev(this.fd, chunks as Uint8Array[], offset, (err, written) => {
        if (err) return reject(err);
        try {
          this.finishShortWrite(offset, chunks, written);
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
    this.pending.add(write);
    const forget = () => void this.pending.delete(write);
    write.then(forget, forget);
    return write;
  }

  /**
   * Starts writing back what has been written so far (fdatasync on libuv's thread pool), so the
   * final fsync before the atomic rename finds little left to do: disk writes overlap encoding.
   */
  flushAsync(): Promise<void> {
    const flush = new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    this.pending.add(flush);
    const forget = () => void this.pending.delete(flush);
    flush.then(forget, forget);
    return flush;
  }

  /** Waits for every background write, failed or not: call before closing the descriptor. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  setSize(size: number): void {
    fs.ftruncateSync(this.fd, size);
  }

  /** After a short vectored write, writes the rest buffer by buffer. */
  private finishShortWrite(offset: number, chunks: readonly Uint8Array[], written: number): void {
    let pos = 0;
    for (const c of chunks) {
      const end = pos + c.length;
      if (end > written) writeFully(this.fd, c.subarray(Math.max(0, written - pos)), offset + Math.max(pos, written));
      pos = end;
    }
  }
}

/**
 * Appends bytes at a moving file position. `append` copies into staging buffers (callers may reuse
 * their bytes at once); `appendView` queues the caller's own bytes, which must stay unchanged until
 * the promise of `flushed()` settles (zero copy: runs of views go out as one vectored write).
 * Writes go out in the background when the sink can, so reading overlaps writing. `skip` leaves a
 * hole (or space reserved for a table written later with `sink.write`, which never overlaps
 * appended ranges). Call `settle()` now and then to bound the writes in flight, and `finish()`
 * before writing headers or sizing the file.
 */
export class Appender {
  private stage: Uint8Array | undefined;
  private used = 0;
  private stageStart: number;
  private readonly spare: Uint8Array[] = [];
  /** Caller-owned views queued back to back from `viewsStart`. */
  private views: Uint8Array[] = [];
  private viewsStart = 0;
  private readonly inFlight: Promise<void>[] = [];
  private failed: unknown;
  private sinceFlush = 0;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly sink: Sink,
    public position: number,
  ) {
    this.stageStart = position;
  }

  append(bytes: Uint8Array): void {
    this.submitViews();
    let done = 0;
    while (done < bytes.length) {
      if (!this.stage) {
        this.stage = this.spare.pop() ?? new Uint8Array(STAGE_BYTES);
        this.used = 0;
        this.stageStart = this.position;
      }
      const n = Math.min(bytes.length - done, this.stage.length - this.used);
      this.stage.set(bytes.subarray(done, done + n), this.used);
      this.used += n;
      this.position += n;
      done += n;
      if (this.used === this.stage.length) this.submit();
    }
  }

  /** Appends `bytes` without copying; they must not change until `flushed()` settles. */
  appendView(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.submit();
    if (this.views.length === 0) this.viewsStart = this.position;
    const last = this.views[this.views.length - 1];
    // Neighbours in the same buffer become one view: fewer iovecs for the kernel to walk.
    if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.views[this.views.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
    } else this.views.push(bytes);
    this.position += bytes.length;
    if (this.position - this.viewsStart >= STAGE_BYTES) this.submitViews();
  }

  /** Advances without writing: the bytes stay a hole until someone writes them. */
  skip(length: number): void {
    if (length === 0) return;
    this.submit();
    this.submitViews();
    this.position += length;
  }

  /** Skips to the next multiple of `alignment`. */
  alignTo(alignment: number): void {
    const rem = this.position % alignment;
    if (rem !== 0) this.skip(alignment - rem);
  }

  /** Sends everything queued; resolves when every write so far is done (views may then be reused). */
  flushed(): Promise<void> {
    this.submit();
    this.submitViews();
    return Promise.all(this.inFlight).then(() => undefined);
  }

  /** Waits until at most a couple of writes are in flight. */
  async settle(): Promise<void> {
    while (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight.shift();
    this.throwIfFailed();
  }

  /** Writes everything queued and waits for it (and for a background flush). */
  async finish(): Promise<void> {
    this.submit();
    this.submitViews();
    while (this.inFlight.length > 0) await this.inFlight.shift();
    await this.flushing;
    this.throwIfFailed();
  }

  private submit(): void {
    const stage = this.stage;
    if (!stage) return;
    this.stage = undefined;
    if (this.used === 0) {
      this.spare.push(stage);
      return;
    }
    this.send(this.stageStart, [stage.subarray(0, this.used)], () => void this.spare.push(stage));
  }

  private submitViews(): void {
    if (this.views.length === 0) return;
    const views = this.views;
    this.views = [];
    this.send(this.viewsStart, views);
  }

  private send(offset: number, chunks: Uint8Array[], done?: () => void): void {
    for (const c of chunks) this.sinceFlush += c.length;
    if (!this.sink.writevAsync) {
      this.sink.writev(offset, chunks);
      done?.();
      return;
    }
    const write = this.sink.writevAsync(offset, chunks).then(done, (e: unknown) => {
      this.failed ??= e;
    });
    this.inFlight.push(write);
    this.startFlushIfDue();
  }

  /** Every FLUSH_EVERY_BYTES, one background writeback (never two at once). */
  private startFlushIfDue(): void {
    if (!this.sink.flushAsync || this.flushing || this.sinceFlush < FLUSH_EVERY_BYTES) return;
    this.sinceFlush = 0;
    this.flushing = this.sink.flushAsync().then(
      () => void (this.flushing = undefined),
      (e: unknown) => {
        this.failed ??= e;
        this.flushing = undefined;
      },
    );
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }
}
