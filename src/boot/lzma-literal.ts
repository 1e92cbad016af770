/**
 * A literals-only LZMA1 encoder: enough for GRUB's i386-pc decompressor (lzma_decompress.img), which
 * insists on an LZMA stream with lc=3 lp=0 pb=2, no 13-byte header and no end marker (it stops at the
 * uncompressed length it is given). Every byte is coded as a literal (isMatch = 0, state stays 0), so
 * only the range coder and the 8-bit literal trees are needed; the output is about 2/3 of the input
 * for GRUB's code. Facts from the LZMA specification (lzma-specification.txt in the LZMA SDK): the
 * range coder (§"The range encoder"), the probability model (11-bit probabilities, move bits 5) and
 * the literal coder's context (prevByte >> (8 - lc)).
 */

/** lc, lp, pb: fixed by GRUB's lzma_decode.S, and the usual LZMA defaults. */
export const LZMA_LC = 3;
export const LZMA_LP = 0;
export const LZMA_PB = 2;
/** The properties byte of an .lzma ("alone") header: (pb * 5 + lp) * 9 + lc = 0x5D. */
export const LZMA_PROPERTIES_BYTE = (LZMA_PB * 5 + LZMA_LP) * 9 + LZMA_LC;

const PROB_BITS = 11;
const PROB_INIT = 1 << (PROB_BITS - 1);
const MOVE_BITS = 5;
const TOP = 1 << 24;
const TWO_POW_32 = 0x1_0000_0000;
/** Probabilities per literal context: 0x300 (three 256-entry trees; a literal after a literal uses the first). */
const LITERAL_CODER_SIZE = 0x300;
const NUM_STATES = 12;
const POS_STATES = 1 << LZMA_PB;

/** Collects output bytes in growing chunks. */
class ByteSink {
  private buf = new Uint8Array(1 << 16);
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The LZMA range encoder. `low` is kept below 2^33 as a plain number (exact in a double). */
class RangeEncoder {
  private low = 0;
  private range = 0xffffffff;
  private cache = 0;
  private cacheSize = 1;
  constructor(private readonly out: ByteSink) {}

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

  flush(): void {
    for (let i = 0; i < 5; i++) this.shiftLow();
  }
}

/**
 * Encodes `input` as a raw LZMA1 stream (lc=3 lp=0 pb=2), literals only, no header, no end marker.
 * The decoder must be told the uncompressed length.
 */
export function encodeLzmaLiterals(input: Uint8Array): Uint8Array {
  const out = new ByteSink();
  const rc = new RangeEncoder(out);
  const isMatch = new Uint16Array(NUM_STATES << LZMA_PB).fill(PROB_INIT);
  const literal = new Uint16Array(LITERAL_CODER_SIZE << (LZMA_LC + LZMA_LP)).fill(PROB_INIT);
  let prev = 0;
  for (let pos = 0; pos < input.length; pos++) {
    const state = 0; // after a literal the state stays 0 (no match is ever coded)
    rc.encodeBit(isMatch, (state << LZMA_PB) + (pos & (POS_STATES - 1)), 0);
    const base = LITERAL_CODER_SIZE * (prev >>> (8 - LZMA_LC)); // lp = 0: position bits do not count
    const byte = input[pos]!;
    let symbol = 1;
    for (let i = 7; i >= 0; i--) {
      const bit = (byte >>> i) & 1;
      rc.encodeBit(literal, base + symbol, bit);
      symbol = (symbol << 1) | bit;
    }
    prev = byte;
  }
  rc.flush();
  return out.bytes();
}

/** An .lzma ("LZMA_Alone") header for `stream`, so standard tools (xz --format=lzma) can decode it. */
export function lzmaAloneHeader(uncompressedSize: number, dictionarySize = 1 << 16): Uint8Array {
  const h = new Uint8Array(13);
  const v = new DataView(h.buffer);
  h[0] = LZMA_PROPERTIES_BYTE;
  v.setUint32(1, dictionarySize, true);
  v.setBigUint64(5, BigInt(uncompressedSize), true);
  return h;
}
