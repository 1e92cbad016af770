/**
 * core.img for GRUB i386-pc, built natively (no grub-mkimage), from the files of one GRUB build
 * (/usr/lib/grub/i386-pc). Layout (bootloader.md §1.6, from GRUB's util/mkimage.c):
 *
 *   diskboot.img (512 B) | lzma_decompress.img | LZMA1 stream of the payload
 *   payload = kernel.img flattened | grub_module_info32 | module objects... | prefix object
 *
 * The decompressor learns both lengths from fields we patch; diskboot learns where the rest of
 * core.img lies from its blocklist (see grub-blocklist.ts).
 */
import { inputError } from '../errors.js';
import { flattenElf32 } from './elf32.js';
import { encodeLzmaLiterals } from './lzma-literal.js';

export const SECTOR = 512;
/** kernel.img's link address; it runs from there after the decompressor copies it (GRUB_KERNEL_I386_PC_LINK_ADDR). */
export const KERNEL_LINK_ADDRESS = 0x9000;
/** The end of what kernel.img plus .bss may occupy: 0x9000 + K + bss <= 0x68000 (mkimage's check). */
const KERNEL_LIMIT = 0x68000;
/** diskboot loads core.img's sectors 1.. to 0x8200; the decompressor and stream must end below 0x78000. */
const CORE_LOAD_ADDRESS = 0x8200;
const CORE_LIMIT = 0x78000;

// lzma_decompress.img fields (GRUB_DECOMPRESSOR_I386_PC_*, offsets from its start).
const DECOMPRESSOR_COMPRESSED_SIZE = 0x08;
const DECOMPRESSOR_UNCOMPRESSED_SIZE = 0x0c;
const DECOMPRESSOR_REED_SOLOMON_REDUNDANCY = 0x10;
/** The minimum size: it must hold the fields above and the boot device bytes at 0x18..0x1B. */
const DECOMPRESSOR_MIN_SIZE = 0x1c;

// struct grub_module_info32 (include/grub/kernel.h) and module object types (enum grub_module_type).
const MODULE_INFO_MAGIC = 0x676d696d; // "mimg"
const MODULE_INFO_SIZE = 12;
const MODULE_HEADER_SIZE = 8;
const OBJ_TYPE_ELF = 0;
const OBJ_TYPE_CONFIG = 2;
const OBJ_TYPE_PREFIX = 3;

export interface CoreImageInput {
  readonly kernelImg: Uint8Array;
  readonly diskbootImg: Uint8Array;
  readonly decompressorImg: Uint8Array;
  /** Module bytes in embedding order (dependencies first; see resolveModules). */
  readonly modules: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** GRUB's $prefix, e.g. "(,msdos1)/boot/grub". */
  readonly prefix: string;
  /** An embedded early config (object type 2), optional. */
  readonly config?: string;
}

export interface CoreImage {
  /** The whole core.img, padded to whole sectors, blocklist not yet patched. */
  readonly bytes: Uint8Array;
  readonly sectors: number;
  /** Size of the payload before compression (for reports and tests). */
  readonly payloadSize: number;
}

const align4 = (n: number): number => (n + 3) & ~3;
const utf8 = new TextEncoder();

/** One module-area object: {u32 type, u32 size} + data zero-padded to 4 bytes. */
function moduleObject(type: number, data: Uint8Array): Uint8Array {
  const size = MODULE_HEADER_SIZE + align4(data.length);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, size, true);
  out.set(data, MODULE_HEADER_SIZE);
  return out;
}

/** A NUL-terminated string object (prefix, config). */
function stringObject(type: number, text: string): Uint8Array {
  const bytes = utf8.encode(text);
  const z = new Uint8Array(bytes.length + 1);
  z.set(bytes);
  return moduleObject(type, z);
}

/** The uncompressed payload the decompressor expands to 0x100000. */
export function buildCorePayload(input: CoreImageInput): { payload: Uint8Array; bssSize: number } {
  const kernel = flattenElf32(input.kernelImg, KERNEL_LINK_ADDRESS, 'kernel.img');
  const objects = input.modules.map((m) => moduleObject(OBJ_TYPE_ELF, m.bytes));
  if (input.config !== undefined) objects.push(stringObject(OBJ_TYPE_CONFIG, input.config));
  objects.push(stringObject(OBJ_TYPE_PREFIX, input.prefix));
  const moduleArea = MODULE_INFO_SIZE + objects.reduce((n, o) => n + o.length, 0);
  const payload = new Uint8Array(kernel.bytes.length + moduleArea);
  payload.set(kernel.bytes);
  const info = new DataView(payload.buffer, kernel.bytes.length, MODULE_INFO_SIZE);
  info.setUint32(0, MODULE_INFO_MAGIC, true);
  info.setUint32(4, MODULE_INFO_SIZE, true); // offset of the first object from the info header
  info.setUint32(8, moduleArea, true); // total size, header included
  let at = kernel.bytes.length + MODULE_INFO_SIZE;
  for (const o of objects) {
    payload.set(o, at);
    at += o.length;
  }
  return { payload, bssSize: kernel.bssSize };
}

export function buildCoreImage(input: CoreImageInput): CoreImage {
  if (input.diskbootImg.length !== SECTOR) throw inputError(`diskboot.img is ${input.diskbootImg.length} bytes, not ${SECTOR}`, 'use the i386-pc GRUB directory of one GRUB build');
  if (input.decompressorImg.length < DECOMPRESSOR_MIN_SIZE) throw inputError('lzma_decompress.img is too short', 'use the i386-pc GRUB directory of one GRUB build');
  const { payload, bssSize } = buildCorePayload(input);
  const kernelSize = flattenElf32(input.kernelImg, KERNEL_LINK_ADDRESS).bytes.length;
  if (KERNEL_LINK_ADDRESS + kernelSize + bssSize > KERNEL_LIMIT) throw inputError('GRUB kernel.img is too big for i386-pc (its code and .bss pass 0x68000)');
  const stream = encodeLzmaLiterals(payload);
  const tail = input.decompressorImg.length + stream.length;
  if (CORE_LOAD_ADDRESS + tail > CORE_LIMIT) {
    throw inputError(`GRUB core.img is too big: ${tail + SECTOR} bytes (at most ${CORE_LIMIT - CORE_LOAD_ADDRESS + SECTOR})`, 'embed fewer modules');
  }
  const sectors = 1 + Math.ceil(tail / SECTOR);
  const bytes = new Uint8Array(sectors * SECTOR);
  bytes.set(input.diskbootImg, 0);
  bytes.set(input.decompressorImg, SECTOR);
  const d = new DataView(bytes.buffer, SECTOR, input.decompressorImg.length);
  d.setUint32(DECOMPRESSOR_COMPRESSED_SIZE, stream.length, true);
  d.setUint32(DECOMPRESSOR_UNCOMPRESSED_SIZE, payload.length, true);
  d.setUint32(DECOMPRESSOR_REED_SOLOMON_REDUNDANCY, 0, true); // no Reed-Solomon copy (bootloader.md §1.3)
  bytes.set(stream, SECTOR + input.decompressorImg.length);
  return { bytes, sectors, payloadSize: payload.length };
}
