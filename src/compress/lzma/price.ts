/**
 * Bit prices for the optimal parser: the cost of coding a bit with an 11-bit probability, in 1/16 bit
 * (-log2(p) × 16), from a 128-entry table indexed by probability / 16. The table is built with integer
 * arithmetic only (repeated squaring counts the bits of p^16), so it is the same on every platform.
 */
import { PROB_BITS } from './range-encoder.js';

/** Prices are in 1/16 bit. */
export const PRICE_SHIFT = 4;
/** Probabilities are looked up in steps of 16. */
const REDUCE_BITS = 4;
const TABLE_SIZE = (1 << PROB_BITS) >>> REDUCE_BITS;

/** PRICES[p >> 4] ≈ -log2(p / 2048) × 16. */
const PRICES = (() => {
  const table = new Uint32Array(TABLE_SIZE);
  for (let k = 0; k < TABLE_SIZE; k++) {
    // The middle of the step: p = 16k + 8. log2(p) × 16 = the number of bits shed while squaring p four
    // times, keeping it below 2^16 (each squaring doubles the exponent, each halving counts one bit).
    let w = (k << REDUCE_BITS) + (1 << (REDUCE_BITS - 1));
    let shed = 0;
    for (let j = 0; j < PRICE_SHIFT; j++) {
      w = w * w;
      shed <<= 1;
      while (w >= 1 << 16) {
        w = Math.floor(w / 2);
        shed++;
      }
    }
    table[k] = (PROB_BITS << PRICE_SHIFT) - 15 - shed;
  }
  return table;
})();

/** The price of coding `bit` with probability `prob` (of a 0). */
export function bitPrice(prob: number, bit: number): number {
  return PRICES[(bit === 0 ? prob : (1 << PROB_BITS) - prob) >>> REDUCE_BITS]!;
}

export function bitTreePrice(probs: Uint16Array, base: number, numBits: number, symbol: number): number {
  let price = 0;
  let m = 1;
  for (let i = numBits - 1; i >= 0; i--) {
    const bit = (symbol >>> i) & 1;
    price += bitPrice(probs[base + m]!, bit);
    m = (m << 1) | bit;
  }
  return price;
}

export function reverseBitTreePrice(probs: Uint16Array, base: number, numBits: number, symbol: number): number {
  let price = 0;
  let m = 1;
  for (let i = 0; i < numBits; i++) {
    const bit = (symbol >>> i) & 1;
    price += bitPrice(probs[base + m]!, bit);
    m = (m << 1) | bit;
  }
  return price;
}
