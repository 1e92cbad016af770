/**
 * Coalesces block writes: consecutive blocks (the allocator hands them out in order) are gathered in
 * one reusable buffer and reach the Disk as a few large writes instead of one per file or block.
 */
import { statSync } from 'node:fs';
import { backingFile, type Disk, type FileDisk } from '../../disk/index.js';
import { bodyPieces, type BodyReader } from '../../tree/body.js';
import type { Body } from '../../tree/types.js';
import { warmUpWriteBehind, WriteBehind } from './write-behind.js';

const BUFFER_BYTES = 4 * 1024 * 1024;

/** Below this much data the worker thread costs more to start than it saves. */
const WRITE_BEHIND_MIN_BYTES = 64 * 1024 * 1024;

/**
 * Boots the write-behind's worker now (see warmUpWriteBehind) when the input files (tarballs, in any
 * compression) hold enough bytes that the filesystem made from them will use it. Directories are not
 * counted (their size says nothing about their content). Call before reading the inputs.
 */
export function warmUpForInputs(inputs: readonly string[]): void {
  let bytes = 0;
  for (const input of inputs) {
    try {
      const st = statSync(input);
      if (st.isFile()) bytes += st.size;
    } catch {
      // Missing inputs are reported when they are read.
    }
  }
  if (bytes >= WRITE_BEHIND_MIN_BYTES) warmUpWriteBehind();
}

export class BlockWriter {
  private buffer: Uint8Array;
  private startBlock = -1;
  private filled = 0;
  private readonly behind: WriteBehind | undefined;
  /** With write-behind: the image file, and where this Disk (a partition window) starts in it. */
  private readonly file: FileDisk | undefined;
  private readonly fileOffset: number = 0;
  /** Bytes handed to the Disk. */
  written = 0;
  /** With write-behind: the bodies placed in the current buffer and not read yet (see placeBody). */
  private pending: { body: Body; offset: number; length: number; at: number }[] = [];
  private reader: BodyReader | undefined;

  /**
   * `expectedBytes`: about how much will be written; from WRITE_BEHIND_MIN_BYTES on, and onto a
   * FileDisk, full buffers are written by a worker thread while the next one fills (close() waits).
   */
  constructor(
    private readonly disk: Disk,
    private readonly blockSize: number,
    expectedBytes = 0,
  ) {
    const backing = expectedBytes >= WRITE_BEHIND_MIN_BYTES ? backingFile(disk) : undefined;
    if (backing) {
      this.file = backing.file;
      this.fileOffset = backing.offset;
      const final = !backing.file.scratch;
      // Direct writes only where blocks and the window start on 4 KiB (page) boundaries: then no page
      // holds both a block the worker writes directly and one written through the page cache.
      const aligned = blockSize % 4096 === 0 && backing.offset % 4096 === 0;
      this.behind = new WriteBehind(backing.file.descriptor, backing.file.path, BUFFER_BYTES, {
        earlyWriteback: final,
        direct: final && aligned ? { fileSize: backing.file.size } : undefined,
      });
    }
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

  /**
   * Places [offset, offset + length) of `body` at `block`: like reserve() + reader.readInto(), but
   * with write-behind the reads are put off until the buffer is handed on (flush), and then done by
   * the worker thread, just before it writes the buffer, or here when the worker is behind.
   * `dense`: the body has no hole in the range (holes must read as zeros: reserve zeroes them).
   */
  placeBody(block: number, body: Body, offset: number, length: number, dense: boolean, reader: BodyReader): void {
    const target = this.reserve(block, length, dense);
    if (!this.behind) {
      reader.readInto(body, offset, target);
      return;
    }
    this.reader = reader;
    this.pending.push({ body, offset, length, at: target.byteOffset - this.buffer.byteOffset });
  }

  /**
   * Completes the current buffer's placed bodies: reads them here when the worker still has a buffer
   * to write (so both threads copy data and neither waits), else lists the host-file reads for it.
   */
  private completePending(): { fills: Float64Array; sources: string[] } {
    const fills: number[] = [];
    const sources: string[] = [];
    if (this.pending.length === 0) return { fills: new Float64Array(0), sources };
    const here = this.behind!.backlogged;
    const index = new Map<string, number>();
    for (const p of this.pending) {
      const target = this.buffer.subarray(p.at, p.at + p.length);
      if (here) {
        this.reader!.readInto(p.body, p.offset, target);
        continue;
      }
      for (const piece of bodyPieces(p.body, p.offset, p.length)) {
        const source = piece.source;
        if ('bytes' in source) {
          target.set(source.bytes.subarray(piece.from, piece.from + piece.length), piece.at);
          continue;
        }
        let n = index.get(source.path);
        if (n === undefined) {
          n = sources.push(source.path) - 1;
          index.set(source.path, n);
        }
        fills.push(n, piece.from, p.at + piece.at, piece.length);
      }
    }
    this.pending = [];
    return { fills: Float64Array.from(fills), sources };
  }

  /** Hands the gathered blocks on (to the worker thread, with write-behind: see close()). */
  flush(): void {
    if (this.filled > 0) {
      const position = this.startBlock * this.blockSize;
      if (this.behind) {
        this.file!.noteWritten(this.fileOffset + position, this.filled);
        const { fills, sources } = this.completePending();
        this.buffer = this.behind.submit(this.filled, this.fileOffset + position, fills, sources);
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
