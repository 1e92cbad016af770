import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BodyReader, bodyPieces, bytesBody, hostFileBody } from '../../src/tree/body.js';
import type { Body } from '../../src/tree/types.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();

test('holes read as zeros; segments come from host files at their offsets', () => {
  const p = join(tmp(), 'src');
  writeFileSync(p, 'xxHELLOxxWORLD');
  const body: Body = {
    size: 20,
    segments: [
      { offset: 2, length: 5, source: { path: p, offset: 2 } },
      { offset: 12, length: 5, source: { path: p, offset: 9 } },
    ],
  };
  const reader = new BodyReader();
  expect(Buffer.from(reader.read(body, 0, 20)).toString('latin1')).toBe('\0\0HELLO\0\0\0\0\0WORLD\0\0\0');
  expect(Buffer.from(reader.read(body, 5, 9)).toString('latin1')).toBe('LO\0\0\0\0\0WO');
  const chunks: [number, number][] = [];
  reader.forEachChunk(body, 8, (off, bytes) => chunks.push([off, bytes.length]));
  expect(chunks).toEqual([
    [0, 8],
    [8, 8],
    [16, 4],
  ]);
  reader.close();
});

test('bytesBody and hostFileBody describe whole contents; empty ones have no segments', () => {
  expect(bytesBody(new Uint8Array(0)).segments).toEqual([]);
  expect(hostFileBody('/x', 0).segments).toEqual([]);
  const p = join(tmp(), 'f');
  writeFileSync(p, 'abc');
  const reader = new BodyReader();
  expect(Buffer.from(reader.read(hostFileBody(p, 3), 0, 3)).toString()).toBe('abc');
  expect(Buffer.from(reader.read(bytesBody(Buffer.from('xyz')), 1, 2)).toString()).toBe('yz');
  reader.close();
});

test('bodyPieces: the data runs inside a range, clipped to it, with where each comes from; holes give none', () => {
  const bytes = new Uint8Array(10);
  const body: Body = {
    size: 100,
    segments: [
      { offset: 10, length: 20, source: { path: '/src', offset: 1000 } },
      { offset: 50, length: 10, source: { bytes, offset: 0 } },
    ],
  };
  expect([...bodyPieces(body, 15, 40)]).toEqual([
    { at: 0, length: 15, source: { path: '/src', offset: 1000 }, from: 1005 },
    { at: 35, length: 5, source: { bytes, offset: 0 }, from: 0 },
  ]);
  expect([...bodyPieces(body, 30, 20)]).toEqual([]); // a hole between the segments
  expect([...bodyPieces(body, 0, 100)].map((p) => [p.at, p.length, p.from])).toEqual([[10, 20, 1000], [50, 10, 0]]);
});
