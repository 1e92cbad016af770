/**
 * diskboot.img's blocklist: where the rest of core.img lies on the disk (bootloader.md §1.3, GRUB's
 * boot/i386/pc/diskboot.S). Entries are {u64 start LBA, u16 sectors, u16 load segment}, 12 bytes,
 * the first at 0x1F4 and further ones growing downwards; an entry with 0 sectors ends the list.
 * tsdib writes core.img contiguously, so one entry covers it all.
 */
import { SECTOR } from './grub-core.js';

const FIRST_ENTRY = 0x1f4;
const ENTRY_SIZE = 12;
/** The segment sector 1 of core.img loads to: 0x8200 >> 4 (diskboot itself sits at 0x8000). */
const FIRST_LOAD_SEGMENT = 0x820;

/** Patches core.img (in place) for a copy that starts at `coreLba` and is contiguous. */
export function patchBlocklist(core: Uint8Array, coreLba: number): void {
  const sectors = core.length / SECTOR;
  const v = new DataView(core.buffer, core.byteOffset, SECTOR);
  v.setBigUint64(FIRST_ENTRY, BigInt(coreLba + 1), true);
  v.setUint16(FIRST_ENTRY + 8, sectors - 1, true);
  v.setUint16(FIRST_ENTRY + 10, FIRST_LOAD_SEGMENT, true);
  core.fill(0, FIRST_ENTRY - ENTRY_SIZE, FIRST_ENTRY); // terminator
}
