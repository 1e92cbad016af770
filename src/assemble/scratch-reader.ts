/**
 * The finished scratch disk as the encoders read it: the bytes through a read-only RawImage (so an
 * encoder refills one buffer with `readInto`, or reads ahead on the thread pool, instead of
 * allocating a fresh buffer per chunk), the data ranges from the FileDisk that wrote them (so holes
 * are never read).
 */
import type { ByteRange, FileDisk } from '../disk/index.js';
import { RawImage } from '../formats/raw-reader.js';

export class ScratchReader extends RawImage {
  constructor(private readonly written: FileDisk) {
    super(written.path);
  }

  override dataRanges(): Generator<ByteRange> {
    return (function* (ranges: Iterable<ByteRange>) {
      yield* ranges;
    })(this.written.dataRanges());
  }
}
