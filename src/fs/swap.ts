/**
 * The Linux swap signature page (linux/include/linux/swap.h, `union swap_header`, version 1): what
 * mkswap writes. The rest of the swap area is never read before the kernel uses it, so only the
 * first page is written. Little-endian, for x86-64 and arm64 (the header is in host byte order).
 */
import type { Disk } from '../disk/index.js';
import { inputError } from '../errors.js';

/** Offsets in the first page (swap.h `struct swap_header.info`, after 1024 bytes of boot bits). */
const SWAP_VERSION = 1024;
const SWAP_LAST_PAGE = 1028;
const SWAP_NR_BADPAGES = 1032;
const SWAP_UUID = 1036; // 16 bytes
const SWAP_VOLUME = 1052; // 16 bytes, NUL padded
const SWAP_MAGIC = 'SWAPSPACE2'; // the page's last 10 bytes
const SWAP_LABEL_MAX = 16;
/** mkswap refuses areas under 10 pages. */
export const SWAP_MIN_PAGES = 10;
export const SWAP_PAGE_SIZE = 4096;

export interface SwapOptions {
  /** RFC 4122 text, derived from the seed by the caller. */
  readonly uuid: string;
  /** At most 16 bytes of UTF-8. */
  readonly label?: string | undefined;
  /** Page size of the machine that will use it; 4096 on x86-64 and most arm64 kernels. */
  readonly pageSize?: number | undefined;
}

/** The 16 UUID bytes in text order, as libuuid's uuid_parse gives them (blkid prints them back). */
export function uuidBytes(uuid: string, field = 'uuid'): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(uuid)) {
    throw inputError(`${field}: "${uuid}" is not a UUID`, 'write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** The first page of a swap area of `pages` pages. */
export function encodeSwapHeader(pages: number, options: SwapOptions): Uint8Array {
  const pageSize = options.pageSize ?? SWAP_PAGE_SIZE;
  if (pages < SWAP_MIN_PAGES) {
    throw inputError(`swap area of ${pages} pages is too small: mkswap and the kernel need at least ${SWAP_MIN_PAGES} (${SWAP_MIN_PAGES * pageSize} bytes)`, 'make the swap partition larger');
  }
  if (pages - 1 > 0xffffffff) throw inputError(`swap area of ${pages} pages is too large for a version 1 header`);
  const label = new TextEncoder().encode(options.label ?? '');
  if (label.length > SWAP_LABEL_MAX) {
    throw inputError(`swap label "${options.label}" is ${label.length} bytes, at most ${SWAP_LABEL_MAX} fit`, 'use a shorter label');
  }
  const page = new Uint8Array(pageSize);
  const v = new DataView(page.buffer);
  v.setUint32(SWAP_VERSION, 1, true);
  v.setUint32(SWAP_LAST_PAGE, pages - 1, true);
  v.setUint32(SWAP_NR_BADPAGES, 0, true);
  page.set(uuidBytes(options.uuid), SWAP_UUID);
  page.set(label, SWAP_VOLUME);
  page.set(new TextEncoder().encode(SWAP_MAGIC), pageSize - SWAP_MAGIC.length);
  return page;
}

/** Writes the signature page at the start of `disk` (a partition window); the size sets last_page. */
export function writeSwap(disk: Disk, options: SwapOptions): { pages: number } {
  const pages = Math.floor(disk.size / (options.pageSize ?? SWAP_PAGE_SIZE));
  disk.write(0, encodeSwapHeader(pages, options));
  return { pages };
}

/** Reads a swap signature page (for inspect and tests); undefined when the magic is absent. */
export function decodeSwapHeader(page: Uint8Array): { version: number; lastPage: number; uuid: string; label: string } | undefined {
  const magic = new TextDecoder().decode(page.subarray(page.length - SWAP_MAGIC.length));
  if (magic !== SWAP_MAGIC) return undefined;
  const v = new DataView(page.buffer, page.byteOffset, page.length);
  const hex = Buffer.from(page.subarray(SWAP_UUID, SWAP_UUID + 16)).toString('hex');
  const labelBytes = page.subarray(SWAP_VOLUME, SWAP_VOLUME + SWAP_LABEL_MAX);
  const end = labelBytes.indexOf(0);
  return {
    version: v.getUint32(SWAP_VERSION, true),
    lastPage: v.getUint32(SWAP_LAST_PAGE, true),
    uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    label: new TextDecoder().decode(end >= 0 ? labelBytes.subarray(0, end) : labelBytes),
  };
}
