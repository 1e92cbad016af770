/** VDI decoder (dynamic and static images, 1.1 headers), as a read-only disk. Differencing images are refused. */
import { blockRanges } from '../block-ranges.js';
import type { ByteRange, ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { readClamped, readStructure, readStructureInto, type ClosableSource } from '../source.js';
import type { ImageInfo } from '../types.js';
import { decodeVdiHeader, VDI_DISCARDED, VDI_HEADER_SECTOR, VDI_TYPE_DYNAMIC, VDI_TYPE_STATIC, type VdiHeader } from './header.js';

export class VdiDisk implements ReadableDisk {
  readonly size: number;
  readonly header: VdiHeader;
  private readonly bmap: DataView;

  constructor(
    private readonly source: ClosableSource,
    private readonly name: string,
  ) {
    const h = decodeVdiHeader(readClamped(source, 0, VDI_HEADER_SECTOR), name);
    this.header = h;
    const bad = (what: string) => inputError(`${name}: VDI header: ${what}`, 'the image is corrupt or not supported');
    if (h.imageType !== VDI_TYPE_DYNAMIC && h.imageType !== VDI_TYPE_STATIC) throw bad(`image type ${h.imageType} is not dynamic (1) or static (2)`);
    if (h.uuidParent.some((b) => b !== 0)) throw inputError(`${name}: VDI is a differencing image: it needs its parent`, 'merge it first');
    if (h.sectorSize !== 512) throw bad(`sector size ${h.sectorSize} is not 512`);
    if (h.blockSize < 512 || h.blockSize % 512 !== 0) throw bad(`block size ${h.blockSize} is not a whole number of sectors`);
    if (h.blocksInImage * h.blockSize < h.diskSize) throw bad(`${h.blocksInImage} blocks of ${h.blockSize} bytes do not cover ${h.diskSize} bytes`);
    this.size = h.diskSize;
    const bmap = readStructure(source, name, 'VDI block map', h.offsetBmap, h.blocksInImage * 4);
    this.bmap = new DataView(bmap.buffer, bmap.byteOffset, bmap.byteLength);
    for (let i = 0; i < h.blocksInImage; i++) {
      const e = this.bmap.getUint32(i * 4, true);
      if (e < VDI_DISCARDED && h.offsetData + e * (h.blockSize + h.blockExtra) + h.blockExtra >= source.size) {
        throw inputError(`${name}: VDI block map entry ${i} points to block ${e}, past the end of the file (${source.size} bytes)`, 'the image is truncated or corrupt');
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
    if (offset < 0 || offset + length > this.size) throw inputError(`${this.name}: read of ${length} bytes at ${offset} is outside the ${this.size}-byte VDI disk`);
    const h = this.header;
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const b = Math.floor(pos / h.blockSize);
      const within = pos - b * h.blockSize;
      const n = Math.min(h.blockSize - within, length - done);
      const e = this.bmap.getUint32(b * 4, true);
      if (e >= VDI_DISCARDED) target.fill(0, done, done + n);
      else {
        // A block may be cut short at the end of the file (qemu writes whole blocks, others may not): the rest reads as zeros.
        const host = h.offsetData + e * (h.blockSize + h.blockExtra) + h.blockExtra + within;
        const part = target.subarray(done, done + n);
        const avail = Math.max(0, Math.min(n, this.source.size - host));
        readStructureInto(this.source, this.name, `VDI block ${b}`, host, part.subarray(0, avail));
        part.fill(0, avail);
      }
      done += n;
    }
  }

  dataRanges(): Iterable<ByteRange> {
    return blockRanges(this.allocatedBlocks(), this.header.blockSize, this.size);
  }

  private *allocatedBlocks(): Generator<number> {
    for (let b = 0; b < this.header.blocksInImage; b++) if (this.bmap.getUint32(b * 4, true) < VDI_DISCARDED) yield b;
  }

  info(): ImageInfo {
    return {
      format: 'vdi',
      virtualSize: this.size,
      allocatedSize: this.header.blocksAllocated * this.header.blockSize,
      clusterSize: this.header.blockSize,
      subformat: this.header.imageType === VDI_TYPE_STATIC ? 'static' : 'dynamic',
    };
  }

  close(): void {
    this.source.close();
  }
}
