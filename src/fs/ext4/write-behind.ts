/**
 * Write-behind for the ext4 writer's big sequential writes: a worker thread does the write(2) of one
 * buffer while the main thread reads the next files into another, so copying file data into the
 * image's page cache overlaps reading it from the sources and encoding metadata (on a rootfs that
 * copy is the largest single cost). Buffers are SharedArrayBuffers; the main thread hands a full one
 * over with postMessage and waits (Atomics.wait) only when it needs that buffer again, or at drain().
 *
 * Only for a FileDisk (it exposes its descriptor and takes note of what was written for it); the
 * bytes reach the file in the same places as with synchronous writes, so output is unchanged.
 */
import { Worker } from 'node:worker_threads';
import { failure } from '../../errors.js';

/** Slot states in the control array. */
const IDLE = 0;
const BUSY = 1;
const FAILED = 2;
/** Control words after the slots: the length of the UTF-8 error message in ERROR_BYTES. */
const ERROR_BYTES = 1024;

// Runs in the worker (CommonJS, evaluated from this string: no file to find next to the module,
// which lives in src/ under tests and in dist/ when built).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const control = new Int32Array(workerData.control);
const buffers = workerData.buffers.map((b) => new Uint8Array(b));
const error = new Uint8Array(workerData.error);
parentPort.on('message', ({ slot, length, position }) => {
  try {
    let done = 0;
    while (done < length) done += fs.writeSync(workerData.fd, buffers[slot], done, length - done, position + done);
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

export class WriteBehind {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly buffers: Uint8Array[];
  private readonly errorText: Uint8Array;
  private current = 0;
  private closed = false;

  /** `slots` buffers of `bufferBytes` each, writing to the open descriptor `fd` of `path`. */
  constructor(
    private readonly fd: number,
    private readonly path: string,
    bufferBytes: number,
    private readonly slots = 2,
  ) {
    const shared = Array.from({ length: slots }, () => new SharedArrayBuffer(bufferBytes));
    const control = new SharedArrayBuffer(4 * (slots + 1));
    const error = new SharedArrayBuffer(ERROR_BYTES);
    this.control = new Int32Array(control);
    this.buffers = shared.map((b) => new Uint8Array(b));
    this.errorText = new Uint8Array(error);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, control, buffers: shared, error, slots } });
    // Never keeps the process alive; close() ends it.
    this.worker.unref();
  }

  /** The buffer to fill next (free: its previous write has finished). */
  get buffer(): Uint8Array {
    return this.buffers[this.current]!;
  }

  /** Hands the first `length` bytes of `buffer` to the worker for `position`; returns the next free buffer. */
  submit(length: number, position: number): Uint8Array {
    if (this.closed) throw new Error('WriteBehind: already closed');
    const slot = this.current;
    Atomics.store(this.control, slot, BUSY);
    this.worker.postMessage({ slot, length, position });
    this.current = (slot + 1) % this.slots;
    this.waitFor(this.current);
    return this.buffer;
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
