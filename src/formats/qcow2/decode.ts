/**
 * qcow2 decoder: any version 2/3 image qemu-img writes, presented as a read-only disk. Clusters
 * are looked up through L1/L2 on each read (L2 tables cached); compressed clusters are inflated.
 * Images that need another file (backing file, external data file) or a key are refused.
 */
import { blockRanges } from '../block-ranges.js';
import { inflateRawSync } from 'node:zlib';
import type { ByteRange, ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { LruCache, readClamped, readStructure, readStructureInto, type ClosableSource } from '../source.js';
import type { ImageInfo } from '../types.js';
import { readL1Entry, readL2Entry, type L2Entry } from './entries.js';
import {
  decodeQcow2Header,
  INCOMPAT_COMPRESSION_TYPE,
  INCOMPAT_CORRUPT,
  INCOMPAT_DIRTY,
  INCOMPAT_EXTENDED_L2,
  INCOMPAT_EXTERNAL_DATA,
  type Qcow2Header,
} from './header.js';

const HEADER_READ = 112;
const KNOWN_INCOMPAT = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_EXTERNAL_DATA | INCOMPAT_COMPRESSION_TYPE | INCOMPAT_EXTENDED_L2;

export class Qcow2Disk implements ReadableDisk {
  readonly size: number;
  readonly header: Qcow2Header;
  private readonly clusterSize: number;
  private readonly entriesPerL2: number;
  private readonly l1: DataView;
  private readonly l2Cache = new LruCache<DataView>(64);
  private readonly inflated = new LruCache<Uint8Array>(4);

  constructor(
    private readonly source: ClosableSource,
    private readonly name: string,
  ) {
    const h = decodeQcow2Header(readClamped(source, 0, HEADER_READ), name);
    this.header = h;
    validateHeader(h, name);
    this.size = h.size;
    this.clusterSize = 2 ** h.clusterBits;
    this.entriesPerL2 = this.clusterSize / 8;
    const l1 = readStructure(source, name, 'qcow2 L1 table', h.l1TableOffset, h.l1Size * 8);
    this.l1 = new DataView(l1.buffer, l1.byteOffset, l1.byteLength);
    for (let i = 0; i < h.l1Size; i++) {
      const l2 = readL1Entry(this.l1, i * 8);
      if (l2 !== 0 && l2 + this.clusterSize > source.size) {
        throw inputError(`${name}: qcow2 L1 entry ${i} points to offset ${l2}, past the end of the file (${source.size} bytes)`, 'the image is truncated or corrupt');
      }
    }
    this.checkRefcountTable();
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  /** Fills `target` with the disk's bytes at `offset`; host-contiguous clusters are read at once. */
  readInto(offset: number, target: Uint8Array): void {
    const length = target.length;
    if (offset < 0 || offset + length > this.size) {
      throw inputError(`${this.name}: read of ${length} bytes at ${offset} is outside the ${this.size}-byte qcow2 disk`);
    }
    const cs = this.clusterSize;
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const cluster = Math.floor(pos / cs);
      const within = pos - cluster * cs;
      let n = Math.min(cs - within, length - done);
      const entry = this.lookup(cluster);
      if (entry.kind === 'standard') {
        for (let k = 1; done + n < length; k++) {
          const next = this.lookup(cluster + k);
          if (next.kind !== 'standard' || next.hostOffset !== entry.hostOffset + k * cs) break;
          n += Math.min(cs, length - done - n);
        }
        readStructureInto(this.source, this.name, `qcow2 data cluster ${cluster}`, entry.hostOffset + within, target.subarray(done, done + n));
      } else if (entry.kind === 'compressed') {
        target.set(this.inflate(cluster, entry).subarray(within, within + n), done);
      } else {
        target.fill(0, done, done + n);
      }
      done += n;
    }
  }

  /** Runs of clusters that are allocated (standard or compressed), from the L1/L2 tables. */
  dataRanges(): Iterable<ByteRange> {
    return blockRanges(this.allocatedClusters(), this.clusterSize, this.size);
  }

  /** Clusters with data (standard or compressed), in disk order. */
  private *allocatedClusters(): Generator<number> {
    for (let i = 0; i < this.header.l1Size; i++) {
      const l2 = this.l2Table(i);
      if (!l2) continue;
      for (let k = 0; k < this.entriesPerL2; k++) {
        const e = readL2Entry(l2, k * 8, this.header.clusterBits, this.header.version);
        if (e.kind === 'standard' || e.kind === 'compressed') yield i * this.entriesPerL2 + k;
      }
    }
  }

  info(): ImageInfo {
    let allocatedClusters = 0;
    let compressed = false;
    for (let i = 0; i < this.header.l1Size; i++) {
      const l2 = this.l2Table(i);
      if (!l2) continue;
      for (let k = 0; k < this.entriesPerL2; k++) {
        const e = readL2Entry(l2, k * 8, this.header.clusterBits, this.header.version);
        if (e.kind === 'standard') allocatedClusters++;
        if (e.kind === 'compressed') compressed = true;
      }
    }
    return {
      format: 'qcow2',
      virtualSize: this.size,
      allocatedSize: this.source.size,
      clusterSize: this.clusterSize,
      compressed,
      subformat: this.header.version === 3 ? 'compat 1.1' : 'compat 0.10',
    };
  }

  close(): void {
    this.source.close();
  }

  private lookup(cluster: number): L2Entry {
    const l1Index = Math.floor(cluster / this.entriesPerL2);
    const l2 = this.l2Table(l1Index);
    if (!l2) return { kind: 'unallocated' };
    const e = readL2Entry(l2, (cluster % this.entriesPerL2) * 8, this.header.clusterBits, this.header.version);
    if ((e.kind === 'standard' && e.hostOffset + this.clusterSize > this.source.size) || (e.kind === 'compressed' && e.hostOffset >= this.source.size)) {
      throw inputError(`${this.name}: qcow2 L2 entry for cluster ${cluster} points to offset ${e.hostOffset}, past the end of the file (${this.source.size} bytes)`, 'the image is truncated or corrupt');
    }
    return e;
  }

  private l2Table(l1Index: number): DataView | undefined {
    if (l1Index >= this.header.l1Size) return undefined;
    const offset = readL1Entry(this.l1, l1Index * 8);
    if (offset === 0) return undefined;
    let table = this.l2Cache.get(offset);
    if (!table) {
      const bytes = readStructure(this.source, this.name, `qcow2 L2 table ${l1Index}`, offset, this.clusterSize);
      table = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.l2Cache.set(offset, table);
    }
    return table;
  }

  private inflate(cluster: number, entry: { hostOffset: number; length: number }): Uint8Array {
    const cached = this.inflated.get(cluster);
    if (cached) return cached;
    if (this.header.incompatibleFeatures & INCOMPAT_COMPRESSION_TYPE && this.header.compressionType !== 0) {
      // Only compressed clusters depend on the type: an image with none reads fine.
      throw inputError(`${this.name}: qcow2 compressed cluster ${cluster} uses compression type ${this.header.compressionType} (zstd), which is not supported`, 'recompress with zlib: qemu-img convert -c -o compression_type=zlib');
    }
    const compressed = readClamped(this.source, entry.hostOffset, entry.length);
    let data: Uint8Array;
    try {
      // The sector-rounded read may run past the deflate stream; zlib stops at its end.
      data = inflateRawSync(compressed, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate a cut-off tail */ });
    } catch (e) {
      throw inputError(`${this.name}: qcow2 compressed cluster ${cluster} at offset ${entry.hostOffset} does not inflate (${(e as Error).message})`, 'the image is corrupt');
    }
    if (data.length < this.clusterSize) {
      const full = new Uint8Array(this.clusterSize);
      full.set(data);
      data = full;
    }
    this.inflated.set(cluster, data);
    return data;
  }

  /** The refcount table must lie inside the file, and so must every refcount block it names. */
  private checkRefcountTable(): void {
    const h = this.header;
    const bytes = readStructure(this.source, this.name, 'qcow2 refcount table', h.refcountTableOffset, h.refcountTableClusters * this.clusterSize);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < bytes.length / 8; i++) {
      const block = Number(v.getBigUint64(i * 8) & 0x00fffffffffffe00n);
      if (block !== 0 && block + this.clusterSize > this.source.size) {
        throw inputError(`${this.name}: qcow2 refcount table entry ${i} points to offset ${block}, past the end of the file (${this.source.size} bytes)`, 'the image is truncated or corrupt');
      }
    }
  }
}

function validateHeader(h: Qcow2Header, name: string): void {
  const refuse = (what: string, hint: string) => inputError(`${name}: qcow2 header: ${what}`, hint);
  if (h.clusterBits < 9 || h.clusterBits > 21) throw refuse(`cluster_bits ${h.clusterBits} is outside 9..21`, 'the image is corrupt');
  if (h.backingFileOffset !== 0) throw refuse('the image has a backing file', 'flatten it first (qemu-img convert without -B, or qemu-img rebase -b "")');
  if (h.cryptMethod !== 0) throw refuse(`encryption method ${h.cryptMethod} is not supported`, 'decrypt the image first');
  if (h.incompatibleFeatures & ~KNOWN_INCOMPAT) throw refuse(`unknown incompatible features 0x${h.incompatibleFeatures.toString(16)}`, 'the image needs a newer reader');
  if (h.incompatibleFeatures & INCOMPAT_CORRUPT) throw refuse('the image is marked corrupt', 'repair it with qemu-img check -r all');
  if (h.incompatibleFeatures & INCOMPAT_EXTERNAL_DATA) throw refuse('the data lives in an external data file', 'convert it with qemu-img first');
  if (h.incompatibleFeatures & INCOMPAT_EXTENDED_L2) throw refuse('extended L2 entries (subclusters) are not supported', 'convert it with qemu-img first');
  if (h.refcountOrder > 6) throw refuse(`refcount_order ${h.refcountOrder} overflows 64-bit refcounts`, 'the image is corrupt');
  const cs = 2 ** h.clusterBits;
  const needL1 = Math.ceil(h.size / (cs * (cs / 8)));
  if (h.l1Size < needL1) throw refuse(`l1_size ${h.l1Size} is too small for a ${h.size}-byte disk`, 'the image is corrupt');
  if (h.l1Size > 0 && (h.l1TableOffset % cs !== 0 || h.l1TableOffset === 0)) throw refuse(`l1_table_offset ${h.l1TableOffset} is not cluster-aligned`, 'the image is corrupt');
  if (h.refcountTableOffset % cs !== 0) throw refuse(`refcount_table_offset ${h.refcountTableOffset} is not cluster-aligned`, 'the image is corrupt');
}
