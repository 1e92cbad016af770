/**
 * The LZMA2 encoder: the match finder feeds a greedy-with-one-step-lookahead parser (the "fast" strategy:
 * prefer rep matches when nearly as long, prefer a one-byte-shorter match when it is much closer, and
 * emit a literal when the next position has a clearly better match); the symbol coder range-codes the
 * chosen symbols into LZMA chunks of at most 2 MiB in / 64 KiB out. A chunk that does not shrink is sent
 * as uncompressed chunks instead, and the next LZMA chunk resets the state (its probabilities were spent
 * on bytes the decoder never decoded).
 *
 * Deterministic whatever the input's chunking: a symbol is only chosen once MATCH_LEN_MAX + 5 bytes are
 * buffered ahead of it (or the input has ended), so every search sees the same bytes.
 */
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
import { MatchFinder, matchLength } from './match-finder.js';
import { ByteSink, RangeEncoder } from './range-encoder.js';
import { LzmaSymbolCoder, PROPERTIES_BYTE } from './symbol-coder.js';

/** Bytes that must be buffered ahead of the coding position before a symbol is chosen (see above). */
const LOOKAHEAD = MATCH_LEN_MAX + 5;
/** The most bytes one symbol can add to a chunk (a long match with unlikely bits: ~20), with room to spare. */
const SYMBOL_BYTES_MAX = 64;
/** The longest LZMA chunk header (control, 2 size bytes, 2 packed-size bytes, properties). */
const LZMA_CHUNK_HEADER_MAX = 6;
/** Room for input beyond the kept history. */
const WINDOW_SLAB = 1 << 21;

export interface Lzma2EncoderOptions {
  /** How far back matches reach (a power of two, ≥ 64 KiB). */
  readonly dictSize: number;
  /** Hash-chain candidates compared per position. */
  readonly depth: number;
  /** A match this long is taken without looking further. */
  readonly niceLen: number;
  /** Search a quarter as deep once a match this long is found (default: niceLen, i.e. never). */
  readonly goodLen?: number;
  /** For tests: renormalise positions this early (default 2^30). */
  readonly normalizeAt?: number;
}

/** True when `small` is so much closer than `big` that one byte less of match is worth it. */
function muchCloser(small: number, big: number): boolean {
  return small < big >>> 7;
}

export class Lzma2Encoder {
  private readonly mf: MatchFinder;
  private readonly sink = new ByteSink(LZMA_CHUNK_COMPRESSED_MAX + SYMBOL_BYTES_MAX * 4);
  private readonly rc = new RangeEncoder(this.sink);
  private readonly coder = new LzmaSymbolCoder();
  private readonly niceLen: number;
  /** The next byte to code (absolute, as the match finder counts). */
  private pos: number;
  private chunkOpen = false;
  private chunkStart = 0;
  /** True when the match finder has already searched at `pos` (the lookahead of the previous symbol). */
  private cached = false;
  private dictionaryReset = false;
  private propertiesSent = false;
  private needStateReset = false;
  private finished = false;

  constructor(options: Lzma2EncoderOptions, private readonly emit: (bytes: Uint8Array) => void) {
    this.niceLen = Math.min(options.niceLen, MATCH_LEN_MAX);
    this.mf = new MatchFinder({ ...options, slab: WINDOW_SLAB, keepBehind: LZMA_CHUNK_UNCOMPRESSED_MAX });
    this.pos = this.mf.cur;
  }

  /** Takes more input and codes every symbol it can already decide. */
  write(data: Uint8Array): void {
    if (this.finished) throw new Error('Lzma2Encoder: write after finish');
    let off = 0;
    while (off < data.length) {
      const keepFrom = this.chunkOpen ? this.chunkStart : this.pos;
      off += this.mf.append(data.subarray(off), Math.min(keepFrom, this.pos));
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
    for (;;) {
      const avail = this.mf.end - this.pos;
      if (avail === 0 || (!final && avail < LOOKAHEAD)) {
        if (final && this.chunkOpen) this.closeChunk();
        return;
      }
      if (!this.chunkOpen) this.openChunk();
      this.codeSymbol(avail);
      const full =
        this.pos - this.chunkStart + MATCH_LEN_MAX > LZMA_CHUNK_UNCOMPRESSED_MAX ||
        this.rc.pendingSize() + SYMBOL_BYTES_MAX > LZMA_CHUNK_COMPRESSED_MAX;
      if (full) this.closeChunk();
    }
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

  /** Chooses and codes one symbol at `pos` (`avail` bytes of input from there). */
  private codeSymbol(avail: number): void {
    const mf = this.mf;
    const limit = Math.min(avail, MATCH_LEN_MAX);
    if (!this.cached) mf.find(limit);
    this.cached = false;
    const buf = mf.buf;
    const base = mf.bufBase;
    const i = this.pos - base;
    const reps = this.coder.reps;
    const nice = this.niceLen;

    let repLen = 0;
    let repIndex = 0;
    if (limit >= 2) {
      for (let r = 0; r < 4; r++) {
        const j = i - reps[r]! - 1;
        if (j + base < mf.streamStart || buf[j] !== buf[i] || buf[j + 1] !== buf[i + 1]) continue;
        const len = matchLength(buf, j, i, limit);
        if (len > repLen) {
          repLen = len;
          repIndex = r;
        }
      }
    }
    if (repLen >= nice) return this.codeRep(repIndex, repLen);

    let mainLen = 0;
    let mainDist = 0;
    const count = mf.count;
    if (count > 0) {
      mainLen = mf.lens[count - 1]!;
      mainDist = mf.dists[count - 1]!;
      if (mainLen >= nice) return this.codeMatch(mainDist, mainLen);
      for (let k = count - 2; k >= 0 && mf.lens[k]! + 1 === mainLen && muchCloser(mf.dists[k]!, mainDist); k--) {
        mainLen = mf.lens[k]!;
        mainDist = mf.dists[k]!;
      }
      if (mainLen === 2 && mainDist >= 0x80) mainLen = 1;
    }

    if (repLen >= 2 && (repLen + 1 >= mainLen || (repLen + 2 >= mainLen && mainDist >= 1 << 9) || (repLen + 3 >= mainLen && mainDist >= 1 << 15))) {
      return this.codeRep(repIndex, repLen);
    }
    if (mainLen < 2 || limit <= 2) return this.codeLiteral();

    // One step of lookahead: a clearly better match at pos + 1 is worth a literal now.
    mf.find(Math.min(avail - 1, MATCH_LEN_MAX));
    this.cached = true;
    const nextCount = mf.count;
    if (nextCount > 0) {
      const nextLen = mf.lens[nextCount - 1]!;
      const nextDist = mf.dists[nextCount - 1]!;
      if (
        (nextLen >= mainLen && nextDist < mainDist) ||
        (nextLen === mainLen + 1 && !muchCloser(mainDist, nextDist)) ||
        nextLen > mainLen + 1 ||
        (nextLen + 1 >= mainLen && mainLen >= 3 && muchCloser(nextDist, mainDist))
      ) {
        return this.codeLiteral();
      }
    }
    const repCheck = Math.max(mainLen - 1, 2);
    if (avail - 1 >= repCheck) {
      for (let r = 0; r < 4; r++) {
        const j = i + 1 - reps[r]! - 1;
        if (j + base >= mf.streamStart && matchLength(buf, j, i + 1, repCheck) === repCheck) return this.codeLiteral();
      }
    }
    this.codeMatch(mainDist, mainLen);
  }

  private codeLiteral(): void {
    const { buf, bufBase, streamStart } = this.mf;
    const i = this.pos - bufBase;
    const byte = buf[i]!;
    const position = this.pos - streamStart;
    const prevByte = position > 0 ? buf[i - 1]! : 0;
    const repSource = i - this.coder.reps[0]! - 1;
    // A byte equal to the one at rep0 costs four flag bits as a short rep, less than a literal.
    if (repSource + bufBase >= streamStart && buf[repSource] === byte) {
      this.coder.shortRep(this.rc, position);
      this.pos++;
      return;
    }
    const matchByte = this.coder.afterMatch() ? buf[repSource]! : 0;
    this.coder.literal(this.rc, position, byte, prevByte, matchByte);
    this.pos++;
  }

  private codeMatch(distance: number, len: number): void {
    this.coder.match(this.rc, this.pos - this.mf.streamStart, distance, len);
    this.advance(len);
  }

  private codeRep(repIndex: number, len: number): void {
    this.coder.rep(this.rc, this.pos - this.mf.streamStart, repIndex, len);
    this.advance(len);
  }

  /** Moves past a match of `len` bytes, inserting the positions it covers into the match finder. */
  private advance(len: number): void {
    this.mf.skip(len - (this.cached ? 2 : 1));
    this.cached = false;
    this.pos += len;
  }
}
