/**
 * The 512-byte tar header block: ustar (POSIX.1-1988/2001, "pax" Interchange Format, ustar Header
 * Block) and the GNU variant (GNU tar manual, "Basic Tar Format": magic "ustar  \0", old sparse map).
 * Pure: bytes in, struct out, and back. Names and link names stay bytes here; the reader decides how
 * to decode them.
 */

export const BLOCK_SIZE = 512;

// ustar header fields: [offset, length] (POSIX.1-2001 pax, Table: ustar Header Block).
export const NAME = [0, 100] as const;
export const MODE = [100, 8] as const;
export const UID = [108, 8] as const;
export const GID = [116, 8] as const;
export const SIZE = [124, 12] as const;
export const MTIME = [136, 12] as const;
export const CHKSUM = [148, 8] as const;
export const TYPEFLAG = 156;
export const LINKNAME = [157, 100] as const;
export const MAGIC = [257, 6] as const;
export const VERSION = [263, 2] as const;
export const UNAME = [265, 32] as const;
export const GNAME = [297, 32] as const;
export const DEVMAJOR = [329, 8] as const;
export const DEVMINOR = [337, 8] as const;
/** ustar only: the path prefix (joined to `name` with "/"). GNU uses these bytes for atime/ctime/sparse. */
export const PREFIX = [345, 155] as const;

// GNU old-format sparse map inside the header (GNU tar manual, "GNU tar format": struct oldgnu_header).
export const GNU_SPARSE_MAP = 386;
export const GNU_SPARSE_ENTRIES_IN_HEADER = 4;
export const GNU_IS_EXTENDED = 482;
export const GNU_REALSIZE = [483, 12] as const;
/** struct sparse_header: 21 (offset, numbytes) pairs of 12+12 bytes, then isextended at 504. */
export const GNU_SPARSE_ENTRIES_IN_EXTENSION = 21;
export const GNU_EXTENSION_IS_EXTENDED = 504;
export const GNU_SPARSE_ENTRY_SIZE = 24;

export const USTAR_MAGIC = 'ustar\x0000';
export const GNU_MAGIC = 'ustar  \x00';

export type TarFormat = 'ustar' | 'gnu' | 'v7';

export interface TarHeader {
  name: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: Uint8Array;
  format: TarFormat;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** ustar prefix (empty for GNU and v7). */
  prefix: Uint8Array;
}

/** Why a header block could not be decoded; the reader adds the file, entry and offset. */
export class HeaderError extends Error {}

/** True for the all-zero block that marks the end of an archive. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK_SIZE; i++) if (block[i] !== 0) return false;
  return true;
}

/** Decodes one header block; throws HeaderError on a bad checksum or an unreadable number. */
export function decodeHeader(block: Uint8Array): TarHeader {
  if (block.length < BLOCK_SIZE) throw new HeaderError('short header block');
  verifyChecksum(block);
  // Read field by field from the block itself: no subarrays or strings for the numbers, since a tree
  // of small files has as many headers as files and this runs for each.
  const format = formatOf(block);
  const v7 = format === 'v7';
  return {
    name: cStringAt(block, NAME),
    mode: readNumber(block, MODE, 'mode'),
    uid: readNumber(block, UID, 'uid'),
    gid: readNumber(block, GID, 'gid'),
    size: readNumber(block, SIZE, 'size'),
    mtime: readNumber(block, MTIME, 'mtime'),
    typeflag: block[TYPEFLAG] === 0 ? '0' : String.fromCharCode(block[TYPEFLAG]!),
    linkname: cStringAt(block, LINKNAME),
    format,
    uname: v7 ? '' : latin1(cStringAt(block, UNAME)),
    gname: v7 ? '' : latin1(cStringAt(block, GNAME)),
    devmajor: v7 ? 0 : readNumber(block, DEVMAJOR, 'devmajor'),
    devminor: v7 ? 0 : readNumber(block, DEVMINOR, 'devminor'),
    prefix: format === 'ustar' ? cStringAt(block, PREFIX) : EMPTY,
  };
}

const EMPTY = new Uint8Array(0);
const GNU_MAGIC_BYTES = Uint8Array.from(GNU_MAGIC, (c) => c.charCodeAt(0));
const USTAR_PREFIX_BYTES = Uint8Array.from('ustar', (c) => c.charCodeAt(0));

/** GNU when the 8 bytes at MAGIC are "ustar  \0"; ustar when they start with "ustar"; v7 otherwise. */
function formatOf(block: Uint8Array): TarFormat {
  let gnu = true;
  for (let i = 0; i < GNU_MAGIC_BYTES.length; i++) if (block[MAGIC[0] + i] !== GNU_MAGIC_BYTES[i]) gnu = false;
  if (gnu) return 'gnu';
  for (let i = 0; i < USTAR_PREFIX_BYTES.length; i++) if (block[MAGIC[0] + i] !== USTAR_PREFIX_BYTES[i]) return 'v7';
  return 'ustar';
}

/**
 * The header checksum: the sum of all 512 bytes with the checksum field counted as spaces. Some old
 * tars summed signed chars, so that sum is accepted too (as GNU tar does).
 */
function verifyChecksum(block: Uint8Array): void {
  const stored = parseOctalAt(block, CHKSUM[0], CHKSUM[1]);
  if (stored === undefined) throw new HeaderError('unreadable header checksum (not a tar header)');
  const unsigned = computeChecksum(block);
  if (stored === unsigned) return;
  let high = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) if (block[i]! >= 0x80 && (i < CHKSUM[0] || i >= CHKSUM[0] + CHKSUM[1])) high++;
  const signed = unsigned - 0x100 * high;
  if (stored !== signed) throw new HeaderError(`header checksum mismatch (stored ${stored}, computed ${unsigned})`);
}

/** The unsigned header checksum (the checksum field counted as eight spaces). */
export function computeChecksum(block: Uint8Array): number {
  let sum = block.byteOffset % 4 === 0 ? sumAligned(block) : sumBytes(block);
  for (let i = CHKSUM[0]; i < CHKSUM[0] + CHKSUM[1]; i++) sum += 0x20 - block[i]!;
  return sum;
}

function sumBytes(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) sum += block[i]!;
  return sum;
}

/**
 * The byte sum of a 4-byte-aligned block, four bytes per step: every header of an archive is summed,
 * so this is on the reader's hot path. Each 16-bit lane of the two accumulators adds one byte per
 * word; 128 words of at most 255 stay below 2^16, so lanes never carry into each other.
 */
function sumAligned(block: Uint8Array): number {
  const words = new Uint32Array(block.buffer, block.byteOffset, BLOCK_SIZE / 4);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    even += w & 0x00ff00ff;
    odd += (w >>> 8) & 0x00ff00ff;
  }
  return (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
}

/** Bytes up to the first NUL. */
export function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** The field's bytes up to its first NUL, as a view of the block. */
function cStringAt(block: Uint8Array, [offset, length]: readonly [number, number]): Uint8Array {
  let end = offset;
  const limit = offset + length;
  while (end < limit && block[end] !== 0) end++;
  return end === offset ? EMPTY : block.subarray(offset, end);
}

function latin1(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  // Owner names are short: building the string directly beats wrapping them in a Buffer.
  if (bytes.length <= 32) return String.fromCharCode(...bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

function readNumber(block: Uint8Array, [offset, length]: readonly [number, number], what: string): number {
  const value = (block[offset]! & 0x80) !== 0 ? parseBase256(block.subarray(offset, offset + length)) : parseOctalAt(block, offset, length);
  if (value === undefined) throw new HeaderError(`unreadable ${what} field`);
  return value;
}

/**
 * A numeric field: octal digits (leading spaces, trailing NUL/space), or GNU base-256 — the first
 * byte's high bit set, the rest a big-endian two's-complement number (0x80 positive, 0xff negative).
 * Undefined when malformed or beyond 2^53.
 */
export function parseNumeric(bytes: Uint8Array): number | undefined {
  if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) return parseBase256(bytes);
  return parseOctalAt(bytes, 0, bytes.length);
}

function parseBase256(bytes: Uint8Array): number | undefined {
  const negative = (bytes[0]! & 0x40) !== 0;
  // The first byte keeps 6 value bits (bit 7 is the marker, bit 6 the sign).
  let value = negative ? (bytes[0]! & 0x3f) - 0x40 : bytes[0]! & 0x3f;
  for (let i = 1; i < bytes.length; i++) {
    value = value * 256 + bytes[i]!;
    if (!Number.isSafeInteger(value)) return undefined;
  }
  return value;
}

/** Octal digits in bytes[offset, offset + length), read in place. */
function parseOctalAt(bytes: Uint8Array, offset: number, length: number): number | undefined {
  const end = offset + length;
  let i = offset;
  while (i < end && bytes[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0 || b === 0x20) break;
    if (b < 0x30 || b > 0x37) return undefined;
    value = value * 8 + (b - 0x30);
    digits++;
  }
  for (; i < end; i++) if (bytes[i] !== 0 && bytes[i] !== 0x20) return undefined;
  // An all-empty field reads as 0, as GNU tar and libarchive read it.
  return digits === 0 ? 0 : value;
}

/** The old GNU sparse map: `count` (offset, numbytes) pairs starting at `at`, stopping at the first empty one. */
export function decodeGnuSparseEntries(block: Uint8Array, at: number, count: number): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (let i = 0; i < count; i++) {
    const base = at + i * GNU_SPARSE_ENTRY_SIZE;
    if (block[base] === 0) break;
    const offset = parseNumeric(block.subarray(base, base + 12));
    const length = parseNumeric(block.subarray(base + 12, base + 24));
    if (offset === undefined || length === undefined) throw new HeaderError('unreadable GNU sparse map entry');
    out.push({ offset, length });
  }
  return out;
}

export interface HeaderFields {
  name: Uint8Array;
  prefix?: Uint8Array;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname?: Uint8Array;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
}

/**
 * Encodes a POSIX ustar header. Callers make sure every value fits (the writer moves what does not
 * into a pax record first); a value that does not fit is a programming error.
 */
export function encodeHeader(h: HeaderFields): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  putBytes(block, NAME, h.name);
  putOctal(block, MODE, h.mode);
  putOctal(block, UID, h.uid);
  putOctal(block, GID, h.gid);
  putOctal(block, SIZE, h.size);
  putOctal(block, MTIME, h.mtime);
  block[TYPEFLAG] = h.typeflag.charCodeAt(0);
  putBytes(block, LINKNAME, h.linkname ?? new Uint8Array(0));
  block.set(Buffer.from(USTAR_MAGIC, 'latin1'), MAGIC[0]);
  putBytes(block, UNAME, Buffer.from(h.uname ?? '', 'latin1'));
  putBytes(block, GNAME, Buffer.from(h.gname ?? '', 'latin1'));
  putOctal(block, DEVMAJOR, h.devmajor ?? 0);
  putOctal(block, DEVMINOR, h.devminor ?? 0);
  putBytes(block, PREFIX, h.prefix ?? new Uint8Array(0));
  // The checksum field: six octal digits, NUL, space (as every tar writes it).
  const sum = computeChecksum(block);
  block.set(Buffer.from(`${sum.toString(8).padStart(6, '0')}\x00 `, 'latin1'), CHKSUM[0]);
  return block;
}

/** Largest value an octal field of `length` bytes holds (length - 1 digits and a NUL). */
export function octalLimit(length: number): number {
  return 8 ** (length - 1) - 1;
}

function putOctal(block: Uint8Array, [offset, length]: readonly [number, number], value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > octalLimit(length)) throw new RangeError(`tar header: ${value} does not fit ${length} bytes`);
  block.set(Buffer.from(value.toString(8).padStart(length - 1, '0'), 'latin1'), offset);
}

function putBytes(block: Uint8Array, [offset, length]: readonly [number, number], bytes: Uint8Array): void {
  if (bytes.length > length) throw new RangeError(`tar header: ${bytes.length} bytes do not fit ${length}`);
  block.set(bytes, offset);
}
