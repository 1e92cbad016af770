/**
 * SYSLINUX's boot sector (ldlinux.bss), ldlinux.c32 and ldlinux.sys are not shipped as files by any
 * Debian package: they are compiled into /usr/bin/extlinux (bootloader.md §2.1). They sit back to
 * back in its .data, 32-byte aligned, in the order boot sector, ldlinux.c32, ldlinux.sys; their
 * lengths are u32 constants in .rodata laid out as {512, mtime, c32 length, mtime, sys length}.
 * We find them by their signatures and cross-check every one.
 */
import { inputError } from '../errors.js';

const BOOTSECT_SIGNATURE = [0xeb, 0x58, 0x90, ...new TextEncoder().encode('SYSLINUX')];
const BOOTSECT_SIZE = 512;
const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
/** LDLINUX_MAGIC: the first field of ldlinux.sys's patch area (syslinux's syslxint.h). */
export const LDLINUX_MAGIC = 0x3eb202fe;
const BLOB_ALIGN = 32;

export interface SyslinuxPayloads {
  /** The 512-byte volume boot record template (ldlinux.bss). */
  readonly bootSector: Uint8Array;
  readonly ldlinuxC32: Uint8Array;
  /** ldlinux.sys without the ADV, a whole number of sectors. */
  readonly ldlinuxSys: Uint8Array;
}

function indexOf(hay: Uint8Array, needle: readonly number[], from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Finds the three payloads in the bytes of an extlinux executable. */
export function extractSyslinuxPayloads(extlinux: Uint8Array, what = '/usr/bin/extlinux'): SyslinuxPayloads {
  const bad = (why: string) => inputError(`${what}: ${why}`, 'use the extlinux binary of Debian/Ubuntu syslinux 6.x (package extlinux)');
  const v = new DataView(extlinux.buffer, extlinux.byteOffset, extlinux.byteLength);
  let bss = -1;
  for (let at = indexOf(extlinux, BOOTSECT_SIGNATURE); at >= 0; at = indexOf(extlinux, BOOTSECT_SIGNATURE, at + 1)) {
    if (extlinux[at + 510] === 0x55 && extlinux[at + 511] === 0xaa && indexOf(extlinux.subarray(at + BOOTSECT_SIZE, at + BOOTSECT_SIZE + BLOB_ALIGN + 4), ELF_MAGIC) >= 0) {
      bss = at;
      break;
    }
  }
  if (bss < 0) throw bad('no SYSLINUX boot sector (EB 58 90 "SYSLINUX" ... 55 AA) followed by ldlinux.c32');
  const c32 = indexOf(extlinux, ELF_MAGIC, bss + BOOTSECT_SIZE);
  // The lengths: {512, mtime, c32Len, mtime, sysLen}, with ldlinux.sys starting at the next aligned offset after the c32.
  for (let at = 0; at + 20 <= extlinux.length; at += 4) {
    if (v.getUint32(at, true) !== BOOTSECT_SIZE) continue;
    const c32Len = v.getUint32(at + 8, true);
    const sysLen = v.getUint32(at + 16, true);
    const sys = alignUp(c32 + c32Len, BLOB_ALIGN);
    if (c32Len < 1024 || sysLen < 1024 || sysLen % 512 !== 0 || sys + sysLen > extlinux.length) continue;
    const ldlinuxSys = extlinux.subarray(sys, sys + sysLen);
    if (findPatchArea(ldlinuxSys) < 0) continue;
    return { bootSector: extlinux.slice(bss, bss + BOOTSECT_SIZE), ldlinuxC32: extlinux.slice(c32, c32 + c32Len), ldlinuxSys: ldlinuxSys.slice() };
  }
  throw bad('no ldlinux.sys (LDLINUX_MAGIC) where the length table says it is');
}

/** Offset of the patch area in ldlinux.sys (its first u32 is LDLINUX_MAGIC, 4-aligned, in sector 0), or -1. */
export function findPatchArea(sys: Uint8Array): number {
  const v = new DataView(sys.buffer, sys.byteOffset, sys.byteLength);
  for (let at = 0; at + 4 <= Math.min(sys.length, 512); at += 4) if (v.getUint32(at, true) === LDLINUX_MAGIC) return at;
  return -1;
}
