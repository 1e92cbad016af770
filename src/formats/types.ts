/**
 * The image-container seam (DESIGN.md §3): encoders stream a finished ReadableDisk out to a Sink,
 * decoders present a container as a ReadableDisk. These types are what `convert`, `inspect` and
 * `assemble` share.
 */
import type { ReadableDisk } from '../disk/index.js';

export type ImageFormat = 'raw' | 'qcow2' | 'vhd' | 'vmdk' | 'vdi';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['raw', 'qcow2', 'vhd', 'vmdk', 'vdi'];

/** What `inspect` shows about a container, before the partition table inside. */
export interface ImageInfo {
  format: ImageFormat;
  /** Size of the disk the container holds, in bytes. */
  virtualSize: number;
  /** Bytes the container file occupies on disk (qemu-img info's "disk size"; from openImage). */
  allocatedSize: number;
  /** Allocation unit: qcow2 cluster, VHD/VDI block, VMDK grain. */
  clusterSize?: number;
  /** True when the container holds compressed clusters or grains. */
  compressed?: boolean;
  /** qcow2 "compat 1.1", vhd "dynamic"/"fixed", vmdk "monolithicSparse"/"streamOptimized", vdi "dynamic". */
  subformat?: string;
}

/** A container opened for reading: its disk reads as the raw bytes it holds. */
export interface OpenedImage {
  format: ImageFormat;
  disk: ReadableDisk;
  info: ImageInfo;
}

/** Reports bytes of the virtual disk handled so far. */
export interface EncodeProgress {
  update(done: number, total?: number): void;
}

/** Where an encoder's bytes go: positioned writes, then the final size (so trailing holes stay holes). */
export interface Sink {
  write(offset: number, bytes: Uint8Array): void;
  /** Writes several buffers back to back starting at `offset`. */
  writev(offset: number, chunks: readonly Uint8Array[]): void;
  /** Optional background form of writev; the bytes must not change until it resolves. */
  writevAsync?(offset: number, chunks: readonly Uint8Array[]): Promise<void>;
  /** Optional: starts writing back to stable storage what was written so far (overlaps the final fsync with work). */
  flushAsync?(): Promise<void>;
  /** Sets the file's final length (extending with a hole or cutting). */
  setSize(size: number): void;
}

/** Random-access bytes of a container file (RawFileReader satisfies it). */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}
