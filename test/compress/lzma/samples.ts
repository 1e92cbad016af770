/**
 * Test inputs for the LZMA/xz encoders, all generated (deterministic, nothing to commit): random bytes,
 * and "LZ-shaped" data built from literal runs and copies at short, medium and long distances with
 * lengths in all three length-coder ranges, so every symbol kind and distance class is exercised.
 */
import { deriveBytes } from '../../../src/seed.js';

/** A small deterministic PRNG (xorshift32) for shaping test data. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function randomBytes(n: number, label = 'random'): Uint8Array {
  return deriveBytes('xz-test', label, n);
}

/** `n` bytes of literal runs and copies (distances 1 B..`maxDistance`, lengths 2..300). */
export function lzShaped(n: number, seed = 1, maxDistance = 1 << 20): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  const words = ['initramfs', 'kernel', ' ', '/usr/lib/', '\n', 'x86_64-linux-gnu', '.so.', 'GLIBC_2.', '\0\0\0\0'].map((w) => Buffer.from(w));
  let at = 0;
  while (at < n) {
    const kind = next() % 8;
    if (kind < 2) {
      // a literal run: text-ish bytes
      const len = 1 + (next() % 40);
      for (let i = 0; i < len && at < n; i++) out[at++] = 0x20 + (next() % 90);
    } else if (kind === 2) {
      const w = words[next() % words.length]!;
      for (let i = 0; i < w.length && at < n; i++) out[at++] = w[i]!;
    } else if (at > 0) {
      const scale = next() % 3;
      const limit = Math.min(at, scale === 0 ? 16 : scale === 1 ? 4096 : maxDistance);
      const distance = 1 + (next() % limit);
      const r = next() % 10;
      const len = r < 6 ? 2 + (next() % 8) : r < 8 ? 10 + (next() % 8) : 18 + (next() % 283);
      for (let i = 0; i < len && at < n; i++, at++) out[at] = out[at - distance]!;
    }
  }
  return out;
}
