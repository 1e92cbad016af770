/**
 * The VMDK sparse extent header (VMware "Virtual Disk Format 1.1", SparseExtentHeader): 512 bytes,
 * little-endian, at sector 0 of a hosted sparse extent and again as the footer of a
 * streamOptimized one. Offsets and sizes are in 512-byte sectors.
 */
import { inputError } from '../../errors.js';

export const SECTOR = 512;
export const VMDK_MAGIC = 0x564d444b; // "KDMV" read little-endian
/** gdOffset of a streamOptimized header: the grain directory is found through the footer. */
export const GD_AT_END = 0xffffffffffffffffn;

const OFF_MAGIC = 0;
const OFF_VERSION = 4;
const OFF_FLAGS = 8;
const OFF_CAPACITY = 12;
const OFF_GRAIN_SIZE = 20;
const OFF_DESCRIPTOR_OFFSET = 28;
const OFF_DESCRIPTOR_SIZE = 36;
const OFF_NUM_GTES_PER_GT = 44;
const OFF_RGD_OFFSET = 48;
const OFF_GD_OFFSET = 56;
const OFF_OVERHEAD = 64;
const OFF_UNCLEAN_SHUTDOWN = 72;
const OFF_SINGLE_END_LINE_CHAR = 73;
const OFF_NON_END_LINE_CHAR = 74;
const OFF_DOUBLE_END_LINE_CHAR1 = 75;
const OFF_DOUBLE_END_LINE_CHAR2 = 76;
const OFF_COMPRESS_ALGORITHM = 77;

/** flags bits (SparseExtentHeader.flags). */
export const FLAG_VALID_NEWLINE_TEST = 1 << 0;
export const FLAG_REDUNDANT_GRAIN_TABLE = 1 << 1;
export const FLAG_ZEROED_GRAIN = 1 << 2;
export const FLAG_COMPRESSED = 1 << 16;
export const FLAG_MARKERS = 1 << 17;

export const COMPRESSION_DEFLATE = 1;

export interface VmdkHeader {
  version: number;
  flags: number;
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  numGTEsPerGT: number;
  rgdOffset: number;
  /** undefined: GD_AT_END (streamOptimized header; the footer has it). */
  gdOffset: number | undefined;
  overHead: number;
  compressAlgorithm: number;
}

export function encodeVmdkHeader(h: VmdkHeader): Uint8Array {
  const out = new Uint8Array(SECTOR);
  const v = new DataView(out.buffer);
  v.setUint32(OFF_MAGIC, VMDK_MAGIC, true);
  v.setUint32(OFF_VERSION, h.version, true);
  v.setUint32(OFF_FLAGS, h.flags, true);
  v.setBigUint64(OFF_CAPACITY, BigInt(h.capacity), true);
  v.setBigUint64(OFF_GRAIN_SIZE, BigInt(h.grainSize), true);
  v.setBigUint64(OFF_DESCRIPTOR_OFFSET, BigInt(h.descriptorOffset), true);
  v.setBigUint64(OFF_DESCRIPTOR_SIZE, BigInt(h.descriptorSize), true);
  v.setUint32(OFF_NUM_GTES_PER_GT, h.numGTEsPerGT, true);
  v.setBigUint64(OFF_RGD_OFFSET, BigInt(h.rgdOffset), true);
  v.setBigUint64(OFF_GD_OFFSET, h.gdOffset === undefined ? GD_AT_END : BigInt(h.gdOffset), true);
  v.setBigUint64(OFF_OVERHEAD, BigInt(h.overHead), true);
  out[OFF_UNCLEAN_SHUTDOWN] = 0;
  // The newline test: FTP in text mode would mangle these, and readers check them.
  out[OFF_SINGLE_END_LINE_CHAR] = 0x0a;
  out[OFF_NON_END_LINE_CHAR] = 0x20;
  out[OFF_DOUBLE_END_LINE_CHAR1] = 0x0d;
  out[OFF_DOUBLE_END_LINE_CHAR2] = 0x0a;
  v.setUint16(OFF_COMPRESS_ALGORITHM, h.compressAlgorithm, true);
  return out;
}

export function isVmdkHeader(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === VMDK_MAGIC;
}

export function decodeVmdkHeader(bytes: Uint8Array, name: string, where: string): VmdkHeader {
  if (bytes.length < SECTOR || !isVmdkHeader(bytes)) throw inputError(`${name}: VMDK ${where}: bad magic (expected "KDMV")`, 'the file is not a sparse VMDK or is truncated');
  const v = new DataView(bytes.buffer, bytes.byteOffset, SECTOR);
  const u64 = (off: number, field: string) => {
    const x = v.getBigUint64(off, true);
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw inputError(`${name}: VMDK ${where}: ${field} ${x} is out of range`, 'the image is corrupt');
    return Number(x);
  };
  const gd = v.getBigUint64(OFF_GD_OFFSET, true);
  const h: VmdkHeader = {
    version: v.getUint32(OFF_VERSION, true),
    flags: v.getUint32(OFF_FLAGS, true),
    capacity: u64(OFF_CAPACITY, 'capacity'),
    grainSize: u64(OFF_GRAIN_SIZE, 'grainSize'),
    descriptorOffset: u64(OFF_DESCRIPTOR_OFFSET, 'descriptorOffset'),
    descriptorSize: u64(OFF_DESCRIPTOR_SIZE, 'descriptorSize'),
    numGTEsPerGT: v.getUint32(OFF_NUM_GTES_PER_GT, true),
    rgdOffset: u64(OFF_RGD_OFFSET, 'rgdOffset'),
    gdOffset: gd === GD_AT_END ? undefined : u64(OFF_GD_OFFSET, 'gdOffset'),
    overHead: u64(OFF_OVERHEAD, 'overHead'),
    compressAlgorithm: v.getUint16(OFF_COMPRESS_ALGORITHM, true),
  };
  if (h.version < 1 || h.version > 3) throw inputError(`${name}: VMDK ${where}: version ${h.version} is not supported`, 'only versions 1-3 are read');
  if (h.grainSize < 1 || (h.grainSize & (h.grainSize - 1)) !== 0 || h.grainSize > 2048) throw inputError(`${name}: VMDK ${where}: grainSize ${h.grainSize} sectors is invalid`, 'the image is corrupt');
  if (h.numGTEsPerGT < 1 || h.numGTEsPerGT > 65536) throw inputError(`${name}: VMDK ${where}: numGTEsPerGT ${h.numGTEsPerGT} is invalid`, 'the image is corrupt');
  return h;
}
