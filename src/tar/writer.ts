/**
 * FileTree → POSIX pax tar (`tsdib … -t tar`, DIB's tar output). Ownership is numeric, modes keep
 * setuid/setgid/sticky, xattrs travel as SCHILY.xattr.* with their raw bytes (what GNU tar --xattrs
 * and bsdtar read), times keep nanoseconds, hard links become typeflag '1' members naming the first
 * path, and files with holes become GNU sparse 1.0 members. Bodies are streamed chunk by chunk.
 *
 * Deterministic: members in FileTree.walk() order, the pax header blocks stamped with `epoch`,
 * nothing from the clock or the host's user database. Sockets cannot be archived (tar has no type
 * for them) and are skipped, as GNU tar skips them.
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import { writeFully } from '../disk/file.js';
import { inputError } from '../errors.js';
import { AtomicOutput } from '../output.js';
import { BodyReader } from '../tree/body.js';
import type { FileTree } from '../tree/tree.js';
import type { Body, Inode, Timestamp } from '../tree/types.js';
import { BLOCK_SIZE, NAME, LINKNAME, MTIME, SIZE, UID, DEVMAJOR, encodeHeader, octalLimit, type HeaderFields } from './header.js';
import { encodePaxRecords, formatPaxTime, type PaxRecord } from './pax.js';
import { xattrRecord } from './xattrs.js';

export interface WriteTarOptions {
  /** Seconds since the epoch stamped on the pax header blocks themselves (SOURCE_DATE_EPOCH). */
  epoch: number;
  /** Replace an existing output file (path output only). */
  force?: boolean;
}

export interface WriteTarResult {
  /** Archive size in bytes. */
  bytes: number;
  members: number;
  /** Sockets left out (tar cannot store them). */
  skippedSockets: number;
}

const CHUNK = 1 << 20;
const TYPEFLAG: Readonly<Record<Exclude<Inode['type'], 'socket'>, string>> = {
  file: '0',
  dir: '5',
  symlink: '2',
  char: '3',
  block: '4',
  fifo: '6',
};
const ZERO_BLOCK = new Uint8Array(BLOCK_SIZE);

/** Writes `tree` as a pax tar to a path (atomically) or to a stream (with backpressure). */
export async function writeTar(tree: FileTree, out: string | NodeJS.WritableStream, options: WriteTarOptions): Promise<WriteTarResult> {
  if (typeof out !== 'string') {
    const result = emptyResult();
    for (const chunk of tarChunks(tree, options, result)) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    return result;
  }
  const output = new AtomicOutput(out, { force: options.force });
  try {
    const fd = fs.openSync(output.tempPath, 'w');
    const result = emptyResult();
    try {
      let at = 0;
      for (const chunk of tarChunks(tree, options, result)) {
        writeFully(fd, chunk, at);
        at += chunk.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    output.commit();
    return result;
  } catch (e) {
    output.abort();
    throw e;
  }
}

function emptyResult(): WriteTarResult {
  return { bytes: 0, members: 0, skippedSockets: 0 };
}

/** The archive as a sequence of byte chunks (headers, body pieces, padding, the end blocks). */
export function* tarChunks(tree: FileTree, options: WriteTarOptions, result: WriteTarResult = emptyResult()): Generator<Uint8Array> {
  const reader = new BodyReader();
  const firstPath = new Map<Inode, string>();
  const emit = (bytes: Uint8Array) => {
    result.bytes += bytes.length;
    return bytes;
  };
  try {
    for (const { path, inode } of tree.walk()) {
      if (inode.type === 'socket') {
        result.skippedSockets++;
        continue;
      }
      const name = memberName(path, inode);
      const linkedTo = inode.type === 'dir' ? undefined : firstPath.get(inode);
      if (inode.type !== 'dir' && linkedTo === undefined) firstPath.set(inode, name);
      for (const chunk of memberChunks(name, inode, linkedTo, options, reader)) yield emit(chunk);
      result.members++;
    }
    yield emit(ZERO_BLOCK);
    yield emit(ZERO_BLOCK);
  } finally {
    reader.close();
  }
}

/** "./" for the root, "./a/b" for files, "./a/b/" for directories (as `tar -C root .` names them). */
function memberName(path: string, inode: Inode): string {
  if (path === '/') return './';
  return `.${path}${inode.type === 'dir' ? '/' : ''}`;
}

function* memberChunks(name: string, inode: Inode, linkedTo: string | undefined, options: WriteTarOptions, reader: BodyReader): Generator<Uint8Array> {
  const records: PaxRecord[] = [];
  const body = inode.type === 'file' && linkedTo === undefined ? (inode.body ?? { size: 0, segments: [] }) : undefined;
  const sparse = body !== undefined && isSparse(body);
  const regions = sparse ? blockAlignedRegions(body) : [];
  const sparseMap = sparse ? sparseMapBlock(regions, body.size) : undefined;
  const dataSize = body === undefined ? 0 : sparse ? sparseMap!.length + regions.reduce((n, r) => n + r.length, 0) : body.size;

  let headerName = name;
  if (sparse) {
    // GNU sparse 1.0: the real name and size in pax records, a placeholder name in the header.
    records.push(text('GNU.sparse.major', '1'), text('GNU.sparse.minor', '0'), text('GNU.sparse.name', name), text('GNU.sparse.realsize', String(body.size)));
    headerName = sparsePlaceholder(name);
  }
  const nameBytes = Buffer.from(headerName, 'utf8');
  if (nameBytes.length > NAME[1] && !sparse) records.push(text('path', headerName));
  const linkname = linkedTo ?? (inode.type === 'symlink' ? (inode.linkTarget ?? '') : '');
  const linkBytes = Buffer.from(linkname, 'utf8');
  if (linkBytes.length > LINKNAME[1]) records.push(text('linkpath', linkname));
  if (inode.uid > octalLimit(UID[1])) records.push(text('uid', String(inode.uid)));
  if (inode.gid > octalLimit(UID[1])) records.push(text('gid', String(inode.gid)));
  if (dataSize > octalLimit(SIZE[1])) records.push(text('size', String(dataSize)));
  const mtimeFits = inode.mtime.nsec === 0 && inode.mtime.sec >= 0 && inode.mtime.sec <= octalLimit(MTIME[1]);
  if (!mtimeFits) records.push(text('mtime', formatPaxTime(inode.mtime)));
  if (!sameTime(inode.atime, inode.mtime) || !sameTime(inode.ctime, inode.mtime)) {
    records.push(text('atime', formatPaxTime(inode.atime)), text('ctime', formatPaxTime(inode.ctime)));
  }
  if (inode.rdevMajor > octalLimit(DEVMAJOR[1]) || inode.rdevMinor > octalLimit(DEVMAJOR[1])) {
    throw inputError(`${name}: device number ${inode.rdevMajor}:${inode.rdevMinor} is too large for a tar header`);
  }
  for (const [xname, value] of [...inode.xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) records.push(xattrRecord(xname, value));

  if (records.length > 0) yield* paxMember(name, records, options.epoch);
  const header: HeaderFields = {
    name: nameBytes.length > NAME[1] ? truncateUtf8(nameBytes, NAME[1]) : nameBytes,
    mode: inode.mode & 0o7777,
    uid: Math.min(inode.uid, octalLimit(UID[1])),
    gid: Math.min(inode.gid, octalLimit(UID[1])),
    size: Math.min(dataSize, octalLimit(SIZE[1])),
    mtime: mtimeFits ? inode.mtime.sec : Math.max(0, Math.min(inode.mtime.sec, octalLimit(MTIME[1]))),
    typeflag: linkedTo !== undefined ? '1' : TYPEFLAG[inode.type as keyof typeof TYPEFLAG],
    linkname: linkBytes.length > LINKNAME[1] ? truncateUtf8(linkBytes, LINKNAME[1]) : linkBytes,
    devmajor: inode.rdevMajor,
    devminor: inode.rdevMinor,
  };
  yield encodeHeader(header);
  if (body === undefined) return;
  if (sparse) {
    yield sparseMap!;
    for (const r of regions) yield* bodyRange(reader, body, r.offset, r.length);
  } else {
    yield* bodyRange(reader, body, 0, body.size);
  }
  const tail = dataSize % BLOCK_SIZE;
  if (tail !== 0) yield new Uint8Array(BLOCK_SIZE - tail);
}

function* paxMember(name: string, records: readonly PaxRecord[], epoch: number): Generator<Uint8Array> {
  const data = encodePaxRecords(records);
  const base = name.replace(/\/$/, '').split('/').pop() || '.';
  const headerName = truncateUtf8(Buffer.from(`./PaxHeaders/${base}`, 'utf8'), NAME[1]);
  yield encodeHeader({ name: headerName, mode: 0o644, uid: 0, gid: 0, size: data.length, mtime: Math.max(0, epoch), typeflag: 'x' });
  yield data;
  const tail = data.length % BLOCK_SIZE;
  if (tail !== 0) yield new Uint8Array(BLOCK_SIZE - tail);
}

function* bodyRange(reader: BodyReader, body: Body, offset: number, length: number): Generator<Uint8Array> {
  for (let done = 0; done < length; done += CHUNK) yield reader.read(body, offset + done, Math.min(CHUNK, length - done));
}

function isSparse(body: Body): boolean {
  return body.segments.reduce((n, s) => n + s.length, 0) < body.size;
}

/**
 * The data regions to store, widened to 512-byte boundaries and merged: GNU tar extracts each region
 * from whole blocks (sparse.c, sparse_extract_region), so every region but one that ends the file
 * must be a multiple of 512 bytes. The widening reads holes as zeros, so the content is unchanged.
 */
function blockAlignedRegions(body: Body): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (const s of body.segments) {
    if (s.length === 0) continue;
    const start = Math.floor(s.offset / BLOCK_SIZE) * BLOCK_SIZE;
    const end = Math.min(body.size, Math.ceil((s.offset + s.length) / BLOCK_SIZE) * BLOCK_SIZE);
    const last = out[out.length - 1];
    if (last && start <= last.offset + last.length) last.length = Math.max(last.length, end - last.offset);
    else out.push({ offset: start, length: end - start });
  }
  return out;
}

/** The sparse 1.0 map: count, then offset/length lines, GNU tar's final (size, 0) entry, padded to a block. */
function sparseMapBlock(regions: readonly { offset: number; length: number }[], size: number): Uint8Array {
  const lines = [String(regions.length + 1)];
  for (const r of regions) lines.push(String(r.offset), String(r.length));
  lines.push(String(size), '0');
  const textBytes = Buffer.from(lines.join('\n') + '\n', 'latin1');
  const out = new Uint8Array(Math.ceil(textBytes.length / BLOCK_SIZE) * BLOCK_SIZE);
  out.set(textBytes);
  return out;
}

/** GNU tar's placeholder for sparse 1.0 members: DIR/GNUSparseFile.PID/BASE (PID fixed at 0). */
function sparsePlaceholder(name: string): string {
  const slash = name.lastIndexOf('/');
  return `${name.slice(0, slash + 1)}GNUSparseFile.0/${name.slice(slash + 1)}`;
}

function text(key: string, value: string): PaxRecord {
  return { key, value: Buffer.from(value, 'utf8') };
}

function sameTime(a: Timestamp, b: Timestamp): boolean {
  return a.sec === b.sec && a.nsec === b.nsec;
}

/** At most `max` bytes, cut at a UTF-8 character boundary (the pax record holds the full name). */
function truncateUtf8(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
