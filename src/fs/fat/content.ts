/**
 * What goes into a FAT volume: the FileTree (or a subtree) turned into directories of entries with
 * their short names, long names and slot counts, checked against what FAT can hold. No I/O.
 *
 * Decisions (documented in the README):
 * - Symlinks, devices, FIFOs and sockets cannot live on FAT: an error naming the path, or skipped
 *   with a warning when `lenient`.
 * - Hard links: FAT has no link counts, and two entries sharing clusters is corruption to every
 *   fsck, so each name gets its own copy of the content (what `cp -r` or mcopy would make).
 * - Ownership, permissions (except the owner-write bit → read-only attribute) and xattrs are dropped.
 * - Names FAT cannot store (characters "*\/:<>?| or controls, a trailing dot or space, more than 255
 *   UTF-16 units, or two names equal when case is ignored) are errors, or skipped under `lenient`.
 */
import { inputError } from '../../errors.js';
import type { Inode } from '../../tree/index.js';
import { compareNames, FileTree } from '../../tree/index.js';
import { DIR_ENTRY_SIZE, MAX_DIR_ENTRIES, MAX_FILE_SIZE, MAX_LONG_NAME } from './constants.js';
import { lfnEntryCount } from './lfn.js';
import { nameShape, shortNameBytes, ShortNameAllocator } from './shortname.js';

export interface FatFileNode {
  readonly kind: 'file';
  readonly inode: Inode;
  readonly path: string;
  readonly size: number;
}

export interface FatDirNode {
  readonly kind: 'dir';
  readonly inode: Inode;
  readonly path: string;
  readonly entries: FatEntry[];
  /** 32-byte slots the directory needs: ".", ".." (not in the root), long and short entries, label. */
  slots: number;
}

export interface FatEntry {
  readonly name: string;
  /** The 11 short-name bytes. */
  readonly shortName: Uint8Array;
  /** DIR_NTRes case flags; only when there is no long name. */
  readonly ntRes: number;
  /** Whether long-name entries precede the short one. */
  readonly longName: boolean;
  readonly node: FatFileNode | FatDirNode;
}

export interface FatContent {
  readonly root: FatDirNode;
  /** Paths left out under `lenient`, with the reason. */
  readonly skipped: readonly string[];
  /** Sizes of every file, and slot counts of every directory but the root, for cluster sums. */
  readonly fileSizes: readonly number[];
  readonly dirSlots: readonly number[];
}

export interface CollectOptions {
  /** Whether the root holds a volume-label entry (one more slot). */
  readonly hasLabel: boolean;
  /** Skip (with a warning) what FAT cannot hold, instead of failing. */
  readonly lenient?: boolean | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** Characters a long name may not hold (fatgen103 §7), besides controls (< 0x20). */
const LONG_NAME_FORBIDDEN = /[\u0000-\u001f"*/:<>?\\|]/;

/** Why `name` cannot be a FAT long name, or undefined when it can. */
export function longNameProblem(name: string): string | undefined {
  if (name.length > MAX_LONG_NAME) return `its name is ${name.length} UTF-16 units long, FAT allows ${MAX_LONG_NAME}`;
  const bad = LONG_NAME_FORBIDDEN.exec(name);
  if (bad) return `its name contains ${JSON.stringify(bad[0])}, which FAT does not allow`;
  if (/[. ]$/.test(name)) return 'its name ends with a dot or a space, which FAT drivers strip';
  return undefined;
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function collectFat(tree: FileTree | Inode, options: CollectOptions): FatContent {
  const rootInode = tree instanceof FileTree ? tree.root : tree;
  if (rootInode.type !== 'dir') throw inputError('the FAT root must be a directory');
  const skipped: string[] = [];
  const fileSizes: number[] = [];
  const dirSlots: number[] = [];

  const problem = (path: string, why: string): void => {
    if (!options.lenient) {
      throw inputError(`${path}: ${why}`, 'remove it from the FAT filesystem, or run with --lenient to skip it');
    }
    skipped.push(path);
    options.onWarning?.(`warning: ${path}: ${why}; skipped`);
  };

  const visitDir = (inode: Inode, path: string, isRoot: boolean): FatDirNode => {
    const dir: FatDirNode = { kind: 'dir', inode, path, entries: [], slots: 0 };
    const names = [...inode.children!.keys()].sort(compareNames);
    const accepted: { name: string; child: Inode; path: string }[] = [];
    const seen = new Map<string, string>();
    for (const name of names) {
      const child = inode.children!.get(name)!;
      const childPath = joinPath(path, name);
      if (child.type !== 'file' && child.type !== 'dir') {
        problem(childPath, `is a ${child.type}, which FAT cannot hold`);
        continue;
      }
      const why = longNameProblem(name);
      if (why) {
        problem(childPath, why);
        continue;
      }
      const folded = name.toUpperCase();
      const other = seen.get(folded);
      if (other !== undefined) {
        problem(childPath, `FAT ignores case, so it collides with ${joinPath(path, other)}`);
        continue;
      }
      if (child.type === 'file' && child.body!.size > MAX_FILE_SIZE) {
        problem(childPath, `is ${child.body!.size} bytes; a FAT file holds at most 4 GiB - 1`);
        continue;
      }
      seen.set(folded, name);
      accepted.push({ name, child, path: childPath });
    }

    // Names already 8.3 keep their short name; the rest get numeric tails around them.
    const shapes = accepted.map((a) => nameShape(a.name));
    const alloc = new ShortNameAllocator();
    const reserved = shapes.map((s) => s.kind !== 'basis' && alloc.reserve(s.base, s.ext));
    let slots = isRoot ? (options.hasLabel ? 1 : 0) : 2;
    accepted.forEach((a, i) => {
      const shape = shapes[i]!;
      const exact = shape.kind === 'exact' && reserved[i]!;
      const short = shape.kind !== 'basis' && reserved[i] ? shape : alloc.withTail(shape.base, shape.ext);
      const node: FatFileNode | FatDirNode =
        a.child.type === 'dir' ? visitDir(a.child, a.path, false) : { kind: 'file', inode: a.child, path: a.path, size: a.child.body!.size };
      if (node.kind === 'file') fileSizes.push(node.size);
      dir.entries.push({ name: a.name, shortName: shortNameBytes(short.base, short.ext), ntRes: exact ? shape.ntRes : 0, longName: !exact, node });
      slots += 1 + (exact ? 0 : lfnEntryCount(a.name));
    });
    if (slots > MAX_DIR_ENTRIES) {
      throw inputError(`${path}: needs ${slots} directory entries, FAT allows ${MAX_DIR_ENTRIES} per directory`, 'spread the files over subdirectories or shorten their names');
    }
    dir.slots = slots;
    if (!isRoot) dirSlots.push(slots);
    return dir;
  };

  const root = visitDir(rootInode, '/', true);
  return { root, skipped, fileSizes, dirSlots };
}

/** Clusters of `clusterBytes` the content needs (the root too on FAT32, where it is a chain). */
export function clustersNeeded(content: FatContent, clusterBytes: number, rootInClusters: boolean): number {
  let n = 0;
  for (const size of content.fileSizes) n += Math.ceil(size / clusterBytes);
  for (const slots of content.dirSlots) n += Math.ceil((slots * DIR_ENTRY_SIZE) / clusterBytes);
  if (rootInClusters) n += Math.max(1, Math.ceil((content.root.slots * DIR_ENTRY_SIZE) / clusterBytes));
  return n;
}
