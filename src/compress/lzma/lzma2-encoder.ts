/**
 * The LZMA2 encoder: a parser (fast: greedy with lookahead; normal: priced shortest path) decides runs of
 * literals and copies over the match finder's window; the symbol coder range-codes them into LZMA chunks
 * of at most 2 MiB in / 64 KiB out. A chunk that does not shrink is sent as uncompressed chunks instead,
 * and the next LZMA chunk resets the state (its probabilities were spent on bytes the decoder never
 * decoded).
 *
 * Deterministic whatever the input's chunking: a plan only starts once the parser's whole lookahead is
 * buffered (or the input has ended), so every search sees the same bytes.
 */
import { DecisionQueue, LITERAL } from './decisions.js';
import { FastParser } from './fast-parser.js';
import { MATCH_LEN_MAX } from './length-coder.js';
import {
  LZMA2_END,
  LZMA_CHUNK_COMPRESSED_MAX,
  LZMA_CHUNK_UNCOMPRESSED_MAX,
  lzmaChunkHeader,
  type LzmaChunkReset,
  UNCOMPRESSED_CHUNK_MAX,
  uncompressedChunkHeader,
} from './lzma2-chunk.js';
import { MatchFinder } from './match-finder.js';
import { OptimalParser } from './optimal-parser.js';
import { ByteSink, RangeEncoder } from './range-encoder.js';
import { LzmaSymbolCoder, PROPERTIES_BYTE } from './symbol-coder.js';

/** The most bytes one symbol can add to a chunk (a long match with unlikely bits: ~20), with room to spare. */
const SYMBOL_BYTES_MAX = 64;
/** The longest LZMA chunk header (control, 2 size bytes, 2 packed-size bytes, properties). */
const LZMA_CHUNK_HEADER_MAX = 6;
/** Room for input beyond the kept history. */
const WINDOW_SLAB = 1 << 21;
/** Decisions one plan can make at most (the optimal parser's span, plus slack). */
const QUEUE_CAPACITY = 1 << 12;

export interface Lzma2EncoderOptions {
  /** How far back matches reach (a power of two, ≥ 64 KiB). */
  readonly dictSize: number;
  /** Hash-chain candidates compared per position. */
  readonly depth: number;
  /** A match this long is taken without looking further. */
  readonly niceLen: number;
  /** Search a quarter as deep once a match this long is found (default: niceLen, i.e. never). */
  readonly goodLen?: number;
  /** 'fast': greedy with one step of lookahead; 'normal': priced shortest path (smaller, slower). */
  readonly mode?: 'fast' | 'normal';
  /** For tests: renormalise positions this early (default 2^30). */
  readonly normalizeAt?: number;
}

export class Lzma2Encoder {
  private readonly mf: MatchFinder;
  private readonly sink = new ByteSink(LZMA_CHUNK_COMPRESSED_MAX + SYMBOL_BYTES_MAX * 4);
  private readonly rc = new RangeEncoder(this.sink);
  private readonly coder = new LzmaSymbolCoder();
  private readonly queue = new DecisionQueue(QUEUE_CAPACITY);
  private readonly parser: FastParser | OptimalParser;
  /** The next byte to code (absolute, as the match finder counts). */
  private pos: number;
  private chunkOpen = false;
  private chunkStart = 0;
  private dictionaryReset = false;
  private propertiesSent = false;
  private needStateReset = false;
  private finished = false;

  constructor(options: Lzma2EncoderOptions, private readonly emit: (bytes: Uint8Array) => void) {
    const niceLen = Math.min(options.niceLen, MATCH_LEN_MAX);
    this.mf = new MatchFinder({ ...options, slab: WINDOW_SLAB, keepBehind: LZMA_CHUNK_UNCOMPRESSED_MAX });
    this.parser = options.mode === 'normal' ? new OptimalParser(this.mf, this.coder, this.queue, niceLen) : new FastParser(this.mf, this.coder, this.queue, niceLen);
    this.pos = this.mf.cur;
  }

  /** Takes more input and codes every symbol it can already decide. */
  write(data: Uint8Array): void {
    if (this.finished) throw new Error('Lzma2Encoder: write after finish');
    let off = 0;
    while (off < data.length) {
      const keepFrom = this.chunkOpen ? this.chunkStart : this.pos;
      off += this.mf.append(data.subarray(off), keepFrom);
      const by = this.mf.normalize();
      this.pos -= by;
      this.chunkStart -= by;
      this.code(false);
    }
  }

  /** Codes the rest and the LZMA2 end marker. */
  finish(): void {
    if (this.finished) return;
    this.code(true);
    this.finished = true;
    this.emit(Uint8Array.of(LZMA2_END));
  }

  private code(final: boolean): void {
    const queue = this.queue;
    for (;;) {
      if (queue.empty) {
        const avail = this.mf.end - this.pos;
        if (avail === 0 || (!final && avail < this.parser.lookahead)) {
          if (final && this.chunkOpen) this.closeChunk();
          return;
        }
        this.parser.plan(this.pos, avail);
      }
      const len = queue.lens[queue.head]!;
      const distance = queue.dists[queue.head++]!;
      if (!this.chunkOpen) {
        this.openChunk();
      } else if (this.pos - this.chunkStart + len > LZMA_CHUNK_UNCOMPRESSED_MAX || this.rc.pendingSize() + SYMBOL_BYTES_MAX > LZMA_CHUNK_COMPRESSED_MAX) {
        this.closeChunk();
        this.openChunk();
      }
      this.codeDecision(len, distance);
    }
  }

  /** Codes one decision, choosing the symbol kind from the current reps (see decisions.ts). */
  private codeDecision(len: number, distance: number): void {
    const coder = this.coder;
    const reps = coder.reps;
    const position = this.pos - this.mf.streamStart;
    if (len === 1) {
      if (distance !== LITERAL && distance === reps[0]) {
        coder.shortRep(this.rc, position);
      } else {
        const { buf, bufBase } = this.mf;
        const i = this.pos - bufBase;
        const matchByte = coder.afterMatch() ? buf[i - reps[0]! - 1]! : 0;
        coder.literal(this.rc, position, buf[i]!, position > 0 ? buf[i - 1]! : 0, matchByte);
      }
    } else {
      let r = 0;
      while (r < 4 && reps[r] !== distance) r++;
      if (r < 4) coder.rep(this.rc, position, r, len);
      else coder.match(this.rc, position, distance, len);
    }
    this.pos += len;
  }

  private openChunk(): void {
    this.chunkOpen = true;
    this.chunkStart = this.pos;
    this.rc.reset();
    if (!this.propertiesSent || this.needStateReset) this.coder.reset();
  }
  private closeChunk(): void {
    this.chunkOpen = false;
    this.rc.flush();
    const packed = this.sink.view();
    const size = this.pos - this.chunkStart;
    const uncompressedCost = size + 3 * Math.ceil(size / UNCOMPRESSED_CHUNK_MAX);
    if (packed.length + LZMA_CHUNK_HEADER_MAX < uncompressedCost) {
      const reset: LzmaChunkReset = !this.dictionaryReset ? 'dictionary' : !this.propertiesSent ? 'properties' : this.needStateReset ? 'state' : 'none';
      const header = lzmaChunkHeader(size, packed.length, reset, PROPERTIES_BYTE);
      const out = new Uint8Array(header.length + packed.length);
      out.set(header);
      out.set(packed, header.length);
      this.emit(out);
      this.dictionaryReset = true;
      this.propertiesSent = true;
      this.needStateReset = false;
      return;
    }
    const { buf, bufBase } = this.mf;
    for (let at = this.chunkStart; at < this.pos; at += UNCOMPRESSED_CHUNK_MAX) {
      const n = Math.min(UNCOMPRESSED_CHUNK_MAX, this.pos - at);
      const out = new Uint8Array(3 + n);
      out.set(uncompressedChunkHeader(n, !this.dictionaryReset));
      out.set(buf.subarray(at - bufBase, at - bufBase + n), 3);
      this.emit(out);
      this.dictionaryReset = true;
    }
    this.needStateReset = true;
  }
}
