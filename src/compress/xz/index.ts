/**
 * The .xz encoder (our own LZMA2 in the xz container): what `--ramdisk-compression xz` writes.
 * Placeholder until the encoder lands: the seam is createXzCompressStream().
 */
import type { Transform } from 'node:stream';
import { failure } from '../../errors.js';

export interface XzCompressOptions {
  /** 0-9 as xz's presets: more search effort (and a bigger dictionary) for higher levels. */
  readonly level?: number;
}

/** A byte stream transform: raw bytes in, one .xz stream out. Deterministic. */
export function createXzCompressStream(_options: XzCompressOptions = {}): Transform {
  throw failure('the xz encoder is not built yet', 'use gzip');
}
