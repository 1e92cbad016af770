/**
 * Path resolution inside a FileTree, following symlinks the way the booted system would see them
 * (absolute targets start at the tree's root, not the host's). Bootloader code looks files up by
 * their in-image names, e.g. /vmlinuz -> boot/vmlinuz-6.1.0-13-amd64.
 */
import type { FileTree, Inode } from '../tree/index.js';
import { splitPath } from '../tree/index.js';

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS); beyond it the path is a loop. */
const MAX_SYMLINK_HOPS = 40;

export interface ResolvedPath {
  /** The canonical path, every symlink replaced by its target ("/boot/vmlinuz-6.1.0-13-amd64"). */
  readonly path: string;
  readonly inode: Inode;
}

/** Looks `path` up, following symlinks in every component; undefined when it dangles, loops or is absent. */
export function resolvePath(tree: FileTree, path: string): ResolvedPath | undefined {
  const pending = splitPath(path);
  const done: string[] = [];
  const stack: Inode[] = [tree.root];
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      if (done.length > 0) {
        done.pop();
        stack.pop();
      }
      continue;
    }
    const dir = stack[stack.length - 1]!;
    if (dir.type !== 'dir') return undefined;
    const child = dir.children!.get(name);
    if (!child) return undefined;
    if (child.type === 'symlink') {
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      const target = child.linkTarget ?? '';
      if (target.startsWith('/')) {
        done.length = 0;
        stack.length = 1;
      }
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(name);
    stack.push(child);
  }
  return { path: '/' + done.join('/'), inode: stack[stack.length - 1]! };
}
