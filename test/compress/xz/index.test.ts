import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, test } from 'vitest';
import { createXzCompressStream, xzCompress } from '../../../src/compress/xz/index.js';
import { TsdibError } from '../../../src/errors.js';
import { haveTools } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';
import { lzShaped, prng, randomBytes } from '../lzma/samples.js';

const MiB = 1 << 20;
const tmp = useTmpDir();

/** Runs `xz` with `args` on `input`; returns stdout (throws on a non-zero exit, with xz's stderr). */
function xz(args: string[], input: Uint8Array): Buffer {
  return execFileSync('xz', args, { input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The input through the Transform, written in pieces of `piece` bytes (or sizes `piece()` draws). */
async function viaStream(input: Uint8Array, level?: number, piece: number | (() => number) = 64 * 1024): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < input.length; ) {
    const n = typeof piece === 'number' ? piece : piece();
    pieces.push(input.subarray(at, at + n));
    at += n;
  }
  return buffer(Readable.from(pieces).pipe(createXzCompressStream(level === undefined ? {} : { level })));
}

/** Up to `limit` bytes of real files: a newc cpio (GNU cpio) of the first regular files of /usr/lib's multiarch dir. */
function realTree(limit: number): Buffer {
  const dir = ['/usr/lib/x86_64-linux-gnu', '/usr/lib'].find((d) => {
    try {
      return statSync(d).isDirectory();
    } catch {
      return false;
    }
  })!;
  const names: string[] = [];
  let total = 0;
  for (const name of readdirSync(dir).sort()) {
    const st = statSync(join(dir, name), { throwIfNoEntry: false });
    if (!st?.isFile() || st.size > limit / 4) continue;
    if (total + st.size > limit) break;
    names.push(name);
    total += st.size;
  }
  return execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: dir, input: names.join('\n') + '\n', maxBuffer: 1 << 28 });
}

test('levels outside 0..9 are input errors naming the level', () => {
  for (const level of [-1, 10, 2.5, Number.NaN]) {
    let err: unknown;
    try {
      createXzCompressStream({ level });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TsdibError);
    expect((err as TsdibError).exitCode).toBe(2);
    expect((err as TsdibError).message).toContain(`level ${String(level)}`);
  }
});

test.each([3, 6])('deterministic at level %i: the same input gives the same bytes, through the stream in any piece size', async (level) => {
  const input = lzShaped(700_000, 21);
  const whole = Buffer.from(xzCompress(input, { level }));
  expect((await viaStream(input, level, 1)).equals(whole)).toBe(true);
  const next = prng(5);
  expect((await viaStream(input, level, () => 1 + (next() % 100_000))).equals(whole)).toBe(true);
  expect(Buffer.from(xzCompress(input, { level })).equals(whole)).toBe(true);
});

describe.runIf(haveTools('xz'))('checked by xz-utils (xz -t, xz -dc, xz -lvv)', () => {
  test('empty input: byte-identical to xz --check=crc32 (stream header, empty index, footer)', async () => {
    const ours = await viaStream(new Uint8Array(0));
    expect(ours.equals(xz(['--check=crc32', '-c'], new Uint8Array(0)))).toBe(true);
    expect(xz(['-dc'], ours).length).toBe(0);
  });

  test.each([
    ['one byte', () => Uint8Array.of(0x5a)],
    ['3 MiB of zeros (highly repetitive)', () => new Uint8Array(3 * MiB)],
    ['a repeated phrase', () => Buffer.from('the kernel unpacks the initramfs\n'.repeat(40_000))],
    ['random 1 MiB (incompressible: uncompressed chunks)', () => randomBytes(MiB)],
    ['3 MiB of LZ-shaped data at level 0 (> 2 MiB chunks, > 1 MiB dictionary)', () => lzShaped(3 * MiB, 8, 3 * MiB)],
  ])('%s: xz -t passes and xz -dc gives back the input', async (name, make) => {
    const input = make();
    const level = name.includes('level 0') ? 0 : undefined;
    const ours = await viaStream(input, level);
    xz(['-t'], ours);
    expect(xz(['-dc'], ours).equals(Buffer.from(input))).toBe(true);
    if (name.startsWith('random')) expect(ours.length).toBeLessThan(input.length + 200);
    if (name.startsWith('3 MiB of zeros')) expect(ours.length).toBeLessThan(2000);
  });

  test('xz -lvv: one stream, one block, check CRC32, the LZMA2 filter with the level-6 dictionary (8 MiB)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'six.xz'), await viaStream(lzShaped(200_000, 1)));
    writeFileSync(join(dir, 'zero.xz'), xzCompress(Uint8Array.of(1, 2, 3), { level: 0 }));
    const listed = execFileSync('xz', ['-lvv', join(dir, 'six.xz')], { encoding: 'utf8' });
    expect(listed).toMatch(/Check:\s+CRC32/);
    expect(listed).toMatch(/Blocks:\s+1\b/);
    expect(listed).toContain('--lzma2=dict=8MiB');
    const level0 = execFileSync('xz', ['-lvv', join(dir, 'zero.xz')], { encoding: 'utf8' });
    expect(level0).toContain('--lzma2=dict=1MiB');
  });

  test('every level 0..9 decodes; the priced parser (4-9) is smaller than the fast one (0-3)', () => {
    const input = lzShaped(300_000, 13);
    const sizes: number[] = [];
    for (let level = 0; level <= 9; level++) {
      const out = xzCompress(input, { level });
      sizes.push(out.length);
      expect(xz(['-dc'], out).equals(Buffer.from(input)), `level ${level}`).toBe(true);
    }
    expect(sizes[6]!).toBeLessThan(sizes[3]!);
    expect(sizes[3]!).toBeLessThan(sizes[0]!);
  });

  describe.runIf(haveTools('cpio'))('a real file tree', () => {
    test('a 6 MiB cpio of /usr/lib files: exact round trips; against xz -6: level 6 within 8%, level 3 within 15%, level 9 within 5%', async () => {
      const input = realTree(6 * MiB);
      expect(input.length).toBeGreaterThan(2 * MiB);
      const reference = xz(['-6', '-T1', '--check=crc32', '-c'], input).length;
      for (const [level, bound] of [[6, 1.08], [3, 1.15], [9, 1.05]] as const) {
        const ours = await viaStream(input, level);
        xz(['-t'], ours);
        expect(xz(['-dc'], ours).equals(input), `level ${level}`).toBe(true);
        expect(ours.length / reference, `level ${level}`).toBeLessThan(bound);
      }
    });
  });
});

describe.runIf(haveTools('xz'))('a corrupted stream is caught by xz (the checks are real)', () => {
  test('flipping one bit of the compressed data fails xz -t', () => {
    const ours = Buffer.from(xzCompress(lzShaped(100_000, 4)));
    ours[ours.length >> 1] ^= 0x10;
    expect(spawnSync('xz', ['-t'], { input: ours }).status).not.toBe(0);
  });
});
