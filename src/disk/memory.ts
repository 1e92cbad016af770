import { checkBounds } from './bounds.js';
import { RangeSet } from './ranges.js';
import type { ByteRange, Disk } from './types.js';
import { WindowDisk } from './window.js';

/** Chunk granularity of the in-memory store: only chunks that were written take memory. */
const CHUNK = 64 * 1024;

/**
 * An in-memory sparse Disk: for tests and for library users who want the bytes of a small layout.
 * A 1 TiB MemoryDisk with one partition table costs a few chunks.
 */
export class MemoryDisk implements Disk {
  private readonly chunks = new Map<number, Uint8Array>();
  private readonly written = new RangeSet();

  constructor(readonly size: number) {
    checkBounds('memory disk', Number.MAX_SAFE_INTEGER, 0, size);
  }

  write(offset: number, bytes: Uint8Array): void {
    checkBounds('memory disk', this.size, offset, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const pos = offset + done;
      const index = Math.floor(pos / CHUNK);
      const within = pos - index * CHUNK;
      const n = Math.min(CHUNK - within, bytes.length - done);
      let chunk = this.chunks.get(index);
      if (!chunk) {
        chunk = new Uint8Array(CHUNK);
        this.chunks.set(index, chunk);
      }
      chunk.set(bytes.subarray(done, done + n), within);
      done += n;
    }
    this.written.add(offset, bytes.length);
  }

  read(offset: number, length: number): Uint8Array {
    checkBounds('memory disk', this.size, offset, length);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const index = Math.floor(pos / CHUNK);
      const within = pos - index * CHUNK;
      const n = Math.min(CHUNK - within, length - done);
      const chunk = this.chunks.get(index);
      if (chunk) out.set(chunk.subarray(within, within + n), done);
      done += n;
    }
    return out;
  }

  dataRanges(): Iterable<ByteRange> {
    return this.written.ranges();
  }

  window(offset: number, length: number): Disk {
    return new WindowDisk(this, offset, length);
  }

  close(): void {}
}
