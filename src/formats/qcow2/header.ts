/**
 * The qcow2 header (qemu docs/interop/qcow2.txt, "Header"). All fields big-endian.
 * Version 2 (compat 0.10) ends at byte 72; version 3 (compat 1.1) adds feature bits, the refcount
 * order and the header length.
 */
import { inputError } from '../../errors.js';

export const QCOW2_MAGIC = 0x514649fb; // "QFI\xfb"

// Byte offsets of the header fields (qcow2.txt "Header").
const OFF_MAGIC = 0;
const OFF_VERSION = 4;
const OFF_BACKING_FILE_OFFSET = 8;
const OFF_BACKING_FILE_SIZE = 16;
const OFF_CLUSTER_BITS = 20;
const OFF_SIZE = 24;
const OFF_CRYPT_METHOD = 32;
const OFF_L1_SIZE = 36;
const OFF_L1_TABLE_OFFSET = 40;
const OFF_REFCOUNT_TABLE_OFFSET = 48;
const OFF_REFCOUNT_TABLE_CLUSTERS = 56;
const OFF_NB_SNAPSHOTS = 60;
const OFF_SNAPSHOTS_OFFSET = 64;
// Version 3 only:
const OFF_INCOMPATIBLE_FEATURES = 72;
const OFF_COMPATIBLE_FEATURES = 80;
const OFF_AUTOCLEAR_FEATURES = 88;
const OFF_REFCOUNT_ORDER = 96;
const OFF_HEADER_LENGTH = 100;
const OFF_COMPRESSION_TYPE = 104;

export const V2_HEADER_LENGTH = 72;
export const V3_HEADER_LENGTH = 104;

/** Incompatible feature bits (qcow2.txt "incompatible_features"). */
export const INCOMPAT_DIRTY = 1n << 0n;
export const INCOMPAT_CORRUPT = 1n << 1n;
export const INCOMPAT_EXTERNAL_DATA = 1n << 2n;
export const INCOMPAT_COMPRESSION_TYPE = 1n << 3n;
export const INCOMPAT_EXTENDED_L2 = 1n << 4n;

export interface Qcow2Header {
  version: 2 | 3;
  backingFileOffset: number;
  backingFileSize: number;
  clusterBits: number;
  size: number;
  cryptMethod: number;
  l1Size: number;
  l1TableOffset: number;
  refcountTableOffset: number;
  refcountTableClusters: number;
  nbSnapshots: number;
  snapshotsOffset: number;
  incompatibleFeatures: bigint;
  compatibleFeatures: bigint;
  autoclearFeatures: bigint;
  refcountOrder: number;
  headerLength: number;
  /** 0 = zlib, 1 = zstd (only meaningful with INCOMPAT_COMPRESSION_TYPE). */
  compressionType: number;
}

/** Encodes the header followed by an empty header-extension list (an end marker: 8 zero bytes). */
export function encodeQcow2Header(h: Qcow2Header): Uint8Array {
  const length = h.version === 2 ? V2_HEADER_LENGTH : h.headerLength;
  const out = new Uint8Array(length + 8);
  const v = new DataView(out.buffer);
  v.setUint32(OFF_MAGIC, QCOW2_MAGIC);
  v.setUint32(OFF_VERSION, h.version);
  v.setBigUint64(OFF_BACKING_FILE_OFFSET, BigInt(h.backingFileOffset));
  v.setUint32(OFF_BACKING_FILE_SIZE, h.backingFileSize);
  v.setUint32(OFF_CLUSTER_BITS, h.clusterBits);
  v.setBigUint64(OFF_SIZE, BigInt(h.size));
  v.setUint32(OFF_CRYPT_METHOD, h.cryptMethod);
  v.setUint32(OFF_L1_SIZE, h.l1Size);
  v.setBigUint64(OFF_L1_TABLE_OFFSET, BigInt(h.l1TableOffset));
  v.setBigUint64(OFF_REFCOUNT_TABLE_OFFSET, BigInt(h.refcountTableOffset));
  v.setUint32(OFF_REFCOUNT_TABLE_CLUSTERS, h.refcountTableClusters);
  v.setUint32(OFF_NB_SNAPSHOTS, h.nbSnapshots);
  v.setBigUint64(OFF_SNAPSHOTS_OFFSET, BigInt(h.snapshotsOffset));
  if (h.version === 3) {
    v.setBigUint64(OFF_INCOMPATIBLE_FEATURES, h.incompatibleFeatures);
    v.setBigUint64(OFF_COMPATIBLE_FEATURES, h.compatibleFeatures);
    v.setBigUint64(OFF_AUTOCLEAR_FEATURES, h.autoclearFeatures);
    v.setUint32(OFF_REFCOUNT_ORDER, h.refcountOrder);
    v.setUint32(OFF_HEADER_LENGTH, length);
    if (length > OFF_COMPRESSION_TYPE) out[OFF_COMPRESSION_TYPE] = h.compressionType;
  }
  return out;
}

/** Decodes a header from the first bytes of a file (at least 112 bytes, zero-padded if shorter). `name` is for errors. */
export function decodeQcow2Header(bytes: Uint8Array, name: string): Qcow2Header {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < V2_HEADER_LENGTH || v.getUint32(OFF_MAGIC) !== QCOW2_MAGIC) {
    throw inputError(`${name}: qcow2 header: bad magic`, 'the file is not a qcow2 image');
  }
  const version = v.getUint32(OFF_VERSION);
  if (version !== 2 && version !== 3) {
    throw inputError(`${name}: qcow2 header: version ${version} is not supported`, 'only qcow2 versions 2 and 3 are read');
  }
  const big = (off: number, field: string) => {
    const x = v.getBigUint64(off);
    if (x > BigInt(Number.MAX_SAFE_INTEGER)) throw inputError(`${name}: qcow2 header: ${field} ${x} is out of range`, 'the image is corrupt');
    return Number(x);
  };
  const h: Qcow2Header = {
    version,
    backingFileOffset: big(OFF_BACKING_FILE_OFFSET, 'backing_file_offset'),
    backingFileSize: v.getUint32(OFF_BACKING_FILE_SIZE),
    clusterBits: v.getUint32(OFF_CLUSTER_BITS),
    size: big(OFF_SIZE, 'size'),
    cryptMethod: v.getUint32(OFF_CRYPT_METHOD),
    l1Size: v.getUint32(OFF_L1_SIZE),
    l1TableOffset: big(OFF_L1_TABLE_OFFSET, 'l1_table_offset'),
    refcountTableOffset: big(OFF_REFCOUNT_TABLE_OFFSET, 'refcount_table_offset'),
    refcountTableClusters: v.getUint32(OFF_REFCOUNT_TABLE_CLUSTERS),
    nbSnapshots: v.getUint32(OFF_NB_SNAPSHOTS),
    snapshotsOffset: big(OFF_SNAPSHOTS_OFFSET, 'snapshots_offset'),
    incompatibleFeatures: 0n,
    compatibleFeatures: 0n,
    autoclearFeatures: 0n,
    refcountOrder: 4,
    headerLength: V2_HEADER_LENGTH,
    compressionType: 0,
  };
  if (version === 3) {
    h.incompatibleFeatures = v.getBigUint64(OFF_INCOMPATIBLE_FEATURES);
    h.compatibleFeatures = v.getBigUint64(OFF_COMPATIBLE_FEATURES);
    h.autoclearFeatures = v.getBigUint64(OFF_AUTOCLEAR_FEATURES);
    h.refcountOrder = v.getUint32(OFF_REFCOUNT_ORDER);
    h.headerLength = v.getUint32(OFF_HEADER_LENGTH);
    if (h.headerLength < V3_HEADER_LENGTH) throw inputError(`${name}: qcow2 header: header_length ${h.headerLength} is below 104`, 'the image is corrupt');
    if (h.headerLength > OFF_COMPRESSION_TYPE && bytes.length > OFF_COMPRESSION_TYPE) h.compressionType = bytes[OFF_COMPRESSION_TYPE]!;
  }
  return h;
}
