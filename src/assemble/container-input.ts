/**
 * ROOTFS inputs that are container images (a docker-archive, an OCI archive, an OCI layout
 * directory, maybe gzip/xz/zstd-compressed) become their layers, lowest first, in place of the
 * image: readRootfs then applies them in order with their whiteouts, under and over the other inputs.
 *
 * Detection is cheap: only the first 64 KiB of a tar (decompressed, when it is compressed) are read,
 * enough for its first member's name: an image begins with its metadata or blobs (manifest.json,
 * oci-layout, index.json, blobs/, <64 hex>/..., <64 hex>.tar as podman writes them), a rootfs with its
 * files. Only then is an uncompressed image's header list walked (bodies skipped by seeking) or a
 * compressed one decompressed whole.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import * as zlib from 'node:zlib';
// fzstd and xz-decompress are loaded only when a compressed input is peeked (start-up stays light).
import { inputError, TsdibError } from '../errors.js';
import { detectContainerImage, openContainerLayers, type ContainerImageKind } from '../oci/index.js';
import { sniffCompression, type Compression } from '../tar/index.js';

/** How much of a compressed input is decompressed to find its first member (a pax header, a long name, then the header). */
export const PEEK_BYTES = 64 << 10;
const READ_CHUNK = 64 << 10;
const TAR_BLOCK = 512;

export interface ContainerInput {
  readonly input: string;
  readonly kind: ContainerImageKind;
  readonly layers: number;
}

export interface ExpandedInputs {
  /** readRootfs's inputs: each image replaced by its layer files. */
  readonly paths: string[];
  /** The inputs that were container images. */
  readonly images: ContainerInput[];
  /** A layer file's path → how errors should name it ("IMAGE layer N"). */
  readonly layerNames: ReadonlyMap<string, string>;
  /** Removes the layer copies; call after the outputs are written. */
  cleanup(): void;
}

/** Replaces every container image among `inputs` by its layers (checked against their digests). */
export async function expandContainerInputs(inputs: readonly string[], tmpDir: string): Promise<ExpandedInputs> {
  const paths: string[] = [];
  const images: ContainerInput[] = [];
  const layerNames = new Map<string, string>();
  const cleanups: (() => void)[] = [];
  const cleanup = () => {
    for (const c of cleanups.splice(0)) c();
  };
  try {
    for (const input of inputs) {
      const { file, reference } = splitReference(input);
      if (!(await mayBeContainerImage(file))) {
        if (reference !== undefined) throw inputError(`${input}: ${file} is not a container image, so ":${reference}" names nothing in it`, 'name an image in a docker-archive, OCI archive or OCI layout as PATH:REFERENCE');
        paths.push(input);
        continue;
      }
      const layers = await openContainerLayers(file, { tmpDir, ...(reference !== undefined ? { reference } : {}) });
      cleanups.push(layers.cleanup);
      paths.push(...layers.layerPaths);
      layers.layerPaths.forEach((p, i) => layerNames.set(p, `${input} layer ${i + 1}`));
      images.push({ input, kind: layers.kind, layers: layers.layerPaths.length });
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  return { paths, images, layerNames, cleanup };
}

/**
 * skopeo's PATH:REFERENCE (one image of an archive or layout holding several): when `input` itself
 * does not exist, the longest existing PATH before a ":" is the file and the rest the reference.
 */
export function splitReference(input: string): { file: string; reference?: string } {
  if (fs.existsSync(input)) return { file: input };
  for (let at = input.lastIndexOf(':'); at > 0; at = input.lastIndexOf(':', at - 1)) {
    const file = input.slice(0, at);
    if (fs.existsSync(file)) return { file, reference: input.slice(at + 1) };
  }
  return { file: input };
}

/**
 * True for an OCI layout directory, or a tar (maybe compressed) whose first member is image
 * metadata or a blob and which, uncompressed, then has the image's index files. A rootfs tarball is
 * answered from its first 64 KiB: neither its headers are walked nor, compressed, its data inflated.
 */
export async function mayBeContainerImage(input: string): Promise<boolean> {
  let st: fs.Stats;
  try {
    st = fs.statSync(input);
  } catch {
    return false; // readRootfs names the missing input
  }
  if (st.isDirectory()) return detectContainerImage(input) !== undefined;
  if (!st.isFile()) return false;
  const compression = sniffCompression(readHead(input, 6), input);
  const head = compression === 'none' ? readHead(input, PEEK_BYTES) : await peekDecompressed(input, compression, PEEK_BYTES);
  const name = firstMemberName(head);
  if (name === undefined || !isImageMemberName(name)) return false;
  // Uncompressed, the headers are cheap to walk: check the image's own files are there too.
  return compression === 'none' ? detectContainerImage(input) !== undefined : true;
}

/** Names that open a docker-archive or an OCI layout, never a root filesystem. */
export function isImageMemberName(name: string): boolean {
  const n = name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  return (
    n === 'manifest.json' ||
    n === 'oci-layout' ||
    n === 'index.json' ||
    n === 'repositories' ||
    n === 'blobs' ||
    n.startsWith('blobs/') ||
    /^[0-9a-f]{64}(\/|\.json$|\.tar$|$)/.test(n)
  );
}

/** The path of the first member of a tar's beginning other than its root (pax 'x' path and GNU long names honoured). */
export function firstMemberName(bytes: Uint8Array): string | undefined {
  let pending: string | undefined;
  for (let at = 0; at + TAR_BLOCK <= bytes.length; ) {
    const header = bytes.subarray(at, at + TAR_BLOCK);
    if (header.every((b) => b === 0)) return undefined;
    const type = String.fromCharCode(header[156]!);
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    const dataAt = at + TAR_BLOCK;
    const data = bytes.subarray(dataAt, Math.min(bytes.length, dataAt + size));
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString('utf8'));
      if (m) pending = m[1];
    } else if (type === 'L') {
      pending = cString(data);
    } else if (type !== 'g') {
      const magic = cString(header.subarray(257, 263));
      const prefix = magic.startsWith('ustar') ? cString(header.subarray(345, 500)) : '';
      const own = cString(header.subarray(0, 100));
      const name = pending ?? (prefix ? `${prefix}/${own}` : own);
      pending = undefined;
      // The archive's root ("./"), which both kinds of tar may start with, tells nothing.
      if (name.replace(/^(\.\/)+|^\.$|^\/+/g, '') !== '') return name;
    }
    at = dataAt + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return pending;
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('utf8');
}

function readHead(file: string, n: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const head = new Uint8Array(n);
    return head.subarray(0, fs.readSync(fd, head, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Up to `limit` bytes of the decompressed stream, reading the compressed file only as far as
 * needed. A corrupt stream yields what came out before the error (readRootfs reports it later).
 */
export async function peekDecompressed(file: string, compression: Exclude<Compression, 'none'>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  const take = (b: Uint8Array) => {
    parts.push(b);
    have += b.length;
  };
  const done = () => have >= limit;
  try {
    if (compression === 'zstd') {
      const { Decompress: ZstdDecompress } = await import('fzstd');
      const decoder = new ZstdDecompress((block) => take(block.slice()));
      forEachChunk(file, (chunk) => {
        decoder.push(chunk);
        return done();
      });
    } else {
      const xzDecompress = compression === 'xz' ? (await import('xz-decompress')).default : undefined;
      const source = Readable.from(chunksOf(file));
      const stream: AsyncIterable<Uint8Array> =
        !xzDecompress
          ? source.pipe(zlib.createGunzip())
          : Readable.fromWeb(new xzDecompress.XzReadableStream(Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>) as unknown as WebReadableStream<Uint8Array>);
      for await (const chunk of stream) {
        take(new Uint8Array(chunk));
        if (done()) break;
      }
      source.destroy();
    }
  } catch {
    // what was decompressed so far is all there is to look at
  }
  return Buffer.concat(parts).subarray(0, limit);
}

function* chunksOf(file: string): Generator<Uint8Array> {
  const fd = fs.openSync(file, 'r');
  try {
    for (let at = 0; ; ) {
      const buf = new Uint8Array(READ_CHUNK);
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n === 0) return;
      at += n;
      yield buf.subarray(0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function forEachChunk(file: string, consume: (chunk: Uint8Array) => boolean): void {
  for (const chunk of chunksOf(file)) if (consume(chunk)) return;
}

/** The error with layer file paths replaced by the image and layer they came from. */
export function renameLayers(e: unknown, layerNames: ReadonlyMap<string, string>): unknown {
  if (!(e instanceof TsdibError) || layerNames.size === 0) return e;
  let message = e.message;
  for (const [file, name] of layerNames) message = message.split(file).join(name);
  return message === e.message ? e : new TsdibError(e.exitCode, message, e.hint);
}
