/**
 * Coalesces block writes: consecutive blocks (the allocator hands them out in order) are gathered in
 * one reusable buffer and reach the Disk as a few large writes instead of one per file or block.
 */
import type { Disk } from '../../disk/index.js';

const BUFFER_BYTES = 4 * 1024 * 1024;

export class BlockWriter {
  private readonly buffer = new Uint8Array(BUFFER_BYTES);
  private startBlock = -1;
  private filled = 0;
  /** Bytes handed to the Disk. */
  written = 0;

  constructor(
    private readonly disk: Disk,
    private readonly blockSize: number,
  ) {}

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

  flush(): void {
    if (this.filled > 0) {
      this.disk.write(this.startBlock * this.blockSize, this.buffer.subarray(0, this.filled));
      this.written += this.filled;
    }
    this.startBlock = -1;
    this.filled = 0;
  }
}
