/**
 * Root filesystem inputs → one FileTree (DESIGN.md §1). Inputs are layered in order: tar archives
 * (plain, or gzip/xz/zstd sniffed by magic) and host directories. Bodies are never loaded: a plain
 * archive's bodies point at the member data inside the archive, a compressed one is decompressed once
 * into a spool file under `tmpDir` and bodies point there; `cleanup()` removes the spools (call it
 * after the writers are done with the tree).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../errors.js';
import { FileTree } from '../tree/tree.js';
import type { Timestamp } from '../tree/types.js';
import { readArchive } from './archive.js';
import { decompressToSpool, sniffFile, spoolPathFor } from './decompress.js';
import { readDirectory } from './directory.js';
import { addEntry, applyWhiteout, emptyStats, whiteoutOf, type ReadStats } from './layer.js';
import { ArchiveFile } from './source.js';

export interface ReadRootfsOptions {
  /** Directory inputs: keep the host's uid/gid instead of mapping every owner to root. */
  preserveOwner?: boolean;
  /** Where spool files for compressed inputs go (a private subdirectory is made inside). */
  tmpDir: string;
  /** Time given to directories the inputs imply but do not contain (e.g. SOURCE_DATE_EPOCH). */
  defaultTime?: Timestamp;
  /** Hears how far reading has got; `done` and `total` are bytes of the input file or of its spool. */
  onProgress?: (progress: ReadProgress) => void;
}

export interface ReadProgress {
  input: string;
  /** 'decompress': compressed bytes consumed; 'read': bytes of the tar walked; 'directory': entries so far (total 0). */
  phase: 'decompress' | 'read' | 'directory';
  done: number;
  total: number;
}

/** How many entries between two 'read' progress reports. */
const PROGRESS_EVERY = 4096;

export interface Rootfs {
  tree: FileTree;
  stats: ReadStats;
  /** Removes the spool files; bodies that point into them become unreadable. Idempotent. */
  cleanup(): void;
}

export async function readRootfs(inputs: readonly string[], options: ReadRootfsOptions): Promise<Rootfs> {
  if (inputs.length === 0) throw inputError('no rootfs input given', 'name a .tar, .tar.gz, .tar.xz, .tar.zst or a directory');
  const tree = new FileTree(options.defaultTime ?? { sec: 0, nsec: 0 });
  const stats = emptyStats();
  let spoolDir: string | undefined;
  const cleanup = () => {
    if (spoolDir) removeSpoolDir(spoolDir);
    spoolDir = undefined;
  };
  try {
    for (const [index, input] of inputs.entries()) {
      const st = statInput(input);
      if (st.isDirectory()) {
        readDirectory(tree, input, { preserveOwner: options.preserveOwner }, stats);
        options.onProgress?.({ input, phase: 'directory', done: stats.entries, total: 0 });
      } else {
        const compression = sniffFile(input);
        let archivePath = path.resolve(input);
        if (compression !== 'none') {
          spoolDir ??= makeSpoolDir(options.tmpDir);
          archivePath = spoolPathFor(spoolDir, index, input);
          const total = st.size;
          await decompressToSpool(input, compression, archivePath, (done) => options.onProgress?.({ input, phase: 'decompress', done, total }));
        }
        // Offsets in errors count in the tar itself: for compressed input, in the decompressed stream.
        const displayName = compression === 'none' ? input : `${input} [${compression}-decompressed]`;
        const report = options.onProgress && ((done: number, total: number) => options.onProgress!({ input, phase: 'read', done, total }));
        readLayer(tree, archivePath, displayName, index > 0, stats, report);
      }
      stats.inputs++;
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  return { tree, stats, cleanup };
}

/**
 * One archive as a layer. Whiteouts hide what LOWER layers hold, wherever they sit in the layer, so
 * a layer above another is scanned for them first (headers only) and they are applied before its
 * entries; whiteout entries are never materialised.
 */
function readLayer(
  tree: FileTree,
  archivePath: string,
  displayName: string,
  hasLowerLayers: boolean,
  stats: ReadStats,
  report?: (done: number, total: number) => void,
): void {
  const file = new ArchiveFile(archivePath);
  try {
    if (hasLowerLayers) {
      for (const entry of readArchive(file, displayName)) {
        const w = whiteoutOf(entry.path);
        if (w) applyWhiteout(tree, w);
      }
    }
    let count = 0;
    for (const entry of readArchive(file, displayName)) {
      if (whiteoutOf(entry.path)) stats.whiteouts++;
      else addEntry(tree, entry, archivePath, displayName, stats);
      if (report && ++count % PROGRESS_EVERY === 0) report(entry.headerOffset, file.size);
    }
    report?.(file.size, file.size);
  } finally {
    file.close();
  }
}

/**
 * Spool directories still on disk. They can hold gigabytes, so they go on exit and on Ctrl-C/SIGTERM
 * too, even when the caller never reaches cleanup(). The signal handlers re-raise the signal once the
 * spools are gone (as AtomicOutput's do), so the process still ends the way the signal asks.
 */
const liveSpoolDirs = new Set<string>();
let spoolHandlersInstalled = false;

function makeSpoolDir(tmpDir: string): string {
  if (!spoolHandlersInstalled) {
    spoolHandlersInstalled = true;
    const removeAll = () => {
      for (const dir of [...liveSpoolDirs]) removeSpoolDir(dir);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        removeAll();
        process.kill(process.pid, signal);
      });
    }
    process.once('exit', removeAll);
  }
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(tmpDir, 'tsdib-spool-'));
  } catch (e) {
    throw inputError(`cannot create a spool directory in ${tmpDir}: ${(e as Error).message}`, 'point the temporary directory (TMPDIR) at a writable place');
  }
  liveSpoolDirs.add(dir);
  return dir;
}

function removeSpoolDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  liveSpoolDirs.delete(dir);
}

function statInput(input: string): fs.Stats {
  try {
    return fs.statSync(input);
  } catch {
    throw inputError(`${input}: no such file or directory`, 'give an existing .tar, .tar.gz, .tar.xz, .tar.zst or directory');
  }
}

export type { ReadStats } from './layer.js';
export type { TarEntry, EntryType, DataRegion } from './archive.js';
export { readArchive } from './archive.js';
export { ArchiveFile } from './source.js';
export { sniffCompression, type Compression } from './decompress.js';
export { writeTar, tarChunks, type WriteTarOptions, type WriteTarResult } from './writer.js';
