/**
 * streamOptimized markers (VMware "Virtual Disk Format 1.1", "Stream-Optimized Compressed Sparse
 * Extents"). A grain marker is {lba u64, size u32} followed by the compressed grain; a metadata
 * marker is {numSectors u64, size u32 = 0, type u32} padded to a sector, followed by the table.
 */
import { SECTOR } from './header.js';

export const MARKER_EOS = 0;
export const MARKER_GT = 1;
export const MARKER_GD = 2;
export const MARKER_FOOTER = 3;

/** Bytes before a compressed grain's data. */
export const GRAIN_MARKER_SIZE = 12;

export function encodeMetadataMarker(type: number, numSectors: number): Uint8Array {
  const out = new Uint8Array(SECTOR);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(numSectors), true);
  v.setUint32(8, 0, true);
  v.setUint32(12, type, true);
  return out;
}

/** A grain marker and its compressed data, padded to a whole sector. */
export function encodeGrain(lba: number, compressed: Uint8Array): Uint8Array {
  const total = Math.ceil((GRAIN_MARKER_SIZE + compressed.length) / SECTOR) * SECTOR;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(lba), true);
  v.setUint32(8, compressed.length, true);
  out.set(compressed, GRAIN_MARKER_SIZE);
  return out;
}

export function decodeGrainMarker(bytes: Uint8Array): { lba: number; size: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, GRAIN_MARKER_SIZE);
  return { lba: Number(v.getBigUint64(0, true)), size: v.getUint32(8, true) };
}
