/**
 * The sequences section (RFC 8878 §3.1.1.3.2): the number of sequences, the symbol compression modes,
 * any FSE table descriptions, then one backward bitstream interleaving the three FSE states with each
 * sequence's extra bits.
 */
import { BitWriter } from './bitwriter.js';
import {
  LL_BASELINE,
  LL_EXTRA_BITS,
  LL_MAX_ACCURACY_LOG,
  LL_PREDEFINED,
  ML_BASELINE,
  ML_EXTRA_BITS,
  ML_MAX_ACCURACY_LOG,
  ML_PREDEFINED,
  MODE_FSE,
  MODE_PREDEFINED,
  MODE_RLE,
  OF_MAX_ACCURACY_LOG,
  OF_PREDEFINED,
  FSE_MIN_ACCURACY_LOG,
  highBit,
} from './constants.js';
import { FseEncoder, costFixed, normalizeCounts, writeTableDescription, type Distribution } from './fse.js';

/** Sequences of one block: literal length, match length, and Offset_Value (§3.1.1.3.2.1.1: repeat codes 1-3, else offset + 3). */
export interface SequenceBuffer {
  count: number;
  readonly litLength: Uint32Array;
  readonly matchLength: Uint32Array;
  readonly offsetValue: Uint32Array;
}

export function newSequenceBuffer(capacity: number): SequenceBuffer {
  return { count: 0, litLength: new Uint32Array(capacity), matchLength: new Uint32Array(capacity), offsetValue: new Uint32Array(capacity) };
}

/** Code lookup for small values, built from the baselines (the largest code whose baseline fits). */
function codeTable(baseline: readonly number[], first: number, size: number): Uint8Array {
  const table = new Uint8Array(size);
  let code = 0;
  for (let v = 0; v < size; v++) {
    while (code + 1 < baseline.length && baseline[code + 1]! <= v + first) code++;
    table[v] = code;
  }
  return table;
}
const LL_CODE_SMALL = codeTable(LL_BASELINE, 0, 64);
const ML_CODE_SMALL = codeTable(ML_BASELINE, 3, 128);

/** §3.1.1.3.2.1.1: from 64 on, Literals_Length codes are one per power of two (64 → code 25). */
export function litLengthCode(ll: number): number {
  return ll < 64 ? LL_CODE_SMALL[ll]! : highBit(ll) + 19;
}

/** §3.1.1.3.2.1.1: from 131 on, Match_Length codes are one per power of two (131 → code 43). */
export function matchLengthCode(ml: number): number {
  const base = ml - 3;
  return base < 128 ? ML_CODE_SMALL[base]! : highBit(base) + 36;
}

/** §3.1.1.3.2.1.1 "Sequence codes for offsets": the code is the highest bit of Offset_Value. */
export function offsetCode(offsetValue: number): number {
  return highBit(offsetValue);
}

/** The mode chosen for one of the three symbol streams, with what it needs to encode. */
interface SymbolCoding {
  mode: number;
  header: Uint8Array;
  fse: FseEncoder | undefined;
  rleSymbol: number;
}

const PREDEFINED_ENCODERS = {
  ll: new FseEncoder(LL_PREDEFINED),
  ml: new FseEncoder(ML_PREDEFINED),
  of: new FseEncoder(OF_PREDEFINED),
};

/** Accuracy log candidates: enough states for the present symbols, up to the stream's maximum. */
function accuracyLogRange(present: number, nbSeq: number, maxLog: number): number[] {
  const least = Math.max(FSE_MIN_ACCURACY_LOG, highBit(Math.max(1, present - 1)) + 1);
  const useful = Math.min(maxLog, Math.max(least, highBit(nbSeq) + 1));
  const logs: number[] = [];
  for (let al = least; al <= useful; al++) logs.push(al);
  return logs;
}

/**
 * Picks RLE (one symbol only), Predefined, or an FSE table written into the block, by estimated size:
 * table description bytes plus the entropy of the codes under each distribution.
 */
function chooseCoding(codes: Uint8Array, n: number, maxSymbol: number, predefined: Distribution, predefinedEncoder: FseEncoder, maxLog: number): SymbolCoding {
  const counts = new Uint32Array(maxSymbol + 1);
  for (let i = 0; i < n; i++) counts[codes[i]!]!++;
  let present = 0;
  let last = 0;
  for (let s = 0; s <= maxSymbol; s++) {
    if (counts[s]! > 0) {
      present++;
      last = s;
    }
  }
  if (present === 1 && n > 2) return { mode: MODE_RLE, header: Uint8Array.of(last), fse: undefined, rleSymbol: last };
  let best: SymbolCoding = { mode: MODE_PREDEFINED, header: new Uint8Array(0), fse: predefinedEncoder, rleSymbol: 0 };
  let bestCost = last < predefined.norm.length ? costFixed(counts, predefined) : Infinity;
  if (present === 1) {
    // Two or fewer sequences with one code: RLE costs one byte, the same as what Predefined might.
    if (bestCost === Infinity || bestCost > 8 * 256) return { mode: MODE_RLE, header: Uint8Array.of(last), fse: undefined, rleSymbol: last };
    return best;
  }
  const used = counts.subarray(0, last + 1);
  for (const al of accuracyLogRange(present, n, maxLog)) {
    const dist: Distribution = { accuracyLog: al, norm: normalizeCounts(used, n, al) };
    const header = writeTableDescription(dist);
    const cost = header.length * 8 * 256 + costFixed(used, dist);
    if (cost < bestCost) {
      bestCost = cost;
      best = { mode: MODE_FSE, header, fse: new FseEncoder(dist), rleSymbol: 0 };
    }
  }
  return best;
}

/** §3.1.1.3.2.1: Number_of_Sequences in 1, 2 or 3 bytes. */
function sequenceCountHeader(n: number): Uint8Array {
  if (n < 128) return Uint8Array.of(n);
  if (n < 0x7f00) return Uint8Array.of((n >> 8) + 0x80, n & 0xff);
  const rest = n - 0x7f00;
  return Uint8Array.of(0xff, rest & 0xff, rest >> 8);
}

/** Scratch arrays for the per-sequence codes, reused across blocks. */
export interface SequenceScratch {
  llCode: Uint8Array;
  mlCode: Uint8Array;
  ofCode: Uint8Array;
}

export function newSequenceScratch(capacity: number): SequenceScratch {
  return { llCode: new Uint8Array(capacity), mlCode: new Uint8Array(capacity), ofCode: new Uint8Array(capacity) };
}

/** The whole sequences section for `seqs`. */
export function encodeSequences(seqs: SequenceBuffer, scratch: SequenceScratch): Uint8Array {
  const n = seqs.count;
  const countHeader = sequenceCountHeader(n);
  if (n === 0) return countHeader;
  const { llCode, mlCode, ofCode } = scratch;
  for (let i = 0; i < n; i++) {
    llCode[i] = litLengthCode(seqs.litLength[i]!);
    mlCode[i] = matchLengthCode(seqs.matchLength[i]!);
    ofCode[i] = offsetCode(seqs.offsetValue[i]!);
  }
  const ll = chooseCoding(llCode, n, 35, LL_PREDEFINED, PREDEFINED_ENCODERS.ll, LL_MAX_ACCURACY_LOG);
  const of = chooseCoding(ofCode, n, 31, OF_PREDEFINED, PREDEFINED_ENCODERS.of, OF_MAX_ACCURACY_LOG);
  const ml = chooseCoding(mlCode, n, 52, ML_PREDEFINED, PREDEFINED_ENCODERS.ml, ML_MAX_ACCURACY_LOG);
  // §3.1.1.3.2.1.1 Symbol_Compression_Modes: LL in bits 7-6, OF in 5-4, ML in 3-2.
  const modes = (ll.mode << 6) | (of.mode << 4) | (ml.mode << 2);
  const stream = encodeSequenceStream(seqs, scratch, ll, ml, of);
  const out = new Uint8Array(countHeader.length + 1 + ll.header.length + of.header.length + ml.header.length + stream.length);
  let at = 0;
  for (const part of [countHeader, Uint8Array.of(modes), ll.header, of.header, ml.header, stream]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * §3.1.1.3.2.2 in reverse: the last sequence initializes the states; then, from the second-to-last
 * sequence down to the first, each state encodes its code (offset, match, literal length order) and
 * the extra bits follow (literal length, match, offset); finally the states are flushed (match,
 * offset, literal length), so the decoder reads them literal length first.
 */
function encodeSequenceStream(seqs: SequenceBuffer, scratch: SequenceScratch, ll: SymbolCoding, ml: SymbolCoding, of: SymbolCoding): Uint8Array {
  const n = seqs.count;
  const { llCode, mlCode, ofCode } = scratch;
  const bits = new BitWriter(n * 8 + 16);
  const llFse = ll.mode === MODE_RLE ? undefined : ll.fse;
  const mlFse = ml.mode === MODE_RLE ? undefined : ml.fse;
  const ofFse = of.mode === MODE_RLE ? undefined : of.fse;
  const last = n - 1;
  let llState = llFse ? llFse.initialState(llCode[last]!) : 0;
  let mlState = mlFse ? mlFse.initialState(mlCode[last]!) : 0;
  let ofState = ofFse ? ofFse.initialState(ofCode[last]!) : 0;
  writeExtraBits(bits, seqs, llCode, mlCode, ofCode, last);
  for (let i = last - 1; i >= 0; i--) {
    if (ofFse) ofState = ofFse.encode(bits, ofState, ofCode[i]!);
    if (mlFse) mlState = mlFse.encode(bits, mlState, mlCode[i]!);
    if (llFse) llState = llFse.encode(bits, llState, llCode[i]!);
    writeExtraBits(bits, seqs, llCode, mlCode, ofCode, i);
  }
  if (mlFse) mlFse.flush(bits, mlState);
  if (ofFse) ofFse.flush(bits, ofState);
  if (llFse) llFse.flush(bits, llState);
  return bits.finish();
}

function writeExtraBits(bits: BitWriter, seqs: SequenceBuffer, llCode: Uint8Array, mlCode: Uint8Array, ofCode: Uint8Array, i: number): void {
  const lc = llCode[i]!;
  const mc = mlCode[i]!;
  const oc = ofCode[i]!;
  bits.addBits(seqs.litLength[i]! - LL_BASELINE[lc]!, LL_EXTRA_BITS[lc]!);
  bits.addBits(seqs.matchLength[i]! - ML_BASELINE[mc]!, ML_EXTRA_BITS[mc]!);
  bits.addBits(seqs.offsetValue[i]! - (1 << oc), oc);
}
