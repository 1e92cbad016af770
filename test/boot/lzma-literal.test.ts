import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { encodeLzmaLiterals, LZMA_PROPERTIES_BYTE, lzmaAloneHeader } from '../../src/boot/lzma-literal.js';
import { deriveBytes } from '../../src/seed.js';
import { haveTools } from '../helpers/oracles.js';

/** Inputs that exercise carries (random bytes), long runs (zeros, 0xFF) and text. */
function samples(): [string, Uint8Array][] {
  const text = new TextEncoder().encode('GRUB loading. Welcome to GRUB! '.repeat(300));
  const ff = new Uint8Array(5000).fill(0xff);
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(0x41)],
    ['zeros', new Uint8Array(70_000)],
    ['0xFF run', ff],
    ['text', text],
    ['random', deriveBytes('lzma-test', 'random', 200_000)],
  ];
}

function alone(input: Uint8Array): Buffer {
  return Buffer.concat([lzmaAloneHeader(input.length), encodeLzmaLiterals(input)]);
}

test('properties byte is lc=3 lp=0 pb=2 (0x5D), as GRUB decodes', () => {
  expect(LZMA_PROPERTIES_BYTE).toBe(0x5d);
});

test('compresses skewed data (it is a real entropy coder, not a copy)', () => {
  expect(encodeLzmaLiterals(new Uint8Array(70_000)).length).toBeLessThan(3000);
  expect(encodeLzmaLiterals(new TextEncoder().encode('abcd'.repeat(10_000))).length).toBeLessThan(12_000);
});

describe.runIf(haveTools('xz'))('decoded by xz --format=lzma (oracle)', () => {
  test.each(samples())('%s', (_name, input) => {
    const out = execFileSync('xz', ['--format=lzma', '-dc'], { input: alone(input), maxBuffer: 1 << 26 });
    expect(Buffer.compare(out, Buffer.from(input))).toBe(0);
  });
});

describe.runIf(haveTools('python3'))('decoded by python3 lzma FORMAT_RAW (liblzma, no header, no end marker)', () => {
  test.each(samples().filter(([n]) => n !== 'empty'))('%s', (_name, input) => {
    // A raw LZMA1 stream without an end marker, as GRUB's decompressor reads it: the decoder gets the
    // stream and stops when it has produced the expected bytes.
    const script = [
      'import lzma,sys',
      'data=sys.stdin.buffer.read()',
      'n=int(sys.argv[1])',
      'd=lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[{"id":lzma.FILTER_LZMA1,"lc":3,"lp":0,"pb":2,"dict_size":1<<16}])',
      'sys.stdout.buffer.write(d.decompress(data, max_length=n))',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, String(input.length)], { input: encodeLzmaLiterals(input), maxBuffer: 1 << 26 });
    expect(r.status, String(r.stderr)).toBe(0);
    expect(Buffer.compare(r.stdout, Buffer.from(input))).toBe(0);
  });
});
