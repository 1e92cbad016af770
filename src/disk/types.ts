/**
 * The Disk seam (DESIGN.md §3): the one place bytes go. Every writer (partition tables, filesystems,
 * bootloaders) targets a Disk; every format encoder streams a finished Disk out, visiting only
 * `dataRanges()`; every format decoder presents a container as a ReadableDisk.
 *
 * The API is synchronous on purpose: codecs stay simple, and Node's sync file calls are as fast as
 * the async ones for the large sequential writes we do.
 */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface ReadableDisk {
  /** Virtual size in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset`. Holes read as zeros. Reading past `size` is an error. */
  read(offset: number, length: number): Uint8Array;
  /**
   * Ranges that may hold non-zero bytes, ascending and disjoint. Bytes outside them are zero.
   * A range may contain zeros; encoders still check (cheaply) before allocating.
   */
  dataRanges(): Iterable<ByteRange>;
  /** Releases the backing resource (file descriptor). Idempotent. */
  close(): void;
}

export interface Disk extends ReadableDisk {
  /** Writes `bytes` at `offset`. Writing outside [0, size) is an error. */
  write(offset: number, bytes: Uint8Array): void;
  /** A Disk seeing [offset, offset + length) of this one; it cannot write outside that window. */
  window(offset: number, length: number): Disk;
}
