import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, isAllZero, MemoryDisk, RangeSet, type Disk } from '../../src/disk/index.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();

function ranges(d: { dataRanges(): Iterable<{ offset: number; length: number }> }) {
  return [...d.dataRanges()].map((r) => [r.offset, r.length]);
}

describe('RangeSet', () => {
  test('coalesces adjacent and overlapping writes', () => {
    const s = new RangeSet();
    s.add(100, 10);
    s.add(0, 10);
    s.add(10, 5);
    s.add(50, 60); // overlaps 100..110, extends to 110
    s.add(200, 1);
    expect([...s.ranges()].map((r) => [r.offset, r.length])).toEqual([[0, 15], [50, 60], [200, 1]]);
    s.add(14, 190); // swallows everything
    expect([...s.ranges()].map((r) => [r.offset, r.length])).toEqual([[0, 204]]);
  });
  test('within() clips and shifts', () => {
    const s = new RangeSet();
    s.add(0, 10);
    s.add(20, 10);
    s.add(40, 10);
    expect([...s.within(5, 20)].map((r) => [r.offset, r.length])).toEqual([[0, 5], [15, 5]]);
  });
  test('random writes agree with a byte map', () => {
    let x = 12345;
    const rnd = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) % n);
    const s = new RangeSet();
    const map = new Uint8Array(5000);
    for (let i = 0; i < 400; i++) {
      const off = rnd(4900);
      const len = rnd(60) + 1;
      s.add(off, len);
      map.fill(1, off, off + len);
    }
    const fromSet = new Uint8Array(5000);
    let prevEnd = -1;
    for (const r of s.ranges()) {
      expect(r.offset).toBeGreaterThan(prevEnd); // disjoint and non-adjacent
      fromSet.fill(1, r.offset, r.offset + r.length);
      prevEnd = r.offset + r.length;
    }
    expect(fromSet).toEqual(map);
  });
});

function exercise(disk: Disk) {
  disk.write(65530, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])); // crosses a 64 KiB chunk
  expect([...disk.read(65528, 14)]).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0]);
  expect(ranges(disk)).toEqual([[65530, 10]]);
  const part = disk.window(1 << 20, 1 << 20);
  part.write(0, new Uint8Array([0xaa]));
  expect(disk.read(1 << 20, 1)[0]).toBe(0xaa);
  expect(() => part.write((1 << 20) - 1, new Uint8Array(2))).toThrow(/outside/);
  expect(() => disk.read(disk.size - 1, 2)).toThrow(/outside/);
  expect(ranges(part)).toEqual([[0, 1]]);
}

describe('Disk', () => {
  test('MemoryDisk: sparse, windows, bounds', () => {
    exercise(new MemoryDisk(1024 ** 4)); // a 1 TiB disk costs only what is written
  });
  test('FileDisk: sparse file, windows, bounds', () => {
    const path = join(tmp(), 'disk.raw');
    const d = FileDisk.create(path, 64 * 1024 ** 3);
    exercise(d);
    d.close();
    expect(statSync(path).size).toBe(64 * 1024 ** 3);
    expect(statSync(path).blocks * 512).toBeLessThan(1024 * 1024); // holes stay holes
  });
  test('isAllZero at every alignment', () => {
    const buf = new Uint8Array(64);
    for (let start = 0; start < 8; start++) {
      for (let pos = start; pos < 64; pos++) {
        buf.fill(0);
        const view = buf.subarray(start);
        expect(isAllZero(view)).toBe(true);
        buf[pos] = 1;
        expect(isAllZero(view)).toBe(false);
      }
    }
  });
});
