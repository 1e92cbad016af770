/** A FileTree described path by path, so two trees (ours, and one read another way) compare with one toEqual. */
import { createHash } from 'node:crypto';
import { BodyReader } from '../../src/tree/body.js';
import type { FileTree } from '../../src/tree/tree.js';
import type { Inode } from '../../src/tree/types.js';

export interface SummaryOptions {
  /** Leave out times (a reader that does not restore them, e.g. directories written before their children). */
  times?: boolean;
  owners?: boolean;
  xattrs?: boolean;
  /** Include the root directory's own metadata. */
  root?: boolean;
}

export function summarize(tree: FileTree, options: SummaryOptions = {}): Record<string, string> {
  const reader = new BodyReader();
  const firstName = new Map<Inode, string>();
  const out: Record<string, string> = {};
  try {
    for (const { path, inode } of tree.walk()) {
      if (path === '/' && options.root === false) continue;
      const parts = [inode.type, (inode.mode & 0o7777).toString(8)];
      if (options.owners !== false) parts.push(`${inode.uid}:${inode.gid}`);
      if (options.times !== false && inode.type !== 'dir') parts.push(`${inode.mtime.sec}.${inode.mtime.nsec}`);
      if (inode.type === 'symlink') parts.push(`-> ${inode.linkTarget}`);
      if (inode.type === 'char' || inode.type === 'block') parts.push(`${inode.rdevMajor},${inode.rdevMinor}`);
      if (inode.type === 'file') {
        const first = firstName.get(inode);
        if (first) parts.push(`link to ${first}`);
        else {
          firstName.set(inode, path);
          const h = createHash('sha256');
          if (inode.body) reader.forEachChunk(inode.body, 1 << 20, (_o, b) => h.update(b));
          parts.push(`${inode.body?.size ?? 0} ${h.digest('hex').slice(0, 16)}`);
        }
      }
      if (options.xattrs !== false) {
        for (const [k, v] of [...inode.xattrs].sort(([a], [b]) => (a < b ? -1 : 1))) parts.push(`${k}=${Buffer.from(v).toString('hex')}`);
      }
      out[path] = parts.join(' ');
    }
  } finally {
    reader.close();
  }
  return out;
}
