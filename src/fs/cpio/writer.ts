/**
 * FileTree → newc cpio archive, optionally compressed: the initramfs format the Linux kernel unpacks
 * (init/initramfs.c). Streams: headers and bodies go out in chunks, no body is held whole.
 *
 * Deterministic: members in FileTree.walk() order (names sorted by bytes), inode numbers counted from
 * 0 in that order and device-of-origin fields zero, as `cpio --reproducible` (--renumber-inodes
 * --ignore-devno) writes them (the kernel and cpio only compare them between members), mtimes from the tree, clamped to `epoch` (SOURCE_DATE_EPOCH) when given, as
 * `tar --clamp-mtime` does; the gzip header carries no time or name.
 *
 * Hard links share one inode number and carry the real nlink; the data goes with the LAST name, the
 * others have size 0: GNU cpio defers size-0 links until the data arrives, and the kernel creates
 * the first name empty, links the later ones to it and writes the data when the last one comes.
 *
 * Not representable in newc, so not written: extended attributes (security.capability, ACLs, SELinux
 * labels: newc has no field for them, and the kernel's unpacker reads none), sub-second times, atime
 * and ctime. Numeric fields are 32 bits: a file of 4 GiB or more is an input error.
 */
import * as fs from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { inputError } from '../../errors.js';
import { AtomicOutput } from '../../output.js';
import { BodyReader } from '../../tree/body.js';
import type { FileTree } from '../../tree/tree.js';
import { MODE_TYPE_BITS, type Inode } from '../../tree/types.js';
import { FIELD_MAX, encodeNewcHeader, encodeTrailer, paddingAfter, type NewcFields } from './header.js';

/** What an initramfs can be compressed with (the CLI's --ramdisk-compression choices). */
export const CPIO_COMPRESSIONS = ['gzip', 'xz', 'zstd', 'none'] as const;
export type CpioCompression = (typeof CPIO_COMPRESSIONS)[number];

export interface WriteCpioOptions {
  /** Clamp every mtime to at most this (seconds since the epoch; SOURCE_DATE_EPOCH). */
  epoch?: number;
  /** 'gzip' (default) is what every kernel unpacks; xz and zstd need the kernel's CONFIG_RD_XZ / CONFIG_RD_ZSTD. */
  compression?: CpioCompression;
  /** gzip 0-9 (default 9), xz 0-9 (default 6), zstd 1-22 (default 19, what initramfs-tools uses). */
  level?: number;
  /** Replace an existing output file (path output only). */
  force?: boolean;
  /**
   * Called as member data goes out: (bytes of data so far, bytes of data in all). Compressing a
   * distribution tree at xz/zstd's high levels takes minutes: the CLI shows this as progress.
   */
  onProgress?: (done: number, total: number) => void;
}

export interface WriteCpioResult {
  /** Size of the cpio stream before compression. */
  cpioBytes: number;
  members: number;
  /** Names whose extended attributes newc could not carry (e.g. security.capability): worth a warning. */
  droppedXattrs: string[];
}

const CHUNK = 1 << 20;
/** What the compressor is fed at a time (see coalesce). */
const BATCH = 1 << 20;
const NO_PADDING = new Uint8Array(0);
const PADDING = [NO_PADDING, new Uint8Array(1), new Uint8Array(2), new Uint8Array(3)];

/** Where a member's data starts and what its header says, one per name in walk order. */
interface Member {
  name: string;
  inode: Inode;
  ino: number;
  /** True for the one name of a hard-linked file that carries the data (the last). */
  carriesData: boolean;
}

/** "." for the root, "a/b" for the rest: how `find . | cpio -o` names members, minus the "./". */
function memberName(path: string): string {
  return path === '/' ? '.' : path.slice(1);
}

/** Every name with its inode number; the last name of each multiply-linked inode carries the data. */
function planMembers(tree: FileTree): Member[] {
  const members: Member[] = [];
  const inoOf = new Map<Inode, number>();
  const lastIndex = new Map<Inode, number>();
  for (const { path, inode } of tree.walk()) {
    let ino = inoOf.get(inode);
    if (ino === undefined) {
      ino = inoOf.size;
      inoOf.set(inode, ino);
    }
    lastIndex.set(inode, members.length);
    members.push({ name: memberName(path), inode, ino, carriesData: false });
  }
  for (const index of lastIndex.values()) members[index]!.carriesData = true;
  return members;
}

function dataSize(member: Member): number {
  const { inode } = member;
  if (inode.type === 'symlink') return Buffer.byteLength(inode.linkTarget ?? '', 'utf8');
  if (inode.type === 'file' && member.carriesData) return inode.body?.size ?? 0;
  return 0;
}

function headerFields(member: Member, nlink: number, options: WriteCpioOptions): NewcFields {
  const { inode } = member;
  const size = dataSize(member);
  if (size > FIELD_MAX) {
    throw inputError(`/${member.name === '.' ? '' : member.name}: ${size} bytes is too large for a newc cpio member`, 'newc stores sizes in 32 bits (under 4 GiB); leave the file out of the ramdisk');
  }
  const sec = options.epoch === undefined ? inode.mtime.sec : Math.min(inode.mtime.sec, options.epoch);
  return {
    ino: member.ino,
    mode: MODE_TYPE_BITS[inode.type] | (inode.mode & 0o7777),
    uid: inode.uid,
    gid: inode.gid,
    nlink,
    mtime: Math.max(0, Math.min(sec, FIELD_MAX)),
    filesize: size,
    devmajor: 0,
    devminor: 0,
    rdevmajor: inode.type === 'char' || inode.type === 'block' ? inode.rdevMajor : 0,
    rdevminor: inode.type === 'char' || inode.type === 'block' ? inode.rdevMinor : 0,
  };
}

function encodeHeaderFor(member: Member, nlink: number, options: WriteCpioOptions): Uint8Array {
  try {
    return encodeNewcHeader(headerFields(member, nlink, options), member.name);
  } catch (e) {
    if (e instanceof RangeError) throw inputError(e.message, 'newc fields are 32-bit: uids, gids, device numbers and times must fit');
    throw e;
  }
}

/** The uncompressed archive as a sequence of chunks: headers, body pieces, padding, the trailer. */
export function* cpioChunks(tree: FileTree, options: WriteCpioOptions = {}, result: WriteCpioResult = emptyResult()): Generator<Uint8Array> {
  const counts = tree.linkCounts();
  const reader = new BodyReader();
  const emit = (bytes: Uint8Array) => {
    result.cpioBytes += bytes.length;
    return bytes;
  };
  const members = planMembers(tree);
  const total = members.reduce((sum, m) => sum + dataSize(m), 0);
  let done = 0;
  try {
    for (const member of members) {
      if (member.inode.xattrs.size > 0 && member.carriesData) result.droppedXattrs.push(member.name === '.' ? '/' : `/${member.name}`);
      yield emit(encodeHeaderFor(member, counts.get(member.inode) ?? 1, options));
      const size = dataSize(member);
      if (size === 0) {
        result.members++;
        continue;
      }
      if (member.inode.type === 'symlink') {
        yield emit(Buffer.from(member.inode.linkTarget ?? '', 'utf8'));
      } else {
        const body = member.inode.body!;
        for (let at = 0; at < size; at += CHUNK) yield emit(reader.read(body, at, Math.min(CHUNK, size - at)));
      }
      done += size;
      options.onProgress?.(done, total);
      yield emit(PADDING[paddingAfter(size)]!);
      result.members++;
    }
    yield emit(encodeTrailer());
  } finally {
    reader.close();
  }
}

/**
 * Joins small chunks (headers of 112 bytes, short files) into buffers of about `size` bytes: each
 * write into a zlib stream costs a trip to the thread pool, and a rootfs has tens of thousands of
 * tiny members. Chunks at least `size` long pass through uncopied.
 */
export function* coalesce(chunks: Iterable<Uint8Array>, size: number): Generator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = () => {
    const out = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return out;
  };
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    if (chunk.length >= size) {
      if (pendingBytes > 0) yield flush();
      yield chunk;
      continue;
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= size) yield flush();
  }
  if (pendingBytes > 0) yield flush();
}

function emptyResult(): WriteCpioResult {
  return { cpioBytes: 0, members: 0, droppedXattrs: [] };
}

/**
 * The compressing transform for `compression`, or undefined for none. xz and zstd are our own encoders
 * (src/compress), so the bytes are the same on every Node.js version (Node's own zstd would differ);
 * they are loaded only when asked for, so commands that write no ramdisk do not pay for them at start-up.
 */
export async function compressorFor(compression: CpioCompression, level?: number): Promise<NodeJS.ReadWriteStream | undefined> {
  const options = level !== undefined ? { level } : {};
  switch (compression) {
    case 'none':
      return undefined;
    case 'gzip':
      return zlib.createGzip({ level: level ?? 9 });
    case 'zstd':
      return (await import('../../compress/zstd/index.js')).createZstdCompressStream(options);
    case 'xz':
      return (await import('../../compress/xz/index.js')).createXzCompressStream(options);
  }
}

/** Writes `tree` as a (compressed) newc archive to a path, atomically, or to a stream. */
export async function writeCpio(tree: FileTree, out: string | Writable, options: WriteCpioOptions = {}): Promise<WriteCpioResult> {
  const result = emptyResult();
  const compressor = await compressorFor(options.compression ?? 'gzip', options.level);
  const source = Readable.from(coalesce(cpioChunks(tree, options, result), BATCH), { objectMode: false });
  if (typeof out !== 'string') {
    if (compressor) await pipeline(source, compressor, out, { end: false });
    else await pipeline(source, out, { end: false });
    return result;
  }
  const output = new AtomicOutput(out, { force: options.force });
  try {
    const file = fs.createWriteStream(output.tempPath);
    if (compressor) await pipeline(source, compressor, file);
    else await pipeline(source, file);
    output.commit();
    return result;
  } catch (e) {
    output.abort();
    throw e;
  }
}
