/**
 * A host directory as a rootfs input. Every entry becomes a tree node whose body is the host file
 * itself (never copied). Owners become root (0:0) unless `preserveOwner`: an unprivileged user's
 * files are owned by that user, which is never what an image wants. Hard links are found by
 * (device, inode). Extended attributes are NOT read: Node has no getxattr, so a directory input
 * carries none (use a tar made with `tar --xattrs` when capabilities or ACLs matter).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TsdibError, inputError } from '../errors.js';
import { compareNames, type FileTree, type NodeAttrs } from '../tree/tree.js';
import { hostDirFileBody } from '../tree/body.js';
import type { Timestamp } from '../tree/types.js';
import type { ReadStats } from './layer.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface DirectoryOptions {
  preserveOwner?: boolean;
}

/** Adds everything under `dir` to `tree` (the directory itself becomes the root's metadata). */
export function readDirectory(tree: FileTree, dir: string, options: DirectoryOptions, stats: ReadStats): void {
  const firstPathOfInode = new Map<string, string>();
  tree.addDir('/', attrsOf(fs.lstatSync(dir, { bigint: true }), options));
  // Depth-first with an explicit stack: deep trees cannot overflow the call stack.
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const host = rel === '' ? dir : path.join(dir, rel);
    const names = fs.readdirSync(host, { encoding: 'buffer' }).map((n) => decodeName(n, host));
    // Descending: the stack pops them in ascending order (UTF-8 byte order, as compareNames sorts).
    names.sort(compareNames).reverse();
    const prefix = host.endsWith('/') ? host : `${host}/`;
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      try {
        if (addOne(tree, relPath, prefix, name, options, firstPathOfInode, stats)) stack.push(relPath);
      } catch (e) {
        if (e instanceof TsdibError) throw inputError(`${dir}: ${relPath}: ${e.message}`, e.hint);
        throw e;
      }
      stats.entries++;
    }
  }
}

/** Adds one host entry; returns true for a directory (to descend into). */
function addOne(
  tree: FileTree,
  relPath: string,
  hostDir: string,
  name: string,
  options: DirectoryOptions,
  firstPathOfInode: Map<string, string>,
  stats: ReadStats,
): boolean {
  const hostPath = hostDir + name;
  const st = fs.lstatSync(hostPath, { bigint: true });
  const attrs = attrsOf(st, options);
  if (st.isDirectory()) {
    tree.addDir(relPath, attrs);
    stats.directories++;
    return true;
  }
  if (st.nlink > 1n) {
    const key = `${st.dev}:${st.ino}`;
    const first = firstPathOfInode.get(key);
    if (first !== undefined) {
      tree.addHardLink(relPath, first);
      stats.hardLinks++;
      return false;
    }
    firstPathOfInode.set(key, relPath);
  }
  if (st.isFile()) {
    tree.addFile(relPath, hostDirFileBody(hostDir, name, Number(st.size)), attrs);
    stats.files++;
    stats.bytes += Number(st.size);
  } else if (st.isSymbolicLink()) {
    tree.addSymlink(relPath, decodeName(fs.readlinkSync(hostPath, { encoding: 'buffer' }), hostPath), attrs);
    stats.symlinks++;
  } else {
    const type = st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : 'socket';
    tree.addSpecial(relPath, type, { ...attrs, ...deviceNumbers(st.rdev) });
    stats.specials++;
  }
  return false;
}

/**
 * A directory's metadata. Only the mtime is taken from the host: reading a file moves its atime and
 * any chmod moves its ctime, so copying those would make two builds from the same directory differ.
 * atime and ctime are the mtime, as when GNU tar (which stores only mtimes) carries the tree.
 */
function attrsOf(st: fs.BigIntStats, options: DirectoryOptions): NodeAttrs {
  const mtime = fromNs(st.mtimeNs);
  return {
    mode: Number(st.mode) & 0o7777,
    uid: options.preserveOwner ? Number(st.uid) : 0,
    gid: options.preserveOwner ? Number(st.gid) : 0,
    mtime,
    atime: mtime,
    ctime: mtime,
  };
}

function fromNs(ns: bigint): Timestamp {
  const sec = ns / 1_000_000_000n - (ns < 0n && ns % 1_000_000_000n !== 0n ? 1n : 0n);
  return { sec: Number(sec), nsec: Number(ns - sec * 1_000_000_000n) };
}

/** glibc's dev_t split (sys/sysmacros.h gnu_dev_major/minor): major bits 8..19 and 44..63, minor 0..7 and 20..43. */
export function deviceNumbers(rdev: bigint): { rdevMajor: number; rdevMinor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return { rdevMajor: Number(major), rdevMinor: Number(minor) };
}

function decodeName(name: Buffer, where: string): string {
  try {
    return utf8.decode(name);
  } catch {
    throw inputError(`${where}: name "${name.toString('latin1')}" is not valid UTF-8`, 'rename it (tsdib stores names as UTF-8)');
  }
}
