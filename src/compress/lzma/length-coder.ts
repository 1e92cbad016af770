/**
 * The LZMA length coder (lzma-specification.txt, §"The match length decoder"). Lengths 2..273 are coded
 * as len - 2: 0..7 through a 3-bit tree chosen by posState ("low"), 8..15 through another 3-bit tree per
 * posState ("mid"), 16..271 through one 8-bit tree ("high"); two choice bits pick the range. Matches and
 * rep matches each have their own length coder.
 */
import { bitPrice, bitTreePrice } from './price.js';
import { encodeBitTree, newProbs, PROB_INIT, type RangeEncoder } from './range-encoder.js';

export const MATCH_LEN_MIN = 2;
export const MATCH_LEN_MAX = 273;
const LOW_BITS = 3;
const MID_BITS = 3;
const HIGH_BITS = 8;
const LOW_SYMBOLS = 1 << LOW_BITS;
const MID_SYMBOLS = 1 << MID_BITS;
/** posState takes at most 4 bits (pb ≤ 4). */
const POS_STATES_MAX = 1 << 4;
export const LENGTHS = MATCH_LEN_MAX - MATCH_LEN_MIN + 1;

export class LengthCoder {
  /** [choice, choice2]. */
  private readonly choice = newProbs(2);
  private readonly low = newProbs(POS_STATES_MAX << LOW_BITS);
  private readonly mid = newProbs(POS_STATES_MAX << MID_BITS);
  private readonly high = newProbs(1 << HIGH_BITS);
  /** prices[posState * LENGTHS + len - 2], refreshed by updatePrices() (the optimal parser's view). */
  readonly prices = new Uint32Array(POS_STATES_MAX * LENGTHS);

  reset(): void {
    for (const probs of [this.choice, this.low, this.mid, this.high]) probs.fill(PROB_INIT);
  }

  encode(rc: RangeEncoder, len: number, posState: number): void {
    let symbol = len - MATCH_LEN_MIN;
    if (symbol < LOW_SYMBOLS) {
      rc.encodeBit(this.choice, 0, 0);
      encodeBitTree(rc, this.low, posState << LOW_BITS, LOW_BITS, symbol);
      return;
    }
    rc.encodeBit(this.choice, 0, 1);
    symbol -= LOW_SYMBOLS;
    if (symbol < MID_SYMBOLS) {
      rc.encodeBit(this.choice, 1, 0);
      encodeBitTree(rc, this.mid, posState << MID_BITS, MID_BITS, symbol);
      return;
    }
    rc.encodeBit(this.choice, 1, 1);
    encodeBitTree(rc, this.high, 0, HIGH_BITS, symbol - MID_SYMBOLS);
  }

  /** Recomputes the price of every length for posStates 0..posStates-1 from the current probabilities. */
  updatePrices(posStates: number): void {
    const c = this.choice;
    const low0 = bitPrice(c[0]!, 0);
    const mid0 = bitPrice(c[0]!, 1) + bitPrice(c[1]!, 0);
    const high0 = bitPrice(c[0]!, 1) + bitPrice(c[1]!, 1);
    const prices = this.prices;
    // The high tree is shared by all posStates: price it once.
    for (let h = 0; h < LENGTHS - LOW_SYMBOLS - MID_SYMBOLS; h++) prices[LOW_SYMBOLS + MID_SYMBOLS + h] = high0 + bitTreePrice(this.high, 0, HIGH_BITS, h);
    for (let ps = 0; ps < posStates; ps++) {
      const row = ps * LENGTHS;
      if (ps > 0) prices.copyWithin(row + LOW_SYMBOLS + MID_SYMBOLS, LOW_SYMBOLS + MID_SYMBOLS, LENGTHS);
      for (let k = 0; k < LOW_SYMBOLS; k++) prices[row + k] = low0 + bitTreePrice(this.low, ps << LOW_BITS, LOW_BITS, k);
      for (let k = 0; k < MID_SYMBOLS; k++) prices[row + LOW_SYMBOLS + k] = mid0 + bitTreePrice(this.mid, ps << MID_BITS, MID_BITS, k);
    }
  }

  /** The price of `len` at `posState`, as of the last updatePrices(). */
  price(len: number, posState: number): number {
    return this.prices[posState * LENGTHS + len - MATCH_LEN_MIN]!;
  }
}
