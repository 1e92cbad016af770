/**
 * Positional, buffered reads from an uncompressed tar file (the archive itself, or the spool a
 * compressed input was decompressed into). Headers are read through a window (see MIN_WINDOW) so a
 * tree of small files costs one read(2) per window, not one per header; member data is never read
 * (bodies point at it), except the small metadata members (pax, GNU long names, sparse maps).
 */
import * as fs from 'node:fs';
import { readFullyInto } from '../disk/file.js';

// The read window adapts to the members: it starts small (a header, its pax record and a small
// member's data), doubles while the walk keeps landing just past it (a run of small members: one
// read(2) for hundreds of headers) and drops back to small after a jump over a larger member's data
// (NEAR_GAP), so walking an archive of big files does not read their data only to skip it.
const MIN_WINDOW = 8 << 10;
const MAX_WINDOW = 256 << 10;
// How far past the window the next read may land and still count as the same run: a member of up to
// about this much data is read through rather than jumped over. On the Debian rootfs tar (16.7k
// entries) 16 KiB reads 103 MiB in 5.6k reads; growing with the window, as before, read 190 MiB in
// 3.3k, and the copies cost more than the extra calls.
const NEAR_GAP = 16 << 10;

export class ArchiveFile {
  private readonly fd: number;
  readonly size: number;
  private window: Uint8Array = new Uint8Array(0);
  /**
   * The one buffer every window is read into: allocating a new one per window (hundreds of
   * kilobytes, a few thousand times on a rootfs) kept the garbage collector busy for longer than
   * the reads took.
   */
  private windowBuffer: Uint8Array | undefined;
  private windowStart = 0;
  private span = MIN_WINDOW;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
  }

  /**
   * The bytes [offset, offset + length), or undefined when the file ends first (a truncated archive).
   * A read-only view, valid until the next read (windows reuse one buffer): copy what is kept.
   */
  read(offset: number, length: number): Uint8Array | undefined {
    if (offset + length > this.size) return undefined;
    if (length > MAX_WINDOW) return this.readDirect(offset, length);
    const windowEnd = this.windowStart + this.window.length;
    if (offset < this.windowStart || offset + length > windowEnd) {
      const nearEnd = offset >= this.windowStart && offset <= windowEnd + Math.min(this.span, NEAR_GAP);
      this.span = nearEnd ? Math.min(this.span * 2, MAX_WINDOW) : MIN_WINDOW;
      this.windowBuffer ??= new Uint8Array(MAX_WINDOW);
      this.window = this.windowBuffer.subarray(0, Math.min(Math.max(this.span, length), this.size - offset));
      readFullyInto(this.fd, offset, this.window);
      this.windowStart = offset;
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private readDirect(offset: number, length: number): Uint8Array {
    // Not zeroed first: the read fills it (and a short read, a file cut meanwhile, is zeroed below).
    const unzeroed = Buffer.allocUnsafeSlow(length);
    const out = new Uint8Array(unzeroed.buffer, unzeroed.byteOffset, length);
    readFullyInto(this.fd, offset, out);
    return out;
  }
}
