/**
 * Deterministic identifiers. Every UUID, GUID, serial, disk signature and hash seed is derived from
 * one seed string and a label naming its use, so the same `--seed` gives byte-identical images and two
 * different uses never share bytes. Pure: the CLI picks a random seed when the user gives none.
 */
import { createHash } from 'node:crypto';

/** `length` bytes derived from (seed, label) by SHA-256 in counter mode. */
export function deriveBytes(seed: string, label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, done = 0; done < length; counter++) {
    const block = createHash('sha256').update(`tsdib\0${seed}\0${label}\0${counter}`).digest();
    const n = Math.min(block.length, length - done);
    out.set(block.subarray(0, n), done);
    done += n;
  }
  return out;
}

/** A random-looking (version 4, RFC 4122 variant) UUID string derived from (seed, label). */
export function deriveUuid(seed: string, label: string): string {
  const b = deriveBytes(seed, label, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 32-bit unsigned integer derived from (seed, label). */
export function deriveUint32(seed: string, label: string): number {
  const b = deriveBytes(seed, label, 4);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}
