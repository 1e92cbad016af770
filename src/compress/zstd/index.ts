/**
 * The Zstandard encoder (our own, RFC 8878): what `--ramdisk-compression zstd` writes on every Node.js.
 * Placeholder until the encoder lands: the seam is createZstdCompressStream().
 */
import type { Transform } from 'node:stream';
import { failure } from '../../errors.js';

export interface ZstdCompressOptions {
  /** 1-22 as zstd's levels: more search effort (and a bigger window) for higher levels. */
  readonly level?: number;
}

/** A byte stream transform: raw bytes in, zstd frame(s) out. Deterministic. */
export function createZstdCompressStream(_options: ZstdCompressOptions = {}): Transform {
  throw failure('the zstd encoder is not built yet', 'use gzip');
}
