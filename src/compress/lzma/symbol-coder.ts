/**
 * The LZMA symbol coder: the 12-state machine, the four rep distances and the probabilities that say
 * which kind of symbol comes next (lzma-specification.txt, §"The main loop of decoder"). It codes the
 * symbols a parser chose; it never chooses. Symbol kinds and their flag bits:
 *   literal        isMatch 0
 *   match          isMatch 1, isRep 0, length, distance
 *   short rep      isMatch 1, isRep 1, isRepG0 0, isRep0Long 0   (one byte at distance rep0)
 *   rep0 (long)    isMatch 1, isRep 1, isRepG0 0, isRep0Long 1, length
 *   rep1           isMatch 1, isRep 1, isRepG0 1, isRepG1 0, length
 *   rep2 / rep3    isMatch 1, isRep 1, isRepG0 1, isRepG1 1, isRepG2 0 / 1, length
 */
import { DistanceCoder } from './distance-coder.js';
import { LengthCoder } from './length-coder.js';
import { encodeMatchedLiteral, encodePlainLiteral, literalContextBase, LITERAL_CODER_SIZE } from './literal.js';
import { bitPrice } from './price.js';
import { newProbs, PROB_INIT, type RangeEncoder } from './range-encoder.js';

/** lc, lp, pb: xz's defaults (properties byte 0x5D). lc + lp ≤ 4 as LZMA2 requires. */
export const LC = 3;
export const LP = 0;
export const PB = 2;
export const PROPERTIES_BYTE = (PB * 5 + LP) * 9 + LC;
const POS_MASK = (1 << PB) - 1;

const NUM_STATES = 12;
/** States 0..6 follow a literal; 7..11 follow a match or rep, so the next literal is "matched". */
const LIT_STATES = 7;
/** posState has up to 4 bits, so per-state tables are laid out with a stride of 16. */
const POS_STATES_MAX_BITS = 4;

export function stateAfterLiteral(s: number): number {
  return s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
}
export function stateAfterMatch(s: number): number {
  return s < LIT_STATES ? 7 : 10;
}
export function stateAfterRep(s: number): number {
  return s < LIT_STATES ? 8 : 11;
}
export function stateAfterShortRep(s: number): number {
  return s < LIT_STATES ? 9 : 11;
}

export class LzmaSymbolCoder {
  state = 0;
  /** The last four match distances, 0-based, most recent first. */
  readonly reps = new Int32Array(4);
  private readonly isMatch = newProbs(NUM_STATES << POS_STATES_MAX_BITS);
  private readonly isRep = newProbs(NUM_STATES);
  private readonly isRepG0 = newProbs(NUM_STATES);
  private readonly isRepG1 = newProbs(NUM_STATES);
  private readonly isRepG2 = newProbs(NUM_STATES);
  private readonly isRep0Long = newProbs(NUM_STATES << POS_STATES_MAX_BITS);
  private readonly literals = newProbs(LITERAL_CODER_SIZE << (LC + LP));
  private readonly matchLen = new LengthCoder();
  private readonly repLen = new LengthCoder();
  private readonly distance = new DistanceCoder();

  /** The state reset of an LZMA2 chunk with control ≥ 0xA0: every probability, the state and the reps. */
  reset(): void {
    this.state = 0;
    this.reps.fill(0);
    for (const p of [this.isMatch, this.isRep, this.isRepG0, this.isRepG1, this.isRepG2, this.isRep0Long, this.literals]) p.fill(PROB_INIT);
    this.matchLen.reset();
    this.repLen.reset();
    this.distance.reset();
  }

  /** True when the next literal is coded against the byte at rep0 (the previous symbol was a match). */
  afterMatch(): boolean {
    return this.state >= LIT_STATES;
  }

  /** `position` counts bytes since the dictionary reset; `matchByte` is only read after a match. */
  literal(rc: RangeEncoder, position: number, byte: number, prevByte: number, matchByte: number): void {
    const posState = position & POS_MASK;
    rc.encodeBit(this.isMatch, (this.state << POS_STATES_MAX_BITS) + posState, 0);
    const base = literalContextBase(position, prevByte, LC, LP);
    if (this.state >= LIT_STATES) encodeMatchedLiteral(rc, this.literals, base, byte, matchByte);
    else encodePlainLiteral(rc, this.literals, base, byte);
    this.state = stateAfterLiteral(this.state);
  }

  /** A new match: `distance` is 0-based (bytes back minus one). */
  match(rc: RangeEncoder, position: number, distance: number, len: number): void {
    const posState = position & POS_MASK;
    rc.encodeBit(this.isMatch, (this.state << POS_STATES_MAX_BITS) + posState, 1);
    rc.encodeBit(this.isRep, this.state, 0);
    this.matchLen.encode(rc, len, posState);
    this.distance.encode(rc, distance, len);
    const r = this.reps;
    r[3] = r[2]!;
    r[2] = r[1]!;
    r[1] = r[0]!;
    r[0] = distance;
    this.state = stateAfterMatch(this.state);
  }

  /** One byte from distance rep0. */
  shortRep(rc: RangeEncoder, position: number): void {
    const posState = position & POS_MASK;
    rc.encodeBit(this.isMatch, (this.state << POS_STATES_MAX_BITS) + posState, 1);
    rc.encodeBit(this.isRep, this.state, 1);
    rc.encodeBit(this.isRepG0, this.state, 0);
    rc.encodeBit(this.isRep0Long, (this.state << POS_STATES_MAX_BITS) + posState, 0);
    this.state = stateAfterShortRep(this.state);
  }

  /** A match of `len` bytes at the distance held in reps[repIndex]; that distance moves to the front. */
  rep(rc: RangeEncoder, position: number, repIndex: number, len: number): void {
    const posState = position & POS_MASK;
    const s = this.state;
    rc.encodeBit(this.isMatch, (s << POS_STATES_MAX_BITS) + posState, 1);
    rc.encodeBit(this.isRep, s, 1);
    const r = this.reps;
    if (repIndex === 0) {
      rc.encodeBit(this.isRepG0, s, 0);
      rc.encodeBit(this.isRep0Long, (s << POS_STATES_MAX_BITS) + posState, 1);
    } else {
      rc.encodeBit(this.isRepG0, s, 1);
      const distance = r[repIndex]!;
      if (repIndex === 1) {
        rc.encodeBit(this.isRepG1, s, 0);
      } else {
        rc.encodeBit(this.isRepG1, s, 1);
        rc.encodeBit(this.isRepG2, s, repIndex - 2);
        if (repIndex === 3) r[3] = r[2]!;
        r[2] = r[1]!;
      }
      r[1] = r[0]!;
      r[0] = distance;
    }
    this.repLen.encode(rc, len, posState);
    this.state = stateAfterRep(s);
  }

  // Prices (1/16 bit) for the optimal parser, from the current probabilities. Length and distance
  // prices come from tables that updatePrices() refreshes; the parser calls it now and then.

  updatePrices(): void {
    this.matchLen.updatePrices(1 << PB);
    this.repLen.updatePrices(1 << PB);
    this.distance.updatePrices();
  }

  literalPrice(position: number, state: number, byte: number, prevByte: number, matchByte: number): number {
    let price = bitPrice(this.isMatch[(state << POS_STATES_MAX_BITS) + (position & POS_MASK)]!, 0);
    const base = literalContextBase(position, prevByte, LC, LP);
    const probs = this.literals;
    let symbol = 1;
    let i = 7;
    if (state >= LIT_STATES) {
      for (; i >= 0; i--) {
        const bit = (byte >>> i) & 1;
        const matchBit = (matchByte >>> i) & 1;
        price += bitPrice(probs[base + ((1 + matchBit) << 8) + symbol]!, bit);
        symbol = (symbol << 1) | bit;
        if (bit !== matchBit) {
          i--;
          break;
        }
      }
    }
    for (; i >= 0; i--) {
      const bit = (byte >>> i) & 1;
      price += bitPrice(probs[base + symbol]!, bit);
      symbol = (symbol << 1) | bit;
    }
    return price;
  }

  shortRepPrice(state: number, posState: number): number {
    const ps = (state << POS_STATES_MAX_BITS) + posState;
    return bitPrice(this.isMatch[ps]!, 1) + bitPrice(this.isRep[state]!, 1) + bitPrice(this.isRepG0[state]!, 0) + bitPrice(this.isRep0Long[ps]!, 0);
  }

  /** The flag bits of a long rep match (without its length). */
  repPrice(repIndex: number, state: number, posState: number): number {
    const ps = (state << POS_STATES_MAX_BITS) + posState;
    let price = bitPrice(this.isMatch[ps]!, 1) + bitPrice(this.isRep[state]!, 1);
    if (repIndex === 0) return price + bitPrice(this.isRepG0[state]!, 0) + bitPrice(this.isRep0Long[ps]!, 1);
    price += bitPrice(this.isRepG0[state]!, 1);
    if (repIndex === 1) return price + bitPrice(this.isRepG1[state]!, 0);
    return price + bitPrice(this.isRepG1[state]!, 1) + bitPrice(this.isRepG2[state]!, repIndex - 2);
  }

  /** The length price tables (index posState * LENGTHS + len - 2), for the parser's inner loops. */
  repLenPrices(): Uint32Array {
    return this.repLen.prices;
  }
  matchLenPrices(): Uint32Array {
    return this.matchLen.prices;
  }

  repLenPrice(len: number, posState: number): number {
    return this.repLen.price(len, posState);
  }

  /** The flag bits of a new match (without length and distance). */
  matchFlagsPrice(state: number, posState: number): number {
    return bitPrice(this.isMatch[(state << POS_STATES_MAX_BITS) + posState]!, 1) + bitPrice(this.isRep[state]!, 0);
  }

  matchLenPrice(len: number, posState: number): number {
    return this.matchLen.price(len, posState);
  }

  distancePrice(distance: number, len: number): number {
    return this.distance.price(distance, len);
  }
}
