import { checkBounds } from './bounds.js';
import type { ByteRange, Disk } from './types.js';

/**
 * A window onto part of a Disk (a partition): offsets are relative to its start, and nothing can be
 * written outside it. Closing a window does not close the parent.
 */
export class WindowDisk implements Disk {
  constructor(
    readonly parent: Disk,
    readonly start: number,
    readonly size: number,
    private readonly name = `window at ${start}`,
  ) {
    checkBounds(name, parent.size, start, size);
  }

  read(offset: number, length: number): Uint8Array {
    checkBounds(this.name, this.size, offset, length);
    return this.parent.read(this.start + offset, length);
  }

  write(offset: number, bytes: Uint8Array): void {
    checkBounds(this.name, this.size, offset, bytes.length);
    this.parent.write(this.start + offset, bytes);
  }

  *dataRanges(): Generator<ByteRange> {
    const end = this.start + this.size;
    for (const r of this.parent.dataRanges()) {
      const s = Math.max(r.offset, this.start);
      const e = Math.min(r.offset + r.length, end);
      if (e > s) yield { offset: s - this.start, length: e - s };
      if (r.offset >= end) break;
    }
  }

  window(offset: number, length: number): Disk {
    checkBounds(this.name, this.size, offset, length);
    return new WindowDisk(this.parent, this.start + offset, length, `${this.name} + ${offset}`);
  }

  close(): void {}
}
