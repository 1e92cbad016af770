/**
 * The FAT32 FSInfo sector (fatgen103 §5): a hint of the free cluster count and where to look for a
 * free cluster next. We know both exactly, so we write them (fsck.vfat checks the count).
 */
import { SECTOR_SIZE } from './constants.js';

const FSI_LEAD_SIG = 0x000;
const FSI_STRUC_SIG = 0x1e4;
const FSI_FREE_COUNT = 0x1e8;
const FSI_NXT_FREE = 0x1ec;
const FSI_TRAIL_SIG = 0x1fc;

const LEAD_SIG = 0x41615252; // "RRaA"
const STRUC_SIG = 0x61417272; // "rrAa"
const TRAIL_SIG = 0xaa550000;

export function encodeFsInfo(freeClusters: number, nextFree: number): Uint8Array {
  const out = new Uint8Array(SECTOR_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(FSI_LEAD_SIG, LEAD_SIG, true);
  v.setUint32(FSI_STRUC_SIG, STRUC_SIG, true);
  v.setUint32(FSI_FREE_COUNT, freeClusters >>> 0, true);
  v.setUint32(FSI_NXT_FREE, nextFree >>> 0, true);
  v.setUint32(FSI_TRAIL_SIG, TRAIL_SIG, true);
  return out;
}

export function decodeFsInfo(bytes: Uint8Array): { freeClusters: number; nextFree: number; valid: boolean } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, SECTOR_SIZE);
  const valid = v.getUint32(FSI_LEAD_SIG, true) === LEAD_SIG && v.getUint32(FSI_STRUC_SIG, true) === STRUC_SIG && v.getUint32(FSI_TRAIL_SIG, true) === TRAIL_SIG;
  return { freeClusters: v.getUint32(FSI_FREE_COUNT, true), nextFree: v.getUint32(FSI_NXT_FREE, true), valid };
}
