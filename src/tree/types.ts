/**
 * The FileTree: the merged root filesystem every writer (ext4, FAT, tar, cpio) consumes
 * (DESIGN.md §1-§3). Metadata lives here; file bodies do not: a body is a list of segments that point
 * into source files on the host (a tar member's data, a spool file for compressed input, a file of a
 * source directory), and writers stream them straight to their place on the Disk.
 */

export type FileType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** Seconds and nanoseconds since the epoch. */
export interface Timestamp {
  readonly sec: number;
  readonly nsec: number;
}

/**
 * Where a run of bytes lives: at `offset` in the host file `path`, or at `offset` in `bytes` (small
 * in-memory bodies: generated files such as /etc/fstab, and tests).
 */
export type BodySource = { readonly path: string; readonly offset: number } | { readonly bytes: Uint8Array; readonly offset: number };

/** A run of a file's bytes: `length` bytes at `offset` in the file, taken from `source`. */
export interface BodySegment {
  /** Offset inside the file being described. */
  readonly offset: number;
  readonly length: number;
  readonly source: BodySource;
}

/**
 * A regular file's content: `size` bytes, of which the segments hold data (ascending, disjoint);
 * everything between them is a hole (reads as zeros). A non-sparse file has one segment of `size`.
 */
export interface Body {
  readonly size: number;
  readonly segments: readonly BodySegment[];
}

export interface Inode {
  /** Tree-local identity, 1-based, stable for a given input; hard links share one Inode object. */
  readonly id: number;
  readonly type: FileType;
  /** Permission bits including setuid (04000), setgid (02000) and sticky (01000); no type bits. */
  mode: number;
  uid: number;
  gid: number;
  mtime: Timestamp;
  atime: Timestamp;
  ctime: Timestamp;
  /** Device numbers for 'char' and 'block'. */
  rdevMajor: number;
  rdevMinor: number;
  /**
   * Extended attributes by full name ("security.capability", "user.foo", "trusted.x",
   * "system.posix_acl_access" in the Linux xattr v2 ACL encoding). Values are raw bytes.
   */
  xattrs: Map<string, Uint8Array>;
  /** Symlink target, for 'symlink'. */
  linkTarget?: string;
  /** Content, for 'file'. */
  body?: Body;
  /** Children by name, for 'dir'. Names are single path components, never "." or "..". */
  children?: Map<string, Inode>;
}

/** Mode type bits as stat(2) and ext4 (i_mode) and tar define them. */
export const S_IFMT = 0o170000;
export const MODE_TYPE_BITS: Readonly<Record<FileType, number>> = {
  socket: 0o140000,
  symlink: 0o120000,
  file: 0o100000,
  block: 0o060000,
  dir: 0o040000,
  char: 0o020000,
  fifo: 0o010000,
};
