/**
 * Extended attributes (kernel Documentation/filesystems/ext4/attributes.rst): entries with a name
 * index (prefix) and the rest of the name, values 4-byte aligned; stored in the inode after its extra
 * fields (after a 0xEA020000 magic) and, when they do not fit there, in one xattr block with a 32-byte
 * header and a crc32c. Pure codec.
 */
import { inputError } from '../../errors.js';
import { aclXattrToExt4 } from './acl.js';
import { crc32cRaw } from './crc32c.js';

export const XATTR_MAGIC = 0xea020000;
// attributes.rst: struct ext4_xattr_header (32 bytes).
const H_MAGIC = 0x0;
const H_REFCOUNT = 0x4;
const H_BLOCKS = 0x8;
const H_HASH = 0xc;
const H_CHECKSUM = 0x10;
const BLOCK_HEADER_SIZE = 32;
// struct ext4_xattr_entry (16 bytes + name).
const E_NAME_LEN = 0x0;
const E_NAME_INDEX = 0x1;
const E_VALUE_OFFS = 0x2;
const E_VALUE_SIZE = 0x8;
const E_HASH = 0xc;
const E_NAME = 0x10;
const IBODY_MAGIC_SIZE = 4;
const END_MARKER = 4;

/** Name prefixes and their indexes (attributes.rst "Attribute Name Indices"); longest prefix first. */
const PREFIXES: readonly [string, number][] = [
  ['system.posix_acl_access', 2],
  ['system.posix_acl_default', 3],
  ['system.richacl', 8],
  ['user.', 1],
  ['trusted.', 4],
  ['security.', 6],
  ['system.', 7],
];

export interface XattrEntry {
  index: number;
  name: Uint8Array;
  value: Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * Turns a tree's xattrs (full names, Linux values) into ext4 entries: prefix → index, POSIX ACLs
 * converted to ext4's format; sorted as the kernel keeps xattr blocks (index, name length, name).
 */
export function toXattrEntries(xattrs: ReadonlyMap<string, Uint8Array>, path: string): XattrEntry[] {
  const out: XattrEntry[] = [];
  for (const [full, value] of xattrs) {
    const p = PREFIXES.find(([prefix, index]) => (index === 2 || index === 3 || index === 8 ? full === prefix : full.startsWith(prefix)));
    if (!p) throw inputError(`${path}: extended attribute "${full}" has a namespace ext4 cannot store`, 'use user., trusted., security. or system.');
    const name = utf8.encode(full.slice(p[0].length));
    if (name.length > 255) throw inputError(`${path}: extended attribute name "${full}" is longer than 255 bytes`);
    const v = p[1] === 2 || p[1] === 3 ? aclXattrToExt4(value, `${path}: ${full}`) : value;
    out.push({ index: p[1], name, value: v });
  }
  out.sort((a, b) => a.index - b.index || a.name.length - b.name.length || Buffer.compare(a.name, b.name));
  return out;
}

const entrySize = (e: XattrEntry) => (E_NAME + e.name.length + 3) & ~3;
const valueSize = (e: XattrEntry) => (e.value.length + 3) & ~3;
/** Bytes an entry takes in an xattr area: its record plus its padded value. */
export const xattrCost = (e: XattrEntry) => entrySize(e) + valueSize(e);

/**
 * The entry hash (e2fsprogs ext2fs_ext_attr_hash_entry): name bytes as signed chars, then the value as
 * little-endian words; e2fsck checks it for block entries.
 */
export function entryHash(e: XattrEntry): number {
  let hash = 0;
  for (const b of e.name) hash = ((hash << 5) ^ (hash >>> 27) ^ (b < 0x80 ? b : b - 256)) >>> 0;
  const padded = new Uint8Array(valueSize(e));
  padded.set(e.value);
  const v = new DataView(padded.buffer);
  for (let at = 0; at < padded.length; at += 4) hash = ((hash << 16) ^ (hash >>> 16) ^ v.getUint32(at, true)) >>> 0;
  return hash;
}

/**
 * Lays entries into an area: records from `entriesAt`, values packed down from `end`; value offsets
 * are relative to `base`. Returns the entry hashes.
 */
function layEntries(area: Uint8Array, entries: readonly XattrEntry[], entriesAt: number, end: number, base: number): number[] {
  const v = new DataView(area.buffer, area.byteOffset, area.byteLength);
  let at = entriesAt;
  let valueAt = end;
  const hashes: number[] = [];
  for (const e of entries) {
    valueAt -= valueSize(e);
    area.set(e.value, valueAt);
    const hash = entryHash(e);
    v.setUint8(at + E_NAME_LEN, e.name.length);
    v.setUint8(at + E_NAME_INDEX, e.index);
    v.setUint16(at + E_VALUE_OFFS, e.value.length ? valueAt - base : 0, true);
    v.setUint32(at + E_VALUE_SIZE, e.value.length, true);
    v.setUint32(at + E_HASH, hash, true);
    area.set(e.name, at + E_NAME);
    hashes.push(hash);
    at += entrySize(e);
  }
  return hashes;
}

/** Splits entries: as many as fit in the inode's area (in order), the rest for a block. */
export function splitXattrs(entries: readonly XattrEntry[], inlineSpace: number): { inline: XattrEntry[]; block: XattrEntry[] } {
  const room = inlineSpace - IBODY_MAGIC_SIZE - END_MARKER;
  const inline: XattrEntry[] = [];
  const block: XattrEntry[] = [];
  let used = 0;
  for (const e of entries) {
    if (block.length === 0 && used + xattrCost(e) <= room) {
      inline.push(e);
      used += xattrCost(e);
    } else {
      block.push(e);
    }
  }
  return { inline, block };
}

/** Whether entries fit one xattr block. */
export function fitsXattrBlock(entries: readonly XattrEntry[], blockSize: number): boolean {
  return BLOCK_HEADER_SIZE + END_MARKER + entries.reduce((n, e) => n + xattrCost(e), 0) <= blockSize;
}

/** The in-inode area (`inlineSpace` bytes: magic, entries, values), or empty when there are no entries. */
export function encodeInlineXattrs(entries: readonly XattrEntry[], inlineSpace: number): Uint8Array {
  if (entries.length === 0) return new Uint8Array(0);
  const area = new Uint8Array(inlineSpace);
  new DataView(area.buffer).setUint32(0, XATTR_MAGIC, true);
  layEntries(area, entries, IBODY_MAGIC_SIZE, inlineSpace, IBODY_MAGIC_SIZE);
  return area;
}

/**
 * An xattr block at physical block `blockNumber` shared by `refcount` inodes. Its checksum is
 * crc32c(fs seed, 64-bit block number, block with h_checksum zero) (attributes.rst).
 */
export function encodeXattrBlock(entries: readonly XattrEntry[], blockSize: number, refcount: number, blockNumber: number, csumSeed: number | undefined): Uint8Array {
  const block = new Uint8Array(blockSize);
  const v = new DataView(block.buffer);
  v.setUint32(H_MAGIC, XATTR_MAGIC, true);
  v.setUint32(H_REFCOUNT, refcount, true);
  v.setUint32(H_BLOCKS, 1, true);
  const hashes = layEntries(block, entries, BLOCK_HEADER_SIZE, blockSize, 0);
  // Block hash over the entry hashes (e2fsprogs ext2fs_ext_attr_block_rehash).
  let h = 0;
  for (const eh of hashes) h = ((h << 16) ^ (h >>> 16) ^ eh) >>> 0;
  v.setUint32(H_HASH, h, true);
  if (csumSeed !== undefined) {
    const num = new Uint8Array(8);
    new DataView(num.buffer).setBigUint64(0, BigInt(blockNumber), true);
    v.setUint32(H_CHECKSUM, crc32cRaw(crc32cRaw(csumSeed, num), block), true);
  }
  return block;
}

/** A key identifying an entry set, so identical sets share one block. */
export function xattrSetKey(entries: readonly XattrEntry[]): string {
  return entries.map((e) => `${e.index}:${Buffer.from(e.name).toString('hex')}=${Buffer.from(e.value).toString('hex')}`).join(',');
}
