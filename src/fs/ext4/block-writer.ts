/**
 * Coalesces block writes: consecutive blocks (the allocator hands them out in order) are gathered in
 * one reusable buffer and reach the Disk as a few large writes instead of one per file or block.
 */
import { FileDisk, type Disk } from '../../disk/index.js';
import { WriteBehind } from './write-behind.js';

const BUFFER_BYTES = 4 * 1024 * 1024;

/** Below this much data the worker thread costs more to start than it saves. */
const WRITE_BEHIND_MIN_BYTES = 64 * 1024 * 1024;

export class BlockWriter {
  private buffer: Uint8Array;
  private startBlock = -1;
  private filled = 0;
  private readonly behind: WriteBehind | undefined;
  /** Bytes handed to the Disk. */
  written = 0;

  /**
   * `expectedBytes`: about how much will be written; from WRITE_BEHIND_MIN_BYTES on, and onto a
   * FileDisk, full buffers are written by a worker thread while the next one fills (close() waits).
   */
  constructor(
    private readonly disk: Disk,
    private readonly blockSize: number,
    expectedBytes = 0,
  ) {
    this.behind = disk instanceof FileDisk && expectedBytes >= WRITE_BEHIND_MIN_BYTES ? new WriteBehind(disk.descriptor, disk.path, BUFFER_BYTES) : undefined;
    this.buffer = this.behind ? this.behind.buffer : new Uint8Array(BUFFER_BYTES);
  }

  /** Writes `bytes` at the start of `block` (a short last block is padded with zeros). */
  write(block: number, bytes: Uint8Array): void {
    const span = Math.ceil(bytes.length / this.blockSize) * this.blockSize;
    const contiguous = this.startBlock >= 0 && block * this.blockSize === this.startBlock * this.blockSize + this.filled;
    if (!contiguous || this.filled + span > BUFFER_BYTES) this.flush();
    if (span > BUFFER_BYTES) {
      this.disk.write(block * this.blockSize, bytes);
      this.written += bytes.length;
      return;
    }
    if (this.startBlock < 0) this.startBlock = block;
    this.buffer.set(bytes, this.filled);
    this.buffer.fill(0, this.filled + bytes.length, this.filled + span);
    this.filled += span;
  }

  /**
   * A zeroed slice of the buffer for `length` bytes at `block`, to be filled by the caller before the
   * next call (file bodies are read straight into it). `length` must not exceed the buffer. With
   * `callerFillsAll` the slice is not zeroed first (the caller overwrites every byte of it: a chunk
   * of a file without holes); the padding to the block end always is.
   */
  reserve(block: number, length: number, callerFillsAll = false): Uint8Array {
    const span = Math.ceil(length / this.blockSize) * this.blockSize;
    if (span > BUFFER_BYTES) throw new Error('BlockWriter.reserve: larger than the buffer');
    const contiguous = this.startBlock >= 0 && block * this.blockSize === this.startBlock * this.blockSize + this.filled;
    if (!contiguous || this.filled + span > BUFFER_BYTES) this.flush();
    if (this.startBlock < 0) this.startBlock = block;
    const at = this.filled;
    this.buffer.fill(0, callerFillsAll ? at + length : at, at + span);
    this.filled += span;
    return this.buffer.subarray(at, at + length);
  }

  /** Hands the gathered blocks on (to the worker thread, with write-behind: see close()). */
  flush(): void {
    if (this.filled > 0) {
      const position = this.startBlock * this.blockSize;
      if (this.behind) {
        (this.disk as FileDisk).noteWritten(position, this.filled);
        this.buffer = this.behind.submit(this.filled, position);
      } else {
        this.disk.write(position, this.buffer.subarray(0, this.filled));
      }
      this.written += this.filled;
    }
    this.startBlock = -1;
    this.filled = 0;
  }

  /** Flushes, and waits until every byte has reached the Disk (then the writer is done). */
  close(): void {
    this.flush();
    this.behind?.close();
  }

  /** Stops without waiting (an error elsewhere: the output is thrown away). */
  abandon(): void {
    this.behind?.abandon();
  }
}
