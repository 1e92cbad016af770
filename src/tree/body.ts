/**
 * Reading file bodies from their sources, in pieces: the edge where FileTree bodies touch the host's
 * files. Writers call `readBody` chunk by chunk and never hold a whole body.
 */
import * as fs from 'node:fs';
import { readFully } from '../disk/file.js';
import type { Body, BodySource } from './types.js';

export class BodyReader {
  private readonly fds = new Map<string, number>();

  /** Reads [offset, offset + length) of the file `body` describes; holes and bytes past the data read as zeros. */
  read(body: Body, offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const end = offset + length;
    for (const seg of body.segments) {
      const s = Math.max(seg.offset, offset);
      const e = Math.min(seg.offset + seg.length, end);
      if (e <= s) continue;
      out.set(this.readSource(seg.source, seg.source.offset + (s - seg.offset), e - s), s - offset);
    }
    return out;
  }

  /** Calls `each(offset, bytes)` for consecutive chunks of at most `chunkSize` bytes covering the whole body. */
  forEachChunk(body: Body, chunkSize: number, each: (offset: number, bytes: Uint8Array) => void): void {
    for (let off = 0; off < body.size; off += chunkSize) each(off, this.read(body, off, Math.min(chunkSize, body.size - off)));
  }

  close(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }

  private readSource(source: BodySource, offset: number, length: number): Uint8Array {
    if ('bytes' in source) return source.bytes.subarray(offset, offset + length);
    let fd = this.fds.get(source.path);
    if (fd === undefined) {
      fd = fs.openSync(source.path, 'r');
      this.fds.set(source.path, fd);
    }
    return readFully(fd, offset, length);
  }
}

/** A body held in memory (generated files, tests). */
export function bytesBody(bytes: Uint8Array): Body {
  return { size: bytes.length, segments: bytes.length ? [{ offset: 0, length: bytes.length, source: { bytes, offset: 0 } }] : [] };
}

/** A body that is a whole host file (directory input). */
export function hostFileBody(path: string, size: number): Body {
  return { size, segments: size ? [{ offset: 0, length: size, source: { path, offset: 0 } }] : [] };
}
