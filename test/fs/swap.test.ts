import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FileDisk, MemoryDisk } from '../../src/disk/index.js';
import { TsdibError } from '../../src/errors.js';
import { decodeSwapHeader, encodeSwapHeader, writeSwap } from '../../src/fs/swap.js';
import { haveTools, runTool } from '../helpers/oracles.js';
import { useTmpDir } from '../helpers/tmp.js';

const tmp = useTmpDir();
const UUID = '3f0c6a1e-5b2d-4c8e-9a7f-1d2e3c4b5a69';

function swapImage(size: number, label?: string): string {
  const path = join(tmp(), 'swap.img');
  const disk = FileDisk.create(path, size);
  writeSwap(disk, { uuid: UUID, label });
  disk.close();
  return path;
}

describe('swap signature page', () => {
  test('fields land where swap.h puts them', () => {
    const page = encodeSwapHeader(256, { uuid: UUID, label: 'swap0' });
    expect(page.length).toBe(4096);
    expect(Buffer.from(page.subarray(4086)).toString('latin1')).toBe('SWAPSPACE2');
    expect(decodeSwapHeader(page)).toEqual({ version: 1, lastPage: 255, uuid: UUID, label: 'swap0' });
    expect(page.subarray(0, 1024).every((b) => b === 0)).toBe(true);
  });

  test('a 16-byte label fills the field without a terminator', () => {
    expect(decodeSwapHeader(encodeSwapHeader(10, { uuid: UUID, label: 'sixteen-bytes-ok' }))!.label).toBe('sixteen-bytes-ok');
  });

  test.each([
    [() => encodeSwapHeader(9, { uuid: UUID }), /at least 10/],
    [() => encodeSwapHeader(100, { uuid: UUID, label: 'seventeen-bytes-x' }), /swap label .* 17 bytes, at most 16/],
    [() => encodeSwapHeader(100, { uuid: 'not-a-uuid' }), /uuid: "not-a-uuid" is not a UUID/],
  ])('bad input is an exit-2 error naming the field (%#)', (fn, message) => {
    try {
      fn();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TsdibError);
      expect((e as TsdibError).exitCode).toBe(2);
      expect((e as TsdibError).message).toMatch(message);
    }
  });

  test('writes only the first page', () => {
    const disk = new MemoryDisk(1 << 20);
    expect(writeSwap(disk, { uuid: UUID })).toEqual({ pages: 256 });
    expect([...disk.dataRanges()]).toEqual([{ offset: 0, length: 4096 }]);
  });
});

describe.runIf(haveTools('blkid', 'swaplabel', 'mkswap'))('swap against util-linux', () => {
  test('blkid -p reads type, version, label and UUID', () => {
    const img = swapImage(8 << 20, 'myswap');
    const r = runTool('blkid', ['-p', '-o', 'export', img]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('TYPE=swap');
    expect(r.stdout).toContain('VERSION=1');
    expect(r.stdout).toContain('LABEL=myswap');
    expect(r.stdout).toContain(`UUID=${UUID}`);
  });

  test('swaplabel reads the label and UUID', () => {
    const r = runTool('swaplabel', [swapImage(1 << 20, 'lbl')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('LABEL: lbl');
    expect(r.stdout).toContain(`UUID:  ${UUID}`);
  });

  test('the page is byte-identical to what mkswap writes for the same size, label and UUID', () => {
    const ours = swapImage(6 << 20, 'same');
    const theirs = join(tmp(), 'mkswap.img');
    writeFileSync(theirs, '');
    truncateSync(theirs, 6 << 20);
    const r = runTool('mkswap', ['-L', 'same', '-U', UUID, theirs]);
    expect(r.status).toBe(0);
    expect(readFileSync(ours).subarray(0, 4096)).toEqual(readFileSync(theirs).subarray(0, 4096));
  });
});

describe.runIf(haveTools('file'))('swap against file(1)', () => {
  test('file -s names it a swap file with our label and UUID', () => {
    const r = runTool('file', ['-s', swapImage(2 << 20, 'fileswap')]);
    expect(r.stdout).toMatch(/swap file.*version 1/i);
    expect(r.stdout).toContain('fileswap');
    expect(r.stdout.toLowerCase()).toContain(UUID);
  });
});
