/**
 * An LZ77 match finder over a sliding window: hash chains keyed by 4 bytes, plus direct tables for the
 * latest 2- and 3-byte occurrences (short matches only pay at short distances, so one candidate each is
 * enough). It owns the window: bytes are appended at the end, and the front is dropped when room is
 * needed, keeping at least the dictionary behind the coding position.
 *
 * Positions in the tables are "absolute": the first byte of the stream sits at `dictSize`, so 0 (an
 * empty slot) is always farther back than the dictionary reaches. The chain is a ring indexed by
 * position mod dictSize: an entry for a position within the dictionary was written when that position
 * was inserted and not overwritten since. When positions grow past 2^30 they are all lowered by a
 * multiple of dictSize (normalize), so they stay small integers and the ring indices do not move.
 */
import { MATCH_LEN_MAX } from './length-coder.js';

/** Bits of the 3-byte hash table. */
const HASH3_BITS = 16;
/** The 2-byte table is exact: one slot per byte pair. */
const HASH2_SIZE = 1 << 16;
/** A Fibonacci-hashing multiplier (2^32 / golden ratio). */
const GOLDEN = 0x9e3779b1;
/** Renormalise positions before they leave the small-integer range. */
const NORMALIZE_AT = 1 << 30;

export interface MatchFinderOptions {
  /** The dictionary size: how far back matches may reach. A power of two. */
  readonly dictSize: number;
  /** How many chain candidates to compare at most per position. */
  readonly depth: number;
  /** Stop searching once a match this long is found. */
  readonly niceLen: number;
  /** Search only a quarter as deep once a match this long is found (zlib's good_length). */
  readonly goodLen?: number;
  /** Bytes of room for new input beyond what must be kept (history and the open chunk). */
  readonly slab: number;
  /** Bytes behind the coding position that the owner may still read (an LZMA2 chunk: 2 MiB). */
  readonly keepBehind: number;
  /** Lower all positions once they pass this (2^30; tests make it small to exercise normalize()). */
  readonly normalizeAt?: number;
}

export class MatchFinder {
  /** The window: buf[i] is the byte at absolute position bufBase + i. */
  buf: Uint8Array;
  bufBase: number;
  /** Absolute position of the first byte of the stream (matches never reach before it). */
  streamStart: number;
  /** Absolute position one past the last byte appended. */
  end: number;
  /** The next position to insert (and search at). */
  cur: number;
  /** Found matches at the last find(), lengths strictly increasing; distances 0-based. */
  readonly lens = new Int32Array(MATCH_LEN_MAX + 1);
  readonly dists = new Int32Array(MATCH_LEN_MAX + 1);
  count = 0;

  private readonly dictSize: number;
  private readonly mask: number;
  private readonly depth: number;
  private readonly niceLen: number;
  private readonly goodLen: number;
  private readonly normalizeAt: number;
  private readonly hash4Shift: number;
  private readonly head2 = new Int32Array(HASH2_SIZE);
  private readonly head3 = new Int32Array(1 << HASH3_BITS);
  private readonly head4: Int32Array;
  private readonly chain: Int32Array;

  constructor(options: MatchFinderOptions) {
    const { dictSize } = options;
    // The chain is a ring indexed by position & (dictSize - 1).
    if (dictSize < 1 << 16 || (dictSize & (dictSize - 1)) !== 0) throw new RangeError(`dictionary size ${dictSize} is not a power of two ≥ 64 KiB`);
    this.dictSize = dictSize;
    this.mask = dictSize - 1;
    this.depth = options.depth;
    this.niceLen = Math.min(options.niceLen, MATCH_LEN_MAX);
    this.goodLen = options.goodLen ?? this.niceLen;
    this.normalizeAt = options.normalizeAt ?? NORMALIZE_AT;
    const hash4Bits = Math.min(22, Math.max(16, 31 - Math.clz32(dictSize) - 1));
    this.hash4Shift = 32 - hash4Bits;
    this.head4 = new Int32Array(1 << hash4Bits);
    this.chain = new Int32Array(dictSize);
    this.buf = new Uint8Array(Math.max(dictSize, options.keepBehind) + options.slab);
    this.bufBase = dictSize;
    this.streamStart = dictSize;
    this.end = dictSize;
    this.cur = dictSize;
  }

  /** Bytes appended but not yet inserted. */
  available(): number {
    return this.end - this.cur;
  }

  /**
   * Copies as much of `data` as fits into the window and returns how many bytes it took. To make room
   * it drops bytes before min(keepFrom, cur - dictSize); the caller then codes and calls again.
   */
  append(data: Uint8Array, keepFrom: number): number {
    let used = this.end - this.bufBase;
    if (used === this.buf.length) {
      const dropTo = Math.max(this.bufBase, Math.min(keepFrom, this.cur - this.dictSize));
      const drop = dropTo - this.bufBase;
      if (drop > 0) {
        this.buf.copyWithin(0, drop, used);
        this.bufBase = dropTo;
        used -= drop;
      }
    }
    const n = Math.min(data.length, this.buf.length - used);
    this.buf.set(data.subarray(0, n), used);
    this.end += n;
    return n;
  }

  /**
   * Lowers every position by a multiple of dictSize once they pass normalizeAt; returns the amount (0 if none),
   * which the owner subtracts from the positions it holds.
   */
  normalize(): number {
    if (this.end < this.normalizeAt) return 0;
    const by = Math.floor((this.cur - this.dictSize) / this.dictSize) * this.dictSize;
    if (by <= 0) return 0;
    for (const table of [this.head2, this.head3, this.head4, this.chain]) {
      for (let i = 0; i < table.length; i++) {
        const v = table[i]!;
        table[i] = v > by ? v - by : 0;
      }
    }
    this.bufBase -= by;
    this.streamStart -= by;
    this.end -= by;
    this.cur -= by;
    return by;
  }

  /** Searches matches at `cur` (up to `limit` bytes long), inserts `cur` and advances. Returns the count. */
  find(limit: number): number {
    this.count = 0;
    const pos = this.cur++;
    const buf = this.buf;
    const i = pos - this.bufBase;
    if (limit < 4) {
      // Too close to the end of the stream to hash 4 bytes: no match, and nothing later can reach here.
      return 0;
    }
    const b01 = buf[i]! | (buf[i + 1]! << 8);
    const v = b01 | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    const h3 = Math.imul(v & 0xffffff, GOLDEN) >>> (32 - HASH3_BITS);
    const h4 = Math.imul(v, GOLDEN) >>> this.hash4Shift;
    const c2 = this.head2[b01]!;
    const c3 = this.head3[h3]!;
    let c = this.head4[h4]!;
    this.head2[b01] = pos;
    this.head3[h3] = pos;
    this.head4[h4] = pos;
    this.chain[pos & this.mask] = c;

    const minPos = pos - this.dictSize;
    const base = this.bufBase;
    const nice = Math.min(this.niceLen, limit);
    const lens = this.lens;
    const dists = this.dists;
    let best = 1;
    let count = 0;
    if (c2 > minPos) {
      const len = matchLength(buf, c2 - base, i, limit);
      if (len > best) {
        best = len;
        lens[count] = len;
        dists[count++] = pos - c2 - 1;
      }
    }
    if (c3 > minPos && c3 !== c2 && best < nice) {
      const len = matchLength(buf, c3 - base, i, limit);
      if (len > best) {
        best = len;
        lens[count] = len;
        dists[count++] = pos - c3 - 1;
      }
    }
    const chain = this.chain;
    const mask = this.mask;
    const good = this.goodLen;
    let depth = this.depth;
    while (depth-- > 0 && c > minPos && best < nice) {
      const j = c - base;
      // Cheapest rejection first: a longer match must agree at the byte just past the best so far.
      if (buf[j + best] === buf[i + best] && buf[j] === buf[i]) {
        const len = matchLength(buf, j, i, limit);
        if (len > best) {
          // Once a match is good, finding a longer one rarely pays for a deep search.
          if (best < good && len >= good) depth >>= 2;
          best = len;
          lens[count] = len;
          dists[count++] = pos - c - 1;
        }
      }
      c = chain[c & mask]!;
    }
    this.count = count;
    return count;
  }

  /** Inserts `n` positions without searching (the bytes a chosen match covers). */
  skip(n: number): void {
    const buf = this.buf;
    for (; n > 0; n--) {
      const pos = this.cur++;
      const i = pos - this.bufBase;
      if (this.end - pos < 4) continue;
      const b01 = buf[i]! | (buf[i + 1]! << 8);
      const v = b01 | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
      const h3 = Math.imul(v & 0xffffff, GOLDEN) >>> (32 - HASH3_BITS);
      const h4 = Math.imul(v, GOLDEN) >>> this.hash4Shift;
      this.head2[b01] = pos;
      this.head3[h3] = pos;
      this.chain[pos & this.mask] = this.head4[h4]!;
      this.head4[h4] = pos;
    }
  }
}

/** How many bytes from buf[a] equal those from buf[b], up to `limit`. */
export function matchLength(buf: Uint8Array, a: number, b: number, limit: number): number {
  let len = 0;
  while (len < limit && buf[a + len] === buf[b + len]) len++;
  return len;
}
