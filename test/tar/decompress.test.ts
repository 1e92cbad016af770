import { expect, test } from 'vitest';
import { TsdibError } from '../../src/errors.js';
import { sniffCompression } from '../../src/tar/decompress.js';

const head = (...b: number[]) => new Uint8Array(b);

test('compression is told by magic', () => {
  expect(sniffCompression(head(0x1f, 0x8b, 8, 0, 0, 0), 'f')).toBe('gzip');
  expect(sniffCompression(head(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), 'f')).toBe('xz');
  expect(sniffCompression(head(0x28, 0xb5, 0x2f, 0xfd, 0, 0), 'f')).toBe('zstd');
  expect(sniffCompression(new Uint8Array(Buffer.from('./etc/')), 'f')).toBe('none');
  expect(sniffCompression(new Uint8Array(0), 'f')).toBe('none');
});

test.each([
  ['bzip2', head(0x42, 0x5a, 0x68, 0x39)],
  ['lz4', head(0x04, 0x22, 0x4d, 0x18)],
  ['lzip', head(0x4c, 0x5a, 0x49, 0x50)],
])('%s is recognised and refused (exit 2)', (name, bytes) => {
  try {
    sniffCompression(bytes, 'in.tar');
    throw new Error('expected an error');
  } catch (e) {
    expect(e).toBeInstanceOf(TsdibError);
    expect((e as TsdibError).exitCode).toBe(2);
    expect((e as TsdibError).message).toBe(`in.tar: ${name}-compressed input is not supported`);
  }
});
