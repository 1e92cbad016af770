/**
 * A raw image file opened read-only, with `readInto` so encoders can reuse one read buffer instead
 * of allocating one per chunk (keeps peak memory flat on multi-GiB inputs). Its data ranges are the
 * file's data extents when the kernel can tell them (data-extents.ts: SEEK_DATA through perl, as
 * Node cannot call it), else the whole file; encoders skip zero units as they read either way.
 */
import * as fs from 'node:fs';
import type { ByteRange, ReadableDisk } from '../disk/index.js';
import { readFullyInto } from '../disk/file.js';
import { inputError } from '../errors.js';
import { dataExtents } from './data-extents.js';

export interface RawImageOptions {
  /** Ask the kernel for the file's data extents (default true); false reads the holes too. */
  readonly seekData?: boolean;
}

export class RawImage implements ReadableDisk {
  private fd: number | undefined;
  readonly size: number;
  /** The data extents once asked for (undefined: unknown, read everything); null: not asked yet. */
  private extents: ByteRange[] | undefined | null = null;
  private readonly seekData: boolean;

  constructor(
    readonly path: string,
    options: RawImageOptions = {},
  ) {
    this.seekData = options.seekData ?? true;
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
    readFullyInto(this.fd, offset, target);
  }

  /** readInto on libuv's thread pool (for read-ahead while the caller encodes). */
  readIntoAsync(offset: number, target: Uint8Array): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.reject(new Error(`${this.path}: already closed`));
    return new Promise((resolve, reject) => {
      const step = (done: number) => {
        if (done >= target.length) return resolve();
        fs.read(fd, target, done, target.length - done, offset + done, (err, n) => {
          if (err) return reject(err);
          if (n === 0) {
            target.fill(0, done);
            return resolve();
          }
          step(done + n);
        });
      };
      step(0);
    });
  }

  *dataRanges(): Generator<ByteRange> {
    if (this.extents === null) this.extents = this.seekData ? dataExtents(this.path, this.size) : undefined;
    if (this.extents) yield* this.extents;
    else if (this.size > 0) yield { offset: 0, length: this.size };
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

/** Disks that can also read in the background. */
export interface ReadAheadDisk extends ReadIntoDisk {
  readIntoAsync(offset: number, target: Uint8Array): Promise<void>;
}

export function canReadAhead(disk: ReadableDisk): disk is ReadAheadDisk {
  return typeof (disk as Partial<ReadAheadDisk>).readIntoAsync === 'function';
}

export function canReadInto(disk: ReadableDisk): disk is ReadIntoDisk {
  return typeof (disk as Partial<ReadIntoDisk>).readInto === 'function';
}
