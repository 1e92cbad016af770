import { describe, expect, test } from 'vitest';
import { MemoryDisk } from '../../src/disk/index.js';
import { readChunkRing } from '../../src/formats/scan.js';

describe('readChunkRing', () => {
  test('reads every data chunk in order; a held chunk keeps its bytes until its hold settles', async () => {
    const unit = 1024;
    const disk = new MemoryDisk(64 * unit);
    for (let u = 0; u < 64; u += 1) disk.write(u * unit, new Uint8Array(unit).fill(u + 1));
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    let held: { bytes: Uint8Array; first: number } | undefined;
    for await (const chunk of readChunkRing(disk, unit, 4 * unit, 3)) {
      seen.push(chunk.firstUnit);
      expect(chunk.bytes[0]).toBe(chunk.firstUnit + 1);
      if (chunk.firstUnit === 0) {
        chunk.holdUntil(hold);
        held = { bytes: chunk.bytes, first: 0 };
      }
      // Other chunks come through the rest of the ring meanwhile; the held bytes stay as read.
      if (chunk.firstUnit === 8) {
        expect(held!.bytes[0]).toBe(1);
        release();
      }
    }
    expect(seen).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
  });

  test('pads the last unit of a disk that ends mid-unit with zeros', async () => {
    const disk = new MemoryDisk(1500);
    disk.write(0, new Uint8Array(1500).fill(3));
    const chunks = [];
    for await (const c of readChunkRing(disk, 1024)) chunks.push({ first: c.firstUnit, bytes: c.bytes.slice() });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.bytes.length).toBe(2048);
    expect(chunks[0]!.bytes.subarray(1400, 1500).every((b) => b === 3)).toBe(true);
    expect(chunks[0]!.bytes.subarray(1500).every((b) => b === 0)).toBe(true);
  });
});
