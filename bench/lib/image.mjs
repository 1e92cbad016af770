// A deterministic, realistic benchmark disk: a sparse raw file with data extents spread over it.
// The data is a mix of 64 KiB pieces: text (pseudo-words), structured binary (tables of growing
// integers), incompressible random bytes, mostly-zero pieces and a few all-zero ones. Pieces are
// drawn from a pool and stamped with their offset, so no two clusters are equal.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

const PIECE = 64 * 1024;
const MIB = 1024 * 1024;

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makePool(rand) {
  const words = Array.from({ length: 600 }, () => Array.from({ length: 2 + Math.floor(rand() * 9) }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join(''));
  const kinds = { text: [], binary: [], random: [], sparse: [] };
  for (let i = 0; i < 32; i++) {
    let s = '';
    while (s.length < PIECE) s += words[Math.floor(rand() * words.length)] + (rand() < 0.1 ? '\n' : ' ');
    kinds.text.push(Buffer.from(s.slice(0, PIECE), 'latin1'));
    const bin = Buffer.alloc(PIECE);
    let v = Math.floor(rand() * 1e6);
    for (let k = 0; k < PIECE; k += 8) {
      v += Math.floor(rand() * 300);
      bin.writeUInt32LE(v >>> 0, k);
      bin.writeUInt32LE(rand() < 0.7 ? 0 : Math.floor(rand() * 65536), k + 4);
    }
    kinds.binary.push(bin);
    const rnd = Buffer.alloc(PIECE);
    for (let k = 0; k < PIECE; k += 4) rnd.writeUInt32LE(Math.floor(rand() * 4294967296), k);
    kinds.random.push(rnd);
    const sp = Buffer.alloc(PIECE);
    for (let k = 0; k < 200; k++) sp[Math.floor(rand() * PIECE)] = Math.floor(rand() * 256);
    kinds.sparse.push(sp);
  }
  return kinds;
}

/**
 * Writes the image; returns the number of data bytes written and the extents written (what a
 * FileDisk would track as its data ranges).
 */
export function makeBenchImage(path, { size = 2048 * MIB, data = 700 * MIB, extent = 2 * MIB, seed = 42 } = {}) {
  const ranges = [];
  const rand = prng(seed);
  const pool = makePool(rand);
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    ftruncateSync(fd, size);
    const extents = Math.floor(data / extent);
    const stride = Math.floor(size / extents / MIB) * MIB;
    for (let e = 0; e < extents; e++) {
      const offset = e * stride + Math.floor(rand() * ((stride - extent) / PIECE)) * PIECE;
      const buf = Buffer.alloc(extent);
      for (let p = 0; p < extent; p += PIECE) {
        const r = rand();
        const kind = r < 0.45 ? 'text' : r < 0.7 ? 'binary' : r < 0.85 ? 'random' : r < 0.95 ? 'sparse' : 'zero';
        if (kind === 'zero') continue;
        const list = pool[kind];
        list[Math.floor(rand() * list.length)].copy(buf, p);
        buf.writeDoubleLE(offset + p, p + 8); // stamp: no two pieces identical
      }
      writeSync(fd, buf, 0, buf.length, offset);
      ranges.push({ offset, length: buf.length });
      written += buf.length;
    }
  } finally {
    closeSync(fd);
  }
  return { written, ranges };
}
