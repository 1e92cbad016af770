/** The file edge of the encoders: a Sink on a file descriptor, and an append cursor that batches writes. */
import * as fs from 'node:fs';
import { writeFully } from '../disk/file.js';
import type { Sink } from './types.js';

/** Flush the append batch once it holds this many bytes, or this many buffers (under IOV_MAX). */
const FLUSH_BYTES = 8 * 1024 * 1024;
const FLUSH_BUFFERS = 512;

export class FileSink implements Sink {
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
    if (written === total) return;
    // A short vectored write: finish buffer by buffer.
    let pos = 0;
    for (const c of chunks) {
      const end = pos + c.length;
      if (end > written) writeFully(this.fd, c.subarray(Math.max(0, written - pos)), offset + Math.max(pos, written));
      pos = end;
    }
  }

  setSize(size: number): void {
    fs.ftruncateSync(this.fd, size);
  }
}

/**
 * Appends buffers at a moving file position, batching them into vectored writes. `skip` leaves a
 * hole (or space reserved for a table written later with `sink.write`).
 */
export class Appender {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private pendingStart: number;

  constructor(
    private readonly sink: Sink,
    public position: number,
  ) {
    this.pendingStart = position;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES || this.pending.length >= FLUSH_BUFFERS) this.flush();
  }

  /** Advances without writing: the bytes stay a hole until someone writes them. */
  skip(length: number): void {
    if (length === 0) return;
    this.flush();
    this.position += length;
    this.pendingStart = this.position;
  }

  /** Skips to the next multiple of `alignment`. */
  alignTo(alignment: number): void {
    const rem = this.position % alignment;
    if (rem !== 0) this.skip(alignment - rem);
  }

  flush(): void {
    if (this.pending.length > 0) this.sink.writev(this.pendingStart, this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingStart = this.position;
  }
}
