import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, MemoryDisk, type Disk } from '../../../src/disk/index.js';
import { BlockWriter } from '../../../src/fs/ext4/block-writer.js';
import { BodyReader, bytesBody, hostRunBody } from '../../../src/tree/body.js';
import type { Body } from '../../../src/tree/types.js';
import { useTmpDir } from '../../helpers/tmp.js';

const BS = 4096;
const BIG = 128 * 1024 * 1024; // over the write-behind threshold

/** Blocks written in a scattered order, some through reserve(), several buffers' worth of them. */
function writeSample(out: BlockWriter): Map<number, number> {
  const filled = new Map<number, number>();
  const runs: [number, number][] = [
    [10, 3000], // 3000 blocks: about three 4 MiB buffers
    [5000, 7],
    [4000, 900],
    [9000, 1],
  ];
  for (const [start, count] of runs) {
    for (let b = start; b < start + count; b++) {
      const value = (b * 7 + 3) & 0xff;
      if (b % 3 === 0) out.reserve(b, BS, true).fill(value);
      else out.write(b, new Uint8Array(BS).fill(value));
      filled.set(b, value);
    }
  }
  return filled;
}

describe('BlockWriter', () => {
  const tmp = useTmpDir();

  test('with write-behind (a FileDisk and a big image) the file holds every block where it was written, and dataRanges lists them', () => {
    const path = join(tmp(), 'img');
    const disk = FileDisk.create(path, 10000 * BS);
    const out = new BlockWriter(disk, BS, BIG);
    const filled = writeSample(out);
    out.close();
    disk.close();
    const bytes = readFileSync(path);
    for (let b = 0; b < 10000; b++) {
      const want = filled.get(b) ?? 0;
      const block = bytes.subarray(b * BS, (b + 1) * BS);
      if (block[0] !== want || block[BS - 1] !== want) throw new Error(`block ${b}: ${block[0]} != ${want}`);
    }
  });

  test('write-behind and synchronous writes give the same bytes and the same data ranges', () => {
    const a = FileDisk.create(join(tmp(), 'a'), 10000 * BS);
    const behind = new BlockWriter(a, BS, BIG);
    writeSample(behind);
    behind.close();
    const b = new MemoryDisk(10000 * BS);
    const sync = new BlockWriter(b, BS, BIG); // not a FileDisk: synchronous
    writeSample(sync);
    sync.close();
    expect([...a.dataRanges()]).toEqual([...b.dataRanges()]);
    for (const r of b.dataRanges()) expect(Buffer.compare(a.read(r.offset, r.length), b.read(r.offset, r.length))).toBe(0);
    a.close();
  });

  /**
   * Bodies of every kind placed at scattered blocks: runs of a host file (the worker reads those), a
   * body in memory, a sparse body (segments with a hole between), and a run that reaches past the end
   * of its source file (a source cut short: zeros, not stale buffer bytes).
   */
  function placeSample(out: BlockWriter, source: string, sourceBytes: number): void {
    const reader = new BodyReader();
    const sparse: Body = {
      size: 5 * BS,
      segments: [
        { offset: 100, length: BS, source: { path: source, offset: 7 } },
        { offset: 3 * BS, length: 1000, source: { bytes: new Uint8Array(1000).fill(0xab), offset: 0 } },
      ],
    };
    const place = (block: number, body: Body, dense: boolean) => {
      for (let off = 0; off < body.size; off += 1 << 20) out.placeBody(block + off / BS, body, off, Math.min(1 << 20, body.size - off), dense, reader);
    };
    place(20, hostRunBody(source, 0, 3 * 1024 * 1024), true);
    place(2000, bytesBody(new Uint8Array(10 * BS + 5).fill(0x5a)), true);
    place(2100, sparse, false);
    place(1500, hostRunBody(source, 12345, 40 * BS + 77), true);
    place(2300, hostRunBody(source, sourceBytes - BS, 3 * BS), true); // two blocks past the source's end
    reader.close();
  }

  test('placeBody: with write-behind the worker reads host files into place; same bytes and ranges as reading them here', () => {
    const source = join(tmp(), 'source');
    const sourceBytes = 4 * 1024 * 1024;
    writeFileSync(source, Buffer.from(Array.from({ length: sourceBytes }, (_, i) => (i * 31 + (i >> 12)) & 0xff)));
    // A partition window of an image file (as assemble writes ext4), so the write-behind offsets by the window start.
    const image = FileDisk.create(join(tmp(), 'img'), 12000 * BS);
    const window: Disk = image.window(1000 * BS, 10000 * BS);
    const behind = new BlockWriter(window, BS, BIG);
    placeSample(behind, source, sourceBytes);
    behind.close();
    const memory = new MemoryDisk(12000 * BS);
    const sync = new BlockWriter(memory.window(1000 * BS, 10000 * BS), BS, BIG);
    placeSample(sync, source, sourceBytes);
    sync.close();
    expect([...image.dataRanges()]).toEqual([...memory.dataRanges()]);
    for (const r of memory.dataRanges()) expect(Buffer.compare(image.read(r.offset, r.length), memory.read(r.offset, r.length))).toBe(0);
    // Spot checks against the source itself, not only the two writers against each other.
    const src = readFileSync(source);
    expect(Buffer.compare(image.read((1000 + 20) * BS, 1 << 20), src.subarray(0, 1 << 20))).toBe(0);
    expect(Buffer.compare(image.read((1000 + 2300) * BS, BS), src.subarray(sourceBytes - BS))).toBe(0);
    expect(image.read((1000 + 2301) * BS, 2 * BS).every((b) => b === 0)).toBe(true);
    expect(Buffer.compare(image.read((1000 + 2100) * BS + 100, BS), src.subarray(7, 7 + BS))).toBe(0);
    expect(image.read((1000 + 2100) * BS, 100).every((b) => b === 0)).toBe(true);
    image.close();
  });
});
