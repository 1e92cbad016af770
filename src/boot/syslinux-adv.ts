/**
 * SYSLINUX's Auxiliary Data Vector (doc/adv.txt in syslinux; bootloader.md §2.2): two identical
 * 512-byte copies after ldlinux.sys's code: u32 head magic, u32 checksum, 500 bytes of tagged data
 * (tag 0 ends the list), u32 tail magic. The checksum makes head + csum + Σ data dwords wrap to
 * ADV_MAGIC2.
 */
const ADV_SIZE = 512;
const ADV_MAGIC1 = 0x5a2d2fa5;
const ADV_MAGIC2 = 0xa3041767;
const ADV_MAGIC3 = 0xdd28bf64;
const DATA_OFFSET = 8;
const DATA_SIZE = 500;

/** The two copies of an empty ADV (1024 bytes). */
export function emptyAdv(): Uint8Array {
  const out = new Uint8Array(ADV_SIZE * 2);
  for (const base of [0, ADV_SIZE]) {
    const v = new DataView(out.buffer, base, ADV_SIZE);
    v.setUint32(0, ADV_MAGIC1, true);
    let sum = 0;
    for (let i = 0; i < DATA_SIZE; i += 4) sum = (sum + v.getUint32(DATA_OFFSET + i, true)) >>> 0;
    v.setUint32(4, (ADV_MAGIC2 - sum) >>> 0, true);
    v.setUint32(DATA_OFFSET + DATA_SIZE, ADV_MAGIC3, true);
  }
  return out;
}
