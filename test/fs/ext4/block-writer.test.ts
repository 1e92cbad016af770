import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, MemoryDisk } from '../../../src/disk/index.js';
import { BlockWriter } from '../../../src/fs/ext4/block-writer.js';
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
});
