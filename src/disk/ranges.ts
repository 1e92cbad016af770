import type { ByteRange } from './types.js';

/**
 * A set of byte ranges kept sorted and coalesced, so a disk written mostly sequentially stays a
 * handful of ranges however many writes it took.
 */
export class RangeSet {
  /** Flat [start0, end0, start1, end1, ...], ascending, disjoint, non-adjacent. */
  private bounds: number[] = [];

  add(offset: number, length: number): void {
    if (length <= 0) return;
    let start = offset;
    let end = offset + length;
    const b = this.bounds;
    // First range whose end >= start (it may touch or overlap the new one).
    let lo = this.firstEndingAtOrAfter(start);
    let hi = lo;
    while (hi < b.length / 2 && b[2 * hi]! <= end) {
      start = Math.min(start, b[2 * hi]!);
      end = Math.max(end, b[2 * hi + 1]!);
      hi++;
    }
    b.splice(2 * lo, 2 * (hi - lo), start, end);
  }

  /** Ranges as {offset, length}, ascending. */
  *ranges(): Generator<ByteRange> {
    const b = this.bounds;
    for (let i = 0; i < b.length; i += 2) yield { offset: b[i]!, length: b[i + 1]! - b[i]! };
  }

  /** Ranges intersected with [offset, offset + length), shifted so the window starts at 0. */
  *within(offset: number, length: number): Generator<ByteRange> {
    const end = offset + length;
    const b = this.bounds;
    for (let i = 2 * this.firstEndingAtOrAfter(offset + 1); i < b.length && b[i]! < end; i += 2) {
      const s = Math.max(b[i]!, offset);
      const e = Math.min(b[i + 1]!, end);
      if (e > s) yield { offset: s - offset, length: e - s };
    }
  }

  get count(): number {
    return this.bounds.length / 2;
  }

  /** Index of the first range whose end is >= pos (binary search). */
  private firstEndingAtOrAfter(pos: number): number {
    let lo = 0;
    let hi = this.bounds.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bounds[2 * mid + 1]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
