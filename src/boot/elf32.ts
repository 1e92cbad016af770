/**
 * GRUB's i386-pc kernel.img is an ELF32 executable linked at 0x9000. core.img carries it flattened:
 * every allocated PROGBITS section copied to (sh_addr - link address), gaps zero, .bss not stored
 * (bootloader.md §1.6). Offsets from the System V ABI, "ELF Header" and "Sections".
 */
import { inputError } from '../errors.js';

const ELF_MAGIC = 0x464c457f; // "\x7fELF" read little-endian
const EI_CLASS = 4;
const ELFCLASS32 = 1;
const EI_DATA = 5;
const ELFDATA2LSB = 1;
const E_SHOFF = 0x20;
const E_SHENTSIZE = 0x2e;
const E_SHNUM = 0x30;
const SH_TYPE = 4;
const SH_FLAGS = 8;
const SH_ADDR = 12;
const SH_OFFSET = 16;
const SH_SIZE = 20;
const SHT_PROGBITS = 1;
const SHT_NOBITS = 8;
const SHF_ALLOC = 2;

export interface FlatImage {
  /** The loaded bytes from the link address up to the end of the last PROGBITS section. */
  readonly bytes: Uint8Array;
  /** Bytes of .bss (NOBITS) beyond `bytes`, which the loader zeroes but the image does not carry. */
  readonly bssSize: number;
}

interface Section {
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

function sections(elf: Uint8Array, what: string): Section[] {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.length < 0x34 || v.getUint32(0, true) !== ELF_MAGIC || elf[EI_CLASS] !== ELFCLASS32 || elf[EI_DATA] !== ELFDATA2LSB) {
    throw inputError(`${what}: not a little-endian ELF32 file`, 'take kernel.img from the same i386-pc GRUB directory as the modules');
  }
  const shoff = v.getUint32(E_SHOFF, true);
  const entsize = v.getUint16(E_SHENTSIZE, true);
  const count = v.getUint16(E_SHNUM, true);
  if (shoff + entsize * count > elf.length) throw inputError(`${what}: section headers lie past the end of the file`);
  const out: Section[] = [];
  for (let i = 0; i < count; i++) {
    const at = shoff + i * entsize;
    out.push({
      type: v.getUint32(at + SH_TYPE, true),
      flags: v.getUint32(at + SH_FLAGS, true),
      addr: v.getUint32(at + SH_ADDR, true),
      offset: v.getUint32(at + SH_OFFSET, true),
      size: v.getUint32(at + SH_SIZE, true),
    });
  }
  return out;
}

/** Flattens the allocated sections of an ELF32 executable linked at `linkAddress`. */
export function flattenElf32(elf: Uint8Array, linkAddress: number, what = 'kernel.img'): FlatImage {
  const all = sections(elf, what).filter((s) => (s.flags & SHF_ALLOC) !== 0);
  const progbits = all.filter((s) => s.type === SHT_PROGBITS);
  if (progbits.length === 0) throw inputError(`${what}: no loadable sections`);
  let end = 0;
  for (const s of progbits) {
    if (s.addr < linkAddress) throw inputError(`${what}: section at 0x${s.addr.toString(16)} lies below the link address 0x${linkAddress.toString(16)}`);
    if (s.offset + s.size > elf.length) throw inputError(`${what}: a section lies past the end of the file`);
    end = Math.max(end, s.addr + s.size - linkAddress);
  }
  const bytes = new Uint8Array(end);
  for (const s of progbits) bytes.set(elf.subarray(s.offset, s.offset + s.size), s.addr - linkAddress);
  let bssEnd = end;
  for (const s of all) if (s.type === SHT_NOBITS) bssEnd = Math.max(bssEnd, s.addr + s.size - linkAddress);
  return { bytes, bssSize: bssEnd - end };
}
