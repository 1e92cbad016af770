/**
 * Reading file bodies from their sources, in pieces: the edge where FileTree bodies touch the host's
 * files. Writers call `readBody` chunk by chunk and never hold a whole body.
 */
import * as fs from 'node:fs';
import { readFullyInto } from '../disk/file.js';
import type { Body, BodySegment, BodySource } from './types.js';

const MAX_OPEN_FILES = 64;

/** A run of data inside a range of a body: `length` bytes at `at` in the range, from `from` in `source`. */
export interface BodyPiece {
  readonly at: number;
  readonly length: number;
  readonly source: BodySource;
  readonly from: number;
}

/** The runs of data in [offset, offset + length) of `body`, in order; the rest of the range is holes. */
export function* bodyPieces(body: Body, offset: number, length: number): Generator<BodyPiece> {
  const end = offset + length;
  for (const seg of body.segments) {
    const s = Math.max(seg.offset, offset);
    const e = Math.min(seg.offset + seg.length, end);
    if (e <= s) continue;
    yield { at: s - offset, length: e - s, source: seg.source, from: seg.source.offset + (s - seg.offset) };
  }
}

export class BodyReader {
  private readonly fds = new Map<string, number>();

  /** Reads [offset, offset + length) of the file `body` describes; holes and bytes past the data read as zeros. */
  read(body: Body, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(body, offset, out);
    return out;
  }

  /**
   * Fills `target` with the body's bytes from `offset` (writers pass a slice of their own output
   * buffer, so nothing is allocated per file). `target` must hold zeros where the body has holes.
   */
  readInto(body: Body, offset: number, target: Uint8Array): void {
    for (const p of bodyPieces(body, offset, target.length)) {
      const into = target.subarray(p.at, p.at + p.length);
      if ('bytes' in p.source) into.set(p.source.bytes.subarray(p.from, p.from + p.length));
      else readFullyInto(this.fdFor(p.source.path), p.from, into);
    }
  }

  /** Calls `each(offset, bytes)` for consecutive chunks of at most `chunkSize` bytes covering the whole body. */
  forEachChunk(body: Body, chunkSize: number, each: (offset: number, bytes: Uint8Array) => void): void {
    for (let off = 0; off < body.size; off += chunkSize) each(off, this.read(body, off, Math.min(chunkSize, body.size - off)));
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  private fdFor(path: string): number {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      // Keep few descriptors: a directory input has one source file per body (100k files would
      // exhaust the process's limit). Map order is insertion order, so the oldest goes first.
      if (this.fds.size >= MAX_OPEN_FILES) {
        const [oldPath, oldFd] = this.fds.entries().next().value as [string, number];
        fs.closeSync(oldFd);
        this.fds.delete(oldPath);
      }
      fd = fs.openSync(path, 'r');
      this.fds.set(path, fd);
    }
    return fd;
  }
}

/** A body held in memory (generated files, tests). */
export function bytesBody(bytes: Uint8Array): Body {
  return { size: bytes.length, segments: bytes.length ? [{ offset: 0, length: bytes.length, source: { bytes, offset: 0 } }] : [] };
}

/**
 * A body stored as one run of a host file: `size` bytes at `offset` in `path` (a tar member's data, a
 * directory input's file). The common case, so it is one small object; its single segment is made
 * when asked for, not kept (a 100k-file tree would otherwise hold 300k more objects).
 */
class HostRunBody implements Body {
  constructor(
    readonly size: number,
    private readonly path: string,
    private readonly offset: number,
  ) {}

  get segments(): readonly BodySegment[] {
    return this.size ? [{ offset: 0, length: this.size, source: { path: this.path, offset: this.offset } }] : [];
  }
}

/**
 * A whole host file named `name` in the host directory `dirPrefix` (ending in "/"): a directory input
 * keeps one prefix string per directory and the name it already holds as the tree key, instead of
 * a full path string per file; the path is put together when the body is read.
 */
class HostDirFileBody implements Body {
  constructor(
    readonly size: number,
    private readonly dirPrefix: string,
    private readonly name: string,
  ) {}

  get segments(): readonly BodySegment[] {
    return this.size ? [{ offset: 0, length: this.size, source: { path: this.dirPrefix + this.name, offset: 0 } }] : [];
  }
}

/** A body that is the whole host file `dirPrefix + name` (`dirPrefix` ends in "/"). */
export function hostDirFileBody(dirPrefix: string, name: string, size: number): Body {
  return new HostDirFileBody(size, dirPrefix, name);
}

/** A body that is `size` bytes at `offset` of the host file `path`. */
export function hostRunBody(path: string, offset: number, size: number): Body {
  return new HostRunBody(size, path, offset);
}

/** A body that is a whole host file (directory input). */
export function hostFileBody(path: string, size: number): Body {
  return new HostRunBody(size, path, 0);
}
