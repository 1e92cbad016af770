import { expect, test } from 'vitest';
import { SparseError, checkSparseMap, sparseMapFromData10, sparseMapFromPax01 } from '../../src/tar/sparse.js';

test('format 1.0 map: needs the whole map before answering, occupies whole blocks', () => {
  const text = Buffer.from('3\n1048576\n4096\n3141632\n4096\n3145728\n0\n');
  expect(sparseMapFromData10(text.subarray(0, 20))).toBeUndefined();
  const parsed = sparseMapFromData10(Buffer.concat([text, Buffer.alloc(600)]))!;
  expect(parsed.mapBytes).toBe(512);
  expect(parsed.map).toEqual([
    { offset: 1048576, length: 4096 },
    { offset: 3141632, length: 4096 },
    { offset: 3145728, length: 0 },
  ]);
});

test('checkSparseMap drops empty regions and checks order, bounds and stored size', () => {
  const map = sparseMapFromPax01('0,10,100,5,200,0');
  expect(checkSparseMap(map, 200, 15)).toEqual([
    { offset: 0, length: 10 },
    { offset: 100, length: 5 },
  ]);
  expect(() => checkSparseMap(map, 200, 16)).toThrow(/holds 15 bytes but the member stores 16/);
  expect(() => checkSparseMap(map, 104, 15)).toThrow(/past the file size/);
  expect(() => checkSparseMap(sparseMapFromPax01('100,5,0,10'), 200, 15)).toThrow(SparseError);
  expect(() => sparseMapFromPax01('1,2,3')).toThrow(/odd count/);
});
