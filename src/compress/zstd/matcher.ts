/**
 * The LZ77 match finder: a sliding buffer holding the window behind the current block, hash heads on
 * the next 4 bytes and a chain through earlier positions with the same hash, walked up to a depth set
 * by the level, with lazy matching (a match one or two bytes later wins if it is worth more); the
 * optimal levels add a 3-byte hash (short, near matches) and an 8-byte hash (long, far ones). Repeat
 * offsets (RFC 8878 §3.1.2.5) are tried first, and kept exactly as the decoder will keep them.
 */
import { INITIAL_REPEAT_OFFSETS, MIN_MATCH, highBit } from './constants.js';
import type { LevelParameters } from './levels.js';
import type { SequenceBuffer } from './sequences.js';

const HASH_MULTIPLIER = 0x9e3779b1;
const HASH3_LOG = 16;
const HASH8_LOG = 20;
/** 3-byte matches farther than this cost more than the three literals they replace. */
const MATCH3_MAX_OFFSET = 1 << 14;

/** Moves stored positions down by `delta`; those that fall before the buffer become -1. */
function rebase(table: Int32Array, delta: number): void {
  for (let i = 0; i < table.length; i++) {
    const v = table[i]! - delta;
    table[i] = v < 0 ? -1 : v;
  }
}

/** Repeat offsets as the decoder keeps them: rep[0] most recent. */
export type RepeatOffsets = [number, number, number];

export class MatchFinder {
  /** Window + room for new input; data before `end` is valid. */
  readonly buffer: Uint8Array;
  end = 0;
  readonly windowSize: number;
  private rep0 = INITIAL_REPEAT_OFFSETS[0];
  private rep1 = INITIAL_REPEAT_OFFSETS[1];
  private rep2 = INITIAL_REPEAT_OFFSETS[2];
  private readonly params: LevelParameters;
  private readonly head: Int32Array;
  private readonly chain: Int32Array;
  private readonly hashShift: number;
  /** Optimal levels: the latest position of each 3-byte hash (3-byte matches pay off when near). */
  private readonly head3: Int32Array | undefined;
  /** Optimal levels: the latest position of each 8-byte hash, to reach long matches the chain walk stops short of. */
  private readonly head8: Int32Array | undefined;
  private nextInsert = 0;
  /** Best match of the last search(): length and offset. */
  private foundLength = 0;
  private foundOffset = 0;

  constructor(params: LevelParameters, blockSize: number) {
    this.params = params;
    this.windowSize = 1 << params.windowLog;
    this.buffer = new Uint8Array(2 * this.windowSize + 2 * blockSize);
    this.head = new Int32Array(1 << params.hashLog).fill(-1);
    this.chain = new Int32Array(this.windowSize).fill(-1);
    this.hashShift = 32 - params.hashLog;
    this.head3 = params.optimal ? new Int32Array(1 << HASH3_LOG).fill(-1) : undefined;
    this.head8 = params.optimal ? new Int32Array(1 << HASH8_LOG).fill(-1) : undefined;
  }

  get reps(): RepeatOffsets {
    return [this.rep0, this.rep1, this.rep2];
  }

  set reps(r: RepeatOffsets) {
    [this.rep0, this.rep1, this.rep2] = r;
  }

  /** Copies as much of `data` as fits; returns how many bytes were taken. */
  append(data: Uint8Array): number {
    const take = Math.min(data.length, this.buffer.length - this.end);
    this.buffer.set(data.subarray(0, take), this.end);
    this.end += take;
    return take;
  }

  /**
   * Drops the oldest window's worth of bytes: everything moves down by windowSize, and so do the
   * positions in the hash tables (those that fall off become -1). Chain slots are indexed by
   * position mod windowSize, which the shift keeps.
   */
  slide(): void {
    const w = this.windowSize;
    this.buffer.copyWithin(0, w, this.end);
    this.end -= w;
    this.nextInsert = Math.max(0, this.nextInsert - w);
    rebase(this.head, w);
    rebase(this.chain, w);
    if (this.head3) rebase(this.head3, w);
    if (this.head8) rebase(this.head8, w);
  }

  read32(p: number): number {
    const b = this.buffer;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }

  private hashAt(p: number): number {
    const b = this.buffer;
    const v = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    return Math.imul(v, HASH_MULTIPLIER) >>> this.hashShift;
  }

  private hash3At(p: number): number {
    const b = this.buffer;
    return Math.imul(b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16), HASH_MULTIPLIER) >>> (32 - HASH3_LOG);
  }

  private hash8At(p: number): number {
    const h = Math.imul(this.read32(p), HASH_MULTIPLIER) ^ Math.imul(this.read32(p + 4), 0x85ebca77);
    return Math.imul(h, HASH_MULTIPLIER) >>> (32 - HASH8_LOG);
  }

  /**
   * Inserts positions before `target`. The 8-byte head only takes positions whose 8 bytes lie before
   * `limit` (the block's end): what lies beyond depends on how the input was chunked.
   */
  private insertUpTo(target: number, limit: number): void {
    const chainMask = this.windowSize - 1;
    const head3 = this.head3;
    const head8 = this.head8;
    for (let p = this.nextInsert; p < target; p++) {
      const h = this.hashAt(p);
      this.chain[p & chainMask] = this.head[h]!;
      this.head[h] = p;
      if (head3) head3[this.hash3At(p)] = p;
      if (head8 && p + 8 <= limit) head8[this.hash8At(p)] = p;
    }
    if (target > this.nextInsert) this.nextInsert = target;
  }

  /** Length of the common run at `a` (earlier) and `b`, not past `limit`. */
  commonLength(a: number, b: number, limit: number): number {
    const buf = this.buffer;
    const start = b;
    while (b < limit && buf[a] === buf[b]) {
      a++;
      b++;
    }
    return b - start;
  }

  /**
   * The most valuable match at `ip` (value: 4 per byte minus the offset's extra bits), considering
   * the repeat offsets usable with `litLength` literals before it and the hash chain. Sets
   * foundLength (0 if none) and foundOffset.
   */
  private search(ip: number, litLength: number, limit: number): number {
    const buf = this.buffer;
    const lowest = Math.max(0, ip - this.windowSize + 1);
    let bestLength = 0;
    let bestOffset = 0;
    let bestGain = 0;
    const r0 = this.rep0, r1 = this.rep1, r2 = this.rep2;
    const cur = this.read32(ip);
    // Offset_Value 1-3 stand for rep0-2 after literals, for rep1, rep2, rep0 - 1 right after a match.
    for (let k = 0; k < 3; k++) {
      const off = litLength > 0 ? (k === 0 ? r0 : k === 1 ? r1 : r2) : k === 0 ? r1 : k === 1 ? r2 : r0 - 1;
      if (off < 1 || ip - off < lowest || this.read32(ip - off) !== cur) continue;
      const len = MIN_MATCH + this.commonLength(ip - off + MIN_MATCH, ip + MIN_MATCH, limit);
      const gain = len * 4 - k;
      if (gain > bestGain) {
        bestGain = gain;
        bestLength = len;
        bestOffset = off;
      }
    }
    this.insertUpTo(ip, limit);
    const chain = this.chain;
    const chainMask = this.windowSize - 1;
    const nice = this.params.niceLength;
    let cand = this.head[this.hashAt(ip)]!;
    let depth = this.params.searchDepth;
    let longest = bestLength;
    while (cand >= lowest && depth-- > 0) {
      if (buf[cand + longest] === buf[ip + longest] && this.read32(cand) === cur) {
        const len = MIN_MATCH + this.commonLength(cand + MIN_MATCH, ip + MIN_MATCH, limit);
        if (len > longest) {
          longest = len;
          const off = ip - cand;
          const gain = len * 4 - highBit(off + 3);
          if (gain > bestGain) {
            bestGain = gain;
            bestLength = len;
            bestOffset = off;
          }
          if (len >= nice || ip + len >= limit) break;
        }
      }
      cand = chain[cand & chainMask]!;
    }
    this.foundLength = bestLength >= MIN_MATCH ? bestLength : 0;
    this.foundOffset = bestOffset;
    return this.foundLength === 0 ? 0 : bestGain;
  }

  /**
   * Every match at `ip` that is longer than the ones before it: the repeat offsets `r0..r2` first, then
   * the hash chain. Writes lengths and offsets (ascending lengths) and returns how many.
   */
  collectMatches(ip: number, limit: number, r0: number, r1: number, r2: number, lengths: Int32Array, offsets: Int32Array): number {
    const buf = this.buffer;
    const lowest = Math.max(0, ip - this.windowSize + 1);
    const cur = this.read32(ip);
    let count = 0;
    let longest = MIN_MATCH - 1;
    for (let k = 0; k < 3; k++) {
      const off = k === 0 ? r0 : k === 1 ? r1 : r2;
      if (off < 1 || ip - off < lowest || this.read32(ip - off) !== cur) continue;
      const len = MIN_MATCH + this.commonLength(ip - off + MIN_MATCH, ip + MIN_MATCH, limit);
      if (len > longest) {
        longest = len;
        lengths[count] = len;
        offsets[count++] = off;
      }
    }
    this.insertUpTo(ip, limit);
    if (this.head3 && longest < MIN_MATCH) {
      const cand3 = this.head3[this.hash3At(ip)]!;
      if (cand3 < ip && ip - cand3 <= MATCH3_MAX_OFFSET && cand3 >= lowest && buf[cand3] === buf[ip] && buf[cand3 + 1] === buf[ip + 1] && buf[cand3 + 2] === buf[ip + 2]) {
        longest = 3 + this.commonLength(cand3 + 3, ip + 3, limit);
        lengths[count] = longest;
        offsets[count++] = ip - cand3;
      }
    }
    const chain = this.chain;
    const chainMask = this.windowSize - 1;
    const nice = this.params.niceLength;
    let cand = this.head[this.hashAt(ip)]!;
    // A second pass over a block finds its later positions already inserted: skip those.
    while (cand >= ip) cand = chain[cand & chainMask]!;
    let depth = this.params.searchDepth;
    while (cand >= lowest && depth-- > 0 && longest < nice && ip + longest < limit) {
      if (buf[cand + longest] === buf[ip + longest] && this.read32(cand) === cur) {
        const len = MIN_MATCH + this.commonLength(cand + MIN_MATCH, ip + MIN_MATCH, limit);
        if (len > longest) {
          longest = len;
          lengths[count] = len;
          offsets[count++] = ip - cand;
        }
      }
      cand = chain[cand & chainMask]!;
    }
    // After the chain: for equal lengths the chain's nearer (cheaper) offsets win.
    if (this.head8 && ip + 8 <= limit) {
      const cand8 = this.head8[this.hash8At(ip)]!;
      if (cand8 < ip && cand8 >= lowest && this.read32(cand8) === cur) {
        const len = MIN_MATCH + this.commonLength(cand8 + MIN_MATCH, ip + MIN_MATCH, limit);
        if (len > longest) {
          longest = len;
          lengths[count] = len;
          offsets[count++] = ip - cand8;
        }
      }
    }
    return count;
  }

  /**
   * Parses buffer[start, end) into sequences (appended to `seqs`) and literals (written to
   * `literals`); returns the number of literal bytes, trailing ones included.
   */
  parseBlock(start: number, end: number, seqs: SequenceBuffer, literals: Uint8Array): number {
    const buf = this.buffer;
    const lazy = this.params.lazy;
    const skipStep = this.params.skipStep;
    const ilimit = end - MIN_MATCH;
    let litCount = 0;
    let anchor = start;
    let ip = start;
    seqs.count = 0;
    while (ip <= ilimit) {
      let gain = this.search(ip, ip - anchor, end);
      if (gain === 0) {
        ip += skipStep ? 1 + ((ip - anchor) >> 8) : 1;
        continue;
      }
      let length = this.foundLength;
      let offset = this.foundOffset;
      for (let k = 0; k < lazy && ip + 1 <= ilimit; k++) {
        const next = this.search(ip + 1, ip + 1 - anchor, end);
        // One more literal costs about a byte's worth of gain.
        if (next <= gain + 4) break;
        ip++;
        gain = next;
        length = this.foundLength;
        offset = this.foundOffset;
      }
      literals.set(buf.subarray(anchor, ip), litCount);
      litCount += ip - anchor;
      this.emit(seqs, ip - anchor, length, offset);
      ip += length;
      anchor = ip;
    }
    literals.set(buf.subarray(anchor, end), litCount);
    litCount += end - anchor;
    // Positions near the block end are inserted by the next block's searches, once they can be hashed.
    return litCount;
  }

  /** Records a sequence with its Offset_Value, updating the repeat offsets as §3.1.2.5 says. */
  emit(seqs: SequenceBuffer, litLength: number, matchLength: number, offset: number): void {
    const r0 = this.rep0, r1 = this.rep1, r2 = this.rep2;
    let value: number;
    if (litLength > 0) value = offset === r0 ? 1 : offset === r1 ? 2 : offset === r2 ? 3 : offset + 3;
    else value = offset === r1 ? 1 : offset === r2 ? 2 : offset === r0 - 1 ? 3 : offset + 3;
    const index = value > 3 ? 0 : value + (litLength === 0 ? 1 : 0);
    if (index === 0 || index === 4) {
      // A new offset, or rep0 - 1: it goes in front.
      this.rep2 = r1;
      this.rep1 = r0;
      this.rep0 = offset;
    } else if (index === 2) {
      this.rep1 = r0;
      this.rep0 = r1;
    } else if (index === 3) {
      this.rep2 = r1;
      this.rep1 = r0;
      this.rep0 = r2;
    }
    const i = seqs.count++;
    seqs.litLength[i] = litLength;
    seqs.matchLength[i] = matchLength;
    seqs.offsetValue[i] = value;
  }
}
