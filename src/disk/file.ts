import * as fs from 'node:fs';
import { checkBounds } from './bounds.js';
import { RangeSet } from './ranges.js';
import type { ByteRange, Disk, ReadableDisk } from './types.js';
import { WindowDisk } from './window.js';

/**
 * A Disk backed by a sparse file. Created with ftruncate, so unwritten ranges stay holes on disk.
 * It remembers which ranges were written, so encoders never scan the zeros between them.
 */
export class FileDisk implements Disk {
  private fd: number | undefined;
  private readonly written = new RangeSet();

  private constructor(
    readonly path: string,
    fd: number,
    readonly size: number,
    /**
     * True for a scratch file that is read back and deleted (assemble's disk before it becomes a
     * qcow2): writers then leave it to the page cache instead of starting its writeback early.
     */
    readonly scratch: boolean,
  ) {
    this.fd = fd;
  }

  /** Creates (or truncates) `path` as a sparse file of `size` bytes. */
  static create(path: string, size: number, options: { scratch?: boolean } = {}): FileDisk {
    checkBounds(path, Number.MAX_SAFE_INTEGER, 0, size);
    const fd = fs.openSync(path, 'w+');
    fs.ftruncateSync(fd, size);
    return new FileDisk(path, fd, size, options.scratch ?? false);
  }

  write(offset: number, bytes: Uint8Array): void {
    checkBounds(this.path, this.size, offset, bytes.length);
    writeFully(this.openFd(), bytes, offset);
    this.written.add(offset, bytes.length);
  }

  read(offset: number, length: number): Uint8Array {
    checkBounds(this.path, this.size, offset, length);
    return readFully(this.openFd(), offset, length);
  }

  dataRanges(): Iterable<ByteRange> {
    return this.written.ranges();
  }

  window(offset: number, length: number): Disk {
    return new WindowDisk(this, offset, length, `${this.path} at ${offset}`);
  }

  /**
   * For a writer that writes through the descriptor from another thread (ext4's write-behind): the
   * descriptor, and noteWritten() to record what it wrote, so dataRanges() stays complete.
   */
  get descriptor(): number {
    return this.openFd();
  }

  noteWritten(offset: number, length: number): void {
    checkBounds(this.path, this.size, offset, length);
    this.written.add(offset, length);
  }

  /** Forces the data to stable storage (before an atomic rename). */
  sync(): void {
    fs.fsyncSync(this.openFd());
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`${this.path}: disk already closed`);
    return this.fd;
  }
}

/**
 * An existing raw file opened read-only. Node cannot ask the kernel for SEEK_DATA, so the whole file
 * is reported as one data range; encoders skip its zero clusters as they read.
 */
export class RawFileReader implements ReadableDisk {
  private fd: number | undefined;
  readonly size: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    checkBounds(this.path, this.size, offset, length);
    if (this.fd === undefined) throw new Error(`${this.path}: already closed`);
    return readFully(this.fd, offset, length);
  }

  *dataRanges(): Generator<ByteRange> {
    if (this.size > 0) yield { offset: 0, length: this.size };
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

/** Reads exactly `length` bytes; bytes past the end of the file read as zeros. */
export function readFully(fd: number, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  readFullyInto(fd, position, out);
  return out;
}

/**
 * Fills `target` with the bytes at `position`. Bytes past the end of the file (a file cut short, or
 * read past its end) become zeros, never what the buffer held before.
 */
export function readFullyInto(fd: number, position: number, target: Uint8Array): void {
  let done = 0;
  while (done < target.length) {
    const n = fs.readSync(fd, target, done, target.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  if (done < target.length) target.fill(0, done);
}

/**
 * The FileDisk under `disk` and where `disk` starts in it (a partition window of an image file), or
 * undefined for any other Disk: writers that hand writes to another thread need the descriptor.
 */
export function backingFile(disk: Disk): { file: FileDisk; offset: number } | undefined {
  if (disk instanceof FileDisk) return { file: disk, offset: 0 };
  if (disk instanceof WindowDisk) {
    const below = backingFile(disk.parent);
    return below && { file: below.file, offset: below.offset + disk.start };
  }
  return undefined;
}
