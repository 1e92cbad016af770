/**
 * The optimal parser of the high levels: a shortest-path search over each block where every position
 * can be left by a literal or by any match the finder reports there (every length up to the longest),
 * priced in 1/256 bits from the statistics of the previous block (literals, and the literal length,
 * match length and offset codes, plus their extra bits); the cheapest path to the block's end
 * becomes its sequences. The first block is parsed twice, to price it with its own statistics.
 * Repeat offsets follow each path, so a match at a path's repeat offset is priced as it will be coded.
 */
import { LL_EXTRA_BITS, MIN_MATCH, ML_EXTRA_BITS, highBit } from './constants.js';
import { log2Fixed } from './fse.js';
import type { MatchFinder } from './matcher.js';
import { litLengthCode, matchLengthCode, type SequenceBuffer } from './sequences.js';

const INFINITE = 0x7fffffff;
/** Before any statistics: a guess at the FSE cost of one code (5 bits), in 1/256 bits. */
const CODE_COST = 5 * 256;
/** The format's shortest match (RFC 8878 §3.1.1.3.2.1.1: Match_Length code 0 is 3). */
const SHORTEST_MATCH = 3;

/** -log2(count / total) in 1/256 bits, with unseen symbols priced as rare. */
function pricesFrom(counts: Uint32Array, out: Int32Array, minCost: number): void {
  let total = 0;
  for (const c of counts) total += c;
  const logTotal = log2Fixed(total + counts.length);
  for (let s = 0; s < out.length; s++) out[s] = Math.max(minCost, logTotal - log2Fixed(counts[s]! + 1));
}

export class OptimalParser {
  private readonly price: Int32Array;
  private readonly fromLength: Int32Array;
  private readonly fromOffset: Int32Array;
  private readonly litRun: Int32Array;
  private readonly rep0: Int32Array;
  private readonly rep1: Int32Array;
  private readonly rep2: Int32Array;
  private readonly lengths: Int32Array;
  private readonly offsets: Int32Array;
  private readonly literalCost = new Int32Array(256);
  /** Code prices from the previous block's sequences (FSE tables follow the statistics). */
  private readonly llCodeCost = new Int32Array(36).fill(CODE_COST);
  private readonly mlCodeCost = new Int32Array(53).fill(CODE_COST);
  private readonly ofCodeCost = new Int32Array(32).fill(CODE_COST);
  private literalStats: Uint32Array | undefined;
  private readonly matchLengthCost: Int32Array;
  private readonly path: Int32Array;
  private readonly niceLength: number;

  constructor(blockSize: number, niceLength: number, searchDepth: number) {
    const n = blockSize + 1;
    // Each candidate is longer than the last: at most 3 repeat offsets, a 3-byte match, the chain
    // and the 8-byte head.
    this.lengths = new Int32Array(searchDepth + 5);
    this.offsets = new Int32Array(searchDepth + 5);
    this.price = new Int32Array(n);
    this.fromLength = new Int32Array(n);
    this.fromOffset = new Int32Array(n);
    this.litRun = new Int32Array(n);
    this.rep0 = new Int32Array(n);
    this.rep1 = new Int32Array(n);
    this.rep2 = new Int32Array(n);
    this.path = new Int32Array(n);
    this.niceLength = niceLength;
    this.matchLengthCost = new Int32Array(blockSize + 1);
    this.priceMatchLengths();
  }

  private priceMatchLengths(): void {
    for (let len = SHORTEST_MATCH; len < this.matchLengthCost.length; len++) {
      const code = matchLengthCode(len);
      this.matchLengthCost[len] = this.mlCodeCost[code]! + ML_EXTRA_BITS[code]! * 256;
    }
  }

  /** LL price of a literal run of `run` bytes: its code and extra bits. */
  private litLengthCost(run: number): number {
    const code = litLengthCode(run);
    return this.llCodeCost[code]! + LL_EXTRA_BITS[code]! * 256;
  }

  /** Learns code and literal prices from the block just parsed, for the next one. */
  private learn(seqs: SequenceBuffer, literals: Uint8Array, litCount: number): void {
    const ll = new Uint32Array(36);
    const ml = new Uint32Array(53);
    const of = new Uint32Array(32);
    for (let i = 0; i < seqs.count; i++) {
      ll[litLengthCode(seqs.litLength[i]!)]!++;
      ml[matchLengthCode(seqs.matchLength[i]!)]!++;
      of[highBit(seqs.offsetValue[i]!)]!++;
    }
    if (seqs.count > 0) {
      pricesFrom(ll, this.llCodeCost, 32);
      pricesFrom(ml, this.mlCodeCost, 32);
      pricesFrom(of, this.ofCodeCost, 32);
      this.priceMatchLengths();
    }
    const lit = new Uint32Array(256);
    for (let i = 0; i < litCount; i++) lit[literals[i]!]!++;
    this.literalStats = litCount > 0 ? lit : undefined;
  }

  /** Literal prices from the block's byte histogram: -log2(frequency) in 1/256 bits. */
  private priceLiterals(buf: Uint8Array, start: number, end: number): void {
    let counts = this.literalStats;
    if (!counts) {
      counts = new Uint32Array(256);
      for (let i = start; i < end; i++) counts[buf[i]!]!++;
    }
    pricesFrom(counts, this.literalCost, 64);
  }

  private blocksParsed = 0;

  /**
   * Parses buffer[start, end) into sequences and literals (returns the literal count). The first block
   * has no statistics to price with, so it is parsed twice: the second pass uses the first's.
   */
  parseBlock(finder: MatchFinder, start: number, end: number, seqs: SequenceBuffer, literals: Uint8Array): number {
    const passes = this.blocksParsed++ === 0 ? 2 : 1;
    for (let pass = 1; pass < passes; pass++) {
      const reps = finder.reps;
      this.parseOnce(finder, start, end, seqs, literals);
      finder.reps = reps;
    }
    return this.parseOnce(finder, start, end, seqs, literals);
  }

  private parseOnce(finder: MatchFinder, start: number, end: number, seqs: SequenceBuffer, literals: Uint8Array): number {
    const buf = finder.buffer;
    const n = end - start;
    const { price, fromLength, fromOffset, litRun, rep0, rep1, rep2, lengths, offsets, literalCost, matchLengthCost } = this;
    this.priceLiterals(buf, start, end);
    price.fill(INFINITE, 0, n + 1);
    price[0] = 0;
    litRun[0] = 0;
    [rep0[0], rep1[0], rep2[0]] = finder.reps;
    const ilimit = n - MIN_MATCH;
    const nice = this.niceLength;
    for (let i = 0; i < n; i++) {
      const here = price[i]!;
      // Leaving by a literal: it lengthens the run, whose length code may cost more.
      const run = litRun[i]! + 1;
      // A run's LL price is paid as it grows (a match adds the price of an empty run).
      const lit = here + literalCost[buf[start + i]!]! + this.litLengthCost(run) - this.litLengthCost(run - 1);
      if (lit < price[i + 1]!) {
        price[i + 1] = lit;
        fromLength[i + 1] = 0;
        litRun[i + 1] = run;
        rep0[i + 1] = rep0[i]!;
        rep1[i + 1] = rep1[i]!;
        rep2[i + 1] = rep2[i]!;
      }
      if (i > ilimit) continue;
      const r0 = rep0[i]!, r1 = rep1[i]!, r2 = rep2[i]!;
      const count = finder.collectMatches(start + i, end, r0, r1, r2, lengths, offsets);
      if (count === 0) continue;
      const llCost = this.litLengthCost(0);
      let from = SHORTEST_MATCH;
      for (let c = 0; c < count; c++) {
        const len = lengths[c]!;
        const off = offsets[c]!;
        const isRep = off === r0 ? 1 : off === r1 ? 2 : off === r2 ? 3 : 0;
        const offsetValue = isRep > 0 ? isRep : off + 3;
        const ofCode = highBit(offsetValue);
        const base = here + llCost + this.ofCodeCost[ofCode]! + ofCode * 256;
        for (let l = from; l <= len; l++) {
          const p = base + matchLengthCost[l]!;
          if (p < price[i + l]!) {
            price[i + l] = p;
            fromLength[i + l] = l;
            fromOffset[i + l] = off;
            litRun[i + l] = 0;
            if (isRep === 1) {
              rep0[i + l] = r0;
              rep1[i + l] = r1;
              rep2[i + l] = r2;
            } else if (isRep === 2) {
              rep0[i + l] = r1;
              rep1[i + l] = r0;
              rep2[i + l] = r2;
            } else if (isRep === 3) {
              rep0[i + l] = r2;
              rep1[i + l] = r0;
              rep2[i + l] = r1;
            } else {
              rep0[i + l] = off;
              rep1[i + l] = r0;
              rep2[i + l] = r1;
            }
          }
        }
        from = len + 1;
      }
      // A very long match is taken as it is: the positions it covers are not explored.
      const longest = lengths[count - 1]!;
      if (longest >= nice) i += longest - 1;
    }
    const litCount = this.emitPath(finder, start, end, seqs, literals);
    this.learn(seqs, literals, litCount);
    return litCount;
  }

  /** Walks the cheapest path back from the block's end, then emits it front to back. */
  private emitPath(finder: MatchFinder, start: number, end: number, seqs: SequenceBuffer, literals: Uint8Array): number {
    const buf = finder.buffer;
    const path = this.path;
    let steps = 0;
    let i = end - start;
    while (i > 0) {
      const len = this.fromLength[i]!;
      if (len > 0) {
        path[steps++] = i;
        i -= len;
      } else {
        i--;
      }
    }
    seqs.count = 0;
    let litCount = 0;
    let anchor = 0;
    for (let s = steps - 1; s >= 0; s--) {
      const stop = path[s]!;
      const len = this.fromLength[stop]!;
      const matchStart = stop - len;
      literals.set(buf.subarray(start + anchor, start + matchStart), litCount);
      litCount += matchStart - anchor;
      finder.emit(seqs, matchStart - anchor, len, this.fromOffset[stop]!);
      anchor = stop;
    }
    literals.set(buf.subarray(start + anchor, end), litCount);
    return litCount + (end - start - anchor);
  }
}
