/**
 * Huffman-coded literals (RFC 8878 §4.2): code lengths limited to 11 bits, canonical codes in the
 * order §4.2.1 assigns them, the tree description (weights, direct or FSE-compressed, §4.2.1.1-2),
 * and the literal streams (1 or 4 backward bitstreams, §3.1.1.3.1.6).
 */
import { BitWriter } from './bitwriter.js';
import { HUFFMAN_MAX_BITS, HUFFMAN_WEIGHTS_MAX_ACCURACY_LOG, highBit } from './constants.js';
import { FseEncoder, buildDecodeTable, normalizeCounts, writeTableDescription, type Distribution } from './fse.js';

/** A prefix code over byte values: length 0 = symbol absent. */
export interface HuffmanCode {
  readonly lengths: Uint8Array;
  readonly codes: Uint16Array;
  readonly maxBits: number;
}

/** Code lengths of an optimal prefix code (two-queue Huffman over counts sorted by count, then symbol). */
function huffmanLengths(counts: ArrayLike<number>): Uint8Array {
  const lengths = new Uint8Array(256);
  const leaves: number[] = [];
  for (let s = 0; s < 256; s++) if (counts[s]! > 0) leaves.push(s);
  leaves.sort((a, b) => counts[a]! - counts[b]! || a - b);
  const n = leaves.length;
  // Nodes 0..n-1 are leaves (sorted), n.. are internal nodes created in non-decreasing weight order.
  const weight: number[] = leaves.map((s) => counts[s]!);
  const parent: number[] = new Array<number>(2 * n - 1).fill(-1);
  let leaf = 0;
  let node = n;
  const take = (): number => {
    if (leaf < n && (node >= weight.length || weight[leaf]! <= weight[node]!)) return leaf++;
    return node++;
  };
  for (let made = 0; made < n - 1; made++) {
    const a = take();
    const b = take();
    parent[a] = weight.length;
    parent[b] = weight.length;
    weight.push(weight[a]! + weight[b]!);
  }
  const depth: number[] = new Array<number>(weight.length).fill(0);
  for (let i = weight.length - 2; i >= 0; i--) depth[i] = depth[parent[i]!]! + 1;
  for (let i = 0; i < n; i++) lengths[leaves[i]!] = depth[i]!;
  return lengths;
}

/**
 * A prefix code for `counts` (at least two symbols present) with no code longer than 11 bits: when the
 * optimal code is too deep, counts are halved (keeping every symbol) until it fits.
 */
export function buildHuffmanCode(counts: ArrayLike<number>): HuffmanCode {
  let scaled = Array.from(counts);
  let lengths = huffmanLengths(scaled);
  while (Math.max(...lengths) > HUFFMAN_MAX_BITS) {
    scaled = scaled.map((c) => (c === 0 ? 0 : Math.max(1, c >> 1)));
    lengths = huffmanLengths(scaled);
  }
  const maxBits = Math.max(...lengths);
  // §4.2.1: codes go to the longest lengths first, in symbol order within one length.
  const perLength = new Uint16Array(maxBits + 2);
  for (let s = 0; s < 256; s++) perLength[lengths[s]!]!++;
  const next = new Uint16Array(maxBits + 2);
  for (let len = maxBits; len >= 1; len--) {
    next[len - 1] = (next[len]! + perLength[len]!) >> 1;
  }
  const codes = new Uint16Array(256);
  for (let s = 0; s < 256; s++) if (lengths[s]! > 0) codes[s] = next[lengths[s]!]!++;
  return { lengths, codes, maxBits };
}

/** §4.2.1: Weight = maxBits + 1 - length for present symbols; the last one is implied, not written. */
function weightsOf(code: HuffmanCode): Uint8Array {
  let last = 255;
  while (code.lengths[last] === 0) last--;
  const weights = new Uint8Array(last);
  for (let s = 0; s < last; s++) weights[s] = code.lengths[s] === 0 ? 0 : code.maxBits + 1 - code.lengths[s]!;
  return weights;
}

/** §4.2.1.1: headerByte >= 128: (headerByte - 127) weights follow, 4 bits each, high nibble first. */
function directWeights(weights: Uint8Array): Uint8Array | undefined {
  if (weights.length > 128) return undefined;
  const out = new Uint8Array(1 + ((weights.length + 1) >> 1));
  out[0] = 127 + weights.length;
  for (let i = 0; i < weights.length; i++) out[1 + (i >> 1)]! |= (i & 1) === 0 ? weights[i]! << 4 : weights[i]!;
  return out;
}

/**
 * §4.2.1.2: the weights FSE-compressed with two interleaved states in one backward stream;
 * headerByte < 128 is the compressed size. The decoder stops when a state update runs past the
 * stream's end, so the result is checked by decoding it as a decoder would; undefined when it
 * does not come back exactly (or is no smaller than 128 bytes).
 */
function fseWeights(weights: Uint8Array): Uint8Array | undefined {
  const counts = new Uint32Array(HUFFMAN_MAX_BITS + 1);
  for (const w of weights) counts[w]!++;
  let distinct = 0;
  for (const c of counts) if (c > 0) distinct++;
  if (distinct < 2 || weights.length < 2) return undefined;
  let best: Uint8Array | undefined;
  for (let al = 5; al <= HUFFMAN_WEIGHTS_MAX_ACCURACY_LOG; al++) {
    let maxSymbol = counts.length - 1;
    while (counts[maxSymbol] === 0) maxSymbol--;
    const dist: Distribution = { accuracyLog: al, norm: normalizeCounts(counts.subarray(0, maxSymbol + 1), weights.length, al) };
    const description = writeTableDescription(dist);
    const stream = encodeTwoStates(weights, new FseEncoder(dist));
    const size = description.length + stream.length;
    if (size >= 128 || (best && best.length <= size + 1)) continue;
    if (!decodesBack(stream, dist, weights)) continue;
    best = new Uint8Array(1 + size);
    best[0] = size;
    best.set(description, 1);
    best.set(stream, 1 + description.length);
  }
  return best;
}

/** Encodes symbols in reverse with two alternating states (even symbols: state 1, odd: state 2). */
function encodeTwoStates(symbols: Uint8Array, fse: FseEncoder): Uint8Array {
  const bits = new BitWriter(symbols.length + 16);
  let i = symbols.length;
  let state1: number;
  let state2: number;
  if ((i & 1) === 1) {
    state1 = fse.initialState(symbols[--i]!);
    state2 = fse.initialState(symbols[--i]!);
    state1 = fse.encode(bits, state1, symbols[--i]!);
  } else {
    state2 = fse.initialState(symbols[--i]!);
    state1 = fse.initialState(symbols[--i]!);
  }
  while (i > 0) {
    state2 = fse.encode(bits, state2, symbols[--i]!);
    state1 = fse.encode(bits, state1, symbols[--i]!);
  }
  fse.flush(bits, state2);
  fse.flush(bits, state1);
  return bits.finish();
}

/** Decodes a two-state weight stream the way §4.2.1.2 describes, and compares with `expected`. */
function decodesBack(stream: Uint8Array, dist: Distribution, expected: Uint8Array): boolean {
  const table = buildDecodeTable(dist);
  const reader = new BackwardBitReader(stream);
  let state1 = reader.read(dist.accuracyLog);
  let state2 = reader.read(dist.accuracyLog);
  const out: number[] = [];
  for (;;) {
    if (out.length > 255) return false;
    const e1 = table[state1]!;
    out.push(e1.symbol);
    state1 = e1.baseline + reader.read(e1.nbBits);
    if (reader.overflowed()) {
      out.push(table[state2]!.symbol);
      break;
    }
    const e2 = table[state2]!;
    out.push(e2.symbol);
    state2 = e2.baseline + reader.read(e2.nbBits);
    if (reader.overflowed()) {
      out.push(table[state1]!.symbol);
      break;
    }
  }
  return out.length === expected.length && out.every((w, i) => w === expected[i]);
}

/** Reads a backward bitstream from its end marker towards its start; zeros past the start. */
export class BackwardBitReader {
  private readonly bytes: Uint8Array;
  /** Bits left to read before the start of the stream (negative once past it). */
  private left: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    const lastByte = bytes[bytes.length - 1]!;
    if (!lastByte) throw new Error('backward bitstream without an end marker');
    this.left = (bytes.length - 1) * 8 + highBit(lastByte);
  }

  read(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) {
      this.left--;
      const bit = this.left >= 0 ? (this.bytes[this.left >> 3]! >> (this.left & 7)) & 1 : 0;
      value = (value << 1) | bit;
    }
    return value;
  }

  overflowed(): boolean {
    return this.left < 0;
  }

  remaining(): number {
    return this.left;
  }
}

/** §4.2.1: the tree description, the smaller of the direct and FSE forms (undefined: neither works). */
export function writeTreeDescription(code: HuffmanCode): Uint8Array | undefined {
  const weights = weightsOf(code);
  const direct = directWeights(weights);
  const compressed = fseWeights(weights);
  if (direct && compressed) return compressed.length < direct.length ? compressed : direct;
  return direct ?? compressed;
}

/** One Huffman stream: literals written last to first, so the decoder reads them first to last. */
function encodeStream(literals: Uint8Array, code: HuffmanCode): Uint8Array {
  const bits = new BitWriter(literals.length + 16);
  const { codes, lengths } = code;
  for (let i = literals.length - 1; i >= 0; i--) {
    const s = literals[i]!;
    bits.addBits(codes[s]!, lengths[s]!);
  }
  return bits.finish();
}

/**
 * §3.1.1.3.1.6: one stream, or four with a 6-byte jump table holding the first three stream sizes
 * (each of the first three streams carries ceil(n / 4) literals, the fourth the rest).
 */
export function encodeHuffmanStreams(literals: Uint8Array, code: HuffmanCode, fourStreams: boolean): Uint8Array {
  if (!fourStreams) return encodeStream(literals, code);
  const segment = (literals.length + 3) >> 2;
  const streams = [0, 1, 2, 3].map((i) => encodeStream(literals.subarray(Math.min(i * segment, literals.length), Math.min((i + 1) * segment, literals.length)), code));
  const total = 6 + streams.reduce((a, s) => a + s.length, 0);
  const out = new Uint8Array(total);
  let at = 6;
  for (let i = 0; i < 4; i++) {
    if (i < 3) {
      if (streams[i]!.length > 0xffff) throw new Error('Huffman stream larger than the jump table can hold');
      out[2 * i] = streams[i]!.length & 0xff;
      out[2 * i + 1] = streams[i]!.length >> 8;
    }
    out.set(streams[i]!, at);
    at += streams[i]!.length;
  }
  return out;
}
