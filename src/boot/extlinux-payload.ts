/**
 * SYSLINUX's boot sector (ldlinux.bss), ldlinux.c32 and ldlinux.sys are not shipped as files by any
 * Debian package: they are compiled into /usr/bin/extlinux (bootloader.md §2.1). They sit back to
 * back in its .data, 32-byte aligned: the boot sector, then ldlinux.c32 and ldlinux.sys in link order
 * (extlinux: c32 first; the mtools syslinux: sys first); their lengths are u32 constants in .rodata
 * laid out as {512, mtime, first length, mtime, second length}.
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

/** Finds the three payloads in the bytes of an extlinux (or syslinux) executable. */
export function extractSyslinuxPayloads(extlinux: Uint8Array, what = '/usr/bin/extlinux'): SyslinuxPayloads {
  const bad = (why: string) => inputError(`${what}: ${why}`, 'use the extlinux binary of Debian/Ubuntu syslinux 6.x (package extlinux)');
  const v = new DataView(extlinux.buffer, extlinux.byteOffset, extlinux.byteLength);
  const isElf = (at: number) => indexOf(extlinux.subarray(at, at + 4), ELF_MAGIC) === 0;
  const isSys = (at: number, len: number) => len % 512 === 0 && findPatchArea(extlinux.subarray(at, at + len)) >= 0;
  let bss = -1;
  for (let at = indexOf(extlinux, BOOTSECT_SIGNATURE); at >= 0; at = indexOf(extlinux, BOOTSECT_SIGNATURE, at + 1)) {
    if (extlinux[at + 510] === 0x55 && extlinux[at + 511] === 0xaa) {
      bss = at;
      break;
    }
  }
  if (bss < 0) throw bad('no SYSLINUX boot sector (EB 58 90 "SYSLINUX" ... 55 AA)');
  // The two blobs after it come in link order: extlinux has ldlinux.c32 first, syslinux (mtools) ldlinux.sys first.
  const first = alignUp(bss + BOOTSECT_SIZE, BLOB_ALIGN);
  const c32First = isElf(first);
  for (let at = 0; at + 20 <= extlinux.length; at += 4) {
    if (v.getUint32(at, true) !== BOOTSECT_SIZE) continue;
    const firstLen = v.getUint32(at + 8, true);
    const secondLen = v.getUint32(at + 16, true);
    if (firstLen < 1024 || secondLen < 1024) continue;
    const second = alignUp(first + firstLen, BLOB_ALIGN);
    if (second + secondLen > extlinux.length) continue;
    const [c32, c32Len, sys, sysLen] = c32First ? [first, firstLen, second, secondLen] : [second, secondLen, first, firstLen];
    if (!isElf(c32) || !isSys(sys, sysLen)) continue;
    return { bootSector: extlinux.slice(bss, bss + BOOTSECT_SIZE), ldlinuxC32: extlinux.slice(c32, c32 + c32Len), ldlinuxSys: extlinux.slice(sys, sys + sysLen) };
  }
  throw bad('no ldlinux.sys (LDLINUX_MAGIC) and ldlinux.c32 (ELF) where its length table says they are');
}

/** Offset of the patch area in ldlinux.sys (its first u32 is LDLINUX_MAGIC, 4-aligned, in sector 0), or -1. */
export function findPatchArea(sys: Uint8Array): number {
  const v = new DataView(sys.buffer, sys.byteOffset, sys.byteLength);
  for (let at = 0; at + 4 <= Math.min(sys.length, 512); at += 4) if (v.getUint32(at, true) === LDLINUX_MAGIC) return at;
  return -1;
}
