/**
 * GNU sparse members (GNU tar manual, "Storing Sparse Files" / "Sparse Formats"). A sparse member
 * stores only its data regions, back to back; the map says where each region sits in the real file.
 *  - old GNU (typeflag 'S'): the map in the header and in extension blocks (header.ts);
 *  - pax 0.0: repeated GNU.sparse.offset / GNU.sparse.numbytes records;
 *  - pax 0.1: GNU.sparse.map = "offset,size,offset,size,...";
 *  - pax 1.0: the map at the start of the member data, decimal numbers one per line (count first),
 *    padded to a 512-byte block.
 * Pure functions: they parse maps and check them.
 */
import type { PaxRecord } from './pax.js';

export interface SparseRegion {
  /** Where the region sits in the real file. */
  readonly offset: number;
  readonly length: number;
}

export class SparseError extends Error {}

/** GNU.sparse.offset / GNU.sparse.numbytes pairs in record order (format 0.0). */
export function sparseMapFromPax00(records: readonly PaxRecord[]): SparseRegion[] {
  const map: SparseRegion[] = [];
  let pendingOffset: number | undefined;
  for (const r of records) {
    if (r.key === 'GNU.sparse.offset') {
      pendingOffset = decimal(text(r.value), 'GNU.sparse.offset');
    } else if (r.key === 'GNU.sparse.numbytes') {
      if (pendingOffset === undefined) throw new SparseError('GNU.sparse.numbytes without GNU.sparse.offset');
      map.push({ offset: pendingOffset, length: decimal(text(r.value), 'GNU.sparse.numbytes') });
      pendingOffset = undefined;
    }
  }
  return map;
}

/** GNU.sparse.map (format 0.1). */
export function sparseMapFromPax01(value: string): SparseRegion[] {
  const numbers = value === '' ? [] : value.split(',').map((n) => decimal(n, 'GNU.sparse.map'));
  if (numbers.length % 2 !== 0) throw new SparseError('GNU.sparse.map has an odd count of numbers');
  const map: SparseRegion[] = [];
  for (let i = 0; i < numbers.length; i += 2) map.push({ offset: numbers[i]!, length: numbers[i + 1]! });
  return map;
}

/**
 * The format 1.0 map at the start of the data. Returns undefined when `bytes` does not yet hold the
 * whole map (the caller reads another block); otherwise the map and the bytes it occupies (a
 * multiple of 512).
 */
export function sparseMapFromData10(bytes: Uint8Array): { map: SparseRegion[]; mapBytes: number } | undefined {
  const lines: number[] = [];
  let pos = 0;
  let count: number | undefined;
  while (count === undefined || lines.length < 1 + 2 * count) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) return undefined;
    lines.push(decimal(text(bytes.subarray(pos, nl)), 'sparse 1.0 map'));
    pos = nl + 1;
    if (count === undefined) count = lines[0]!;
  }
  const map: SparseRegion[] = [];
  for (let i = 1; i < lines.length; i += 2) map.push({ offset: lines[i]!, length: lines[i + 1]! });
  return { map, mapBytes: Math.ceil(pos / 512) * 512 };
}

/**
 * Checks a map against the real size and the stored data size: regions ascending, disjoint, inside
 * the file, and their lengths adding up to what the member stores. Zero-length regions (GNU tar ends
 * maps with one at the real size) are dropped.
 */
export function checkSparseMap(map: readonly SparseRegion[], realSize: number, storedSize: number): SparseRegion[] {
  let end = 0;
  let stored = 0;
  const out: SparseRegion[] = [];
  for (const r of map) {
    if (r.offset < end) throw new SparseError(`sparse map regions overlap or go backwards at offset ${r.offset}`);
    if (r.offset + r.length > realSize) throw new SparseError(`sparse region at ${r.offset} (+${r.length}) lies past the file size ${realSize}`);
    end = r.offset + r.length;
    stored += r.length;
    if (r.length > 0) out.push(r);
  }
  if (stored !== storedSize) throw new SparseError(`sparse map holds ${stored} bytes but the member stores ${storedSize}`);
  return out;
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

function decimal(s: string, what: string): number {
  if (!/^\d+$/.test(s)) throw new SparseError(`${what}: "${s.slice(0, 40)}" is not a number`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new SparseError(`${what}: ${s} is too large`);
  return n;
}
