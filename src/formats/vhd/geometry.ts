/**
 * CHS geometry of a VHD (VHD spec, Appendix "CHS Calculation"). Virtual PC and qemu's 'qemu'
 * creator size disks by C*H*S sectors, so without force_size the size is rounded up to a whole
 * geometry, as qemu-img does.
 */
export interface Chs {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

/** The largest geometry: 65535 cylinders, 16 heads, 255 sectors (about 127 GiB). */
export const MAX_CHS_SECTORS = 65535 * 16 * 255;

/** The spec's algorithm, total sectors capped at the largest geometry. */
export function chsFor(totalSectors: number): Chs {
  const total = Math.min(totalSectors, MAX_CHS_SECTORS);
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (total >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(total / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(total / sectorsPerTrack);
    heads = Math.max(4, Math.floor((cylinderTimesHeads + 1023) / 1024));
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(total / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(total / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}

export function chsSectors(g: Chs): number {
  return g.cylinders * g.heads * g.sectorsPerTrack;
}

/**
 * The smallest geometry covering `totalSectors` (qemu's vpc_create without force_size tries
 * total, total+1, ... until C*H*S is large enough). Past the largest geometry it stays capped.
 */
export function chsCovering(totalSectors: number): Chs {
  if (totalSectors >= MAX_CHS_SECTORS) return chsFor(MAX_CHS_SECTORS);
  for (let extra = 0; ; extra++) {
    const g = chsFor(totalSectors + extra);
    if (chsSectors(g) >= totalSectors) return g;
  }
}
