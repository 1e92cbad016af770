/**
 * The "fast" parser: greedy with one step of lookahead. It prefers a rep match when nearly as long as
 * the longest match, a one-byte-shorter match when it is much closer (distance / 128), and a literal
 * when the next position has a clearly better match. One decision per call.
 */
import { DecisionQueue, LITERAL } from './decisions.js';
import { MATCH_LEN_MAX } from './length-coder.js';
import { type MatchFinder, matchLength } from './match-finder.js';
import type { LzmaSymbolCoder } from './symbol-coder.js';

/** True when `small` is so much closer than `big` that one byte less of match is worth it. */
export function muchCloser(small: number, big: number): boolean {
  return small < big >>> 7;
}

/** The longest rep match at buffer index `i` (limit bytes at most): [length, rep index]. */
export function longestRep(mf: MatchFinder, reps: Int32Array, i: number, limit: number, out: Int32Array): void {
  const buf = mf.buf;
  const minIndex = mf.streamStart - mf.bufBase;
  out[0] = 0;
  out[1] = 0;
  if (limit < 2) return;
  for (let r = 0; r < 4; r++) {
    const j = i - reps[r]! - 1;
    if (j < minIndex || buf[j] !== buf[i] || buf[j + 1] !== buf[i + 1]) continue;
    const len = matchLength(buf, j, i, limit);
    if (len > out[0]!) {
      out[0] = len;
      out[1] = r;
    }
  }
}

/**
 * The one-byte decision at buffer index `i`: a short rep (four flag bits instead of nine) when the byte
 * equals the one at rep0, else a literal. Returns the distance to queue with length 1.
 */
export function oneByteDecision(mf: MatchFinder, rep0: number, i: number): number {
  const j = i - rep0 - 1;
  return j + mf.bufBase >= mf.streamStart && mf.buf[j] === mf.buf[i] ? rep0 : LITERAL;
}

export class FastParser {
  /** Bytes that must be buffered past the start of a plan, so every search sees a full-length window. */
  readonly lookahead = MATCH_LEN_MAX + 5;
  /** True when the match finder has already searched at the next start (the lookahead of the last call). */
  private cached = false;
  private readonly rep = new Int32Array(2);

  constructor(
    private readonly mf: MatchFinder,
    private readonly coder: LzmaSymbolCoder,
    private readonly queue: DecisionQueue,
    private readonly niceLen: number,
  ) {}

  /** Decides at absolute position `pos`, with `avail` bytes of input from there. */
  plan(pos: number, avail: number): void {
    const mf = this.mf;
    const limit = Math.min(avail, MATCH_LEN_MAX);
    if (!this.cached) mf.find(limit);
    this.cached = false;
    const i = pos - mf.bufBase;
    const reps = this.coder.reps;
    const nice = this.niceLen;

    longestRep(mf, reps, i, limit, this.rep);
    const repLen = this.rep[0]!;
    const repDist = reps[this.rep[1]!]!;
    if (repLen >= nice) return this.take(repLen, repDist);

    let mainLen = 0;
    let mainDist = 0;
    const count = mf.count;
    if (count > 0) {
      mainLen = mf.lens[count - 1]!;
      mainDist = mf.dists[count - 1]!;
      if (mainLen >= nice) return this.take(mainLen, mainDist);
      for (let k = count - 2; k >= 0 && mf.lens[k]! + 1 === mainLen && muchCloser(mf.dists[k]!, mainDist); k--) {
        mainLen = mf.lens[k]!;
        mainDist = mf.dists[k]!;
      }
      if (mainLen === 2 && mainDist >= 0x80) mainLen = 1;
    }

    if (repLen >= 2 && (repLen + 1 >= mainLen || (repLen + 2 >= mainLen && mainDist >= 1 << 9) || (repLen + 3 >= mainLen && mainDist >= 1 << 15))) {
      return this.take(repLen, repDist);
    }
    if (mainLen < 2 || limit <= 2) return this.literal(i);

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
        return this.literal(i);
      }
    }
    const repCheck = Math.max(mainLen - 1, 2);
    if (avail - 1 >= repCheck) {
      const buf = mf.buf;
      const minIndex = mf.streamStart - mf.bufBase;
      for (let r = 0; r < 4; r++) {
        const j = i - reps[r]!;
        if (j >= minIndex && matchLength(buf, j, i + 1, repCheck) === repCheck) return this.literal(i);
      }
    }
    this.take(mainLen, mainDist);
  }

  /** A literal, or a short rep when the byte equals the one at rep0. */
  private literal(i: number): void {
    this.queue.push(1, oneByteDecision(this.mf, this.coder.reps[0]!, i));
  }

  /** A copy of `len` bytes; the positions it covers go into the match finder unsearched. */
  private take(len: number, distance: number): void {
    this.queue.push(len, distance);
    this.mf.skip(len - (this.cached ? 2 : 1));
    this.cached = false;
  }
}
