/**
 * Write-behind for the ext4 writer's big sequential writes: a worker thread fills one buffer's file
 * data from the source files and does its write(2) while the main thread encodes the metadata of the
 * next files into another buffer. Copying file data (source page cache → buffer → image page cache)
 * is the largest cost on a rootfs; this way it overlaps everything else, and the main thread never
 * touches a data byte. Buffers are SharedArrayBuffers; the main thread hands a full one over with
 * postMessage (with the list of reads that complete it) and waits (Atomics.wait) only when it needs
 * that buffer again, or at drain().
 *
 * For an output that must reach the disk anyway, buffers go out with O_DIRECT (Linux, where the
 * filesystem takes it), asynchronously on libuv's pool so the worker reads the next buffer meanwhile:
 * no copy into the page cache and no writeback left for the final fsync. Measured on a Debian rootfs
 * (670 MiB): system CPU 0.9 s → 0.33 s, and wall time steadier, since buffered writeback on a virtual
 * disk swings by ±0.3 s between runs. mke2fs has the same as an option (-D).
 *
 * Only for a FileDisk (it exposes its descriptor and takes note of what was written for it); the
 * bytes reach the file in the same places as with synchronous reads and writes, so output is unchanged.
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { failure } from '../../errors.js';

/** Slot states in the control array. */
const IDLE = 0;
/** Handed to the worker, which has not finished reading its file data yet. */
const BUSY = 1;
const FAILED = 2;
/** Read and on its way to the disk (a direct write in flight): the worker is free for the next one. */
const WRITING = 3;
/** Control words after the slots: the length of the UTF-8 error message in ERROR_BYTES. */
const ERROR_BYTES = 1024;
/**
 * After this many bytes the worker starts an fdatasync in libuv's thread pool and goes on writing:
 * the disk writes back while we still compute, instead of all of it in the final fsync (Node has no
 * sync_file_range to only start writeback). The output's final fsync still makes it durable.
 */
const EARLY_WRITEBACK_BYTES = 64 * 1024 * 1024;
/** Source files the worker keeps open at once (a directory input has one per file). */
const MAX_OPEN_SOURCES = 64;
/** Numbers per queued read: source index, source offset, buffer offset, length. */
const FILL_FIELDS = 4;
/** open(2)'s O_DIRECT where Node exposes it (Linux; macOS has none). */
const O_DIRECT: number | undefined = (fs.constants as Record<string, number | undefined>).O_DIRECT;
/**
 * Direct writes need buffer addresses, file offsets and lengths aligned to the device's logical block
 * size (512 or 4096). We cannot choose where an ArrayBuffer's memory lies, so each buffer gets this
 * much slack and is used from the first offset at which the kernel accepts a direct write.
 */
const DIRECT_ALIGN = 4096;
/**
 * Architectures whose pages are always 4 KiB. Elsewhere (arm64 kernels with 16 or 64 KiB pages) one page
 * could hold blocks written directly and blocks the main thread writes through the page cache, and the
 * kernel cannot keep such a page coherent: only whole-page separation makes mixing the two safe.
 */
const FOUR_KIB_PAGES = new Set<string>(['x64', 'ia32']);

// Runs in the worker (CommonJS, evaluated from this string: no file to find next to the module,
// which lives in src/ under tests and in dist/ when built).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
// Set by the first message: the worker may be started before its file is known (warmUpWriteBehind).
let workerData, control, buffers, error, directFd;
function init(data) {
  workerData = data;
  control = new Int32Array(data.control);
  buffers = data.buffers.map((b, i) => new Uint8Array(b, data.offsets[i], data.bufferBytes));
  error = new Uint8Array(data.error);
  directFd = data.directFd;
}
const open = new Map();
let unsynced = 0;
let syncing = false;
function sourceFd(path) {
  let fd = open.get(path);
  if (fd !== undefined) return fd;
  if (open.size >= ${MAX_OPEN_SOURCES}) {
    const [oldPath, oldFd] = open.entries().next().value;
    fs.closeSync(oldFd);
    open.delete(oldPath);
  }
  fd = fs.openSync(path, 'r');
  open.set(path, fd);
  return fd;
}
function fill(buffer, fills, sources) {
  for (let i = 0; i < fills.length; i += ${FILL_FIELDS}) {
    const fd = sourceFd(sources[fills[i]]);
    const from = fills[i + 1], at = fills[i + 2], length = fills[i + 3];
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, buffer, at + done, length - done, from + done);
      if (n === 0) break;
      done += n;
    }
    // A source cut short (changed since it was listed): zeros, never what the buffer held before.
    if (done < length) buffer.fill(0, at + done, at + length);
  }
}
function writeBuffered(buffer, length, position) {
  let done = 0;
  while (done < length) done += fs.writeSync(workerData.fd, buffer, done, length - done, position + done);
  unsynced += length;
  if (workerData.earlyWriteback && unsynced >= ${EARLY_WRITEBACK_BYTES} && !syncing) {
    syncing = true;
    unsynced = 0;
    fs.fdatasync(workerData.fd, () => { syncing = false; });
  }
}
function finish(slot, e) {
  if (e === undefined) Atomics.store(control, slot, ${IDLE});
  else {
    const text = new TextEncoder().encode(String(e && e.message)).subarray(0, ${ERROR_BYTES});
    error.set(text);
    Atomics.store(control, workerData.slots, text.length);
    Atomics.store(control, slot, ${FAILED});
  }
  Atomics.notify(control, slot);
}
// A direct write goes to libuv's thread pool, so the next buffer fills while the disk takes this one.
// The first EINVAL (an alignment the kernel wants and we do not meet) sends this buffer and every
// later one through the page cache instead.
function writeDirect(slot, length, position, done) {
  Atomics.store(control, slot, ${WRITING});
  fs.write(directFd, buffers[slot], done, length - done, position + done, (e, n) => {
    try {
      if (e && e.code === 'EINVAL') {
        directFd = undefined;
        writeBuffered(buffers[slot], length, position);
      } else if (e) throw e;
      else if (done + n < length) return writeDirect(slot, length, position, done + n);
      finish(slot);
    } catch (e) {
      finish(slot, e);
    }
  });
}
parentPort.on('message', ({ init: setup, slot, length, position, fills, sources }) => {
  if (setup) return init(setup);
  try {
    fill(buffers[slot], fills, sources);
    if (directFd !== undefined && length % ${DIRECT_ALIGN} === 0 && position % ${DIRECT_ALIGN} === 0) return writeDirect(slot, length, position, 0);
    writeBuffered(buffers[slot], length, position);
    finish(slot);
  } catch (e) {
    finish(slot, e);
  }
});
`;

const NO_FILLS = new Float64Array(0);

/** How the WriteBehind writes: see its constructor. */
export interface WriteBehindOptions {
  /** Start writeback every EARLY_WRITEBACK_BYTES (a file that must reach the disk anyway, not a scratch file). */
  earlyWriteback?: boolean;
  /**
   * Write with O_DIRECT where the kernel allows it: the data goes from our buffers to the disk
   * without a page-cache copy, and never waits in the final fsync (like mke2fs -D). Only for a
   * file that must reach the disk and whose writes are 4 KiB-aligned; the file's size is needed to
   * probe past its end. Falls back to ordinary writes wherever the kernel refuses.
   */
  direct?: { fileSize: number };
  slots?: number;
}

/** A worker started ahead of need by warmUpWriteBehind(), for the next WriteBehind to take. */
let warmWorker: Worker | undefined;

function startWorker(): Worker {
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  // Never keeps the process alive; close() ends it (and an unused warm one ends with the process).
  worker.unref();
  return worker;
}

/**
 * Starts the write-behind's worker thread now, for the next WriteBehind to use. A worker takes ~40 ms
 * to boot here, and started only when writing begins, the disk stood idle for that long while the main
 * thread filled buffers nobody could take yet. Callers that know a big filesystem is coming (mkfs, with
 * inputs over the write-behind threshold) call this before reading their inputs, so the boot overlaps
 * that work on another core. Idempotent.
 */
export function warmUpWriteBehind(): void {
  warmWorker ??= startWorker();
}

export class WriteBehind {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly buffers: Uint8Array[];
  private readonly errorText: Uint8Array;
  private readonly slots: number;
  private readonly directFd: number | undefined;
  private current = 0;
  private closed = false;

  /** `slots` buffers (3 by default) of `bufferBytes` each, writing to the open descriptor `fd` of `path`. */
  constructor(
    private readonly fd: number,
    private readonly path: string,
    bufferBytes: number,
    options: WriteBehindOptions = {},
  ) {
    this.slots = options.slots ?? 3;
    const slack = options.direct ? DIRECT_ALIGN : 0;
    const shared = Array.from({ length: this.slots }, () => new SharedArrayBuffer(bufferBytes + slack));
    const direct = options.direct ? openDirect(path, options.direct.fileSize, shared) : undefined;
    this.directFd = direct?.fd;
    const offsets = direct?.offsets ?? shared.map(() => 0);
    const control = new SharedArrayBuffer(4 * (this.slots + 1));
    const error = new SharedArrayBuffer(ERROR_BYTES);
    this.control = new Int32Array(control);
    this.buffers = shared.map((b, i) => new Uint8Array(b, offsets[i], bufferBytes));
    this.errorText = new Uint8Array(error);
    this.worker = warmWorker ?? startWorker();
    warmWorker = undefined;
    const init = { fd, directFd: this.directFd, control, buffers: shared, offsets, bufferBytes, error, slots: this.slots, earlyWriteback: options.earlyWriteback ?? true };
    this.worker.postMessage({ init });
  }

  /** The buffer to fill next (free: its previous write has finished). */
  get buffer(): Uint8Array {
    return this.buffers[this.current]!;
  }

  /**
   * Hands the first `length` bytes of `buffer` to the worker for `position`, once it has done the
   * reads `fills` lists: FILL_FIELDS numbers each (an index into `sources`, the offset in that file,
   * the offset in the buffer, the length); returns the next free buffer.
   */
  submit(length: number, position: number, fills: Float64Array = NO_FILLS, sources: readonly string[] = []): Uint8Array {
    if (this.closed) throw new Error('WriteBehind: already closed');
    const slot = this.current;
    Atomics.store(this.control, slot, BUSY);
    this.worker.postMessage({ slot, length, position, fills, sources });
    this.current = (slot + 1) % this.slots;
    this.waitFor(this.current);
    return this.buffer;
  }

  /**
   * True while the worker still has another buffer than the one being filled to read (or to write:
   * without direct writes it writes through the page cache itself).
   */
  get backlogged(): boolean {
    for (let s = 0; s < this.slots; s++) if (s !== this.current && Atomics.load(this.control, s) === BUSY) return true;
    return false;
  }

  /** Waits until every submitted write has reached the file; throws if one failed. */
  drain(): void {
    for (let s = 0; s < this.slots; s++) this.waitFor(s);
  }

  /** Drains, then ends the worker. Idempotent. */
  close(): void {
    if (this.closed) return;
    try {
      this.drain();
    } catch (e) {
      // A write failed; others may still be in flight.
      this.abandon();
      throw e;
    }
    this.closed = true;
    void this.worker.terminate();
    // Every write is done: nothing uses the direct descriptor any more.
    if (this.directFd !== undefined) fs.closeSync(this.directFd);
  }

  /** Ends the worker without waiting (after an error elsewhere: the output is being thrown away). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    const directFd = this.directFd;
    // The worker may still be writing through it: close only once the worker has stopped.
    void this.worker.terminate().then(() => {
      if (directFd !== undefined) fs.closeSync(directFd);
    });
  }

  private waitFor(slot: number): void {
    for (let state = Atomics.load(this.control, slot); state === BUSY || state === WRITING; state = Atomics.load(this.control, slot)) {
      Atomics.wait(this.control, slot, state);
    }
    if (Atomics.load(this.control, slot) === FAILED) {
      const n = Atomics.load(this.control, this.slots);
      const message = Buffer.from(this.errorText.subarray(0, n)).toString('utf8');
      Atomics.store(this.control, slot, IDLE);
      throw failure(`${this.path}: writing the image failed: ${message}`, 'check the free space and permissions of the output directory');
    }
  }

  /** True when aligned buffers go to the disk with O_DIRECT (see WriteBehindOptions.direct). */
  get directWrites(): boolean {
    return this.directFd !== undefined;
  }

  /** The descriptor written to (for messages and tests). */
  get descriptor(): number {
    return this.fd;
  }
}

/**
 * `path` opened again with O_DIRECT, and for each buffer the offset of its first address the kernel
 * takes a direct write from: found by writing one aligned block of the (still zero) buffer past the
 * end of the file, which is then cut back to `fileSize`. Undefined where direct I/O is unavailable
 * (not Linux, tmpfs, a filesystem that refuses it) or no offset works: writes then go through the
 * page cache as usual.
 */
export function openDirect(path: string, fileSize: number, buffers: readonly SharedArrayBuffer[]): { fd: number; offsets: number[] } | undefined {
  if (O_DIRECT === undefined || !FOUR_KIB_PAGES.has(process.arch)) return undefined;
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY | O_DIRECT);
  } catch {
    return undefined;
  }
  const probeAt = Math.ceil(fileSize / DIRECT_ALIGN) * DIRECT_ALIGN;
  const offsets: number[] = [];
  try {
    for (const buffer of buffers) {
      const offset = alignedOffset(fd, buffer, probeAt);
      if (offset === undefined) break;
      offsets.push(offset);
    }
  } finally {
    fs.ftruncateSync(fd, fileSize);
  }
  if (offsets.length === buffers.length) return { fd, offsets };
  fs.closeSync(fd);
  return undefined;
}

/** The first 16-byte step into `buffer` from which a direct write of DIRECT_ALIGN bytes succeeds. */
function alignedOffset(fd: number, buffer: SharedArrayBuffer, position: number): number | undefined {
  for (let offset = 0; offset + DIRECT_ALIGN <= buffer.byteLength && offset < DIRECT_ALIGN; offset += 16) {
    try {
      if (fs.writeSync(fd, new Uint8Array(buffer, offset, DIRECT_ALIGN), 0, DIRECT_ALIGN, position) === DIRECT_ALIGN) return offset;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') return undefined;
    }
  }
  return undefined;
}
