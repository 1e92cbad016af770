/**
 * The VDI header (VirtualBox VDI 1.1 as qemu block/vdi.c and VirtualBox's VDICore.h lay it out):
 * a 64-byte text banner, signature and version, then the 0x180-byte header. Little-endian.
 */
import { inputError } from '../../errors.js';

export const VDI_SIGNATURE = 0xbeda107f;
const VDI_VERSION_1_1 = 0x00010001;
const HEADER_SIZE_1_1 = 0x180;
const BANNER = '<<< QEMU VM Virtual Disk Image >>>\n';

const OFF_SIGNATURE = 0x40;
const OFF_VERSION = 0x44;
const OFF_HEADER_SIZE = 0x48;
const OFF_IMAGE_TYPE = 0x4c;
const OFF_IMAGE_FLAGS = 0x50;
// 0x54: 256-byte description
const OFF_OFFSET_BMAP = 0x154;
const OFF_OFFSET_DATA = 0x158;
// 0x15c..0x167: legacy cylinders, heads, sectors (zero: unknown)
const OFF_SECTOR_SIZE = 0x168;
const OFF_DISK_SIZE = 0x170;
const OFF_BLOCK_SIZE = 0x178;
const OFF_BLOCK_EXTRA = 0x17c;
const OFF_BLOCKS_IN_IMAGE = 0x180;
const OFF_BLOCKS_ALLOCATED = 0x184;
const OFF_UUID_IMAGE = 0x188;
const OFF_UUID_LAST_SNAP = 0x198;
const OFF_UUID_LINK = 0x1a8;
const OFF_UUID_PARENT = 0x1b8;

/** The header occupies the first sector; the block map starts at the next one. */
export const VDI_HEADER_SECTOR = 512;
export const VDI_TYPE_DYNAMIC = 1;
export const VDI_TYPE_STATIC = 2;
/** Block map entries: block not allocated / discarded (both read as zeros). */
export const VDI_UNALLOCATED = 0xffffffff;
export const VDI_DISCARDED = 0xfffffffe;

export interface VdiHeader {
  imageType: number;
  offsetBmap: number;
  offsetData: number;
  sectorSize: number;
  diskSize: number;
  blockSize: number;
  blockExtra: number;
  blocksInImage: number;
  blocksAllocated: number;
  uuidImage: Uint8Array;
  uuidLastSnap: Uint8Array;
  uuidLink: Uint8Array;
  uuidParent: Uint8Array;
}

export function encodeVdiHeader(h: VdiHeader): Uint8Array {
  const out = new Uint8Array(VDI_HEADER_SECTOR);
  const v = new DataView(out.buffer);
  out.set(Buffer.from(BANNER, 'latin1'), 0);
  v.setUint32(OFF_SIGNATURE, VDI_SIGNATURE, true);
  v.setUint32(OFF_VERSION, VDI_VERSION_1_1, true);
  v.setUint32(OFF_HEADER_SIZE, HEADER_SIZE_1_1, true);
  v.setUint32(OFF_IMAGE_TYPE, h.imageType, true);
  v.setUint32(OFF_IMAGE_FLAGS, 0, true);
  v.setUint32(OFF_OFFSET_BMAP, h.offsetBmap, true);
  v.setUint32(OFF_OFFSET_DATA, h.offsetData, true);
  v.setUint32(OFF_SECTOR_SIZE, h.sectorSize, true);
  v.setBigUint64(OFF_DISK_SIZE, BigInt(h.diskSize), true);
  v.setUint32(OFF_BLOCK_SIZE, h.blockSize, true);
  v.setUint32(OFF_BLOCK_EXTRA, h.blockExtra, true);
  v.setUint32(OFF_BLOCKS_IN_IMAGE, h.blocksInImage, true);
  v.setUint32(OFF_BLOCKS_ALLOCATED, h.blocksAllocated, true);
  out.set(h.uuidImage.subarray(0, 16), OFF_UUID_IMAGE);
  out.set(h.uuidLastSnap.subarray(0, 16), OFF_UUID_LAST_SNAP);
  out.set(h.uuidLink.subarray(0, 16), OFF_UUID_LINK);
  out.set(h.uuidParent.subarray(0, 16), OFF_UUID_PARENT);
  return out;
}

export function isVdiHeader(bytes: Uint8Array): boolean {
  return bytes.length >= OFF_SIGNATURE + 4 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(OFF_SIGNATURE, true) === VDI_SIGNATURE;
}

export function decodeVdiHeader(bytes: Uint8Array, name: string): VdiHeader {
  if (bytes.length < VDI_HEADER_SECTOR || !isVdiHeader(bytes)) throw inputError(`${name}: VDI header: bad signature (expected 0xbeda107f at 0x40)`, 'the file is not a VDI image or is truncated');
  const v = new DataView(bytes.buffer, bytes.byteOffset, VDI_HEADER_SECTOR);
  const version = v.getUint32(OFF_VERSION, true);
  if (version !== VDI_VERSION_1_1) throw inputError(`${name}: VDI header: version 0x${version.toString(16)} is not 1.1`, 'the image is not supported');
  const diskSize = v.getBigUint64(OFF_DISK_SIZE, true);
  if (diskSize > BigInt(Number.MAX_SAFE_INTEGER)) throw inputError(`${name}: VDI header: disk size ${diskSize} is out of range`, 'the image is corrupt');
  return {
    imageType: v.getUint32(OFF_IMAGE_TYPE, true),
    offsetBmap: v.getUint32(OFF_OFFSET_BMAP, true),
    offsetData: v.getUint32(OFF_OFFSET_DATA, true),
    sectorSize: v.getUint32(OFF_SECTOR_SIZE, true),
    diskSize: Number(diskSize),
    blockSize: v.getUint32(OFF_BLOCK_SIZE, true),
    blockExtra: v.getUint32(OFF_BLOCK_EXTRA, true),
    blocksInImage: v.getUint32(OFF_BLOCKS_IN_IMAGE, true),
    blocksAllocated: v.getUint32(OFF_BLOCKS_ALLOCATED, true),
    uuidImage: bytes.slice(OFF_UUID_IMAGE, OFF_UUID_IMAGE + 16),
    uuidLastSnap: bytes.slice(OFF_UUID_LAST_SNAP, OFF_UUID_LAST_SNAP + 16),
    uuidLink: bytes.slice(OFF_UUID_LINK, OFF_UUID_LINK + 16),
    uuidParent: bytes.slice(OFF_UUID_PARENT, OFF_UUID_PARENT + 16),
  };
}
