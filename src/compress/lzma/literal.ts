/**
 * The LZMA literal coder (lzma-specification.txt, §"Literal coding"): each literal context owns 0x300
 * probabilities. A plain literal walks the first 256-entry bit tree; after a match (state ≥ 7) the byte
 * at distance rep0 (the "match byte") picks one of the two other trees bit by bit for as long as the
 * coded bits agree with it, then the plain tree takes over.
 */
import type { RangeEncoder } from './range-encoder.js';

/** Probabilities per literal context: three 256-entry trees. */
export const LITERAL_CODER_SIZE = 0x300;

/** The first probability of the context for a literal at `position` after `prevByte`. */
export function literalContextBase(position: number, prevByte: number, lc: number, lp: number): number {
  return LITERAL_CODER_SIZE * (((position & ((1 << lp) - 1)) << lc) + (prevByte >>> (8 - lc)));
}

/** A literal after a literal: the byte's 8 bits through the plain tree. */
export function encodePlainLiteral(rc: RangeEncoder, probs: Uint16Array, base: number, byte: number): void {
  let symbol = 1;
  for (let i = 7; i >= 0; i--) {
    const bit = (byte >>> i) & 1;
    rc.encodeBit(probs, base + symbol, bit);
    symbol = (symbol << 1) | bit;
  }
}

/** A literal right after a match: guided by `matchByte` until the first bit that differs from it. */
export function encodeMatchedLiteral(rc: RangeEncoder, probs: Uint16Array, base: number, byte: number, matchByte: number): void {
  let symbol = 1;
  let i = 7;
  for (; i >= 0; i--) {
    const bit = (byte >>> i) & 1;
    const matchBit = (matchByte >>> i) & 1;
    rc.encodeBit(probs, base + ((1 + matchBit) << 8) + symbol, bit);
    symbol = (symbol << 1) | bit;
    if (bit !== matchBit) {
      i--;
      break;
    }
  }
  for (; i >= 0; i--) {
    const bit = (byte >>> i) & 1;
    rc.encodeBit(probs, base + symbol, bit);
    symbol = (symbol << 1) | bit;
  }
}
