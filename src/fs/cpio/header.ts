/**
 * The "newc" cpio header (SVR4 portable ASCII, magic 070701): what the Linux kernel unpacks as an
 * initramfs (Documentation/driver-api/early-userspace/buffer-format.rst) and `cpio -H newc` writes.
 *
 * A member is: 110 bytes of header (the magic, then 13 fields of 8 ASCII hex digits), the name with
 * its terminating NUL, zero padding to a multiple of 4, the data, zero padding to a multiple of 4.
 * The archive ends with a member named "TRAILER!!!". Every numeric field is 32 bits.
 */

/** buffer-format.rst: c_magic "070701" (070702 is the variant with a checksum; we write none). */
export const NEWC_MAGIC = '070701';
/** 6 bytes of magic + 13 fields × 8 hex digits. */
export const HEADER_SIZE = 110;
/** Headers, names and data are each padded to this alignment. */
export const ALIGNMENT = 4;
/** The name of the last member, which marks the end of the archive. */
export const TRAILER_NAME = 'TRAILER!!!';
/** Largest value one 8-hex-digit field holds. */
export const FIELD_MAX = 0xffffffff;

/** The fields in header order (buffer-format.rst table); c_namesize and c_check are derived. */
export interface NewcFields {
  ino: number;
  /** st_mode: type bits and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Bytes of data that follow the name (symlinks: the target). */
  filesize: number;
  devmajor: number;
  devminor: number;
  rdevmajor: number;
  rdevminor: number;
}

/** Field order after the magic; c_namesize and c_check sit at positions 11 and 12. */
const FIELD_ORDER = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor'] as const;

/** Bytes of zero padding after `length` bytes to reach the next ALIGNMENT boundary. */
export function paddingAfter(length: number): number {
  return (ALIGNMENT - (length % ALIGNMENT)) % ALIGNMENT;
}

function hex8(value: number, field: string, name: string): string {
  if (!Number.isInteger(value) || value < 0 || value > FIELD_MAX) {
    throw new RangeError(`cpio member "${name}": ${field} ${value} does not fit newc's 32-bit field`);
  }
  return value.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * Header + name + NUL + padding, as one buffer; the caller writes the data and its padding.
 * `name` is UTF-8 encoded; c_namesize counts the NUL. Throws RangeError when a value is too large
 * (callers turn that into an input error naming the file).
 */
export function encodeNewcHeader(fields: NewcFields, name: string): Uint8Array {
  const nameBytes = Buffer.from(name, 'utf8');
  const nameSize = nameBytes.length + 1;
  let text = NEWC_MAGIC;
  for (const key of FIELD_ORDER) text += hex8(fields[key], key, name);
  text += hex8(nameSize, 'namesize', name);
  text += hex8(0, 'check', name); // c_check: 0 in 070701 archives
  const headerAndName = HEADER_SIZE + nameSize;
  const out = new Uint8Array(headerAndName + paddingAfter(headerAndName));
  out.set(Buffer.from(text, 'latin1'), 0);
  out.set(nameBytes, HEADER_SIZE);
  return out;
}

/** The trailer member that ends every archive (all fields zero but nlink 1, as GNU cpio writes it). */
export function encodeTrailer(): Uint8Array {
  return encodeNewcHeader({ ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, filesize: 0, devmajor: 0, devminor: 0, rdevmajor: 0, rdevminor: 0 }, TRAILER_NAME);
}

/** Decodes a header (for tests and for reading an archive back); throws on a bad magic. */
export function decodeNewcHeader(bytes: Uint8Array, offset = 0): { fields: NewcFields; name: string; dataOffset: number } {
  const text = Buffer.from(bytes.subarray(offset, offset + HEADER_SIZE)).toString('latin1');
  if (text.slice(0, 6) !== NEWC_MAGIC) throw new RangeError(`no newc magic at byte ${offset}`);
  const field = (i: number) => parseInt(text.slice(6 + i * 8, 14 + i * 8), 16);
  const fields = Object.fromEntries(FIELD_ORDER.map((k, i) => [k, field(i)])) as unknown as NewcFields;
  const nameSize = field(11);
  const nameStart = offset + HEADER_SIZE;
  const name = Buffer.from(bytes.subarray(nameStart, nameStart + nameSize - 1)).toString('utf8');
  const headerAndName = HEADER_SIZE + nameSize;
  return { fields, name, dataOffset: offset + headerAndName + paddingAfter(headerAndName) };
}
