import { expect, test } from 'vitest';
import { MatchFinder } from '../../../src/compress/lzma/match-finder.js';
import { lzShaped, prng } from './samples.js';

/** Longest match at `pos` against any earlier position within `window`, by brute force. */
function bruteLongest(data: Uint8Array, pos: number, window: number, limit: number): number {
  let best = 0;
  for (let c = Math.max(0, pos - window + 1); c < pos; c++) {
    let len = 0;
    while (len < limit && data[c + len] === data[pos + len]) len++;
    best = Math.max(best, len);
  }
  return best;
}

test('with unlimited depth the longest match (≥ 4 bytes) is found; every reported match is real and in the window', () => {
  const next = prng(9);
  const data = Uint8Array.from({ length: 12_000 }, () => 0x61 + (next() % 3)); // 3 letters: many matches
  const dictSize = 1 << 16;
  const mf = new MatchFinder({ dictSize, depth: 1 << 30, niceLen: 273, slab: 1 << 16, keepBehind: 0 });
  expect(mf.append(data, mf.cur)).toBe(data.length);
  const bad: string[] = [];
  let longestChecked = 0;
  for (let pos = 0; pos < data.length - 300; pos++) {
    const count = mf.find(273);
    let prev = 0;
    for (let k = 0; k < count; k++) {
      const len = mf.lens[k]!;
      const src = pos - mf.dists[k]! - 1;
      const real = src >= 0 && Buffer.compare(data.subarray(src, src + len), data.subarray(pos, pos + len)) === 0;
      if (len <= prev || !real) bad.push(`${pos}: len ${len} dist ${mf.dists[k]}`);
      prev = len;
    }
    if (pos % 97 === 0) {
      const brute = bruteLongest(data, pos, dictSize, 273);
      if (brute >= 4 && prev !== brute) bad.push(`${pos}: longest ${prev}, brute force ${brute}`);
      longestChecked++;
    }
  }
  expect(bad.slice(0, 5)).toEqual([]);
  expect(longestChecked).toBeGreaterThan(100);
});

test('the window stays the same size and matches never reach beyond the dictionary', () => {
  const dictSize = 1 << 16;
  const mf = new MatchFinder({ dictSize, depth: 64, niceLen: 273, slab: 1 << 16, keepBehind: 0 });
  const size = mf.buf.length;
  const data = lzShaped(1 << 20, 4, 1 << 19); // copies from up to 512 KiB back: most are out of reach
  let fed = 0;
  let checked = 0;
  const bad: string[] = [];
  while (fed < data.length || mf.available() > 0) {
    if (fed < data.length) fed += mf.append(data.subarray(fed), mf.cur);
    while (mf.available() > (fed < data.length ? 300 : 0)) {
      const pos = mf.cur - mf.streamStart;
      const count = mf.find(Math.min(273, mf.available()));
      for (let k = 0; k < count; k++) {
        const src = pos - mf.dists[k]! - 1;
        const len = mf.lens[k]!;
        const real = Buffer.compare(data.subarray(src, src + len), data.subarray(pos, pos + len)) === 0;
        if (mf.dists[k]! >= dictSize || !real) bad.push(`${pos}: len ${len} dist ${mf.dists[k]}`);
        checked++;
      }
    }
  }
  expect(bad.slice(0, 5)).toEqual([]);
  expect(mf.buf.length).toBe(size);
  expect(checked).toBeGreaterThan(100_000);
});
