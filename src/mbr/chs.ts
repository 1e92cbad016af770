/**
 * Cylinder/head/sector addresses in MBR partition entries. Nothing modern reads them, but BIOSes and
 * old tools do, so we write them as partitioning tools do (util-linux libfdisk, gdisk): a geometry of
 * 255 heads and 63 sectors per track, and addresses past cylinder 1023 clamped to (1023, 254, 63).
 */

export const CHS_HEADS = 255;
export const CHS_SECTORS_PER_TRACK = 63;
export const CHS_MAX_CYLINDER = 1023;

export interface Chs {
  readonly cylinder: number;
  readonly head: number;
  /** 1-based, as on disk. */
  readonly sector: number;
}

/** The CHS address of `lba`, clamped to the largest address the 3-byte field can hold. */
export function lbaToChs(lba: number): Chs {
  const cylinder = Math.floor(lba / (CHS_HEADS * CHS_SECTORS_PER_TRACK));
  if (cylinder > CHS_MAX_CYLINDER) return { cylinder: CHS_MAX_CYLINDER, head: CHS_HEADS - 1, sector: CHS_SECTORS_PER_TRACK };
  return {
    cylinder,
    head: Math.floor(lba / CHS_SECTORS_PER_TRACK) % CHS_HEADS,
    sector: (lba % CHS_SECTORS_PER_TRACK) + 1,
  };
}

/**
 * The 3 on-disk bytes: head; sector in bits 0-5 with cylinder bits 8-9 in bits 6-7; cylinder bits 0-7.
 */
export function encodeChs(chs: Chs): [number, number, number] {
  return [chs.head & 0xff, (chs.sector & 0x3f) | ((chs.cylinder >> 2) & 0xc0), chs.cylinder & 0xff];
}

export function decodeChs(bytes: Uint8Array, offset: number): Chs {
  const head = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  return { head, sector: b1 & 0x3f, cylinder: ((b1 & 0xc0) << 2) | b2 };
}
