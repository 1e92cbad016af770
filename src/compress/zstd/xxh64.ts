/**
 * XXH64 (the xxHash 64-bit algorithm, seed 0): Zstandard's Content_Checksum is its low 32 bits
 * (RFC 8878 §3.1.1). Incremental, so the encoder hashes the stream as it passes. 64-bit arithmetic is
 * done on pairs of 32-bit halves, as BigInt is too slow for a hash over every input byte.
 */

// The five 64-bit primes of XXH64, as [high, low] 32-bit halves.
const P1_HI = 0x9e3779b1, P1_LO = 0x85ebca87;
const P2_HI = 0xc2b2ae3d, P2_LO = 0x27d4eb4f;
const P3_HI = 0x165667b1, P3_LO = 0x9e3779f9;
const P4_HI = 0x85ebca77, P4_LO = 0xc2b2ae63;
const P5_HI = 0x27d4eb2f, P5_LO = 0x165667c5;

/** A 64-bit value as two unsigned 32-bit halves (mutable, to avoid allocating in the hot loop). */
class U64 {
  hi: number;
  lo: number;
  constructor(hi = 0, lo = 0) {
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
  }
  set(o: U64): this {
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }
  add(hi: number, lo: number): this {
    const l = this.lo + (lo >>> 0);
    this.hi = (this.hi + hi + (l > 0xffffffff ? 1 : 0)) >>> 0;
    this.lo = l >>> 0;
    return this;
  }
  /** this = this * (hi:lo) mod 2^64, by 16-bit limbs so every partial product stays exact. */
  mul(hi: number, lo: number): this {
    const a0 = this.lo & 0xffff, a1 = this.lo >>> 16, a2 = this.hi & 0xffff, a3 = this.hi >>> 16;
    const b0 = lo & 0xffff, b1 = lo >>> 16, b2 = hi & 0xffff, b3 = hi >>> 16;
    // Column sums stay below 2^35: exact in a double.
    const c0 = a0 * b0;
    const c1 = (c0 >>> 16) + a0 * b1 + a1 * b0;
    const c2 = Math.floor(c1 / 65536) + a0 * b2 + a1 * b1 + a2 * b0;
    const c3 = Math.floor(c2 / 65536) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
    this.lo = (((c1 & 0xffff) << 16) | (c0 & 0xffff)) >>> 0;
    this.hi = (((c3 & 0xffff) << 16) | (c2 & 0xffff)) >>> 0;
    return this;
  }
  rotl(n: number): this {
    const { hi, lo } = this;
    if (n >= 32) {
      n -= 32;
      this.hi = n === 0 ? lo : ((lo << n) | (hi >>> (32 - n))) >>> 0;
      this.lo = n === 0 ? hi : ((hi << n) | (lo >>> (32 - n))) >>> 0;
    } else {
      this.hi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
      this.lo = ((lo << n) | (hi >>> (32 - n))) >>> 0;
    }
    return this;
  }
  xor(o: U64): this {
    this.hi = (this.hi ^ o.hi) >>> 0;
    this.lo = (this.lo ^ o.lo) >>> 0;
    return this;
  }
  /** this ^= this >>> n (0 < n < 64). */
  xorShiftRight(n: number): this {
    if (n >= 32) {
      this.lo = (this.lo ^ (this.hi >>> (n - 32))) >>> 0;
    } else {
      this.lo = (this.lo ^ ((this.lo >>> n) | (this.hi << (32 - n)))) >>> 0;
      this.hi = (this.hi ^ (this.hi >>> n)) >>> 0;
    }
    return this;
  }
}

const scratch = new U64();

/** acc = rotl(acc + lane * P2, 31) * P1 */
function round(acc: U64, laneHi: number, laneLo: number): void {
  scratch.hi = laneHi >>> 0;
  scratch.lo = laneLo >>> 0;
  scratch.mul(P2_HI, P2_LO);
  acc.add(scratch.hi, scratch.lo).rotl(31).mul(P1_HI, P1_LO);
}

/** h = (h ^ round(0, v)) * P1 + P4 */
function mergeRound(h: U64, v: U64): void {
  const r = new U64();
  round(r, v.hi, v.lo);
  h.xor(r).mul(P1_HI, P1_LO).add(P4_HI, P4_LO);
}

function readLE32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

export class Xxh64 {
  private readonly v1 = new U64(P1_HI, P1_LO).add(P2_HI, P2_LO);
  private readonly v2 = new U64(P2_HI, P2_LO);
  private readonly v3 = new U64(0, 0);
  private readonly v4 = new U64(0, 0).add(~P1_HI, ~P1_LO).add(0, 1);
  private readonly pending = new Uint8Array(32);
  private pendingLength = 0;
  private totalLength = 0;

  update(data: Uint8Array): void {
    this.totalLength += data.length;
    let i = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(32 - this.pendingLength, data.length);
      this.pending.set(data.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      i = take;
      if (this.pendingLength < 32) return;
      this.stripe(this.pending, 0);
      this.pendingLength = 0;
    }
    for (; i + 32 <= data.length; i += 32) this.stripe(data, i);
    this.pending.set(data.subarray(i), 0);
    this.pendingLength = data.length - i;
  }

  private stripe(b: Uint8Array, i: number): void {
    round(this.v1, readLE32(b, i + 4), readLE32(b, i));
    round(this.v2, readLE32(b, i + 12), readLE32(b, i + 8));
    round(this.v3, readLE32(b, i + 20), readLE32(b, i + 16));
    round(this.v4, readLE32(b, i + 28), readLE32(b, i + 24));
  }

  /** The low 32 bits of the digest (what a zstd frame's checksum holds). */
  digestLow32(): number {
    return this.digest().lo;
  }

  /** The 64-bit digest as [high, low]. */
  digest(): U64 {
    const h = new U64();
    if (this.totalLength >= 32) {
      h.set(new U64().set(this.v1).rotl(1));
      h.add(...pair(new U64().set(this.v2).rotl(7)));
      h.add(...pair(new U64().set(this.v3).rotl(12)));
      h.add(...pair(new U64().set(this.v4).rotl(18)));
      mergeRound(h, this.v1);
      mergeRound(h, this.v2);
      mergeRound(h, this.v3);
      mergeRound(h, this.v4);
    } else {
      h.hi = P5_HI;
      h.lo = P5_LO;
    }
    h.add(Math.floor(this.totalLength / 0x100000000), this.totalLength >>> 0);
    const b = this.pending;
    let i = 0;
    const n = this.pendingLength;
    for (; i + 8 <= n; i += 8) {
      const k = new U64();
      round(k, readLE32(b, i + 4), readLE32(b, i));
      h.xor(k).rotl(27).mul(P1_HI, P1_LO).add(P4_HI, P4_LO);
    }
    if (i + 4 <= n) {
      const k = new U64(0, readLE32(b, i)).mul(P1_HI, P1_LO);
      h.xor(k).rotl(23).mul(P2_HI, P2_LO).add(P3_HI, P3_LO);
      i += 4;
    }
    for (; i < n; i++) {
      const k = new U64(0, b[i]!).mul(P5_HI, P5_LO);
      h.xor(k).rotl(11).mul(P1_HI, P1_LO);
    }
    h.xorShiftRight(33).mul(P2_HI, P2_LO);
    h.xorShiftRight(29).mul(P3_HI, P3_LO);
    h.xorShiftRight(32);
    return h;
  }
}

function pair(v: U64): [number, number] {
  return [v.hi, v.lo];
}
