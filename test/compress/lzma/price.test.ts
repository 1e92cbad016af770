import { expect, test } from 'vitest';
import { bitPrice, PRICE_SHIFT } from '../../../src/compress/lzma/price.js';

test('bit prices are -log2(p) in 1/16 bit, within one unit, for every probability the coder can hold', () => {
  const off: string[] = [];
  for (let prob = 31; prob <= 2048 - 31; prob++) {
    for (const bit of [0, 1]) {
      const p = (bit === 0 ? prob : 2048 - prob) / 2048;
      const exact = -Math.log2(p) * (1 << PRICE_SHIFT);
      // The table is indexed by prob / 16, so allow for the step as well as the rounding.
      const stepError = (Math.log2((Math.floor((p * 2048) / 16) * 16 + 16) / (Math.floor((p * 2048) / 16) * 16)) * 16) / 2;
      if (Math.abs(bitPrice(prob, bit) - exact) > 1 + stepError) off.push(`p=${prob} bit=${bit}: ${bitPrice(prob, bit)} vs ${exact.toFixed(2)}`);
    }
  }
  expect(off.slice(0, 5)).toEqual([]);
  expect(bitPrice(1024, 0)).toBe(16); // one half: exactly one bit
  expect(bitPrice(1024, 1)).toBe(16);
});
