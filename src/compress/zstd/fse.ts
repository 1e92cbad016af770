/**
 * Finite State Entropy tables (RFC 8878 §4.1): normalizing a histogram to a power-of-two total,
 * writing that distribution as an FSE table description (§4.1.1), spreading symbols over the states,
 * and the encoder's view of the resulting decoding table.
 */
import { ForwardBitWriter, type BitWriter } from './bitwriter.js';
import { FSE_MIN_ACCURACY_LOG, highBit } from './constants.js';

/** A normalized distribution: counts summing to 1 << accuracyLog; -1 means "less than 1" (§4.1.1). */
export interface Distribution {
  readonly accuracyLog: number;
  readonly norm: ArrayLike<number>;
}

/** §4.1.1: the step that spreads symbols over the table. */
function spreadStep(tableSize: number): number {
  return (tableSize >> 1) + (tableSize >> 3) + 3;
}

/**
 * §4.1.1 "symbol spreading": which symbol each state decodes. "Less than 1" symbols take the last
 * states, one each, in symbol order; the others are placed with the step, skipping those.
 */
export function spreadSymbols(dist: Distribution): Uint8Array {
  const tableSize = 1 << dist.accuracyLog;
  const mask = tableSize - 1;
  const symbols = new Uint8Array(tableSize);
  let highThreshold = tableSize - 1;
  for (let s = 0; s < dist.norm.length; s++) if (dist.norm[s] === -1) symbols[highThreshold--] = s;
  const step = spreadStep(tableSize);
  let pos = 0;
  for (let s = 0; s < dist.norm.length; s++) {
    const n = dist.norm[s]!;
    for (let i = 0; i < n; i++) {
      symbols[pos] = s;
      do pos = (pos + step) & mask;
      while (pos > highThreshold);
    }
  }
  if (pos !== 0) throw new Error(`FSE distribution does not sum to ${tableSize}`);
  return symbols;
}

/** One decoding table entry: the symbol, how many bits to read, and the base of the next state. */
export interface DecodeEntry {
  symbol: number;
  nbBits: number;
  baseline: number;
}

/** §4.1.1: the decoding table (used by our tests and to check our own Huffman weight streams). */
export function buildDecodeTable(dist: Distribution): DecodeEntry[] {
  const tableSize = 1 << dist.accuracyLog;
  const symbols = spreadSymbols(dist);
  const next = Array.from(dist.norm, (n) => (n === -1 ? 1 : n));
  const table: DecodeEntry[] = [];
  for (let u = 0; u < tableSize; u++) {
    const symbol = symbols[u]!;
    const state = next[symbol]!++;
    const nbBits = dist.accuracyLog - highBit(state);
    table.push({ symbol, nbBits, baseline: (state << nbBits) - tableSize });
  }
  return table;
}

/**
 * The encoder's view of a decoding table. A state is kept as tableSize + decoder state, so that the
 * number of bits to emit for a symbol is ((state + deltaNbBits[s]) >> 16) and the next state is
 * stateTable[(state >> nbBits) + deltaFindState[s]]: the inverse of the decoder's transition.
 */
export class FseEncoder {
  readonly accuracyLog: number;
  private readonly stateTable: Uint16Array;
  private readonly deltaNbBits: Int32Array;
  private readonly deltaFindState: Int32Array;
  private readonly firstState: Int32Array;

  constructor(dist: Distribution) {
    const al = dist.accuracyLog;
    const tableSize = 1 << al;
    const nsym = dist.norm.length;
    this.accuracyLog = al;
    this.stateTable = new Uint16Array(tableSize);
    this.deltaNbBits = new Int32Array(nsym);
    this.deltaFindState = new Int32Array(nsym);
    this.firstState = new Int32Array(nsym);
    const symbols = spreadSymbols(dist);
    // cumul[s]: where symbol s's states start in stateTable (states of one symbol in decoder order).
    const cumul = new Int32Array(nsym + 1);
    for (let s = 0; s < nsym; s++) cumul[s + 1] = cumul[s]! + Math.abs(dist.norm[s]!);
    const fill = cumul.slice();
    for (let u = 0; u < tableSize; u++) this.stateTable[fill[symbols[u]!]!++] = tableSize + u;
    for (let s = 0; s < nsym; s++) {
      const n = dist.norm[s]!;
      const total = cumul[s]!;
      if (n === 0) {
        // Never encoded; a value that would emit more bits than exist makes misuse visible.
        this.deltaNbBits[s] = ((al + 1) << 16) - tableSize;
      } else if (n === 1 || n === -1) {
        this.deltaNbBits[s] = (al << 16) - tableSize;
        this.deltaFindState[s] = total - 1;
      } else {
        const maxBitsOut = al - highBit(n - 1);
        const minStatePlus = n << maxBitsOut;
        this.deltaNbBits[s] = (maxBitsOut << 16) - minStatePlus;
        this.deltaFindState[s] = total - n;
      }
      this.firstState[s] = n === 0 ? -1 : this.stateTable[total]!;
    }
  }

  /** The state to start from when `symbol` is the last symbol in encoding order (first decoded). */
  initialState(symbol: number): number {
    const state = this.firstState[symbol]!;
    if (state < 0) throw new Error(`FSE symbol ${symbol} has no probability`);
    return state;
  }

  /** Emits the bits that lead the decoder from the new state to `state`, and returns the new state. */
  encode(bits: BitWriter, state: number, symbol: number): number {
    const nbBits = (state + this.deltaNbBits[symbol]!) >> 16;
    bits.addBits(state, nbBits);
    return this.stateTable[(state >> nbBits) + this.deltaFindState[symbol]!]!;
  }

  /** The final state, read first by the decoder (accuracyLog bits). */
  flush(bits: BitWriter, state: number): void {
    bits.addBits(state, this.accuracyLog);
  }
}

/**
 * Normalizes a histogram to 1 << accuracyLog with every present symbol at least 1: proportional
 * rounding, then the difference is given to (or taken from) the largest entries. Integer-only, so the
 * result never depends on floating point. Needs accuracyLog with tableSize >= present symbols.
 */
export function normalizeCounts(counts: ArrayLike<number>, total: number, accuracyLog: number): Int16Array {
  const tableSize = 1 << accuracyLog;
  const norm = new Int16Array(counts.length);
  let sum = 0;
  let largest = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s]!;
    if (c === 0) continue;
    const n = Math.max(1, Math.floor((c * tableSize * 2 + total) / (total * 2)));
    norm[s] = n;
    sum += n;
    if (c > counts[largest]!) largest = s;
  }
  if (sum < tableSize) norm[largest]! += tableSize - sum;
  while (sum > tableSize) {
    // Take one from the largest normalized count that can spare it (lowest symbol on ties).
    let s = -1;
    for (let i = 0; i < norm.length; i++) if (norm[i]! > 1 && (s < 0 || norm[i]! > norm[s]!)) s = i;
    if (s < 0) throw new Error('FSE normalization: too many symbols for the table');
    const take = Math.min(sum - tableSize, Math.max(1, norm[s]! >> 3), norm[s]! - 1);
    norm[s]! -= take;
    sum -= take;
  }
  return norm;
}

/**
 * §4.1.1 FSE table description: Accuracy_Log - 5 in 4 bits, then each symbol's count + 1 in a
 * variable number of bits (smaller values one bit shorter), with runs of zero counts as 2-bit repeat
 * flags. Stops once the counts reach the table size.
 */
export function writeTableDescription(dist: Distribution): Uint8Array {
  const al = dist.accuracyLog;
  const tableSize = 1 << al;
  const w = new ForwardBitWriter();
  w.addBits(al - FSE_MIN_ACCURACY_LOG, 4);
  let remaining = tableSize + 1;
  let threshold = tableSize;
  let nbBits = al + 1;
  let symbol = 0;
  let previousWasZero = false;
  const nsym = dist.norm.length;
  while (symbol < nsym && remaining > 1) {
    if (previousWasZero) {
      let start = symbol;
      while (symbol < nsym && dist.norm[symbol] === 0) symbol++;
      if (symbol === nsym) throw new Error('FSE table description: distribution ends in zeros');
      while (symbol >= start + 3) {
        w.addBits(3, 2);
        start += 3;
      }
      w.addBits(symbol - start, 2);
    }
    const count = dist.norm[symbol++]!;
    remaining -= Math.abs(count);
    let value = count + 1;
    // Values below `max` fit in nbBits - 1 bits; the rest use nbBits, shifted up past them.
    const max = 2 * threshold - 1 - (remaining + Math.abs(count));
    if (value >= threshold) value += max;
    w.addBits(value, value < max ? nbBits - 1 : nbBits);
    previousWasZero = count === 0;
    if (remaining < 1) throw new Error('FSE table description: counts exceed the table size');
    while (remaining < threshold) {
      nbBits--;
      threshold >>= 1;
    }
  }
  if (remaining !== 1) throw new Error('FSE table description: counts do not fill the table');
  return w.finish();
}

/** Fixed-point (1/256 bit) log2 of v >= 1: integer-only so cost decisions are the same everywhere. */
export function log2Fixed(v: number): number {
  const hb = highBit(v);
  // Linear interpolation of the mantissa: close enough to compare encodings.
  const frac = hb >= 8 ? (v >>> (hb - 8)) & 0xff : (v << (8 - hb)) & 0xff;
  return (hb << 8) + frac;
}

/** Estimated payload bits (in 1/256 bit) of coding `counts` with `dist`. */
export function costFixed(counts: ArrayLike<number>, dist: Distribution): number {
  const al8 = dist.accuracyLog << 8;
  let cost = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s]!;
    if (c === 0) continue;
    const n = s < dist.norm.length ? dist.norm[s]! : 0;
    if (n === 0) return Infinity;
    cost += c * (n === -1 ? al8 : al8 - log2Fixed(n));
  }
  return cost;
}
