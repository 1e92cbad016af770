import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { dataExtents, parseExtentLines } from '../../src/formats/data-extents.js';
import { RawImage } from '../../src/formats/raw-reader.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const MIB = 1024 * 1024;

/** A sparse file: data at a few places, holes between, a hole at the end. */
function sparseFile(path: string): number {
  const size = 64 * MIB + 4096 * 3;
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  for (const [offset, length] of [[0, 4096], [3 * MIB, 2 * MIB + 8192], [40 * MIB + 65536, 12345]] as const) {
    writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, offset);
  }
  closeSync(fd);
  return size;
}

describe('parseExtentLines', () => {
  test('reads "offset length" lines, drops empty extents, refuses anything else', () => {
    expect(parseExtentLines('0 4096\n8192 0\n1048576 65536\n')).toEqual([
      { offset: 0, length: 4096 },
      { offset: 1048576, length: 65536 },
    ]);
    expect(parseExtentLines('')).toEqual([]);
    expect(parseExtentLines('0 4096\nperl: oops\n')).toBeUndefined();
  });
});

describe.runIf(haveTools('perl', 'qemu-img'))('dataExtents: SEEK_DATA/SEEK_HOLE through perl, checked against qemu-img map', () => {
  const tmp = useTmpDir();

  test('the extents are the ranges qemu-img map calls data, and cover every written byte', () => {
    const path = join(tmp(), 'sparse.raw');
    const size = sparseFile(path);
    const ours = dataExtents(path, size);
    expect(ours).toBeDefined();
    const map = runTool('qemu-img', ['map', '--output=json', '-f', 'raw', path]);
    expect(map.status, map.stderr).toBe(0);
    const theirs = (JSON.parse(map.stdout) as { start: number; length: number; data: boolean }[]).filter((e) => e.data).map((e) => ({ offset: e.start, length: e.length }));
    expect(ours).toEqual(theirs);
    for (const [offset, length] of [[0, 4096], [3 * MIB, 2 * MIB + 8192], [40 * MIB + 65536, 12345]] as const) {
      expect(ours!.some((r) => r.offset <= offset && offset + length <= r.offset + r.length), `${offset}+${length}`).toBe(true);
    }
  });

  test('RawImage lists the extents as its data ranges, or the whole file when asked not to seek', () => {
    const path = join(tmp(), 'sparse.raw');
    const size = sparseFile(path);
    const seeking = new RawImage(path);
    const plain = new RawImage(path, { seekData: false });
    try {
      expect([...seeking.dataRanges()]).toEqual(dataExtents(path, size));
      expect([...plain.dataRanges()]).toEqual([{ offset: 0, length: size }]);
    } finally {
      seeking.close();
      plain.close();
    }
  });

  test('a platform without known lseek numbers gets undefined (the caller reads everything)', () => {
    const path = join(tmp(), 'sparse.raw');
    const size = sparseFile(path);
    expect(dataExtents(path, size, 'aix')).toBeUndefined();
    expect(dataExtents(join(tmp(), 'missing.raw'), size)).toBeUndefined();
  });
});
