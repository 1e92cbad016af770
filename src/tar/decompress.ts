/**
 * Compressed inputs: sniffed by magic (never by name) and decompressed once, streaming, into a spool
 * file, so bodies can point into it like into a plain .tar. Memory stays flat: the pipeline moves
 * chunks with backpressure and nothing holds the archive.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as zlib from 'node:zlib';
// fzstd and xz-decompress are loaded when a zstd or xz input arrives: a plain .tar (the common case)
// should not pay for compiling them at start-up.
import { writeFully } from '../disk/file.js';
import { inputError } from '../errors.js';

export type Compression = 'none' | 'gzip' | 'xz' | 'zstd';

// Magic numbers: RFC 1952 §2.3.1 (gzip ID1 ID2), xz file format §2.1.1.1 (header magic),
// RFC 8878 §3.1.1 (zstd frame magic 0xFD2FB528, little-endian), bzip2 "BZh", lz4 frame 0x184D2204.
const GZIP_MAGIC = [0x1f, 0x8b];
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const UNSUPPORTED: readonly { name: string; magic: number[] }[] = [
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
  { name: 'lz4', magic: [0x04, 0x22, 0x4d, 0x18] },
  { name: 'lzip', magic: [0x4c, 0x5a, 0x49, 0x50] },
];

/** How many leading bytes `sniffCompression` needs. */
export const SNIFF_BYTES = 6;

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

/** The compression of a file from its first bytes; throws for formats we recognise but do not read. */
export function sniffCompression(head: Uint8Array, file: string): Compression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, XZ_MAGIC)) return 'xz';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  for (const u of UNSUPPORTED) {
    if (startsWith(head, u.magic)) throw inputError(`${file}: ${u.name}-compressed input is not supported`, 'recompress it with gzip, xz or zstd, or decompress it first');
  }
  return 'none';
}

export function sniffFile(file: string): Compression {
  const fd = fs.openSync(file, 'r');
  try {
    const head = new Uint8Array(SNIFF_BYTES);
    const n = fs.readSync(fd, head, 0, SNIFF_BYTES, 0);
    return sniffCompression(head.subarray(0, n), file);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Decompresses `file` into `spoolPath`; errors name the file and the compression. `onRead` hears how
 * many compressed bytes have been consumed so far (for progress).
 */
export async function decompressToSpool(
  file: string,
  compression: Exclude<Compression, 'none'>,
  spoolPath: string,
  onRead: (compressedBytes: number) => void = () => {},
): Promise<void> {
  try {
    if (compression === 'zstd') {
      await zstdToSpool(file, spoolPath, onRead);
    } else {
      // Loaded before the source opens: its 'data' listener starts the flow at once.
      const xzDecompress = compression === 'xz' ? (await import('xz-decompress')).default : undefined;
      const source = countingReadStream(file, onRead);
      const sink = fs.createWriteStream(spoolPath, { highWaterMark: 1 << 20 });
      if (xzDecompress) {
        const web = Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>;
        const xz = new xzDecompress.XzReadableStream(web) as unknown as WebReadableStream<Uint8Array>;
        await pipeline(Readable.fromWeb(xz), sink);
      } else {
        await pipeline(source, zlib.createGunzip(), sink);
      }
    }
  } catch (e) {
    fs.rmSync(spoolPath, { force: true });
    const reason = e instanceof Error ? e.message : String(e);
    throw inputError(`${file}: ${compression} data is corrupt or truncated (${reason})`, 're-create or re-download the archive');
  }
}

/** A file read stream that reports the bytes it has handed on. */
function countingReadStream(file: string, onRead: (bytes: number) => void): Readable {
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let done = 0;
  // A 'data' listener beside the consumer sees every chunk without changing the flow.
  source.on('data', (chunk) => onRead((done += chunk.length)));
  return source;
}

/**
 * zstd, writing synchronously: fzstd hands out one block (≤ 128 KiB) at a time and each is written at once.
 * A stream Transform would queue them instead, and a few KiB of RLE blocks (a run of zeros) expand
 * to gigabytes in one push.
 */
async function zstdToSpool(file: string, spoolPath: string, onRead: (bytes: number) => void): Promise<void> {
  const { Decompress: ZstdDecompress } = await import('fzstd');
  const input = fs.openSync(file, 'r');
  const output = fs.openSync(spoolPath, 'w');
  try {
    let written = 0;
    const decoder = new ZstdDecompress((block) => {
      writeFully(output, block, written);
      written += block.length;
    });
    const chunk = new Uint8Array(1 << 20);
    for (let at = 0; ; ) {
      const n = fs.readSync(input, chunk, 0, chunk.length, at);
      if (n === 0) break;
      at += n;
      // fzstd may keep a reference to an unfinished block's bytes: hand it a copy.
      decoder.push(chunk.slice(0, n));
      onRead(at);
      // Let the event loop run between chunks, so Ctrl-C is handled (and the spool removed) promptly.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    decoder.push(new Uint8Array(0), true);
  } finally {
    fs.closeSync(input);
    fs.closeSync(output);
  }
}

/** A spool file name inside `dir` for input number `index`. */
export function spoolPathFor(dir: string, index: number, file: string): string {
  return path.join(dir, `spool-${index}-${path.basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}.tar`);
}
