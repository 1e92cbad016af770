/**
 * The backward bitstream writer (RFC 8878 §4.1 and §4.2.2): bits are appended little-endian from the
 * lowest bit up, and the stream is closed by a single 1 bit that marks where the decoder starts; the
 * decoder then reads the bits back from the end, so the last value written is the first one read.
 */
export class BitWriter {
  private bytes: Uint8Array;
  private length = 0;
  /** Pending bits not yet written as a whole byte (at most 7 between calls). */
  private acc = 0;
  private accBits = 0;

  constructor(capacity = 1024) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends the low `n` bits of `value` (n <= 25: with at most 7 pending bits, all fits in 32). */
  addBits(value: number, n: number): void {
    if (n === 0) return;
    this.acc |= (value & ((1 << n) - 1)) << this.accBits;
    this.accBits += n;
    if (this.accBits >= 8) this.flushBytes();
  }

  private flushBytes(): void {
    if (this.length + 4 > this.bytes.length) this.grow();
    while (this.accBits >= 8) {
      this.bytes[this.length++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.accBits -= 8;
    }
  }

  private grow(): void {
    const next = new Uint8Array(this.bytes.length * 2);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** Writes the end marker (a 1 bit, then zero padding to the byte) and returns the stream. */
  finish(): Uint8Array {
    this.addBits(1, 1);
    if (this.accBits > 0) {
      this.accBits = 8;
      this.flushBytes();
    }
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * A forward little-endian bit writer for the FSE table description (§4.1.1), which is read from the
 * first byte on, lowest bit first, and has no end marker.
 */
export class ForwardBitWriter {
  private readonly out: number[] = [];
  private acc = 0;
  private accBits = 0;

  addBits(value: number, n: number): void {
    this.acc |= (value & ((1 << n) - 1)) << this.accBits;
    this.accBits += n;
    while (this.accBits >= 8) {
      this.out.push(this.acc & 0xff);
      this.acc >>>= 8;
      this.accBits -= 8;
    }
  }

  finish(): Uint8Array {
    if (this.accBits > 0) this.out.push(this.acc & 0xff);
    this.acc = 0;
    this.accBits = 0;
    return Uint8Array.from(this.out);
  }
}
