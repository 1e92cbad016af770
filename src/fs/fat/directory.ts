/**
 * A directory's bytes (fatgen103 §6-§7): "." and ".." first (except in the root), the volume label
 * first in the root, then per entry its long-name pieces and its short entry. Padded with zeros to
 * the directory's clusters: a zero first byte marks the end, so drivers stop there.
 */
import { ATTR_ARCHIVE, ATTR_DIRECTORY, ATTR_READ_ONLY, ATTR_VOLUME_ID, DIR_ENTRY_SIZE } from './constants.js';
import type { FatDirNode, FatEntry } from './content.js';
import { encodeShortEntry } from './dirent.js';
import { encodeLfnEntries, shortNameChecksum } from './lfn.js';
import { shortNameBytes } from './shortname.js';
import { toFatTime } from './time.js';
import type { Inode } from '../../tree/index.js';

export interface DirectoryContext {
  /** First cluster of this directory (for "."). */
  readonly self: number;
  /** First cluster of the parent, 0 when the parent is the root (§6.3, even on FAT32). */
  readonly parent: number;
  readonly isRoot: boolean;
  /** First cluster of each entry's content; 0 for an empty file. */
  readonly clusterOf: (entry: FatEntry) => number;
  /** The 11-byte padded label for the root's volume-label entry, if any. */
  readonly label?: string | undefined;
  /** Epoch seconds for the label entry, which has no inode. */
  readonly time: number;
}

function entryTimes(inode: Inode) {
  const written = toFatTime(inode.mtime);
  // FAT's "creation" time is not ctime (change time); mtime is the honest stand-in.
  return { created: written, written, accessed: toFatTime(inode.atime) };
}

/** Attributes for an entry: directory or archive, read-only when the owner cannot write. */
function attributesOf(entry: FatEntry): number {
  const base = entry.node.kind === 'dir' ? ATTR_DIRECTORY : ATTR_ARCHIVE;
  return (entry.node.inode.mode & 0o200) === 0 ? base | ATTR_READ_ONLY : base;
}

/** The directory's entries, padded with zeros to `length` bytes (a whole number of clusters or the fixed root). */
export function encodeDirectory(dir: FatDirNode, ctx: DirectoryContext, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  const put = (bytes: Uint8Array): void => {
    out.set(bytes, at);
    at += bytes.length;
  };
  if (ctx.isRoot && ctx.label !== undefined) {
    const t = toFatTime({ sec: ctx.time, nsec: 0 });
    put(encodeShortEntry({ name: shortNameBytes(ctx.label.slice(0, 8), ctx.label.slice(8)), attr: ATTR_VOLUME_ID, ntRes: 0, created: t, accessed: t, written: t, firstCluster: 0, size: 0 }));
  }
  if (!ctx.isRoot) {
    const times = entryTimes(dir.inode);
    put(encodeShortEntry({ name: shortNameBytes('.', ''), attr: ATTR_DIRECTORY, ntRes: 0, ...times, firstCluster: ctx.self, size: 0 }));
    put(encodeShortEntry({ name: shortNameBytes('..', ''), attr: ATTR_DIRECTORY, ntRes: 0, ...times, firstCluster: ctx.parent, size: 0 }));
  }
  for (const entry of dir.entries) {
    if (entry.longName) put(encodeLfnEntries(entry.name, shortNameChecksum(entry.shortName)));
    put(encodeShortEntry({
      name: entry.shortName,
      attr: attributesOf(entry),
      ntRes: entry.ntRes,
      ...entryTimes(entry.node.inode),
      firstCluster: ctx.clusterOf(entry),
      size: entry.node.kind === 'file' ? entry.node.size : 0,
    }));
  }
  if (at !== dir.slots * DIR_ENTRY_SIZE) throw new Error(`${dir.path}: directory slot count mismatch (${at / DIR_ENTRY_SIZE} != ${dir.slots})`);
  return out;
}
