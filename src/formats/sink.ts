/** The file edge of the encoders: a Sink on a file descriptor, and an append cursor that batches writes. */
import * as fs from 'node:fs';
import { writeFully } from '../disk/file.js';
import type { Sink } from './types.js';

/** Size of one staging buffer of the appender. */
const STAGE_BYTES = 8 * 1024 * 1024;
/** Staged writes allowed in flight at once (bounds memory to a few stages). */
const MAX_IN_FLIGHT = 2;

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
 * Appends bytes at a moving file position. Appended bytes are copied into staging buffers that are
 * written in the background (when the sink can), so callers may reuse their buffers at once and
 * reading overlaps writing. `skip` leaves a hole (or space reserved for a table written later with
 * `sink.write`, which never overlaps appended ranges). Call `settle()` now and then to bound the
 * writes in flight, and `finish()` before writing headers or sizing the file.
 */
export class Appender {
  private stage: Uint8Array | undefined;
  private used = 0;
  private stageStart: number;
  private readonly spare: Uint8Array[] = [];
  private readonly inFlight: Promise<void>[] = [];
  private failed: unknown;

  constructor(
    private readonly sink: Sink,
    public position: number,
  ) {
    this.stageStart = position;
  }

  append(bytes: Uint8Array): void {
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

  /** Advances without writing: the bytes stay a hole until someone writes them. */
  skip(length: number): void {
    if (length === 0) return;
    this.submit();
    this.position += length;
  }

  /** Skips to the next multiple of `alignment`. */
  alignTo(alignment: number): void {
    const rem = this.position % alignment;
    if (rem !== 0) this.skip(alignment - rem);
  }

  /** Waits until at most a couple of staged writes are in flight. */
  async settle(): Promise<void> {
    while (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight.shift();
    this.throwIfFailed();
  }

  /** Writes everything staged and waits for it. */
  async finish(): Promise<void> {
    this.submit();
    while (this.inFlight.length > 0) await this.inFlight.shift();
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
    const bytes = stage.subarray(0, this.used);
    if (!this.sink.writevAsync) {
      this.sink.writev(this.stageStart, [bytes]);
      this.spare.push(stage);
      return;
    }
    const write = this.sink.writevAsync(this.stageStart, [bytes]).then(
      () => void this.spare.push(stage),
      (e: unknown) => {
        this.failed ??= e;
      },
    );
    this.inFlight.push(write);
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }
}
