/**
 * The block allocator: hands out blocks in ascending order, skipping the metadata runs. Because data
 * only ever grows from one cursor, "which blocks are used" is just the metadata plus everything below
 * the cursor: bitmaps are computed from that, never stored whole.
 */
import { failure } from '../../errors.js';
import { MAX_EXTENT_LEN, type Extent } from './extents.js';

export class BlockAllocator {
  private cursor: number;
  private runIndex = 0;
  /** Blocks handed out so far (not counting metadata). */
  allocated = 0;

  constructor(
    private readonly metadataRuns: readonly [number, number][],
    firstBlock: number,
    private readonly blocksCount: number,
  ) {
    this.cursor = firstBlock;
  }

  /** The first block not yet handed out (everything below it is used). */
  get next(): number {
    return this.cursor;
  }

  /**
   * Allocates `count` blocks for logical blocks starting at `logical`, as extents (split at metadata and
   * at the 32768-block extent limit).
   */
  allocate(logical: number, count: number): Extent[] {
    const out: Extent[] = [];
    while (count > 0) {
      this.skipMetadata();
      const run = this.metadataRuns[this.runIndex];
      const room = (run ? run[0] : this.blocksCount) - this.cursor;
      if (room <= 0) throw failure('ext4: out of space while writing (the plan was wrong)', 'report this as a bug; use a bigger --size meanwhile');
      const n = Math.min(count, room, MAX_EXTENT_LEN);
      const last = out[out.length - 1];
      if (last && last.physical + last.length === this.cursor && last.length + n <= MAX_EXTENT_LEN) last.length += n;
      else out.push({ logical, physical: this.cursor, length: n });
      this.cursor += n;
      this.allocated += n;
      logical += n;
      count -= n;
    }
    return out;
  }

  /** One block (extent tree, xattr block, ...). */
  one(): number {
    return this.allocate(0, 1)[0]!.physical;
  }

  private skipMetadata(): void {
    for (;;) {
      const run = this.metadataRuns[this.runIndex];
      if (!run || this.cursor < run[0]) return;
      if (this.cursor < run[1]) this.cursor = run[1];
      this.runIndex++;
    }
  }
}

/** How many extents `count` blocks can need at most when allocated from anywhere (for planning). */
export function extentUpperBound(count: number, blocksPerGroup: number): number {
  // One per 32768 blocks, plus one split per group boundary crossed (metadata sits at group starts).
  return Math.ceil(count / MAX_EXTENT_LEN) + Math.ceil(count / blocksPerGroup) + 1;
}
