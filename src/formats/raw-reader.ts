/**
 * A raw image file opened read-only, with `readInto` so encoders can reuse one read buffer instead
 * of allocating one per chunk (keeps peak memory flat on multi-GiB inputs). Node cannot ask for
 * SEEK_DATA, so the whole file is one data range; encoders skip zero units as they read.
 *
 * Reading the holes of a sparse image is what costs: a buffered read of a hole makes the kernel
 * allocate and zero page-cache pages (~1 GB/s), while an O_DIRECT read of a hole only zeroes the
 * caller's buffer (>10 GB/s), and an O_DIRECT read of data goes to the device (slower than the page
 * cache). So background reads (readIntoAsync, what convert uses) look at the first and last block
 * of each MiB (through the page cache): both zeros → the rest of that MiB is read O_DIRECT (a hole,
 * or zeros on disk: the same bytes); else the rest is read through the page cache. The bytes are the same whichever way they are read (O_DIRECT
 * reads write dirty pages back first), so this changes speed, never content. O_DIRECT needs an
 * aligned buffer (alignedBuffer) and a filesystem that has it; anything else falls back to buffered.
 */
import * as fs from 'node:fs';
import type { ByteRange, ReadableDisk } from '../disk/index.js';
import { inputError } from '../errors.js';

/** The O_DIRECT probe, and the alignment O_DIRECT wants of offsets, lengths and buffers. */
const DIRECT_BLOCK = 4096;
/** Bytes decided by one probe. */
const PROBE_SPAN = 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(DIRECT_BLOCK);

function isZeroBlock(bytes: Uint8Array, at: number): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, DIRECT_BLOCK).equals(ZERO_BLOCK);
}

/**
 * A buffer whose memory starts on a page boundary (WebAssembly memory is mapped page-aligned; a
 * plain ArrayBuffer may not be), so O_DIRECT reads can fill it.
 */
export function alignedBuffer(length: number): Uint8Array {
  const pages = Math.max(1, Math.ceil(length / WASM_PAGE));
  return new Uint8Array(new WasmMemory({ initial: pages, maximum: pages }).buffer, 0, length);
}

const WASM_PAGE = 65536;
/** WebAssembly.Memory (a global of every Node.js; the node types here do not declare WebAssembly). */
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } } }).WebAssembly.Memory;

export interface RawImageOptions {
  /** Probe for holes with O_DIRECT in readIntoAsync (default true; off where the caller knows the data ranges). */
  readonly probeHoles?: boolean;
}

export class RawImage implements ReadableDisk {
  private fd: number | undefined;
  /** The same file opened O_DIRECT, while hole probing is on and works. */
  private directFd: number | undefined;
  readonly size: number;

  constructor(
    readonly path: string,
    options: RawImageOptions = {},
  ) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
    const direct = (fs.constants as Record<string, number | undefined>)['O_DIRECT'];
    if ((options.probeHoles ?? true) && direct !== undefined && this.size >= PROBE_SPAN) {
      try {
        this.directFd = fs.openSync(path, fs.constants.O_RDONLY | direct);
      } catch {
        // tmpfs and some others refuse O_DIRECT: buffered reads only.
      }
    }
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

  /** readInto on libuv's thread pool (for read-ahead while the caller encodes); probes holes (see the top). */
  async readIntoAsync(offset: number, target: Uint8Array): Promise<void> {
    if (this.fd === undefined) throw new Error(`${this.path}: already closed`);
    if (this.directFd === undefined || offset % DIRECT_BLOCK !== 0) return readAsync(this.fd, offset, target);
    // O_DIRECT only below the last whole block of the file; the tail goes through the page cache.
    const directEnd = Math.floor(this.size / DIRECT_BLOCK) * DIRECT_BLOCK;
    for (let at = 0; at < target.length; at += PROBE_SPAN) {
      const piece = target.subarray(at, Math.min(at + PROBE_SPAN, target.length));
      const position = offset + at;
      const directLength = Math.floor(Math.max(0, Math.min(piece.length, directEnd - position)) / DIRECT_BLOCK) * DIRECT_BLOCK;
      if (directLength < 3 * DIRECT_BLOCK) {
        await readAsync(this.fd, position, piece);
        continue;
      }
      await this.readProbed(position, piece.subarray(0, directLength));
      await readAsync(this.fd, position + directLength, piece.subarray(directLength));
    }
  }

  /**
   * Reads `piece` (whole aligned blocks at `position`): its first and last blocks through the page
   * cache (cheap for data and holes alike); if both are zeros, the middle is most likely a hole and
   * is read O_DIRECT, else through the page cache. An unaligned buffer (EINVAL) turns O_DIRECT off.
   */
  private async readProbed(position: number, piece: Uint8Array): Promise<void> {
    const last = piece.length - DIRECT_BLOCK;
    await Promise.all([readAsync(this.fd!, position, piece.subarray(0, DIRECT_BLOCK)), readAsync(this.fd!, position + last, piece.subarray(last))]);
    const middle = piece.subarray(DIRECT_BLOCK, last);
    if (this.directFd !== undefined && isZeroBlock(piece, 0) && isZeroBlock(piece, last)) {
      try {
        return await readAsync(this.directFd, position + DIRECT_BLOCK, middle);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
        this.closeDirect();
      }
    }
    await readAsync(this.fd!, position + DIRECT_BLOCK, middle);
  }

  private closeDirect(): void {
    if (this.directFd !== undefined) fs.closeSync(this.directFd);
    this.directFd = undefined;
  }

  *dataRanges(): Generator<ByteRange> {
    if (this.size > 0) yield { offset: 0, length: this.size };
  }

  close(): void {
    this.closeDirect();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Fills `target` from `position` on the thread pool; bytes past the end of the file read as zeros. */
function readAsync(fd: number, position: number, target: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number) => {
      if (done >= target.length) return resolve();
      fs.read(fd, target, done, target.length - done, position + done, (err, n) => {
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
