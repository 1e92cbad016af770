import { inputError } from '../errors.js';
import type { Body, FileType, Inode, Timestamp } from './types.js';

/**
 * The xattrs of every inode that has none: one shared map instead of one per inode (a 100k-file tree
 * would hold 100k empty Maps). It refuses changes; give an inode its own Map to add xattrs.
 */
class NoXattrs extends Map<string, Uint8Array> {
  override set(): this {
    throw new TypeError('NO_XATTRS is shared by every inode without xattrs: assign a new Map instead');
  }
  override delete(): boolean {
    return false;
  }
  override clear(): void {}
}
export const NO_XATTRS: Map<string, Uint8Array> = new NoXattrs();

export interface NodeAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Timestamp;
  atime?: Timestamp;
  ctime?: Timestamp;
  rdevMajor?: number;
  rdevMinor?: number;
  xattrs?: Map<string, Uint8Array>;
}

/** Longest name of one path component, in bytes (ext4's and every Linux filesystem's NAME_MAX). */
export const NAME_MAX = 255;

/**
 * Splits and normalises a path: "./a//b/", "a/b" and "/a/b" are all ["a", "b"]; ".." is refused, and
 * so is a component longer than NAME_MAX bytes or one holding a NUL.
 */
export function splitPath(path: string, what = path): string[] {
  if (path.includes('\0')) throw inputError(`${what}: name contains a NUL byte`);
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    checkComponent(part, what);
    parts.push(part);
  }
  return parts;
}

/** Refuses ".." and a component longer than NAME_MAX bytes (`what` names the entry). */
function checkComponent(part: string, what: string): void {
  if (part === '..') throw inputError(`${what}: path contains ".."`, 'entries must stay inside the root');
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only long names need counting.
  if (part.length * 3 > NAME_MAX && Buffer.byteLength(part, 'utf8') > NAME_MAX) {
    throw inputError(`${what}: name "${part.slice(0, 40)}..." is ${Buffer.byteLength(part, 'utf8')} bytes long`, `a file name may have at most ${NAME_MAX} bytes`);
  }
}

/**
 * The merged root. Parents missing from the input are created root-owned 0755 (with the time given
 * as `defaultTime`). Adding a path that exists replaces it (a later layer wins), except that a
 * directory added over a directory only updates its metadata and keeps its children.
 */
export class FileTree {
  readonly root: Inode;
  private nextId = 1;
  /**
   * The directory the last path resolved to, under the text before its last "/": archives list a
   * directory's entries one after another, so most paths skip the walk from the root. Forgotten when
   * an existing name is replaced or removed (that could cut the directory out of the tree).
   */
  private lastParent: { prefix: string; dir: Inode } | undefined;

  constructor(readonly defaultTime: Timestamp = { sec: 0, nsec: 0 }) {
    this.root = this.newInode('dir', { mode: 0o755 });
  }

  /** Looks a path up; undefined when absent. Does not follow symlinks. */
  lookup(path: string): Inode | undefined {
    let node: Inode | undefined = this.root;
    for (const part of splitPath(path)) {
      node = node?.children?.get(part);
      if (!node) return undefined;
    }
    return node;
  }

  addDir(path: string, attrs: NodeAttrs = {}): Inode {
    const { parent, name } = this.parentOf(path);
    if (name === undefined) {
      applyAttrs(this.root, attrs);
      return this.root;
    }
    const existing = parent.children!.get(name);
    if (existing?.type === 'dir') {
      applyAttrs(existing, attrs);
      return existing;
    }
    return this.attach(parent, name, this.newInode('dir', attrs));
  }

  addFile(path: string, body: Body, attrs: NodeAttrs = {}): Inode {
    const inode = this.newInode('file', attrs);
    inode.body = body;
    return this.attachAt(path, inode);
  }

  addSymlink(path: string, target: string, attrs: NodeAttrs = {}): Inode {
    const inode = this.newInode('symlink', { mode: 0o777, ...attrs });
    inode.linkTarget = target;
    return this.attachAt(path, inode);
  }

  /** Character or block device, FIFO or socket. */
  addSpecial(path: string, type: 'char' | 'block' | 'fifo' | 'socket', attrs: NodeAttrs = {}): Inode {
    return this.attachAt(path, this.newInode(type, attrs));
  }

  /** A hard link: `path` names the same Inode as `target`, which must exist and not be a directory. */
  addHardLink(path: string, target: string): Inode {
    const inode = this.lookup(target);
    if (!inode) throw inputError(`${path}: hard link to missing target ${target}`);
    if (inode.type === 'dir') throw inputError(`${path}: hard link to directory ${target}`);
    return this.attachAt(path, inode);
  }

  /** Removes a path (and everything under it); returns whether it existed. */
  remove(path: string): boolean {
    const { parent, name } = this.parentOf(path);
    if (name === undefined) throw inputError('cannot remove the root directory');
    this.lastParent = undefined;
    return parent.children!.delete(name);
  }

  /** Removes `path` if it is there (missing parents are not created); returns whether it was. */
  removeIfPresent(path: string): boolean {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) throw inputError('cannot remove the root directory');
    const parent = this.lookup(parts.join('/'));
    if (parent?.type !== 'dir') return false;
    this.lastParent = undefined;
    return parent.children!.delete(name);
  }

  /** Removes everything inside the directory at `path`, if there is one (an opaque whiteout). */
  emptyDir(path: string): void {
    const dir = this.lookup(path);
    if (dir?.type !== 'dir') return;
    this.lastParent = undefined;
    dir.children!.clear();
  }

  /** Every (path, inode) in depth-first order, children sorted by name (byte order of UTF-8). Root is "/". */
  *walk(): Generator<{ path: string; inode: Inode }> {
    // An explicit stack, not recursive `yield*`: delegation would pass every entry up through one
    // generator per directory level.
    yield { path: '/', inode: this.root };
    const stack: WalkFrame[] = [{ path: '', dir: this.root, names: sortedNames(this.root), next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.next === frame.names.length) {
        stack.pop();
        continue;
      }
      const name = frame.names[frame.next++]!;
      const inode = frame.dir.children!.get(name)!;
      const path = `${frame.path}/${name}`;
      yield { path, inode };
      // Listed after the directory itself was handed out, as a recursive walk would.
      if (inode.type === 'dir') stack.push({ path, dir: inode, names: sortedNames(inode), next: 0 });
    }
  }

  /** Link counts: for non-directories the number of names; for directories 2 + subdirectories. */
  linkCounts(): Map<Inode, number> {
    const counts = new Map<Inode, number>();
    for (const { inode } of this.walk()) {
      if (inode.type === 'dir') {
        let n = 2;
        for (const c of inode.children!.values()) if (c.type === 'dir') n++;
        counts.set(inode, n);
      } else {
        counts.set(inode, (counts.get(inode) ?? 0) + 1);
      }
    }
    return counts;
  }

  newInode(type: FileType, attrs: NodeAttrs): Inode {
    const t = this.defaultTime;
    const inode: Inode = {
      id: this.nextId++,
      type,
      mode: attrs.mode ?? (type === 'dir' ? 0o755 : 0o644),
      uid: attrs.uid ?? 0,
      gid: attrs.gid ?? 0,
      mtime: attrs.mtime ?? t,
      atime: attrs.atime ?? attrs.mtime ?? t,
      ctime: attrs.ctime ?? attrs.mtime ?? t,
      rdevMajor: attrs.rdevMajor ?? 0,
      rdevMinor: attrs.rdevMinor ?? 0,
      xattrs: attrs.xattrs ?? NO_XATTRS,
    };
    if (type === 'dir') inode.children = new Map();
    return inode;
  }

  private attachAt(path: string, inode: Inode): Inode {
    const { parent, name } = this.parentOf(path);
    if (name === undefined) throw inputError(`${path}: only a directory can be the root`);
    return this.attach(parent, name, inode);
  }

  private attach(parent: Inode, name: string, inode: Inode): Inode {
    const children = parent.children!;
    if (children.has(name)) this.lastParent = undefined;
    children.set(name, inode);
    return inode;
  }

  /** The directory that holds `path` (created as needed) and the last component (undefined for the root). */
  private parentOf(path: string): { parent: Inode; name: string | undefined } {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    const plainName = slash > 0 && name !== '' && name !== '.' && !name.includes('\0');
    if (plainName && this.lastParent?.prefix.length === slash && path.startsWith(this.lastParent.prefix)) {
      checkComponent(name, path);
      return { parent: this.lastParent.dir, name };
    }
    const parts = splitPath(path);
    const last = parts.pop();
    let dir = this.root;
    for (const part of parts) {
      let next = dir.children!.get(part);
      if (!next) next = this.attach(dir, part, this.newInode('dir', {}));
      else if (next.type !== 'dir') throw inputError(`${path}: ${part} is not a directory`);
      dir = next;
    }
    // Only a path whose text ends in its last component says which text names its directory.
    if (plainName && last === name) this.lastParent = { prefix: path.slice(0, slash), dir };
    return { parent: dir, name: last };
  }
}

function applyAttrs(inode: Inode, attrs: NodeAttrs): void {
  Object.assign(inode, Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined)));
}

const utf8 = new TextEncoder();

/** Sorts names by their UTF-8 bytes, so output does not depend on insertion order or locale. */
export function compareNames(a: string, b: string): number {
  // UTF-16 code-unit order is UTF-8 byte order unless a surrogate pair is involved: compare the
  // strings directly then, without encoding both on every comparison.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(utf8.encode(a), utf8.encode(b));
}

const SURROGATE = /[\uD800-\uDFFF]/;

interface WalkFrame {
  path: string;
  dir: Inode;
  names: string[];
  next: number;
}

/** The directory's names in compareNames order (plain code-unit order unless a name has a surrogate pair). */
function sortedNames(dir: Inode): string[] {
  const names = [...dir.children!.keys()];
  return names.some((n) => SURROGATE.test(n)) ? names.sort(compareNames) : names.sort();
}
