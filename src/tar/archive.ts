/**
 * Walks the members of one uncompressed tar file and yields resolved entries: pax `x`/`g` records,
 * GNU long names (`L`/`K`) and GNU sparse maps are folded into the entry they describe. Member data
 * is not read: an entry says where its bytes lie in the archive file.
 *
 * Errors name the archive, the entry (when its name is known) and the byte offset of the entry's
 * first header block.
 */
import { inputError, type TsdibError } from '../errors.js';
import { NO_XATTRS } from '../tree/tree.js';
import type { Timestamp } from '../tree/types.js';
import {
  BLOCK_SIZE,
  GNU_EXTENSION_IS_EXTENDED,
  GNU_IS_EXTENDED,
  GNU_REALSIZE,
  GNU_SPARSE_ENTRIES_IN_EXTENSION,
  GNU_SPARSE_ENTRIES_IN_HEADER,
  GNU_SPARSE_MAP,
  HeaderError,
  cString,
  decodeGnuSparseEntries,
  decodeHeader,
  isZeroBlock,
  parseNumeric,
  type TarHeader,
} from './header.js';
import { PaxError, parsePaxRecords, parsePaxTime, type PaxRecord } from './pax.js';
import { SparseError, checkSparseMap, sparseMapFromData10, sparseMapFromPax00, sparseMapFromPax01, type SparseRegion } from './sparse.js';
import type { ArchiveFile } from './source.js';
import { XattrError, xattrsFromPax } from './xattrs.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** A run of a regular file's bytes: `length` bytes at `offset` in the file, stored at `archiveOffset`. */
export interface DataRegion {
  readonly offset: number;
  readonly length: number;
  readonly archiveOffset: number;
}

export interface TarEntry {
  /** The member's path as the archive spells it (not yet normalised). */
  readonly path: string;
  /** Byte offset of the entry's first header block (its pax or long-name header, if any). */
  readonly headerOffset: number;
  readonly type: EntryType;
  /** Permission bits only (07777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: Timestamp;
  readonly atime: Timestamp;
  readonly ctime: Timestamp;
  /** The file's real size (for sparse members, the size with holes). */
  readonly size: number;
  /** Data regions for 'file', ascending; the gaps between them are holes. */
  readonly regions: readonly DataRegion[];
  /** Symlink target or hard-link target path. */
  readonly linkTarget: string;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly xattrs: Map<string, Uint8Array>;
}

/** Largest metadata member (pax header, GNU long name) we read into memory. */
const MAX_METADATA_SIZE = 64 << 20;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Where the reader is, for error messages. */
class Location {
  constructor(
    readonly archive: string,
    public headerOffset = 0,
    public name: string | undefined = undefined,
  ) {}

  error(reason: string): TsdibError {
    const what = this.name === undefined ? `header at byte ${this.headerOffset}` : `entry "${this.name}" at byte ${this.headerOffset}`;
    return inputError(`${this.archive}: ${what}: ${reason}`, 'the archive is truncated or corrupt: re-create it');
  }
}

/** Metadata collected from `x`, `L` and `K` members for the next real member. */
interface Pending {
  start: number;
  pax: PaxRecord[];
  longName?: Uint8Array;
  longLink?: Uint8Array;
}

/**
 * Yields every entry of `file` in archive order. `displayName` names the archive in errors (the
 * user's file name, even when `file` is a decompressed spool).
 */
export function* readArchive(file: ArchiveFile, displayName: string): Generator<TarEntry> {
  const loc = new Location(displayName);
  let globals: PaxRecord[] = [];
  let pending: Pending | undefined;
  let pos = 0;
  for (;;) {
    loc.headerOffset = pending?.start ?? pos;
    loc.name = undefined;
    const block = file.read(pos, BLOCK_SIZE);
    if (!block) {
      throw loc.error(pos === file.size ? 'the archive ends without its end-of-archive blocks (truncated?)' : `the file ends inside a header block (${file.size} bytes)`);
    }
    if (isZeroBlock(block)) {
      if (pending) throw loc.error('metadata header not followed by a member');
      return;
    }
    const header = guard(loc, () => decodeHeader(block));
    pending ??= { start: pos, pax: [] };
    const dataOffset = pos + BLOCK_SIZE;
    const stored = storedSize(header, pending.pax, loc);
    const nextHeader = dataOffset + roundUp(stored);
    switch (header.typeflag) {
      case 'x':
        pending.pax.push(...guard(loc, () => parsePaxRecords(readMetadata(file, dataOffset, header.size, loc))));
        break;
      case 'g':
        globals = [...globals, ...guard(loc, () => parsePaxRecords(readMetadata(file, dataOffset, header.size, loc)))];
        pending = undefined;
        break;
      case 'L':
        // Copied: the bytes read are valid only until the next read (ArchiveFile.read).
        pending.longName = cString(readMetadata(file, dataOffset, header.size, loc)).slice();
        break;
      case 'K':
        pending.longLink = cString(readMetadata(file, dataOffset, header.size, loc)).slice();
        break;
      case 'V': // volume label: not a file
        pending = undefined;
        break;
      default: {
        const { entry, dataEnd } = resolveEntry(file, loc, header, pending, globals, dataOffset, stored);
        pending = undefined;
        yield entry;
        pos = Math.max(nextHeader, roundUp(dataEnd));
        continue;
      }
    }
    pos = nextHeader;
  }
}

function resolveEntry(
  file: ArchiveFile,
  loc: Location,
  header: TarHeader,
  pending: Pending,
  globals: readonly PaxRecord[],
  dataOffset: number,
  stored: number,
): { entry: TarEntry; dataEnd: number } {
  // Most members of a plain tar have no pax records at all: no maps to build for them.
  const records = globals.length === 0 ? pending.pax : pending.pax.length === 0 ? globals : [...globals, ...pending.pax];
  const pax = records.length === 0 ? NO_PAX : lastValues(records);
  const rawPath = pax.get('GNU.sparse.name') ?? pax.get('path') ?? pending.longName ?? joinPrefix(header);
  const path = decodeName(rawPath, loc, 'name');
  loc.name = path;
  const linkTarget = decodeName(pax.get('linkpath') ?? pending.longLink ?? header.linkname, loc, 'link name');
  const type = entryType(header, path, loc);
  const mtime = paxTime(pax, 'mtime', loc) ?? { sec: header.mtime, nsec: 0 };
  let size = stored;
  let regions: DataRegion[] = [];
  let dataEnd = dataOffset + stored;
  if (type === 'file') {
    const sparse = guard(loc, () => sparseLayout(file, header, pax, pending.pax, dataOffset, stored, loc));
    if (sparse) {
      size = sparse.realSize;
      regions = sparse.regions;
      dataEnd = sparse.dataEnd;
    } else if (stored > 0) {
      regions = [{ offset: 0, length: stored, archiveOffset: dataOffset }];
    }
  }
  if (dataEnd > file.size) throw loc.error(`member data ends at byte ${dataEnd} but the archive has ${file.size} bytes (truncated)`);
  const entry: TarEntry = {
    path,
    headerOffset: pending.start,
    type,
    mode: header.mode & 0o7777,
    uid: paxNumber(pax, 'uid', loc) ?? header.uid,
    gid: paxNumber(pax, 'gid', loc) ?? header.gid,
    mtime,
    atime: paxTime(pax, 'atime', loc) ?? mtime,
    ctime: paxTime(pax, 'ctime', loc) ?? mtime,
    size,
    regions,
    linkTarget,
    devMajor: paxNumber(pax, 'SCHILY.devmajor', loc) ?? header.devmajor,
    devMinor: paxNumber(pax, 'SCHILY.devminor', loc) ?? header.devminor,
    xattrs: records.length === 0 ? NO_XATTRS : guard(loc, () => xattrsFromPax(records)),
  };
  return { entry, dataEnd };
}

/** The member's stored data size: pax `size` overrides the header (large files). */
function storedSize(header: TarHeader, pax: readonly PaxRecord[], loc: Location): number {
  return paxNumber(lastValues(pax), 'size', loc) ?? header.size;
}

function entryType(header: TarHeader, path: string, loc: Location): EntryType {
  switch (header.typeflag) {
    case '0':
    case '7': // contiguous file: a regular file everywhere but one 1980s system
      // Pre-POSIX tars (and some careless writers) mark directories with a trailing slash only.
      return path.endsWith('/') ? 'dir' : 'file';
    case 'S':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'char';
    case '4':
      return 'block';
    case '5':
    case 'D': // GNU dumpdir: a directory whose data lists its contents
      return 'dir';
    case '6':
      return 'fifo';
    default:
      throw loc.error(`unsupported member type "${header.typeflag}"`);
  }
}

interface SparseLayout {
  realSize: number;
  regions: DataRegion[];
  dataEnd: number;
}

/** The data layout of a GNU sparse member, or undefined for an ordinary file. */
function sparseLayout(
  file: ArchiveFile,
  header: TarHeader,
  pax: Map<string, Uint8Array>,
  localPax: readonly PaxRecord[],
  dataOffset: number,
  stored: number,
  loc: Location,
): SparseLayout | undefined {
  if (header.typeflag === 'S') return oldGnuSparse(file, dataOffset, stored, loc);
  const realSizeText = pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size');
  if (latin1(pax.get('GNU.sparse.major')) === '1') {
    // Format 1.0: the map leads the data, padded to a block.
    let mapBlocks = 1;
    let parsed: ReturnType<typeof sparseMapFromData10>;
    for (;;) {
      parsed = sparseMapFromData10(readMetadata(file, dataOffset, Math.min(stored, mapBlocks * BLOCK_SIZE), loc));
      if (parsed || mapBlocks * BLOCK_SIZE >= stored) break;
      mapBlocks++;
    }
    if (!parsed) throw new SparseError('sparse 1.0 map runs past the member data');
    const realSize = requireNumber(realSizeText, 'GNU.sparse.realsize');
    return place(parsed.map, realSize, dataOffset + parsed.mapBytes, stored - parsed.mapBytes);
  }
  const map01 = pax.get('GNU.sparse.map');
  if (map01) return place(sparseMapFromPax01(latin1(map01)), requireNumber(realSizeText, 'GNU.sparse.size'), dataOffset, stored);
  if (localPax.some((r) => r.key === 'GNU.sparse.offset')) {
    return place(sparseMapFromPax00(localPax), requireNumber(realSizeText, 'GNU.sparse.size'), dataOffset, stored);
  }
  return undefined;
}

/** Old GNU sparse ('S'): 4 map entries in the header, 21 per extension block that follows it. */
function oldGnuSparse(file: ArchiveFile, dataOffset: number, stored: number, loc: Location): SparseLayout {
  const block = file.read(dataOffset - BLOCK_SIZE, BLOCK_SIZE)!;
  const map = decodeGnuSparseEntries(block, GNU_SPARSE_MAP, GNU_SPARSE_ENTRIES_IN_HEADER);
  const realSize = parseNumeric(block.subarray(GNU_REALSIZE[0], GNU_REALSIZE[0] + GNU_REALSIZE[1]));
  if (realSize === undefined) throw new HeaderError('unreadable GNU sparse real size');
  let extended = block[GNU_IS_EXTENDED] !== 0;
  let at = dataOffset;
  while (extended) {
    const ext = file.read(at, BLOCK_SIZE);
    if (!ext) throw loc.error('the file ends inside a GNU sparse extension block');
    map.push(...decodeGnuSparseEntries(ext, 0, GNU_SPARSE_ENTRIES_IN_EXTENSION));
    extended = ext[GNU_EXTENSION_IS_EXTENDED] !== 0;
    at += BLOCK_SIZE;
  }
  return place(map, realSize, at, stored);
}

/** Lays the map's regions over the stored bytes that start at `dataStart`. */
function place(map: readonly SparseRegion[], realSize: number, dataStart: number, storedData: number): SparseLayout {
  const checked = checkSparseMap(map, realSize, storedData);
  const regions: DataRegion[] = [];
  let at = dataStart;
  for (const r of checked) {
    regions.push({ offset: r.offset, length: r.length, archiveOffset: at });
    at += r.length;
  }
  return { realSize, regions, dataEnd: dataStart + storedData };
}

function readMetadata(file: ArchiveFile, offset: number, length: number, loc: Location): Uint8Array {
  if (length > MAX_METADATA_SIZE) throw loc.error(`metadata member of ${length} bytes is implausibly large`);
  const bytes = file.read(offset, length);
  if (!bytes) throw loc.error(`the file ends inside a metadata member (needs bytes up to ${offset + length}, has ${file.size})`);
  return bytes;
}

function joinPrefix(header: TarHeader): Uint8Array {
  if (header.prefix.length === 0) return header.name;
  return Buffer.concat([header.prefix, Buffer.from('/'), header.name]);
}

function decodeName(bytes: Uint8Array, loc: Location, what: string): string {
  if (bytes.length === 0) return ''; // most entries have no link name
  try {
    return utf8.decode(bytes);
  } catch {
    throw inputError(
      `${loc.archive}: entry at byte ${loc.headerOffset}: ${what} "${Buffer.from(bytes).toString('latin1')}" is not valid UTF-8`,
      'rename the file in the source tree (tsdib stores names as UTF-8)',
    );
  }
}

const NO_PAX: Map<string, Uint8Array> = new Map();

/** The last value of each key (a later record, or an entry's own over a global one, wins). */
function lastValues(records: readonly PaxRecord[]): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const r of records) m.set(r.key, r.value);
  return m;
}

function paxNumber(pax: Map<string, Uint8Array>, key: string, loc: Location): number | undefined {
  const v = pax.get(key);
  if (v === undefined) return undefined;
  const s = latin1(v);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw loc.error(`pax ${key} "${s.slice(0, 40)}" is not a number`);
  return Number(s);
}

function paxTime(pax: Map<string, Uint8Array>, key: string, loc: Location): Timestamp | undefined {
  const v = pax.get(key);
  if (v === undefined) return undefined;
  const t = parsePaxTime(latin1(v));
  if (!t) throw loc.error(`pax ${key} "${latin1(v).slice(0, 40)}" is not a time`);
  return t;
}

function requireNumber(v: Uint8Array | undefined, key: string): number {
  const s = latin1(v);
  if (!/^\d+$/.test(s)) throw new SparseError(`sparse member without a valid ${key}`);
  return Number(s);
}

function latin1(v: Uint8Array | undefined): string {
  return v === undefined ? '' : Buffer.from(v).toString('latin1');
}

function roundUp(n: number): number {
  return Math.ceil(n / BLOCK_SIZE) * BLOCK_SIZE;
}

/** Runs a codec step, turning its error into one that names the archive, entry and offset. */
function guard<T>(loc: Location, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof HeaderError || e instanceof PaxError || e instanceof SparseError || e instanceof XattrError) throw loc.error(e.message);
    throw e;
  }
}
