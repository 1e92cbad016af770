import { inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { CompressPool, compressInPlace, compressUnit } from '../../src/formats/compress-pool.js';
import { prng } from './helpers.js';

const UNIT = 4096;

/** Units of every kind: text-like, random (incompressible: stored), runs of one byte. */
function units(count: number): Uint8Array {
  const rand = prng(7);
  const bytes = new Uint8Array(count * UNIT);
  for (let u = 0; u < count; u++) {
    for (let k = 0; k < UNIT; k++) {
      bytes[u * UNIT + k] = u % 3 === 0 ? Math.floor(rand() * 256) : u % 3 === 1 ? 97 + ((k * 7) % 26) : 0x5a;
    }
  }
  return bytes;
}

describe('compressInPlace', () => {
  test('raw-4k: results back to back over the input, each the unit deflated alone, incompressible units stored as they are', () => {
    const input = units(9);
    const buffer = input.slice();
    const { out, lengths, flags } = compressInPlace(buffer, UNIT, 9, 'raw-4k', 6, compressUnit);
    expect(out).toBeUndefined();
    let pos = 0;
    for (let u = 0; u < 9; u++) {
      const unit = input.subarray(u * UNIT, (u + 1) * UNIT);
      const part = buffer.subarray(pos, pos + lengths[u]!);
      expect(flags[u]).toBe(u % 3 === 0);
      if (flags[u]) expect(part).toEqual(unit);
      else expect(new Uint8Array(inflateRawSync(part, { windowBits: 12 }))).toEqual(unit);
      expect(part).toEqual(flags[u] ? unit : new Uint8Array(compressUnit(unit, 'raw-4k', 6)));
      pos += lengths[u]!;
    }
  });

  test('zlib: output that may grow goes to a buffer of its own', () => {
    const input = units(3);
    const { out, lengths } = compressInPlace(input.slice(), UNIT, 3, 'zlib', 6, compressUnit);
    expect(lengths[0]).toBeGreaterThan(UNIT); // random bytes grow under zlib
    let pos = 0;
    for (let u = 0; u < 3; u++) {
      expect(new Uint8Array(inflateSync(out!.subarray(pos, pos + lengths[u]!)))).toEqual(input.subarray(u * UNIT, (u + 1) * UNIT));
      pos += lengths[u]!;
    }
  });
});

describe('CompressPool', () => {
  test('workers give the same bytes as the main thread, and hand the job buffer back', async () => {
    const input = units(12);
    const pool = new CompressPool('raw-4k', 6, 2);
    const solo = new CompressPool('raw-4k', 6, 0);
    try {
      const jobs = [0, 1, 2].map((j) => input.slice(j * 4 * UNIT, (j + 1) * 4 * UNIT).buffer);
      const results = await Promise.all(jobs.map((buffer) => pool.compress({ buffer, unitSize: UNIT, count: 4 })));
      for (const [j, r] of results.entries()) {
        expect(r.buffer.byteLength).toBe(4 * UNIT);
        const alone = await solo.compress({ buffer: input.slice(j * 4 * UNIT, (j + 1) * 4 * UNIT).buffer, unitSize: UNIT, count: 4 });
        expect(r.parts.map((p) => [Buffer.from(p.bytes).toString('hex'), p.stored])).toEqual(alone.parts.map((p) => [Buffer.from(p.bytes).toString('hex'), p.stored]));
      }
    } finally {
      await pool.close();
      await solo.close();
    }
  });
});
