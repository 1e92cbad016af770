import { closeSync, constants, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openDirect, warmUpWriteBehind, WriteBehind } from '../../../src/fs/ext4/write-behind.js';
import { useTmpDir } from '../../helpers/tmp.js';

const MIB = 1024 * 1024;
const O_DIRECT = (constants as Record<string, number | undefined>).O_DIRECT;

/** Submits `count` buffers of `bytes`, each filled with its own value, at `positions`; returns what each holds. */
function writeBuffers(behind: WriteBehind, positions: readonly number[], bytes: number): Map<number, number> {
  const written = new Map<number, number>();
  let buffer = behind.buffer;
  positions.forEach((position, i) => {
    const value = (i * 37 + 11) & 0xff;
    buffer.fill(value, 0, bytes);
    written.set(position, value);
    buffer = behind.submit(bytes, position);
  });
  behind.close();
  return written;
}

function expectContents(path: string, written: Map<number, number>, bytes: number, size: number): void {
  const file = readFileSync(path);
  expect(file.length).toBe(size);
  for (const [position, value] of written) {
    const got = file.subarray(position, position + bytes);
    expect(got.every((b) => b === value), `${bytes} bytes at ${position} hold ${value}`).toBe(true);
  }
}

describe('WriteBehind', () => {
  const tmp = useTmpDir();

  // O_DIRECT exists on Linux only (and is used on 4 KiB-page architectures); CI's temp directory is on a
  // disk filesystem that takes it.
  describe.runIf(O_DIRECT !== undefined && process.arch === 'x64')('direct writes (Linux, x86-64)', () => {
    test('openDirect finds an offset in each buffer the kernel takes direct writes from, and leaves the file as it was', () => {
      const path = join(tmp(), 'img');
      const size = 10 * MIB + 512; // not a multiple of the probe block: the probe goes past the end and is cut back
      const fd = openSync(path, 'w+');
      writeSync(fd, Buffer.from('head'), 0, 4, 0);
      ftruncateSync(fd, size);
      closeSync(fd);
      const buffers = [new SharedArrayBuffer(MIB + 4096), new SharedArrayBuffer(MIB + 4096)];
      const direct = openDirect(path, size, buffers);
      expect(direct, 'O_DIRECT refused on the temp directory').toBeDefined();
      expect(direct!.offsets).toHaveLength(2);
      for (const offset of direct!.offsets) {
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThan(4096);
        // A direct write from that offset succeeds: the alignment is real, not a guess.
        expect(writeSync(direct!.fd, new Uint8Array(buffers[0]!, direct!.offsets[0]!, 4096), 0, 4096, 4096)).toBe(4096);
      }
      closeSync(direct!.fd);
      expect(statSync(path).size).toBe(size);
      expect(readFileSync(path).subarray(0, 4).toString()).toBe('head');
    });

    test('aligned buffers go out directly and unaligned ones through the page cache: the file holds every one where it was submitted', () => {
      const path = join(tmp(), 'img');
      const size = 64 * MIB;
      const fd = openSync(path, 'w+');
      ftruncateSync(fd, size);
      const behind = new WriteBehind(fd, path, 4 * MIB, { direct: { fileSize: size } });
      expect(behind.directWrites).toBe(true);
      // 4 MiB-aligned, 4 KiB-aligned, and 512-byte-aligned positions (the last must not go direct).
      const written = writeBuffers(behind, [0, 8 * MIB, 2 * MIB + 4096 * 3, 40 * MIB + 512, 20 * MIB], MIB);
      closeSync(fd);
      expectContents(path, written, MIB, size);
    });
  });

  test('a worker started ahead (warmUpWriteBehind) takes the next WriteBehind\'s file when it comes', () => {
    warmUpWriteBehind();
    warmUpWriteBehind(); // idempotent: one worker waits
    const path = join(tmp(), 'img');
    const size = 16 * MIB;
    const fd = openSync(path, 'w+');
    ftruncateSync(fd, size);
    const written = writeBuffers(new WriteBehind(fd, path, MIB, { earlyWriteback: false }), [0, 5 * MIB, 9 * MIB + 4096], MIB);
    closeSync(fd);
    expectContents(path, written, MIB, size);
  });

  test('a write that fails comes back as one error naming the file, from close()', () => {
    const path = join(tmp(), 'img');
    closeSync(openSync(path, 'w'));
    const fd = openSync(path, 'r'); // every write through it fails (EBADF)
    const behind = new WriteBehind(fd, path, MIB, { earlyWriteback: false });
    behind.buffer.fill(7, 0, MIB);
    behind.submit(MIB, 0);
    expect(() => behind.close()).toThrow(new RegExp(`${path}: writing the image failed`));
    expect(() => behind.close()).not.toThrow(); // closed: idempotent
    closeSync(fd);
  });

  test('without direct writes (a scratch file) the same submissions give the same file', () => {
    const path = join(tmp(), 'img');
    const size = 64 * MIB;
    const fd = openSync(path, 'w+');
    ftruncateSync(fd, size);
    const behind = new WriteBehind(fd, path, 4 * MIB, { earlyWriteback: false });
    expect(behind.directWrites).toBe(false);
    const written = writeBuffers(behind, [0, 8 * MIB, 2 * MIB + 4096 * 3, 40 * MIB + 512, 20 * MIB], MIB);
    closeSync(fd);
    expectContents(path, written, MIB, size);
  });
});

