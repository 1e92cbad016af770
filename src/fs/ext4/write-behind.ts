/**
 * Write-behind for the ext4 writer's big sequential writes: a worker thread fills one buffer's file
 * data from the source files and does its write(2) while the main thread encodes the metadata of the
 * next files into another buffer. Copying file data (source page cache → buffer → image page cache)
 * is the largest cost on a rootfs; this way it overlaps everything else, and the main thread never
 * touches a data byte. Buffers are SharedArrayBuffers; the main thread hands a full one over with
 * postMessage (with the list of reads that complete it) and waits (Atomics.wait) only when it needs
 * that buffer again, or at drain().
 *
 * Only for a FileDisk (it exposes its descriptor and takes note of what was written for it); the
 * bytes reach the file in the same places as with synchronous reads and writes, so output is unchanged.
 */
import { Worker } from 'node:worker_threads';
import { failure } from '../../errors.js';

/** Slot states in the control array. */
const IDLE = 0;
const BUSY = 1;
const FAILED = 2;
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

// Runs in the worker (CommonJS, evaluated from this string: no file to find next to the module,
// which lives in src/ under tests and in dist/ when built).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const control = new Int32Array(workerData.control);
const buffers = workerData.buffers.map((b) => new Uint8Array(b));
const error = new Uint8Array(workerData.error);
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
parentPort.on('message', ({ slot, length, position, fills, sources }) => {
  try {
    fill(buffers[slot], fills, sources);
    let done = 0;
    while (done < length) done += fs.writeSync(workerData.fd, buffers[slot], done, length - done, position + done);
    unsynced += length;
    if (workerData.earlyWriteback && unsynced >= ${EARLY_WRITEBACK_BYTES} && !syncing) {
      syncing = true;
      unsynced = 0;
      fs.fdatasync(workerData.fd, () => { syncing = false; });
    }
    Atomics.store(control, slot, ${IDLE});
  } catch (e) {
    const text = new TextEncoder().encode(String(e && e.message)).subarray(0, ${ERROR_BYTES});
    error.set(text);
    Atomics.store(control, workerData.slots, text.length);
    Atomics.store(control, slot, ${FAILED});
  }
  Atomics.notify(control, slot);
});
`;

const NO_FILLS = new Float64Array(0);

export class WriteBehind {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly buffers: Uint8Array[];
  private readonly errorText: Uint8Array;
  private current = 0;
  private closed = false;

  /**
   * `slots` buffers of `bufferBytes` each, writing to the open descriptor `fd` of `path`;
   * `earlyWriteback` for a file that must reach the disk anyway (not for a scratch file).
   */
  constructor(
    private readonly fd: number,
    private readonly path: string,
    bufferBytes: number,
    earlyWriteback = true,
    private readonly slots = 3,
  ) {
    const shared = Array.from({ length: slots }, () => new SharedArrayBuffer(bufferBytes));
    const control = new SharedArrayBuffer(4 * (slots + 1));
    const error = new SharedArrayBuffer(ERROR_BYTES);
    this.control = new Int32Array(control);
    this.buffers = shared.map((b) => new Uint8Array(b));
    this.errorText = new Uint8Array(error);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, control, buffers: shared, error, slots, earlyWriteback } });
    // Never keeps the process alive; close() ends it.
    this.worker.unref();
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

  /** True while the worker still has another buffer than the one being filled to read or write. */
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
    } finally {
      this.closed = true;
      void this.worker.terminate();
    }
  }

  /** Ends the worker without waiting (after an error elsewhere: the output is being thrown away). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  private waitFor(slot: number): void {
    while (Atomics.load(this.control, slot) === BUSY) Atomics.wait(this.control, slot, BUSY);
    if (Atomics.load(this.control, slot) === FAILED) {
      const n = Atomics.load(this.control, this.slots);
      const message = Buffer.from(this.errorText.subarray(0, n)).toString('utf8');
      Atomics.store(this.control, slot, IDLE);
      throw failure(`${this.path}: writing the image failed: ${message}`, 'check the free space and permissions of the output directory');
    }
  }

  /** The descriptor written to (for messages and tests). */
  get descriptor(): number {
    return this.fd;
  }
}
