import { expect, test } from 'vitest';
import { distanceSlot } from '../../../src/compress/lzma/distance-coder.js';

test('distance slots: 0-3 are their own; then 2 × top bit index + the bit below it (lzma-specification.txt)', () => {
  const cases: [number, number][] = [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 4], [6, 5], [7, 5], [8, 6], [11, 6], [12, 7], [127, 13], [128, 14], [0x7fffffff, 61], [0xbfffffff >>> 0, 62], [0xffffffff >>> 0, 63]];
  for (const [distance, slot] of cases) expect(distanceSlot(distance), `distance ${distance}`).toBe(slot);
});
