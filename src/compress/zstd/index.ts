/**
 * The Zstandard encoder (our own, RFC 8878): what `--ramdisk-compression zstd` writes on every Node.js.
 * One frame per stream: 128 KiB blocks, LZ77 sequences coded with FSE (predefined or per-block tables),
 * Huffman-coded literals, and the XXH64 content checksum. Deterministic: the same input and level give
 * the same bytes on every platform and Node.js version.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { concatBytes } from '../concat.js';
import { ZstdEncoder } from './encoder.js';
import { DEFAULT_LEVEL, levelParameters } from './levels.js';

export { ZstdEncoder } from './encoder.js';
export { DEFAULT_LEVEL as ZSTD_DEFAULT_LEVEL, MAX_LEVEL as ZSTD_MAX_LEVEL, MIN_LEVEL as ZSTD_MIN_LEVEL } from './levels.js';

export interface ZstdCompressOptions {
  /** 1-22 as zstd's levels: more search effort (and a bigger window) for higher levels. Default 19 (initramfs-tools' choice). */
  readonly level?: number;
}

/** A byte stream transform: raw bytes in, one zstd frame out. Deterministic. A bad level throws an input error. */
export function createZstdCompressStream(options: ZstdCompressOptions = {}): Transform {
  const level = options.level ?? DEFAULT_LEVEL;
  levelParameters(level);
  let encoder: ZstdEncoder | undefined;
  const get = (): ZstdEncoder => (encoder ??= new ZstdEncoder(level));
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        for (const out of get().push(chunk)) this.push(out);
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        for (const out of get().finish()) this.push(out);
        callback();
      } catch (e) {
        callback(e as Error);
      }
    },
  });
}

/** Compresses a whole buffer at once (small inputs, tests). */
export function zstdCompressSync(data: Uint8Array, options: ZstdCompressOptions = {}): Uint8Array {
  const encoder = new ZstdEncoder(options.level ?? DEFAULT_LEVEL);
  return concatBytes([...encoder.push(data), ...encoder.finish()]);
}
