/** Our XXH64 against xxhsum -H1 (Debian's xxhash, the reference implementation), fed in odd pieces. */
import { describe, expect, test } from 'vitest';
import { Xxh64 } from '../../../src/compress/zstd/xxh64.js';
import { haveTools, runTool } from '../../helpers/oracles.js';

function hex(h: Xxh64): string {
  const d = h.digest();
  return d.hi.toString(16).padStart(8, '0') + d.lo.toString(16).padStart(8, '0');
}

function sample(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 99;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 23;
  }
  return b;
}

describe.runIf(haveTools('xxhsum'))('XXH64', () => {
  test('equals xxhsum -H1 for lengths around the 4-, 8- and 32-byte steps, whole or in pieces', () => {
    for (const n of [0, 1, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 64, 100, 1000, 65_537]) {
      const data = sample(n);
      const expected = runTool('xxhsum', ['-H1', '-'], { input: data }).stdout.split(/\s/)[0];
      const whole = new Xxh64();
      whole.update(data);
      expect(hex(whole), `length ${n}`).toBe(expected);
      const pieces = new Xxh64();
      for (let i = 0; i < n; i += 13) pieces.update(data.subarray(i, i + 13));
      expect(hex(pieces), `length ${n} in 13-byte pieces`).toBe(expected);
    }
  });
});
