/**
 * A raw image file opened read-only, with `readInto` so encoders can reuse one read buffer instead
 * of allocating one per chunk (keeps peak memory flat on multi-GiB inputs). Node cannot ask for
 * SEEK_DATA, so the whole file is one data range; encoders skip zero units as they read.
 */
import * as fs from 'node:fs';
import type { ByteRange, ReadableDisk } from '../disk/index.js';
import { inputError } from '../errors.js';

export class RawImage implements ReadableDisk {
  private fd: number | undefined;
  readonly size: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  /** Fills `target` with the bytes at `offset`; bytes past the end of the file read as zeros. */
  readInto(offset: number, target: Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.path}: already closed`);
    if (offset < 0 || offset > this.size) throw inputError(`${this.path}: read at ${offset} is outside the ${this.size}-byte raw image`);
    let done = 0;
    while (done < target.length) {
      const n = fs.readSync(this.fd, target, done, target.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    if (done < target.length) target.fill(0, done);
  }

  *dataRanges(): Generator<ByteRange> {
    if (this.size > 0) yield { offset: 0, length: this.size };
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Disks that can read into a caller's buffer. */
export interface ReadIntoDisk extends ReadableDisk {
  readInto(offset: number, target: Uint8Array): void;
}

export function canReadInto(disk: ReadableDisk): disk is ReadIntoDisk {
  return typeof (disk as Partial<ReadIntoDisk>).readInto === 'function';
}
