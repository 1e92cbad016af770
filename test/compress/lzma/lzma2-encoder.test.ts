import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { encodeLzmaLiterals } from '../../../src/boot/lzma-literal.js';
import { Lzma2Encoder, type Lzma2EncoderOptions } from '../../../src/compress/lzma/lzma2-encoder.js';
import { haveTools } from '../../helpers/oracles.js';
import { lzShaped, prng, randomBytes } from './samples.js';

const MiB = 1 << 20;
const OPTIONS: Lzma2EncoderOptions = { dictSize: MiB, depth: 16, niceLen: 64 };
const NORMAL: Lzma2EncoderOptions = { dictSize: MiB, depth: 12, niceLen: 48, mode: 'normal' };

/** Raw LZMA2 (no xz container) for `input`, fed in the pieces `split` cuts. */
function lzma2(input: Uint8Array, options = OPTIONS, split: (rest: number) => number = (rest) => rest): Buffer {
  const parts: Uint8Array[] = [];
  const encoder = new Lzma2Encoder(options, (b) => parts.push(b));
  for (let at = 0; at < input.length; ) {
    const n = Math.max(1, Math.min(split(input.length - at), input.length - at));
    encoder.write(input.subarray(at, at + n));
    at += n;
  }
  encoder.finish();
  return Buffer.concat(parts);
}

interface Chunk {
  control: number;
  uncompressed: number;
  packed: number;
}

/** Walks the chunk headers of an LZMA2 stream (the layout in src/compress/lzma/lzma2-chunk.ts). */
function chunks(stream: Uint8Array): Chunk[] {
  const out: Chunk[] = [];
  let at = 0;
  for (;;) {
    const control = stream[at]!;
    if (control === 0) {
      expect(at + 1).toBe(stream.length);
      return out;
    }
    if (control === 1 || control === 2) {
      const size = ((stream[at + 1]! << 8) | stream[at + 2]!) + 1;
      out.push({ control, uncompressed: size, packed: size });
      at += 3 + size;
    } else {
      expect(control).toBeGreaterThanOrEqual(0x80);
      const uncompressed = (((control & 0x1f) << 16) | (stream[at + 1]! << 8) | stream[at + 2]!) + 1;
      const packed = ((stream[at + 3]! << 8) | stream[at + 4]!) + 1;
      out.push({ control, uncompressed, packed });
      at += (control >= 0xc0 ? 6 : 5) + packed;
    }
  }
}

/** liblzma (through python3's lzma module) decodes a raw LZMA2 stream: the independent oracle. */
function liblzmaDecode(stream: Uint8Array, dictSize: number): Buffer {
  const script = [
    'import lzma,sys',
    'd=lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[{"id":lzma.FILTER_LZMA2,"dict_size":int(sys.argv[1])}])',
    'out=d.decompress(sys.stdin.buffer.read())',
    'assert d.eof, "LZMA2 end marker not reached"',
    'sys.stdout.buffer.write(out)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, String(dictSize)], { input: stream, maxBuffer: 1 << 28 });
  expect(r.status, String(r.stderr)).toBe(0);
  return r.stdout;
}

test('real LZ compression: repeats cost almost nothing, LZ-shaped data far less than literals alone', () => {
  expect(lzma2(Buffer.from('abc'.repeat(300_000))).length).toBeLessThan(600);
  const shaped = lzShaped(400_000);
  expect(lzma2(shaped).length).toBeLessThan(encodeLzmaLiterals(shaped).length * 0.6);
});

test.each([
  ['fast', OPTIONS],
  ['normal', NORMAL],
])('%s parser: the same bytes give the same stream however the input is cut', (_name, options) => {
  const input = lzShaped(600_000, 7);
  const whole = lzma2(input, options);
  const next = prng(3);
  expect(lzma2(input, options, () => 1 + (next() % 70_000)).equals(whole)).toBe(true);
  expect(lzma2(input, options, () => 1 + (next() % 3000)).equals(whole)).toBe(true);
  expect(lzma2(input.subarray(0, 20_000), options, () => 1).equals(lzma2(input.subarray(0, 20_000), options))).toBe(true);
});

test('the priced parser beats the fast one on LZ-shaped data', () => {
  const input = lzShaped(1_000_000, 17);
  expect(lzma2(input, NORMAL).length).toBeLessThan(lzma2(input, OPTIONS).length * 0.97);
});

test('renormalising positions (forced early) changes nothing in the output', () => {
  const input = lzShaped(1_500_000, 11, 200_000);
  const options = { dictSize: 1 << 16, depth: 8, niceLen: 32 };
  expect(lzma2(input, { ...options, normalizeAt: 1 << 18 }, () => 50_000).equals(lzma2(input, options))).toBe(true);
});

describe.runIf(haveTools('python3'))('decoded by liblzma (python3 lzma, FORMAT_RAW + FILTER_LZMA2)', () => {
  test.each([
    ['fast', OPTIONS],
    ['normal', NORMAL],
  ])('%s parser: 3 MiB of LZ-shaped data, dictionary 1 MiB: LZMA chunks within the 2 MiB / 64 KiB limits', (_name, options) => {
    const input = lzShaped(3 * MiB, 5, 3 * MiB);
    const stream = lzma2(input, options);
    expect(liblzmaDecode(stream, MiB).equals(Buffer.from(input))).toBe(true);
    const list = chunks(stream);
    expect(list[0]!.control & 0xe0).toBe(0xe0); // dictionary reset + properties first
    expect(list.slice(1).every((c) => (c.control & 0xe0) === 0x80)).toBe(true); // then plain continuation
    expect(list.every((c) => c.uncompressed <= 2 * MiB && c.packed <= 1 << 16)).toBe(true);
    expect(list.reduce((s, c) => s + c.uncompressed, 0)).toBe(input.length);
  });

  test.each([
    ['fast', OPTIONS],
    ['normal', NORMAL],
  ])('%s parser: random then text then random then text: uncompressed chunks, and the resets that must follow them', (_name, options) => {
    const input = Buffer.concat([randomBytes(150_000, 'a'), lzShaped(300_000, 2), randomBytes(300_000, 'b'), lzShaped(300_000, 3)]);
    const stream = lzma2(input, options);
    expect(liblzmaDecode(stream, MiB).equals(input)).toBe(true);
    const controls = chunks(stream).map((c) => c.control & 0xe0 || c.control);
    expect(controls[0]).toBe(0x01); // uncompressed, dictionary reset
    expect(controls).toContain(0xc0); // first LZMA chunk after it: state reset + properties
    expect(controls).toContain(0x02); // uncompressed, no reset
    expect(controls).toContain(0xa0); // LZMA chunk after an uncompressed one: state reset
    expect(stream.length).toBeLessThan(input.length);
  });

  test('the chunking-independence and normalisation inputs decode too', () => {
    const input = lzShaped(1_500_000, 11, 200_000);
    const stream = lzma2(input, { dictSize: 1 << 16, depth: 8, niceLen: 32, normalizeAt: 1 << 18 }, () => 50_000);
    expect(liblzmaDecode(stream, 1 << 16).equals(Buffer.from(input))).toBe(true);
  });

  test.each([
    ['one byte', Uint8Array.of(0x41)],
    ['two bytes', Uint8Array.of(0, 0)],
    ['300 zeros (runs longer than the longest match)', new Uint8Array(300)],
    ['random 70 KiB (more than one uncompressed chunk)', randomBytes(70_000)],
  ])('%s', (_name, input) => {
    expect(liblzmaDecode(lzma2(input), MiB).equals(Buffer.from(input))).toBe(true);
    expect(liblzmaDecode(lzma2(input, NORMAL), MiB).equals(Buffer.from(input))).toBe(true);
  });
});
