/**
 * LBA 0 for GRUB i386-pc: boot.img with what grub-bios-setup patches (bootloader.md §1.2, GRUB's
 * boot/i386/pc/boot.S). The partition table area and the BPB area of the existing sector are kept.
 */
import { inputError } from '../errors.js';
import { SECTOR } from './grub-core.js';

/** 0x03..0x5A: a FAT BPB's place; kept from the disk's sector 0 (GRUB_BOOT_MACHINE_BPB_START/END). */
const BPB_START = 0x03;
const BPB_END = 0x5a;
/** u64: LBA of core.img's first sector (GRUB_BOOT_MACHINE_KERNEL_SECTOR). */
const KERNEL_SECTOR = 0x5c;
/** u8: the BIOS drive; 0xFF means "use DL as the BIOS passed it" (GRUB_BOOT_MACHINE_BOOT_DRIVE). */
const BOOT_DRIVE = 0x64;
const BOOT_DRIVE_FROM_BIOS = 0xff;
/** A 2-byte jump that skips forcing a bogus DL to 0x80; grub-bios-setup NOPs it for hard disks. */
const DRIVE_CHECK = 0x66;
const NOP = 0x90;
/** 0x1B8..0x1FE: disk signature, reserved word and the 4 partition entries; never overwritten. */
const TABLE_START = 0x1b8;
const SIGNATURE = 0x1fe;

/** boot.img patched to load core.img from `coreLba`, with `current`'s BPB and partition table. */
export function grubBootSector(bootImg: Uint8Array, current: Uint8Array, coreLba: number): Uint8Array {
  if (bootImg.length !== SECTOR || bootImg[SIGNATURE] !== 0x55 || bootImg[SIGNATURE + 1] !== 0xaa) {
    throw inputError('boot.img is not a 512-byte boot sector ending in 55 AA', 'use /usr/lib/grub/i386-pc/boot.img from grub-pc-bin');
  }
  const out = Uint8Array.from(bootImg);
  out.set(current.subarray(BPB_START, BPB_END), BPB_START);
  new DataView(out.buffer).setBigUint64(KERNEL_SECTOR, BigInt(coreLba), true);
  out[BOOT_DRIVE] = BOOT_DRIVE_FROM_BIOS;
  out[DRIVE_CHECK] = NOP;
  out[DRIVE_CHECK + 1] = NOP;
  out.set(current.subarray(TABLE_START, SIGNATURE), TABLE_START);
  return out;
}
