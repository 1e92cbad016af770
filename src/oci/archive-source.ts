/**
 * Files inside a container image, wherever the image sits: members of a tar (docker-archive, OCI
 * layout tarball) or files of an OCI layout directory. The reader asks for small JSON documents by
 * path and for layer blobs to be placed as host files; nothing here holds a layer in memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFully } from '../disk/file.js';
import { inputError } from '../errors.js';
import { readArchive, type TarEntry } from '../tar/archive.js';
import { ArchiveFile } from '../tar/source.js';
import { newSha256 } from './digest.js';

/** Bigger JSON documents than this are not image metadata: refuse instead of reading them. */
export const MAX_JSON_BYTES = 16 << 20;
const COPY_CHUNK = 1 << 20;
const MAX_LINK_HOPS = 8;

export interface ImageSource {
  /** How errors name the image. */
  readonly name: string;
  has(member: string): boolean;
  /** A member's bytes (JSON documents); undefined when absent. */
  readSmall(member: string): Uint8Array | undefined;
  /**
   * A host path holding the member's bytes, and their sha256 (hex): a directory's own file, or a
   * copy into `spoolPath` for a tar member (computed while copying).
   */
  placeBlob(member: string, spoolPath: string): { path: string; sha256: string };
  close(): void;
}

/** "./a//b" and "/a/b" → "a/b"; a ".." (a path leaving the image) is refused. */
export function normalizeMember(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw inputError(`image member "${p}" leaves the image (contains "..")`, 'the image metadata is corrupt or hostile');
  return parts.join('/');
}

export class TarImageSource implements ImageSource {
  private readonly file: ArchiveFile;
  private readonly entries = new Map<string, TarEntry>();

  constructor(
    archivePath: string,
    readonly name: string,
  ) {
    this.file = new ArchiveFile(archivePath);
    try {
      for (const entry of readArchive(this.file, name)) {
        if (entry.type === 'file' || entry.type === 'symlink' || entry.type === 'hardlink') this.entries.set(normalizeMember(entry.path), entry);
      }
    } catch (e) {
      this.file.close();
      throw e;
    }
  }

  has(member: string): boolean {
    return this.resolve(member) !== undefined;
  }

  readSmall(member: string): Uint8Array | undefined {
    const entry = this.resolve(member);
    if (!entry) return undefined;
    if (entry.size > MAX_JSON_BYTES) throw inputError(`${this.name}: ${member} is ${entry.size} bytes, too large for image metadata`, 'the archive is not a container image');
    const out = new Uint8Array(entry.size);
    for (const r of entry.regions) out.set(this.file.read(r.archiveOffset, r.length) ?? truncated(this.name, member), r.offset);
    return out;
  }

  placeBlob(member: string, spoolPath: string): { path: string; sha256: string } {
    const entry = this.resolve(member);
    if (!entry) throw inputError(`${this.name}: ${member} is missing`, 'the image archive is incomplete: export it again');
    const hash = newSha256();
    const fd = fs.openSync(spoolPath, 'w');
    try {
      let last = 0;
      for (const r of entry.regions) {
        // Holes (a sparse member) read as zeros; hash them too, in order.
        if (r.offset > last) hash.update(new Uint8Array(r.offset - last));
        for (let done = 0; done < r.length; done += COPY_CHUNK) {
          const n = Math.min(COPY_CHUNK, r.length - done);
          const bytes = this.file.read(r.archiveOffset + done, n) ?? truncated(this.name, member);
          hash.update(bytes);
          writeFully(fd, bytes, r.offset + done);
        }
        last = r.offset + r.length;
      }
      if (entry.size > last) {
        hash.update(new Uint8Array(entry.size - last));
        fs.ftruncateSync(fd, entry.size);
      }
    } finally {
      fs.closeSync(fd);
    }
    return { path: spoolPath, sha256: hash.digest('hex') };
  }

  close(): void {
    this.file.close();
  }

  /** The file entry a member names, following symlinks and hard links (docker save links repeated layers). */
  private resolve(member: string): TarEntry | undefined {
    let key = normalizeMember(member);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const entry = this.entries.get(key);
      if (!entry || entry.type === 'file') return entry;
      key = entry.type === 'hardlink' ? normalizeMember(entry.linkTarget) : normalizeMember(path.posix.join(path.posix.dirname(key), entry.linkTarget));
    }
    return undefined;
  }
}

export class DirectoryImageSource implements ImageSource {
  constructor(
    private readonly dir: string,
    readonly name: string,
  ) {}

  has(member: string): boolean {
    return fs.existsSync(this.pathOf(member));
  }

  readSmall(member: string): Uint8Array | undefined {
    const p = this.pathOf(member);
    if (!fs.existsSync(p)) return undefined;
    const size = fs.statSync(p).size;
    if (size > MAX_JSON_BYTES) throw inputError(`${this.name}: ${member} is ${size} bytes, too large for image metadata`, 'the directory is not an OCI image layout');
    return fs.readFileSync(p);
  }

  placeBlob(member: string): { path: string; sha256: string } {
    const p = this.pathOf(member);
    if (!fs.existsSync(p)) throw inputError(`${this.name}: ${member} is missing`, 'the image layout is incomplete: export it again');
    const hash = newSha256();
    const fd = fs.openSync(p, 'r');
    try {
      const buf = new Uint8Array(COPY_CHUNK);
      for (let at = 0; ; ) {
        const n = fs.readSync(fd, buf, 0, buf.length, at);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        at += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    return { path: p, sha256: hash.digest('hex') };
  }

  close(): void {}

  private pathOf(member: string): string {
    return path.join(this.dir, ...normalizeMember(member).split('/'));
  }
}

function truncated(name: string, member: string): never {
  throw inputError(`${name}: ${member} ends past the end of the archive`, 'the archive is truncated: export it again');
}
