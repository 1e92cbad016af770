/**
 * The .xz encoder: our own LZMA2 (src/compress/lzma) in the xz container (xz-file-format.txt), what
 * `--ramdisk-compression xz` writes. One stream with one block, check type CRC32 (as mkinitramfs's
 * `xz --check=crc32`: the Linux kernel's decoder accepts only CRC32 or none), block sizes left out of the
 * block header and recorded in the Index. Streaming: memory is the window (the dictionary plus 2-4 MiB),
 * the match finder's tables (4 bytes per dictionary byte, plus up to 16 MiB of hash heads) and one 64 KiB
 * chunk, whatever the input size: about 60 MiB at level 6, 340 MiB at level 9. Deterministic: the same
 * bytes and level give the same output, however the input is cut into writes.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { dictionarySizeByte } from '../lzma/lzma2-chunk.js';
import { Lzma2Encoder } from '../lzma/lzma2-encoder.js';
import { DEFAULT_LEVEL, lzma2Preset } from '../lzma/presets.js';
import { blockPadding, encodeBlockHeader } from './block-header.js';
import { crc32 } from './crc32.js';
import { encodeIndex, type IndexRecord } from './index-section.js';
import { CHECK_CRC32_SIZE, encodeStreamFooter, encodeStreamHeader } from './stream-header.js';

export interface XzCompressOptions {
  /** 0-9 as xz's presets: more search effort (and a bigger dictionary) for higher levels. Default 6. */
  readonly level?: number;
}

/** Pushes .xz bytes to `out` as the input arrives: header first, then the block, then index and footer. */
export class XzEncoder {
  private readonly lzma2: Lzma2Encoder;
  private readonly blockHeader: Uint8Array;
  private blockStarted = false;
  private compressedSize = 0;
  private uncompressedSize = 0;
  private check = 0;

  /** Validates the level (an input error names it) and writes the stream header to `out`. */
  constructor(options: XzCompressOptions, private readonly out: (bytes: Uint8Array) => void) {
    const preset = lzma2Preset(options.level ?? DEFAULT_LEVEL);
    this.blockHeader = encodeBlockHeader(dictionarySizeByte(preset.dictSize));
    this.lzma2 = new Lzma2Encoder(preset, (bytes) => {
      this.compressedSize += bytes.length;
      this.out(bytes);
    });
    this.out(encodeStreamHeader());
  }

  write(data: Uint8Array): void {
    if (data.length === 0) return;
    if (!this.blockStarted) {
      // An empty input has no block at all (as xz writes it): the header waits for the first byte.
      this.blockStarted = true;
      this.out(this.blockHeader);
    }
    this.uncompressedSize += data.length;
    this.check = crc32(data, this.check);
    this.lzma2.write(data);
  }

  /** Ends the block (end marker, padding, CRC32 of the input) and writes the Index and Stream Footer. */
  end(): void {
    const records: IndexRecord[] = [];
    if (this.blockStarted) {
      this.lzma2.finish();
      this.out(blockPadding(this.compressedSize));
      const check = new Uint8Array(CHECK_CRC32_SIZE);
      new DataView(check.buffer).setUint32(0, this.check, true);
      this.out(check);
      records.push({
        unpaddedSize: this.blockHeader.length + this.compressedSize + CHECK_CRC32_SIZE,
        uncompressedSize: this.uncompressedSize,
      });
    }
    const index = encodeIndex(records);
    this.out(index);
    this.out(encodeStreamFooter(index.length));
  }
}

/** A byte stream transform: raw bytes in, one .xz stream out. Deterministic. Bad level: input error. */
export function createXzCompressStream(options: XzCompressOptions = {}): Transform {
  let encoder: XzEncoder | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      try {
        encoder!.write(chunk);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback): void {
      try {
        encoder!.end();
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
  encoder = new XzEncoder(options, (bytes) => stream.push(bytes));
  return stream;
}

/** Compresses a whole buffer to .xz (for small inputs and tests; streams should use the transform). */
export function xzCompress(input: Uint8Array, options: XzCompressOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const encoder = new XzEncoder(options, (bytes) => parts.push(bytes));
  encoder.write(input);
  encoder.end();
  return Buffer.concat(parts);
}
