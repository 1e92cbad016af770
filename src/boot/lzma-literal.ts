/**
 * A literals-only LZMA1 encoder: enough for GRUB's i386-pc decompressor (lzma_decompress.img), which
 * insists on an LZMA stream with lc=3 lp=0 pb=2, no 13-byte header and no end marker (it stops at the
 * uncompressed length it is given). Every byte is coded as a literal (isMatch = 0, state stays 0), so
 * only the range coder and the 8-bit literal trees are needed; the output is about 2/3 of the input
 * for GRUB's code. Facts from the LZMA specification (lzma-specification.txt in the LZMA SDK): the
 * range coder (§"The range encoder"), the probability model (11-bit probabilities, move bits 5) and
 * the literal coder's context (prevByte >> (8 - lc)).
 *
 * The range coder and the literal trees are shared with the xz encoder (src/compress/lzma).
 */
import { encodePlainLiteral, literalContextBase, LITERAL_CODER_SIZE } from '../compress/lzma/literal.js';
import { ByteSink, newProbs, RangeEncoder } from '../compress/lzma/range-encoder.js';

/** lc, lp, pb: fixed by GRUB's lzma_decode.S, and the usual LZMA defaults. */
export const LZMA_LC = 3;
export const LZMA_LP = 0;
export const LZMA_PB = 2;
/** The properties byte of an .lzma ("alone") header: (pb * 5 + lp) * 9 + lc = 0x5D. */
export const LZMA_PROPERTIES_BYTE = (LZMA_PB * 5 + LZMA_LP) * 9 + LZMA_LC;

const NUM_STATES = 12;
const POS_STATES = 1 << LZMA_PB;

/**
 * Encodes `input` as a raw LZMA1 stream (lc=3 lp=0 pb=2), literals only, no header, no end marker.
 * The decoder must be told the uncompressed length.
 */
export function encodeLzmaLiterals(input: Uint8Array): Uint8Array {
  const out = new ByteSink();
  const rc = new RangeEncoder(out);
  const isMatch = newProbs(NUM_STATES << LZMA_PB);
  const literal = newProbs(LITERAL_CODER_SIZE << (LZMA_LC + LZMA_LP));
  let prev = 0;
  for (let pos = 0; pos < input.length; pos++) {
    const state = 0; // after a literal the state stays 0 (no match is ever coded)
    rc.encodeBit(isMatch, (state << LZMA_PB) + (pos & (POS_STATES - 1)), 0);
    const byte = input[pos]!;
    encodePlainLiteral(rc, literal, literalContextBase(pos, prev, LZMA_LC, LZMA_LP), byte);
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
