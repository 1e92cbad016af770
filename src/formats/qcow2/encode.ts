/**
 * qcow2 encoder. One pass over the disk's non-zero clusters, appending as it goes:
 *
 *   header | L1 table | (L2 table, its data clusters)... | refcount blocks | refcount table
 *
 * An L2 table is reserved where the first cluster of its 512 MiB (at 64 KiB clusters) span is
 * found and written back once the span is done, so only one L2 table is in memory. Refcounts go
 * last, when the file's length is known. All-zero clusters are left unallocated.
 */
import type { ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { roundUp } from '../scan.js';
import { Appender } from '../sink.js';
import type { EncodeProgress, Sink } from '../types.js';
import { nonZeroUnits } from '../units.js';
import { writeCompressedEntry, writeStandardEntry } from './entries.js';
import { encodeQcow2Header, V3_HEADER_LENGTH } from './header.js';
import { encodeRefcountBlock, REFCOUNT_ORDER, RefcountTracker, refcountLayout } from './refcount.js';

export interface Qcow2Options {
  /** '1.1' = version 3 (default), '0.10' = version 2. */
  compat: '0.10' | '1.1';
  /** Power of two from 512 B to 2 MiB; default 64 KiB. */
  clusterSize: number;
  /** zlib-compress clusters (`-c`). */
  compress: boolean;
  /** zlib level 1-9 for compressed clusters; default 6, as qemu-img. */
  compressionLevel: number;
  /** Worker threads for compression (default: one per core). */
  threads?: number;
}

export const QCOW2_DEFAULTS: Qcow2Options = { compat: '1.1', clusterSize: 65536, compress: false, compressionLevel: 6 };

const MIN_CLUSTER_BITS = 9;
const MAX_CLUSTER_BITS = 21;

export function clusterBitsOf(clusterSize: number): number {
  const bits = Math.log2(clusterSize);
  if (!Number.isInteger(bits) || bits < MIN_CLUSTER_BITS || bits > MAX_CLUSTER_BITS) {
    throw inputError(`qcow2 cluster_size ${clusterSize} is not a power of two from 512 to 2097152`, 'use e.g. cluster_size=65536');
  }
  return bits;
}

/** The one L2 table being filled, with the host offset reserved for it. */
interface OpenL2 {
  index: number;
  hostOffset: number;
  table: Uint8Array;
  view: DataView;
}

export async function encodeQcow2(disk: ReadableDisk, sink: Sink, options: Qcow2Options, progress?: EncodeProgress): Promise<void> {
  const cs = options.clusterSize;
  const clusterBits = clusterBitsOf(cs);
  const virtualSize = roundUp(disk.size, 512);
  const entriesPerL2 = cs / 8;
  const l1Size = Math.ceil(virtualSize / (cs * entriesPerL2));
  // An empty disk has no L1 table at all (offset 0), as qemu-img writes it.
  const l1Clusters = Math.ceil((l1Size * 8) / cs);
  const l1Offset = l1Size === 0 ? 0 : cs;
  const l1 = new Uint8Array(l1Clusters * cs);
  const l1View = new DataView(l1.buffer);
  const refs = new RefcountTracker();
  const out = new Appender(sink, (1 + l1Clusters) * cs);
  let l2: OpenL2 | undefined;
  // Loaded only for -c: the pool brings worker_threads, v8 and vm, start-up an uncompressed convert need not pay.
  const pool = options.compress ? new (await import('../compress-pool.js')).CompressPool('raw-4k', options.compressionLevel, options.threads) : undefined;

  const closeL2 = () => {
    if (!l2) return;
    sink.write(l2.hostOffset, l2.table);
    writeStandardEntry(l1View, l2.index * 8, l2.hostOffset);
    l2 = undefined;
  };
  const l2For = (cluster: number): OpenL2 => {
    const index = Math.floor(cluster / entriesPerL2);
    if (l2?.index === index) return l2;
    closeL2();
    out.alignTo(cs);
    const hostOffset = out.position;
    out.skip(cs);
    if (pool) refs.addRange(hostOffset, cs, cs);
    const table = new Uint8Array(cs);
    l2 = { index, hostOffset, table, view: new DataView(table.buffer) };
    return l2;
  };

  try {
    for await (const batch of nonZeroUnits(disk, cs, pool)) {
      for (const unit of batch.units) {
        const table = l2For(unit.index);
        const at = (unit.index % entriesPerL2) * 8;
        if (unit.compressed) {
          const hostOffset = out.position;
          out.appendView(unit.bytes);
          writeCompressedEntry(table.view, at, clusterBits, hostOffset, unit.bytes.length);
          refs.addRange(hostOffset, unit.bytes.length, cs);
        } else {
          out.alignTo(cs);
          const hostOffset = out.position;
          out.appendView(unit.bytes);
          writeStandardEntry(table.view, at, hostOffset);
          if (pool) refs.addRange(hostOffset, cs, cs);
        }
      }
      // Units were queued without a copy: their buffer goes back to the reader once written.
      batch.holdUntil(out.flushed());
      await out.settle(); // bound the writes in flight
      progress?.update(batch.doneTo, disk.size);
    }
  } finally {
    await pool?.close();
  }
  closeL2();
  out.alignTo(cs);

  // L2 tables reserved in compressed mode are counted here (in uncompressed mode everything is 1).
  const dataClusters = out.position / cs;
  const { blocks, tableClusters } = refcountLayout(dataClusters, cs);
  const firstBlock = dataClusters;
  const tableOffset = (firstBlock + blocks) * cs;
  const total = dataClusters + blocks + tableClusters;
  const countOf = (c: number) => (c < 1 + l1Clusters ? 1 : c < dataClusters ? refs.get(c) : c < total ? 1 : 0);
  const perBlock = cs / 2;
  for (let b = 0; b < blocks; b++) out.append(encodeRefcountBlock(b * perBlock, cs, countOf));
  const table = new Uint8Array(tableClusters * cs);
  const tableView = new DataView(table.buffer);
  for (let b = 0; b < blocks; b++) tableView.setBigUint64(b * 8, BigInt((firstBlock + b) * cs));
  out.append(table);
  await out.finish();

  if (l1Size > 0) sink.write(l1Offset, l1);
  sink.write(
    0,
    encodeQcow2Header({
      version: options.compat === '0.10' ? 2 : 3,
      backingFileOffset: 0,
      backingFileSize: 0,
      clusterBits,
      size: virtualSize,
      cryptMethod: 0,
      l1Size,
      l1TableOffset: l1Offset,
      refcountTableOffset: tableOffset,
      refcountTableClusters: tableClusters,
      nbSnapshots: 0,
      snapshotsOffset: 0,
      incompatibleFeatures: 0n,
      compatibleFeatures: 0n,
      autoclearFeatures: 0n,
      refcountOrder: REFCOUNT_ORDER,
      headerLength: V3_HEADER_LENGTH,
      compressionType: 0,
    }),
  );
  sink.setSize(total * cs);
}
