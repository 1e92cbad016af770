/**
 * The merged root split by mount points: one FileTree per mounted filesystem. Nothing is copied
 * but the directories on the way to a change: a filesystem's tree shares every other inode (and
 * every body) with the merged tree, which is never modified. A mount point inside a filesystem
 * becomes an empty directory there (keeping the directory's owner, mode and times), as it is on a
 * real system before the mount.
 */
import { inputError } from '../errors.js';
import { bytesBody, FileTree, splitPath, type Inode } from '../tree/index.js';

/** Copies an inode's metadata onto a fresh directory of `tree` (children: as given). */
function cloneDir(tree: FileTree, dir: Inode, children: Map<string, Inode>): Inode {
  const copy = tree.newInode('dir', { mode: dir.mode, uid: dir.uid, gid: dir.gid, mtime: dir.mtime, atime: dir.atime, ctime: dir.ctime, xattrs: dir.xattrs });
  copy.children = children;
  return copy;
}

/** A tree whose root is `dir` (shared children, own root inode). */
function treeRootedAt(source: FileTree, dir: Inode): FileTree {
  const tree = new FileTree(source.defaultTime);
  Object.assign(tree.root, { mode: dir.mode, uid: dir.uid, gid: dir.gid, mtime: dir.mtime, atime: dir.atime, ctime: dir.ctime, xattrs: dir.xattrs });
  tree.root.children = new Map(dir.children);
  return tree;
}

/**
 * Walks to the parent of `parts` in `tree`, copying each directory on the way (once: `copied`
 * remembers the copies) so the change does not reach the source tree. Missing directories are made
 * (root-owned 0755, as `mkdir -p` does). Returns the parent directory and the last name.
 */
function writableParent(tree: FileTree, parts: readonly string[], copied: Set<Inode>, what: string): { parent: Inode; name: string } {
  let dir = tree.root;
  copied.add(dir);
  for (const part of parts.slice(0, -1)) {
    let next = dir.children!.get(part);
    if (next && next.type !== 'dir') throw inputError(`${what}: /${parts.join('/')} cannot be made: ${part} is a ${next.type} in the rootfs`, 'remove it from the input or change the layout');
    if (!next) next = tree.newInode('dir', { mode: 0o755 });
    else if (!copied.has(next)) next = cloneDir(tree, next, new Map(next.children));
    copied.add(next);
    dir.children!.set(part, next);
    dir = next;
  }
  return { parent: dir, name: parts[parts.length - 1]! };
}

/** Makes `parts` an empty directory in `tree` (keeping an existing directory's metadata). */
function emptyMountPoint(tree: FileTree, parts: readonly string[], copied: Set<Inode>, what: string): void {
  const { parent, name } = writableParent(tree, parts, copied, what);
  const existing = parent.children!.get(name);
  if (existing && existing.type !== 'dir') throw inputError(`${what}: mount point /${parts.join('/')} is a ${existing.type} in the rootfs`, 'remove it from the input or change the layout');
  parent.children!.set(name, existing ? cloneDir(tree, existing, new Map()) : tree.newInode('dir', { mode: 0o755 }));
}

/**
 * One tree per mount point: the files under it, minus what other (deeper) mount points take. Mount
 * points must be normalized absolute paths; "/" is usually one of them. A mount point missing from
 * the rootfs gives an empty filesystem.
 */
export function splitByMountPoints(merged: FileTree, mountPoints: readonly string[]): Map<string, FileTree> {
  const sorted = [...mountPoints].sort();
  const result = new Map<string, FileTree>();
  for (const mp of sorted) {
    const parts = splitPath(mp);
    const source = merged.lookup(mp);
    if (source && source.type !== 'dir') throw inputError(`mount point ${mp} is a ${source.type} in the rootfs`, 'a mount point must be a directory (or absent)');
    const tree = source ? treeRootedAt(merged, source) : new FileTree(merged.defaultTime);
    const copied = new Set<Inode>();
    // Deeper mount points whose nearest enclosing mount point is this one.
    for (const inner of sorted) {
      if (inner === mp || !isInside(inner, mp)) continue;
      const nearest = sorted.filter((o) => isInside(inner, o) && o !== inner).pop();
      if (nearest !== mp) continue;
      emptyMountPoint(tree, splitPath(inner).slice(parts.length), copied, `mount point ${mp}`);
    }
    result.set(mp, tree);
  }
  return result;
}

/** Whether `path` lies strictly inside directory `dir` ("/" holds everything). */
function isInside(path: string, dir: string): boolean {
  if (dir === '/') return path !== '/';
  return path.startsWith(`${dir}/`);
}

/**
 * `tree` with `path` replaced by a regular file holding `bytes` (the source tree is not modified).
 * An existing file keeps its owner, mode and xattrs, as `cp` onto it would; times become `time`.
 */
export function withFile(tree: FileTree, path: string, bytes: Uint8Array, time: number): FileTree {
  const parts = splitPath(path);
  const out = treeRootedAt(tree, tree.root);
  const { parent, name } = writableParent(out, parts, new Set(), path);
  const old = parent.children!.get(name);
  if (old && old.type === 'dir') throw inputError(`${path} is a directory in the rootfs`, `it is generated by tsdib: remove the directory from the input`);
  const t = { sec: time, nsec: 0 };
  const keep = old && old.type === 'file' ? { mode: old.mode, uid: old.uid, gid: old.gid, xattrs: old.xattrs } : { mode: 0o644 };
  const file = out.newInode('file', { ...keep, mtime: t, atime: t, ctime: t });
  file.body = bytesBody(bytes);
  parent.children!.set(name, file);
  return out;
}

/**
 * `tree` with every directory at and under `path` copied (files still shared), so that adding
 * files there (a bootloader's, under /boot) leaves the source tree as it was. Absent: unchanged.
 */
export function withPrivateDirs(tree: FileTree, path: string): FileTree {
  const parts = splitPath(path);
  const out = treeRootedAt(tree, tree.root);
  if (parts.length === 0) {
    for (const [name, child] of out.root.children!) if (child.type === 'dir') out.root.children!.set(name, deepCopyDirs(out, child));
    return out;
  }
  const { parent, name } = writableParent(out, parts, new Set(), path);
  const dir = parent.children!.get(name);
  if (dir?.type === 'dir') parent.children!.set(name, deepCopyDirs(out, dir));
  return out;
}

function deepCopyDirs(tree: FileTree, dir: Inode): Inode {
  const children = new Map<string, Inode>();
  for (const [name, child] of dir.children!) children.set(name, child.type === 'dir' ? deepCopyDirs(tree, child) : child);
  return cloneDir(tree, dir, children);
}
