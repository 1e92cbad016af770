/**
 * Directory name hashes for htree indexes (kernel fs/ext4/hash.c semantics, described in
 * Documentation/filesystems/ext4/directory.rst "Hash Tree Directories"): half-MD4 and TEA over the name
 * packed into 32-bit words, starting from the filesystem's hash seed. Pure.
 */
import { HASH_HALF_MD4, HASH_TEA } from './constants.js';

/** Sentinel the kernel reserves for "end of directory"; a name hashing to it is moved down by one. */
const HTREE_EOF_32BIT = 0x7fffffff;

/**
 * Packs up to `words` 32-bit words from `name` (starting at `at`, `len` bytes remaining), padding with
 * a pattern made of the remaining length, as the kernel's str2hashbuf does. Bytes are read as signed
 * chars unless `unsigned` (s_flags signed/unsigned_directory_hash).
 */
function packWords(name: Uint8Array, at: number, len: number, out: Uint32Array, words: number, unsigned: boolean): void {
  let pad = (len | (len << 8)) >>> 0;
  pad = (pad | (pad << 16)) >>> 0;
  let val = pad;
  const n = Math.min(len, words * 4);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const byte = name[at + i]!;
    const c = unsigned || byte < 0x80 ? byte : byte - 256;
    val = (c + ((val << 8) >>> 0)) >>> 0;
    if (i % 4 === 3) {
      out[w++] = val;
      val = pad;
    }
  }
  if (w < words) out[w++] = val;
  while (w < words) out[w++] = pad;
}

const rotl = (x: number, s: number) => ((x << s) | (x >>> (32 - s))) >>> 0;
const F = (x: number, y: number, z: number) => (z ^ (x & (y ^ z))) >>> 0;
const G = (x: number, y: number, z: number) => (((x & y) >>> 0) + (((x ^ y) & z) >>> 0)) >>> 0;
const H = (x: number, y: number, z: number) => (x ^ y ^ z) >>> 0;
const K2 = 0x5a827999; // 013240474631
const K3 = 0x6ed9eba1; // 015666365641

/** The reduced MD4 round function ext4 uses (three rounds of eight steps). */
function halfMd4(buf: Uint32Array, inp: Uint32Array): void {
  let a = buf[0]!, b = buf[1]!, c = buf[2]!, d = buf[3]!;
  const r = (f: typeof F, w: number, x: number, y: number, z: number, k: number, s: number) => rotl((w + f(x, y, z) + k) >>> 0, s);
  const i = (n: number) => inp[n]!;
  a = r(F, a, b, c, d, i(0), 3); d = r(F, d, a, b, c, i(1), 7); c = r(F, c, d, a, b, i(2), 11); b = r(F, b, c, d, a, i(3), 19);
  a = r(F, a, b, c, d, i(4), 3); d = r(F, d, a, b, c, i(5), 7); c = r(F, c, d, a, b, i(6), 11); b = r(F, b, c, d, a, i(7), 19);
  a = r(G, a, b, c, d, i(1) + K2, 3); d = r(G, d, a, b, c, i(3) + K2, 5); c = r(G, c, d, a, b, i(5) + K2, 9); b = r(G, b, c, d, a, i(7) + K2, 13);
  a = r(G, a, b, c, d, i(0) + K2, 3); d = r(G, d, a, b, c, i(2) + K2, 5); c = r(G, c, d, a, b, i(4) + K2, 9); b = r(G, b, c, d, a, i(6) + K2, 13);
  a = r(H, a, b, c, d, i(3) + K3, 3); d = r(H, d, a, b, c, i(7) + K3, 9); c = r(H, c, d, a, b, i(2) + K3, 11); b = r(H, b, c, d, a, i(6) + K3, 15);
  a = r(H, a, b, c, d, i(1) + K3, 3); d = r(H, d, a, b, c, i(5) + K3, 9); c = r(H, c, d, a, b, i(0) + K3, 11); b = r(H, b, c, d, a, i(4) + K3, 15);
  buf[0] = (buf[0]! + a) >>> 0;
  buf[1] = (buf[1]! + b) >>> 0;
  buf[2] = (buf[2]! + c) >>> 0;
  buf[3] = (buf[3]! + d) >>> 0;
}

function tea(buf: Uint32Array, inp: Uint32Array): void {
  let sum = 0;
  let b0 = buf[0]!, b1 = buf[1]!;
  const a = inp[0]!, b = inp[1]!, c = inp[2]!, d = inp[3]!;
  for (let n = 0; n < 16; n++) {
    sum = (sum + 0x9e3779b9) >>> 0;
    b0 = (b0 + ((((b1 << 4) + a) >>> 0) ^ ((b1 + sum) >>> 0) ^ (((b1 >>> 5) + b) >>> 0))) >>> 0;
    b1 = (b1 + ((((b0 << 4) + c) >>> 0) ^ ((b0 + sum) >>> 0) ^ (((b0 >>> 5) + d) >>> 0))) >>> 0;
  }
  buf[0] = (buf[0]! + b0) >>> 0;
  buf[1] = (buf[1]! + b1) >>> 0;
}

export interface DirHasher {
  /** The major hash (low bit clear) of a name, and its minor hash. */
  hash(name: Uint8Array): { major: number; minor: number };
  /** The major hash only; the minor one is left in `minor` (no allocation per name). */
  major(name: Uint8Array): number;
  minor: number;
}

/**
 * A hasher for `version` (1 half-MD4, 2 TEA) with the 16-byte superblock hash seed (all zero → the
 * MD4 initial state, as the kernel does).
 */
export function dirHasher(version: number, seed: Uint8Array, unsigned: boolean): DirHasher {
  const init = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  if (seed.some((b) => b !== 0)) {
    const sv = new DataView(seed.buffer, seed.byteOffset, 16);
    for (let i = 0; i < 4; i++) init[i] = sv.getUint32(4 * i, true);
  }
  const buf = new Uint32Array(4);
  const inp = new Uint32Array(8);
  const hasher: DirHasher = {
    minor: 0,
    hash(name) {
      const major = hasher.major(name);
      return { major, minor: hasher.minor };
    },
    major(name) {
      buf.set(init);
      let major: number;
      let minor: number;
      if (version === HASH_HALF_MD4) {
        for (let at = 0, len = name.length; len > 0; at += 32, len -= 32) {
          packWords(name, at, len, inp, 8, unsigned);
          halfMd4(buf, inp);
        }
        major = buf[1]!;
        minor = buf[2]!;
      } else if (version === HASH_TEA) {
        for (let at = 0, len = name.length; len > 0; at += 16, len -= 16) {
          packWords(name, at, len, inp, 4, unsigned);
          tea(buf, inp);
        }
        major = buf[0]!;
        minor = buf[1]!;
      } else {
        throw new Error(`dirhash: unsupported hash version ${version}`);
      }
      major = (major & ~1) >>> 0;
      if (major === (HTREE_EOF_32BIT << 1) >>> 0) major = ((HTREE_EOF_32BIT - 1) << 1) >>> 0;
      hasher.minor = minor;
      return major;
    },
  };
  return hasher;
}
