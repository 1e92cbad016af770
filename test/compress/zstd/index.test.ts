/**
 * Our zstd encoder against the reference decoder: `zstd -t` accepts each frame (checksum included)
 * and `zstd -dc` gives back the exact input, for the edge cases and a real file tree, at fast and
 * high levels. Block types are read from the frame to show which paths were taken.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress } from 'fzstd';
import { describe, expect, test } from 'vitest';
import { createZstdCompressStream, zstdCompressSync } from '../../../src/compress/zstd/index.js';
import { error } from '../../helpers/errors.js';
import { haveTools, runTool } from '../../helpers/oracles.js';
import { useTmpDir } from '../../helpers/tmp.js';

const tmp = useTmpDir();

/** Deterministic incompressible bytes (an LCG's high bytes). */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Text-like data: words drawn from a small vocabulary, so there are many short and long matches. */
function words(n: number): Uint8Array {
  const vocab = ['kernel', 'initramfs', 'module', 'firmware', 'lib', 'usr', 'bin', '/', '.so', '\n', ' ', 'x86_64', 'debian', '0', '1', '2'];
  const out = new Uint8Array(n);
  let x = 7;
  let i = 0;
  while (i < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const w = vocab[(x >>> 16) % vocab.length]!;
    for (let k = 0; k < w.length && i < n; k++) out[i++] = w.charCodeAt(k);
  }
  return out;
}

interface BlockInfo {
  type: 'raw' | 'rle' | 'compressed';
  size: number;
}

/** Walks our frame: header fields and the block headers (RFC 8878 §3.1.1). */
function frameBlocks(frame: Uint8Array): { singleSegment: boolean; checksum: boolean; blocks: BlockInfo[]; end: number } {
  expect(Buffer.from(frame.subarray(0, 4)).readUInt32LE(0)).toBe(0xfd2fb528);
  const fhd = frame[4]!;
  const singleSegment = (fhd & 0x20) !== 0;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fhd >> 6]!;
  let at = 5 + (singleSegment ? 0 : 1) + fcsBytes;
  const blocks: BlockInfo[] = [];
  for (;;) {
    const h = frame[at]! | (frame[at + 1]! << 8) | (frame[at + 2]! << 16);
    const type = (['raw', 'rle', 'compressed'] as const)[(h >> 1) & 3]!;
    const size = h >> 3;
    blocks.push({ type, size });
    at += 3 + (type === 'rle' ? 1 : size);
    if (h & 1) break;
  }
  const checksum = (fhd & 4) !== 0;
  return { singleSegment, checksum, blocks, end: at + (checksum ? 4 : 0) };
}

function zstdRoundTrip(dir: string, name: string, frame: Uint8Array): Buffer {
  const file = join(dir, `${name}.zst`);
  fs.writeFileSync(file, frame);
  const t = runTool('zstd', ['-t', '-q', file]);
  expect(t.status, t.stderr).toBe(0);
  const r = spawnSync('zstd', ['-dc', file], { maxBuffer: 1 << 30 });
  expect(r.status, String(r.stderr)).toBe(0);
  return r.stdout;
}

async function compressStreaming(data: Uint8Array, level: number, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const chunks = function* () {
    for (let i = 0; i < data.length; i += chunk) yield Buffer.from(data.subarray(i, i + chunk));
  };
  await pipeline(Readable.from(chunks()), createZstdCompressStream({ level }), async function* (source) {
    for await (const c of source) parts.push(c as Buffer);
  });
  return Buffer.concat(parts);
}

describe.runIf(haveTools('zstd'))('zstd encoder: zstd -t and zstd -dc give back the input', () => {
  test('empty input: one single-segment frame with an empty last block', () => {
    const frame = zstdCompressSync(new Uint8Array(0));
    expect(zstdRoundTrip(tmp(), 'empty', frame).length).toBe(0);
    const f = frameBlocks(frame);
    expect(f).toMatchObject({ singleSegment: true, checksum: true, blocks: [{ type: 'raw', size: 0 }], end: frame.length });
  });

  test('one byte', () => {
    const frame = zstdCompressSync(Uint8Array.of(0x41), { level: 19 });
    expect([...zstdRoundTrip(tmp(), 'one', frame)]).toEqual([0x41]);
  });

  test('repetitive data compresses to a tiny frame; a block of one byte value is an RLE block', () => {
    const dir = tmp();
    const text = Buffer.from('0123456789abcdef-hello-initramfs\n'.repeat(20000));
    const frame = zstdCompressSync(text, { level: 3 });
    expect(frame.length).toBeLessThan(text.length / 100);
    expect(zstdRoundTrip(dir, 'text', frame).equals(text)).toBe(true);
    const zeros = new Uint8Array(300_000);
    const z = zstdCompressSync(zeros);
    expect(frameBlocks(z).blocks.map((b) => b.type)).toEqual(['rle', 'rle', 'rle']);
    expect(zstdRoundTrip(dir, 'zeros', z).equals(Buffer.from(zeros))).toBe(true);
  });

  test('random data: incompressible blocks are stored raw', () => {
    const data = noise(400_000);
    const frame = zstdCompressSync(data, { level: 19 });
    expect(zstdRoundTrip(tmp(), 'noise', frame).equals(Buffer.from(data))).toBe(true);
    const f = frameBlocks(frame);
    expect(f.singleSegment).toBe(false);
    expect(f.blocks.map((b) => b.type)).toEqual(['raw', 'raw', 'raw', 'raw']);
    expect(f.blocks.map((b) => b.size)).toEqual([131072, 131072, 131072, 6784]);
  });

  test('literals over all 256 byte values use Huffman with FSE-compressed weights; over three byte values, direct weights', () => {
    const dir = tmp();
    // Skewed noise: every byte value occurs, small ones far more often; no matches worth taking.
    const skewed = noise(100_000, 5).map((b) => (b * b * b) >>> 16);
    // Bytes 0, 1, 2: two weights are listed (the last is implied), too few to FSE-compress.
    const three = noise(100_000, 6).map((b) => b % 3);
    for (const [name, data, weights] of [['skewed', skewed, 'fse'], ['three', three, 'direct']] as const) {
      const frame = zstdCompressSync(data, { level: 3 });
      expect(zstdRoundTrip(dir, name, frame).equals(Buffer.from(data))).toBe(true);
      // Single-segment frame with a 4-byte content size: the first block header is at 4 + 1 + 4.
      const block = 9 + 3;
      expect(frame[block]! & 3, `${name}: Literals_Block_Type`).toBe(2);
      const sizeFormat = (frame[block]! >> 2) & 3;
      const treeHeader = frame[block + [3, 3, 4, 5][sizeFormat]!]!;
      expect(treeHeader < 128 ? 'fse' : 'direct', name).toBe(weights);
    }
  });

  test('many shapes of input at levels 1, 3, 9, 13 and 19: every frame decodes back exactly', () => {
    const dir = tmp();
    const inputs: Uint8Array[] = [];
    for (let k = 0; k < 12; k++) {
      // Lengths from a few bytes to past one block; alphabets from 2 to 256 symbols; runs and repeats mixed in.
      const n = [5, 17, 64, 200, 1023, 1024, 1500, 4096, 20_000, 131_072, 131_073, 200_000][k % 12]!;
      const alphabet = [2, 3, 7, 16, 60, 256][k % 6]!;
      const data = noise(n, 100 + k).map((b) => (b * alphabet) >>> 8);
      for (let i = 0; i + 64 < n; i += 97 + k) data.copyWithin(i, Math.max(0, i - 1 - ((k * 37) % 5000)), Math.max(0, i - 1 - ((k * 37) % 5000)) + 20 + (k % 40));
      if (k % 4 === 0) data.fill(7, n >> 2, n >> 1);
      inputs.push(data);
    }
    const files: string[] = [];
    inputs.forEach((data, k) => {
      for (const level of [1, 3, 9, 13, 19]) {
        const file = join(dir, `in${k}-l${level}.zst`);
        fs.writeFileSync(file, zstdCompressSync(data, { level }));
        fs.writeFileSync(join(dir, `in${k}-l${level}`), data);
        files.push(file);
      }
    });
    const t = runTool('zstd', ['-t', '-q', ...files]);
    expect(t.status, t.stderr).toBe(0);
    fs.mkdirSync(join(dir, 'out'));
    const d = runTool('zstd', ['-d', '-q', '-f', '--output-dir-flat', join(dir, 'out'), ...files]);
    expect(d.status, d.stderr).toBe(0);
    for (const file of files) {
      const name = file.slice(dir.length + 1, -4);
      expect(fs.readFileSync(join(dir, 'out', name)).equals(fs.readFileSync(join(dir, name))), name).toBe(true);
    }
  }, 60_000);

  test('more than a window (level 1: 1 MiB) in many blocks, with matches near and beyond the window, streamed in odd chunks', async () => {
    const dir = tmp();
    // 2.5 MiB of noise repeated: the repeat lies 2.5 MiB back, beyond the window, so it must be
    // stored; shorter repeats inside the window must be found. The buffer slides twice.
    const unit = noise(1 << 20, 3);
    const data = new Uint8Array(6 << 20);
    data.set(unit, 0);
    data.set(unit.subarray(0, 512 << 10), 1 << 20); // 1 MiB back: at the window's edge
    data.set(words(1 << 20), 1536 << 10);
    data.set(data.subarray(1536 << 10, 2560 << 10), 2560 << 10); // 1 MiB of text, repeated 1 MiB later
    data.set(noise(2560 << 10, 9), 3584 << 10);
    const whole = zstdCompressSync(data, { level: 1 });
    const streamed = await compressStreaming(data, 1, 77_777);
    expect(streamed.equals(Buffer.from(whole))).toBe(true);
    expect(zstdRoundTrip(dir, 'window', streamed).equals(Buffer.from(data))).toBe(true);
    const f = frameBlocks(whole);
    expect(f.blocks.length).toBe(48);
    expect(f.blocks.filter((b) => b.type === 'compressed').length).toBeGreaterThan(8);
    expect(whole.length).toBeLessThan(data.length * 0.8);
  }, 60_000);

  test('a real file tree (a tar of our sources and fixtures) at levels 3 and 19: compressed, and the same bytes however the input is chunked', async () => {
    const dir = tmp();
    const tar = spawnSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', '-', 'src', 'test/fixtures'], { cwd: join(__dirname, '../../..'), maxBuffer: 1 << 30 });
    expect(tar.status).toBe(0);
    const data = tar.stdout;
    for (const level of [3, 19]) {
      const frame = await compressStreaming(data, level, 65_536);
      expect(zstdRoundTrip(dir, `tree${level}`, frame).equals(data)).toBe(true);
      expect(frame.length).toBeLessThan(data.length / 3);
      const again = await compressStreaming(data, level, 1_000_003);
      expect(again.equals(frame)).toBe(true);
      // fzstd (a second, independent decoder) agrees.
      expect(Buffer.from(decompress(frame)).equals(data)).toBe(true);
    }
  }, 120_000);
});

test('a level outside 1..22 is an input error naming the level', () => {
  for (const level of [0, 23, 2.5, -1]) {
    const e = error(() => createZstdCompressStream({ level }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(`zstd compression level ${level} is out of range`);
    expect(e.hint).toMatch(/1 to 22/);
  }
});
