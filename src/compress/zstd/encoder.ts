/**
 * The streaming Zstandard encoder: input accumulates in the match finder's window buffer; every full
 * 128 KiB block is parsed into sequences and written as a Compressed block, or as Raw or RLE when
 * that is smaller. One frame for the whole stream, with a content checksum. Pure: bytes in, bytes out.
 */
import { concatBytes } from '../concat.js';
import { BLOCK_COMPRESSED, BLOCK_RAW, BLOCK_RLE, BLOCK_SIZE_MAX, MIN_MATCH } from './constants.js';
import { blockHeader, checksumTrailer, frameHeader } from './frame.js';
import { levelParameters } from './levels.js';
import { encodeLiterals } from './literals.js';
import { MatchFinder, type RepeatOffsets } from './matcher.js';
import { OptimalParser } from './optimal.js';
import { encodeSequences, newSequenceBuffer, newSequenceScratch, type SequenceBuffer, type SequenceScratch } from './sequences.js';
import { Xxh64 } from './xxh64.js';

export class ZstdEncoder {
  private readonly finder: MatchFinder;
  private readonly optimal: OptimalParser | undefined;
  private readonly windowLog: number;
  private readonly hash = new Xxh64();
  private readonly seqs: SequenceBuffer;
  private readonly scratch: SequenceScratch;
  private readonly literals = new Uint8Array(BLOCK_SIZE_MAX);
  /** Start of the next block in the finder's buffer. */
  private pos = 0;
  private headerWritten = false;
  private finished = false;

  constructor(level: number) {
    const params = levelParameters(level);
    this.windowLog = params.windowLog;
    this.finder = new MatchFinder(params, BLOCK_SIZE_MAX);
    this.optimal = params.optimal ? new OptimalParser(BLOCK_SIZE_MAX, params.niceLength, params.searchDepth) : undefined;
    // The optimal parser takes matches of 3 bytes, the format's shortest.
    const maxSequences = Math.ceil(BLOCK_SIZE_MAX / 3) + 1;
    this.seqs = newSequenceBuffer(maxSequences);
    this.scratch = newSequenceScratch(maxSequences);
  }

  /** Takes more input; returns the compressed bytes that are ready (possibly none). */
  push(data: Uint8Array): Uint8Array[] {
    if (this.finished) throw new Error('zstd encoder: input after the end');
    this.hash.update(data);
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < data.length) {
      if (this.finder.end === this.finder.buffer.length) {
        this.finder.slide();
        this.pos -= this.finder.windowSize;
      }
      at += this.finder.append(data.subarray(at));
      // Keep the last (possibly partial) block back: only the end of input says it is the last.
      while (this.finder.end - this.pos > BLOCK_SIZE_MAX) {
        if (!this.headerWritten) out.push(this.header(undefined));
        out.push(this.block(this.pos, this.pos + BLOCK_SIZE_MAX, false));
        this.pos += BLOCK_SIZE_MAX;
      }
    }
    return out;
  }

  /** Ends the stream: the last block and the checksum. */
  finish(): Uint8Array[] {
    if (this.finished) return [];
    this.finished = true;
    const out: Uint8Array[] = [];
    const remaining = this.finder.end - this.pos;
    if (!this.headerWritten) out.push(this.header(remaining));
    out.push(this.block(this.pos, this.finder.end, true));
    out.push(checksumTrailer(this.hash.digestLow32()));
    return out;
  }

  private header(contentSize: number | undefined): Uint8Array {
    this.headerWritten = true;
    return frameHeader({ windowLog: this.windowLog, contentSize, checksum: true });
  }

  /** One block: Compressed if smaller, else RLE (one repeated byte) or Raw. */
  private block(start: number, end: number, last: boolean): Uint8Array {
    const buf = this.finder.buffer;
    const size = end - start;
    if (size > 0 && isOneByte(buf, start, end)) {
      // RLE: no sequences, so the match finder's state is left as it was (positions get hashed later).
      return concatBytes([blockHeader(last, BLOCK_RLE, size), buf.subarray(start, start + 1)]);
    }
    const repsBefore: RepeatOffsets = [...this.finder.reps];
    const compressed = size >= MIN_MATCH * 2 ? this.compressBlock(start, end) : undefined;
    if (compressed && compressed.length < size) {
      return concatBytes([blockHeader(last, BLOCK_COMPRESSED, compressed.length), compressed]);
    }
    // Raw: the decoder does not see our sequences, so its repeat offsets did not change either.
    this.finder.reps = repsBefore;
    return concatBytes([blockHeader(last, BLOCK_RAW, size), buf.subarray(start, end)]);
  }

  private compressBlock(start: number, end: number): Uint8Array {
    const litCount = this.optimal
      ? this.optimal.parseBlock(this.finder, start, end, this.seqs, this.literals)
      : this.finder.parseBlock(start, end, this.seqs, this.literals);
    const literals = encodeLiterals(this.literals.subarray(0, litCount));
    const sequences = encodeSequences(this.seqs, this.scratch);
    return concatBytes([literals, sequences]);
  }
}

function isOneByte(buf: Uint8Array, start: number, end: number): boolean {
  const first = buf[start];
  for (let i = start + 1; i < end; i++) if (buf[i] !== first) return false;
  return true;
}
