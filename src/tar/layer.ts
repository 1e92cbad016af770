/**
 * Applies tar entries to the FileTree, layer by layer: later entries replace earlier ones, OCI
 * whiteouts (image-spec layer.md "Whiteouts") remove what lower layers put there, and hard links
 * join an existing inode. Errors name the archive, the entry and its byte offset.
 */
import { TsdibError, inputError } from '../errors.js';
import type { FileTree } from '../tree/tree.js';
import { splitPath } from '../tree/tree.js';
import { hostRunBody } from '../tree/body.js';
import type { Body, Inode } from '../tree/types.js';
import type { TarEntry } from './archive.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface ReadStats {
  /** Inputs read (archives and directories). */
  inputs: number;
  /** Entries applied to the tree (whiteouts not included). */
  entries: number;
  files: number;
  directories: number;
  symlinks: number;
  hardLinks: number;
  /** Devices, FIFOs and sockets. */
  specials: number;
  /** Sum of the sizes of regular files added (holes included). */
  bytes: number;
  /** Whiteout entries honoured (`.wh.NAME` and opaque markers). */
  whiteouts: number;
}

export function emptyStats(): ReadStats {
  return { inputs: 0, entries: 0, files: 0, directories: 0, symlinks: 0, hardLinks: 0, specials: 0, bytes: 0, whiteouts: 0 };
}

export type Whiteout = { kind: 'remove'; path: string } | { kind: 'opaque'; dir: string };

/** The whiteout an entry's path stands for, or undefined for an ordinary entry. */
export function whiteoutOf(path: string): Whiteout | undefined {
  if (!path.includes(WHITEOUT_PREFIX)) return undefined;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const base = parts.pop();
  if (base === undefined || !base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = parts.join('/');
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir };
  const name = base.slice(WHITEOUT_PREFIX.length);
  return { kind: 'remove', path: dir === '' ? name : `${dir}/${name}` };
}

/**
 * Applies a layer's whiteouts to what the lower layers built. Called with all of a layer's whiteouts
 * before its entries are added, because a whiteout hides lower layers only, whatever its position in
 * the layer.
 */
export function applyWhiteout(tree: FileTree, w: Whiteout): void {
  // Looked up, not created: a whiteout for a path the lower layers never had changes nothing.
  if (w.kind === 'remove') tree.removeIfPresent(w.path);
  else tree.emptyDir(w.dir);
}

/** Adds one entry; `archivePath` is the host file the entry's data regions point into. */
export function addEntry(tree: FileTree, entry: TarEntry, archivePath: string, displayName: string, stats: ReadStats): void {
  try {
    addToTree(tree, entry, archivePath, stats);
  } catch (e) {
    if (e instanceof TsdibError) {
      throw inputError(`${displayName}: entry "${entry.path}" at byte ${entry.headerOffset}: ${e.message}`, e.hint);
    }
    throw e;
  }
  stats.entries++;
}

function addToTree(tree: FileTree, entry: TarEntry, archivePath: string, stats: ReadStats): void {
  const attrs = {
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtime: entry.mtime,
    atime: entry.atime,
    ctime: entry.ctime,
    xattrs: entry.xattrs,
  };
  switch (entry.type) {
    case 'dir':
      tree.addDir(entry.path, attrs);
      stats.directories++;
      return;
    case 'file':
      tree.addFile(entry.path, bodyOf(entry, archivePath), attrs);
      stats.files++;
      stats.bytes += entry.size;
      return;
    case 'symlink':
      if (entry.linkTarget === '') throw inputError('symlink with an empty target');
      tree.addSymlink(entry.path, entry.linkTarget, attrs);
      stats.symlinks++;
      return;
    case 'hardlink':
      addHardLink(tree, entry);
      stats.hardLinks++;
      return;
    case 'char':
    case 'block':
      tree.addSpecial(entry.path, entry.type, { ...attrs, rdevMajor: entry.devMajor, rdevMinor: entry.devMinor });
      stats.specials++;
      return;
    case 'fifo':
      tree.addSpecial(entry.path, 'fifo', attrs);
      stats.specials++;
      return;
  }
}

function addHardLink(tree: FileTree, entry: TarEntry): Inode {
  const target = splitPath(entry.linkTarget, `hard link target "${entry.linkTarget}"`).join('/');
  const self = splitPath(entry.path).join('/');
  // A link to itself (some archivers emit one for a file already stored) changes nothing.
  if (target === self && tree.lookup(self)) return tree.lookup(self)!;
  if (target === '') throw inputError('hard link to the root directory');
  return tree.addHardLink(entry.path, target);
}

function bodyOf(entry: TarEntry, archivePath: string): Body {
  // One region covering the file (every member that is not sparse): the compact form.
  const only = entry.regions.length === 1 ? entry.regions[0]! : undefined;
  if (entry.regions.length === 0 && entry.size === 0) return hostRunBody(archivePath, 0, 0);
  if (only && only.offset === 0 && only.length === entry.size) return hostRunBody(archivePath, only.archiveOffset, entry.size);
  return {
    size: entry.size,
    segments: entry.regions.map((r) => ({ offset: r.offset, length: r.length, source: { path: archivePath, offset: r.archiveOffset } })),
  };
}
