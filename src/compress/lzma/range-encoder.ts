/**
 * The LZMA range encoder and its adaptive bit model. Facts from the LZMA specification
 * (lzma-specification.txt in the LZMA SDK, §"The range decoder" / "The probability model"):
 * probabilities are 11-bit numbers starting at one half, moved by 1/32 of the distance to the
 * coded bit's end; the coder keeps `range` ≥ 2^24 by shifting out one byte at a time, and a carry
 * out of `low` may still ripple into bytes already produced, so runs of 0xFF wait in a cache.
 */

/** Probabilities are 11-bit fixed point: 2048 is certainty. */
export const PROB_BITS = 11;
/** Every probability starts at one half. */
export const PROB_INIT = 1 << (PROB_BITS - 1);
/** The adaptation speed: a probability moves by 1/32 of its distance to 0 or 2048. */
const MOVE_BITS = 5;
/** Below this, `range` is renormalised by shifting a byte out. */
const TOP = 1 << 24;
const TWO_POW_32 = 0x1_0000_0000;

/** A fresh probability array of `n` entries, all at one half. */
export function newProbs(n: number): Uint16Array {
  return new Uint16Array(n).fill(PROB_INIT);
}

/** Collects output bytes in a growing buffer. */
export class ByteSink {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }
  push(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
  }
  /** The bytes so far (a view: valid until the next push or clear). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
  /** A copy of the bytes so far. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  clear(): void {
    this.length = 0;
  }
}

/** The LZMA range encoder. `low` is kept below 2^33 as a plain number (exact in a double). */
export class RangeEncoder {
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  constructor(readonly out: ByteSink) {}

  /** Starts a new range-coded stream (LZMA2 restarts the coder for every chunk). */
  reset(): void {
    this.low = 0;
    this.range = 0xffffffff;
    this.cache = 0;
    this.cacheSize = 1;
    this.out.clear();
  }

  /** Bytes the stream would have if it were flushed now. */
  pendingSize(): number {
    return this.out.length + this.cacheSize + 4;
  }

  /** Codes `bit` with the adaptive probability `probs[index]` and updates it. */
  encodeBit(probs: Uint16Array, index: number, bit: number): void {
    const prob = probs[index]!;
    const bound = (this.range >>> PROB_BITS) * prob;
    if (bit === 0) {
      this.range = bound;
      probs[index] = prob + (((1 << PROB_BITS) - prob) >>> MOVE_BITS);
    } else {
      this.low += bound;
      this.range -= bound;
      probs[index] = prob - (prob >>> MOVE_BITS);
    }
    while (this.range < TOP) {
      this.range = (this.range * 256) >>> 0;
      this.shiftLow();
    }
  }

  /** Codes the low `count` bits of `value`, most significant first, each with probability one half. */
  encodeDirectBits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.range >>>= 1;
      if ((value >>> i) & 1) this.low += this.range;
      while (this.range < TOP) {
        this.range = (this.range * 256) >>> 0;
        this.shiftLow();
      }
    }
  }

  /** Emits the top byte of `low` once a carry can no longer reach it (the cache holds 0xFF runs). */
  private shiftLow(): void {
    if (this.low < 0xff000000 || this.low >= TWO_POW_32) {
      const carry = this.low >= TWO_POW_32 ? 1 : 0;
      let temp = this.cache;
      do {
        this.out.push((temp + carry) & 0xff);
        temp = 0xff;
      } while (--this.cacheSize !== 0);
      this.cache = Math.floor(this.low / TOP) & 0xff;
    }
    this.cacheSize++;
    this.low = (this.low % TOP) * 256;
  }

  /** Pushes out everything still held in `low` and the cache: the stream is then complete. */
  flush(): void {
    for (let i = 0; i < 5; i++) this.shiftLow();
  }
}

/** Codes `symbol` (numBits wide) through a bit tree, most significant bit first (spec: BitTreeEncode). */
export function encodeBitTree(rc: RangeEncoder, probs: Uint16Array, base: number, numBits: number, symbol: number): void {
  let m = 1;
  for (let i = numBits - 1; i >= 0; i--) {
    const bit = (symbol >>> i) & 1;
    rc.encodeBit(probs, base + m, bit);
    m = (m << 1) | bit;
  }
}

/** Codes `symbol` through a bit tree, least significant bit first (spec: BitTreeReverseEncode). */
export function encodeReverseBitTree(rc: RangeEncoder, probs: Uint16Array, base: number, numBits: number, symbol: number): void {
  let m = 1;
  for (let i = 0; i < numBits; i++) {
    const bit = (symbol >>> i) & 1;
    rc.encodeBit(probs, base + m, bit);
    m = (m << 1) | bit;
  }
}
