/**
 * Refcounts of the clusters we write (qcow2.txt "Reference counts"), with 16-bit entries
 * (refcount_order 4). Uncompressed images reference every cluster exactly once, so they need no
 * per-cluster memory; compressed clusters share host clusters and are counted one by one.
 */

export const REFCOUNT_ORDER = 4;
const REFCOUNT_BYTES = 2;
const MAX_REFCOUNT = 0xffff;

export class RefcountTracker {
  private counts = new Uint16Array(1024);
  /** False until a range is counted: uncompressed images count nothing, and every cluster they use is referenced once. */
  private individually = false;

  /** Adds one reference to each cluster touched by [offset, offset + length). */
  addRange(offset: number, length: number, clusterSize: number): void {
    const first = Math.floor(offset / clusterSize);
    const last = Math.floor((offset + length - 1) / clusterSize);
    this.individually = true;
    for (let c = first; c <= last; c++) {
      this.grow(c);
      if (this.counts[c] === MAX_REFCOUNT) throw new Error(`qcow2 refcount overflow at cluster ${c}`);
      this.counts[c]! += 1;
    }
  }

  /** Refcount of cluster `c` below the end of data; clusters never counted individually are 1. */
  get(c: number): number {
    if (!this.individually) return 1;
    return c < this.counts.length ? this.counts[c]! : 0;
  }

  private grow(c: number): void {
    if (c < this.counts.length) return;
    let n = this.counts.length;
    while (n <= c) n *= 2;
    const next = new Uint16Array(n);
    next.set(this.counts);
    this.counts = next;
  }
}

/**
 * How many refcount blocks and refcount-table clusters cover `dataClusters` clusters plus the
 * refcount structures themselves (which are placed after the data and must count themselves).
 */
export function refcountLayout(dataClusters: number, clusterSize: number): { blocks: number; tableClusters: number } {
  const perBlock = clusterSize / REFCOUNT_BYTES;
  let blocks = 0;
  let tableClusters = 0;
  for (;;) {
    const total = dataClusters + blocks + tableClusters;
    const needBlocks = Math.ceil(total / perBlock);
    const needTable = Math.max(1, Math.ceil((needBlocks * 8) / clusterSize));
    if (needBlocks === blocks && needTable === tableClusters) return { blocks, tableClusters };
    blocks = needBlocks;
    tableClusters = needTable;
  }
}

/** One refcount block: 16-bit big-endian counts for clusters [first, first + clusterSize/2). */
export function encodeRefcountBlock(first: number, clusterSize: number, countOf: (cluster: number) => number): Uint8Array {
  const out = new Uint8Array(clusterSize);
  const v = new DataView(out.buffer);
  const perBlock = clusterSize / REFCOUNT_BYTES;
  for (let i = 0; i < perBlock; i++) v.setUint16(i * REFCOUNT_BYTES, countOf(first + i));
  return out;
}
