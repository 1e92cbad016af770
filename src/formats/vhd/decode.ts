/**
 * VHD decoder: fixed and dynamic disks as a read-only disk. The virtual size follows qemu's rule
 * (block/vpc.c): current_size for creators that write it exactly ('qem2', 'win ', 'd2v ', 'CTXS',
 * 'tap\0') or for the largest geometry, C*H*S otherwise. Differencing disks are refused.
 */
import { blockRanges } from '../block-ranges.js';
import type { ByteRange, ReadableDisk } from '../../disk/index.js';
import { inputError } from '../../errors.js';
import { readClamped, readStructure, readStructureInto, type ClosableSource } from '../source.js';
import type { ImageInfo } from '../types.js';
import { BAT_UNUSED, decodeVhdDynamicHeader, DYNAMIC_HEADER_SIZE, type VhdDynamicHeader } from './dynamic-header.js';
import { decodeVhdFooter, DISK_TYPE_DIFFERENCING, DISK_TYPE_DYNAMIC, DISK_TYPE_FIXED, FOOTER_SIZE, hasFooterCookie, type VhdFooter } from './footer.js';
import { chsSectors, MAX_CHS_SECTORS } from './geometry.js';

const EXACT_SIZE_CREATORS = new Set(['qem2', 'win ', 'd2v ', 'CTXS', 'tap\0']);

export function vhdVirtualSize(f: VhdFooter): number {
  const chs = chsSectors(f.geometry);
  if (EXACT_SIZE_CREATORS.has(f.creatorApp) || chs === MAX_CHS_SECTORS) return f.currentSize;
  return chs * 512;
}

/** True when the file ends in a VHD footer (fixed VHDs have no magic at offset 0). */
export function looksLikeVhd(source: { size: number; read(o: number, n: number): Uint8Array }): boolean {
  if (source.size >= FOOTER_SIZE && hasFooterCookie(source.read(source.size - FOOTER_SIZE, 8))) return true;
  return source.size >= FOOTER_SIZE && hasFooterCookie(source.read(0, 8));
}

export class VhdDisk implements ReadableDisk {
  readonly size: number;
  readonly footer: VhdFooter;
  private readonly dynamic: (VhdDynamicHeader & { bat: DataView }) | undefined;

  constructor(
    private readonly source: ClosableSource,
    private readonly name: string,
  ) {
    if (source.size < FOOTER_SIZE) throw inputError(`${name}: VHD footer: file of ${source.size} bytes is too short`, 'the image is truncated');
    const tail = source.read(source.size - FOOTER_SIZE, FOOTER_SIZE);
    if (!hasFooterCookie(tail)) {
      const head = readClamped(source, 0, 8);
      throw inputError(
        hasFooterCookie(head) ? `${name}: VHD footer missing at the end of the file (the copy at offset 0 is there)` : `${name}: VHD footer: bad cookie (expected "conectix")`,
        'the image is truncated or corrupt',
      );
    }
    this.footer = decodeVhdFooter(tail, name);
    this.size = vhdVirtualSize(this.footer);
    const type = this.footer.diskType;
    if (type === DISK_TYPE_DIFFERENCING) throw inputError(`${name}: VHD is a differencing disk: it needs its parent`, 'merge it into its parent first');
    if (type === DISK_TYPE_FIXED) {
      if (source.size - FOOTER_SIZE < this.size) throw inputError(`${name}: fixed VHD holds ${source.size - FOOTER_SIZE} bytes of data but states ${this.size}`, 'the image is truncated');
      this.dynamic = undefined;
      return;
    }
    if (type !== DISK_TYPE_DYNAMIC) throw inputError(`${name}: VHD footer: disk type ${type} is not fixed (2), dynamic (3) or differencing (4)`, 'the image is corrupt');
    const header = decodeVhdDynamicHeader(readStructure(source, name, 'VHD dynamic header', this.footer.dataOffset ?? 0, DYNAMIC_HEADER_SIZE), name);
    if (header.maxTableEntries * header.blockSize < this.size) throw inputError(`${name}: VHD BAT of ${header.maxTableEntries} blocks does not cover ${this.size} bytes`, 'the image is corrupt');
    const bat = readStructure(source, name, 'VHD block allocation table', header.tableOffset, header.maxTableEntries * 4);
    const view = new DataView(bat.buffer, bat.byteOffset, bat.byteLength);
    // Every allocated block (bitmap + data) must end before the footer.
    const blockSpan = this.bitmapSize(header.blockSize) + header.blockSize;
    for (let i = 0; i < header.maxTableEntries; i++) {
      const s = view.getUint32(i * 4);
      if (s !== BAT_UNUSED && s * 512 + blockSpan > source.size - FOOTER_SIZE) {
        throw inputError(`${name}: VHD BAT entry ${i} points to sector ${s}, past the end of the file (${source.size} bytes)`, 'the image is truncated or corrupt');
      }
    }
    this.dynamic = { ...header, bat: view };
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  /** Fills `target` with the disk's bytes at `offset`. */
  readInto(offset: number, target: Uint8Array): void {
    const length = target.length;
    if (offset < 0 || offset + length > this.size) throw inputError(`${this.name}: read of ${length} bytes at ${offset} is outside the ${this.size}-byte VHD disk`);
    if (!this.dynamic) return readStructureInto(this.source, this.name, 'VHD data', offset, target);
    const d = this.dynamic;
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      const b = Math.floor(pos / d.blockSize);
      const within = pos - b * d.blockSize;
      const n = Math.min(d.blockSize - within, length - done);
      const s = d.bat.getUint32(b * 4);
      if (s === BAT_UNUSED) target.fill(0, done, done + n);
      else readStructureInto(this.source, this.name, `VHD block ${b}`, s * 512 + this.bitmapSize(d.blockSize) + within, target.subarray(done, done + n));
      done += n;
    }
  }

  *dataRanges(): Generator<ByteRange> {
    if (!this.dynamic) {
      if (this.size > 0) yield { offset: 0, length: this.size };
      return;
    }
    const d = this.dynamic;
    yield* blockRanges(allocatedBatBlocks(d.bat, d.maxTableEntries), d.blockSize, this.size);
  }

  info(): ImageInfo {
    let allocated = this.source.size;
    if (this.dynamic) {
      allocated = 0;
      for (let b = 0; b < this.dynamic.maxTableEntries; b++) if (this.dynamic.bat.getUint32(b * 4) !== BAT_UNUSED) allocated++;
      allocated *= this.dynamic.blockSize;
    }
    return {
      format: 'vhd',
      virtualSize: this.size,
      allocatedSize: allocated,
      ...(this.dynamic ? { clusterSize: this.dynamic.blockSize } : {}),
      subformat: this.dynamic ? 'dynamic' : 'fixed',
    };
  }

  close(): void {
    this.source.close();
  }

  private bitmapSize(blockSize: number): number {
    return Math.ceil(blockSize / 512 / 8 / 512) * 512;
  }
}

function* allocatedBatBlocks(bat: DataView, entries: number): Generator<number> {
  for (let b = 0; b < entries; b++) if (bat.getUint32(b * 4) !== BAT_UNUSED) yield b;
}
