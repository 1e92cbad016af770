/**
 * L1 and L2 table entries (qcow2.txt "Cluster mapping"). Entries are 64-bit big-endian; we keep them
 * as two 32-bit halves in JavaScript numbers (offsets stay below 2^53).
 */

/** Bit 63 of L1/L2 entries: refcount is exactly one (the cluster can be written in place). */
export const FLAG_COPIED_HI = 0x80000000;
/** Bit 62 of L2 entries: the cluster is compressed. */
export const FLAG_COMPRESSED_HI = 0x40000000;
/** Bit 0 of a standard L2 entry (version 3): the cluster reads as zeros. */
export const FLAG_ZERO_LO = 0x1;
/** Bits 9-55 of standard entries: host offset. */
const OFFSET_MASK_HI = 0x00ffffff;
const OFFSET_MASK_LO = 0xfffffe00;

const TWO32 = 0x1_0000_0000;

export type L2Entry =
  | { kind: 'unallocated' }
  | { kind: 'zero' }
  | { kind: 'standard'; hostOffset: number }
  | { kind: 'compressed'; hostOffset: number; /** Bytes to read: up to the end of the last sector. */ length: number };

/** A standard (L1 or L2) entry pointing at `hostOffset` with refcount one. */
export function writeStandardEntry(view: DataView, at: number, hostOffset: number): void {
  view.setUint32(at, (FLAG_COPIED_HI | Math.floor(hostOffset / TWO32)) >>> 0);
  view.setUint32(at + 4, hostOffset % TWO32);
}

/**
 * A compressed-cluster entry (qcow2.txt "Compressed Clusters Descriptor"): x = 62 - (cluster_bits - 8)
 * low bits hold the byte offset, the bits above hold how many 512-byte sectors follow the first one.
 */
export function writeCompressedEntry(view: DataView, at: number, clusterBits: number, hostOffset: number, length: number): void {
  const x = 62 - (clusterBits - 8);
  const additionalSectors = Math.floor((hostOffset + length - 1) / 512) - Math.floor(hostOffset / 512);
  const value = (1n << 62n) | (BigInt(additionalSectors) << BigInt(x)) | BigInt(hostOffset);
  view.setBigUint64(at, value);
}

/** The L2 table offset an L1 entry points at (0: no L2 table). */
export function readL1Entry(view: DataView, at: number): number {
  return (view.getUint32(at) & OFFSET_MASK_HI) * TWO32 + (view.getUint32(at + 4) & OFFSET_MASK_LO);
}

export function readL2Entry(view: DataView, at: number, clusterBits: number, version: number): L2Entry {
  const hi = view.getUint32(at);
  const lo = view.getUint32(at + 4);
  if (hi & FLAG_COMPRESSED_HI) {
    const value = view.getBigUint64(at);
    const x = BigInt(62 - (clusterBits - 8));
    const hostOffset = Number(value & ((1n << x) - 1n));
    const sectors = Number((value >> x) & ((1n << BigInt(clusterBits - 8)) - 1n)) + 1;
    return { kind: 'compressed', hostOffset, length: sectors * 512 - (hostOffset % 512) };
  }
  if (version >= 3 && lo & FLAG_ZERO_LO) return { kind: 'zero' };
  const hostOffset = (hi & OFFSET_MASK_HI) * TWO32 + (lo & OFFSET_MASK_LO);
  return hostOffset === 0 ? { kind: 'unallocated' } : { kind: 'standard', hostOffset };
}
