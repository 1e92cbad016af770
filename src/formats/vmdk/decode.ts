/**
 * VMDK decoder for hosted sparse extents with an embedded descriptor (monolithicSparse,
 * streamOptimized), as qemu-img and VMware write them. Grain tables are looked up per read
 * (cached); compressed grains are inflated. Descriptor-only files (split or flat extents) are refused.
 */
import { blockRanges } from '../block-ranges.js';
import { inflateSync } from 'node:zlib';
import type { ByteRange, ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { LruCache, readClamped, readStructure, readStructureInto, type ClosableSource } from '../source.js';
import type { ImageInfo } from '../types.js';
import { descriptorCreateType } from './descriptor.js';
import { decodeVmdkHeader, FLAG_COMPRESSED, FLAG_MARKERS, SECTOR, type VmdkHeader } from './header.js';
import { decodeGrainMarker, GRAIN_MARKER_SIZE } from './marker.js';

/** Grain-table entry 1: a grain that reads as zeros (zeroed-grain extension). */
const GTE_ZERO = 1;

export class VmdkDisk implements ReadableDisk {
  readonly size: number;
  readonly header: VmdkHeader;
  readonly createType: string | undefined;
  private readonly grainBytes: number;
  private readonly gd: DataView;
  private readonly numGTs: number;
  private readonly gtCache = new LruCache<DataView>(64);
  private readonly inflated = new LruCache<Uint8Array>(4);

  constructor(
    private readonly source: ClosableSource,
    private readonly name: string,
  ) {
    const first = readClamped(source, 0, SECTOR);
    if (Buffer.from(first.subarray(0, 21)).toString('latin1') === '# Disk DescriptorFile') {
      throw inputError(`${name}: a VMDK descriptor file whose data lives in separate extent files`, 'convert it with qemu-img to a monolithic image first');
    }
    let header = decodeVmdkHeader(first, name, 'header');
    if (header.gdOffset === undefined) {
      // streamOptimized: the footer (a header copy with the real gdOffset) sits before the end-of-stream marker.
      if (source.size < 3 * SECTOR) throw inputError(`${name}: VMDK footer missing (file of ${source.size} bytes)`, 'the image is truncated');
      header = decodeVmdkHeader(source.read(source.size - 2 * SECTOR, SECTOR), name, 'footer');
      if (header.gdOffset === undefined) throw inputError(`${name}: VMDK footer has no grain directory offset`, 'the image is truncated or corrupt');
    }
    this.header = header;
    if (header.flags & FLAG_COMPRESSED && header.compressAlgorithm !== 1) throw inputError(`${name}: VMDK header: compression algorithm ${header.compressAlgorithm} is not deflate`, 'the image is not supported');
    this.createType = header.descriptorOffset > 0 ? descriptorCreateType(Buffer.from(readClamped(source, header.descriptorOffset * SECTOR, header.descriptorSize * SECTOR)).toString('utf8')) : undefined;
    this.size = header.capacity * SECTOR;
    this.grainBytes = header.grainSize * SECTOR;
    this.numGTs = Math.ceil(header.capacity / (header.grainSize * header.numGTEsPerGT));
    const gd = readStructure(source, name, 'VMDK grain directory', header.gdOffset! * SECTOR, this.numGTs * 4);
    this.gd = new DataView(gd.buffer, gd.byteOffset, gd.byteLength);
    for (let i = 0; i < this.numGTs; i++) {
      const s = this.gd.getUint32(i * 4, true);
      if (s !== 0 && (s * SECTOR + header.numGTEsPerGT * 4 > source.size)) {
        throw inputError(`${name}: VMDK grain directory entry ${i} points to sector ${s}, past the end of the file (${source.size} bytes)`, 'the image is truncated or corrupt');
      }
    }
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  /** Fills `target` with the disk's bytes at `offset`. */
  readInto(offset: number, target: Uint8Array): void {
    const length = target.length;
    if (offset < 0 || offset + length > this.size) throw inputError(`${this.name}: read of ${length} bytes at ${offset} is outside the ${this.size}-byte VMDK disk`);
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const grain = Math.floor(pos / this.grainBytes);
      const within = pos - grain * this.grainBytes;
      const n = Math.min(this.grainBytes - within, length - done);
      const s = this.grainSector(grain);
      if (s <= GTE_ZERO) target.fill(0, done, done + n);
      else if (this.header.flags & FLAG_COMPRESSED) target.set(this.inflate(grain, s).subarray(within, within + n), done);
      else readStructureInto(this.source, this.name, `VMDK grain ${grain}`, s * SECTOR + within, target.subarray(done, done + n));
      done += n;
    }
  }

  dataRanges(): Iterable<ByteRange> {
    return blockRanges(this.allocatedGrains(), this.grainBytes, this.size);
  }

  /** Grains with data, skipping whole grain tables the directory marks absent. */
  private *allocatedGrains(): Generator<number> {
    const grains = Math.ceil(this.size / this.grainBytes);
    const perGT = this.header.numGTEsPerGT;
    for (let g = 0; g < grains; g++) {
      if (g % perGT === 0 && this.gd.getUint32((g / perGT) * 4, true) === 0) {
        g += perGT - 1;
        continue;
      }
      if (this.grainSector(g) > GTE_ZERO) yield g;
    }
  }

  info(): ImageInfo {
    return {
      format: 'vmdk',
      virtualSize: this.size,
      allocatedSize: this.source.size,
      clusterSize: this.grainBytes,
      compressed: Boolean(this.header.flags & FLAG_COMPRESSED),
      subformat: this.createType ?? (this.header.flags & FLAG_COMPRESSED ? 'streamOptimized' : 'monolithicSparse'),
    };
  }

  close(): void {
    this.source.close();
  }

  /** The grain's sector (0: unallocated, 1: zero grain). */
  private grainSector(grain: number): number {
    const perGt = this.header.numGTEsPerGT;
    const gtIndex = Math.floor(grain / perGt);
    if (gtIndex >= this.numGTs) return 0;
    const gtSector = this.gd.getUint32(gtIndex * 4, true);
    if (gtSector === 0) return 0;
    let gt = this.gtCache.get(gtSector);
    if (!gt) {
      const bytes = readStructure(this.source, this.name, `VMDK grain table ${gtIndex}`, gtSector * SECTOR, perGt * 4);
      gt = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.gtCache.set(gtSector, gt);
    }
    const s = gt.getUint32((grain % perGt) * 4, true);
    if (s > GTE_ZERO && s * SECTOR >= this.source.size) {
      throw inputError(`${this.name}: VMDK grain table ${gtIndex} entry for grain ${grain} points to sector ${s}, past the end of the file (${this.source.size} bytes)`, 'the image is truncated or corrupt');
    }
    return s;
  }

  private inflate(grain: number, sector: number): Uint8Array {
    const cached = this.inflated.get(grain);
    if (cached) return cached;
    let data: Uint8Array;
    if (this.header.flags & FLAG_MARKERS) {
      const marker = decodeGrainMarker(readStructure(this.source, this.name, `VMDK grain marker ${grain}`, sector * SECTOR, GRAIN_MARKER_SIZE));
      data = readStructure(this.source, this.name, `VMDK compressed grain ${grain}`, sector * SECTOR + GRAIN_MARKER_SIZE, marker.size);
    } else {
      data = readClamped(this.source, sector * SECTOR, 2 * this.grainBytes);
    }
    let plain: Uint8Array;
    try {
      plain = inflateSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    } catch (e) {
      throw inputError(`${this.name}: VMDK compressed grain ${grain} at sector ${sector} does not inflate (${(e as Error).message})`, 'the image is corrupt');
    }
    if (plain.length < this.grainBytes) {
      const full = new Uint8Array(this.grainBytes);
      full.set(plain);
      plain = full;
    }
    this.inflated.set(grain, plain);
    return plain;
  }
}
