/**
 * Positional, buffered reads from an uncompressed tar file (the archive itself, or the spool a
 * compressed input was decompressed into). Headers are read through a window of WINDOW bytes so a
 * tree of small files costs one read(2) per window, not one per header; member data is never read
 * (bodies point at it), except the small metadata members (pax, GNU long names, sparse maps).
 */
import * as fs from 'node:fs';

// Big enough for hundreds of small members per read(2), small enough that skipping a large member
// does not drag much of its data in.
const WINDOW = 256 << 10;
// After a jump over a large member's data, the next header is read through a small window first:
// the data around it is usually the next large member's, which nobody reads here.
const SMALL_WINDOW = 16 << 10;

export class ArchiveFile {
  private readonly fd: number;
  readonly size: number;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
  }

  /**
   * The bytes [offset, offset + length), or undefined when the file ends first (a truncated archive).
   * A read-only view: valid for as long as the caller keeps it (a window is replaced, never
   * overwritten), but copy what is kept long, or it pins the whole window.
   */
  read(offset: number, length: number): Uint8Array | undefined {
    if (offset + length > this.size) return undefined;
    if (length > WINDOW) return this.readDirect(offset, length);
    const windowEnd = this.windowStart + this.window.length;
    if (offset < this.windowStart || offset + length > windowEnd) {
      // Walking on through small members: a big window. Landing far beyond it: a small one.
      const jumped = offset > windowEnd + WINDOW;
      this.window = this.readDirect(offset, Math.min(Math.max(jumped ? SMALL_WINDOW : WINDOW, length), this.size - offset));
      this.windowStart = offset;
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private readDirect(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  }
}
