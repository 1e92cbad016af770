/**
 * What a parser decides: a run of `len` bytes and where they come from. `distance` is 0-based; -1 means
 * a literal (len 1). A one-byte copy is a short rep. The coder, not the parser, picks the symbol kind
 * from the distance at coding time (a rep if the distance is one of the four last ones, else a match), so
 * a decision stays valid even when a chunk boundary resets the state between deciding and coding.
 */
export const LITERAL = -1;

export class DecisionQueue {
  readonly lens: Int32Array;
  readonly dists: Int32Array;
  head = 0;
  tail = 0;
  constructor(capacity: number) {
    this.lens = new Int32Array(capacity);
    this.dists = new Int32Array(capacity);
  }
  get empty(): boolean {
    return this.head === this.tail;
  }
  push(len: number, distance: number): void {
    if (this.head === this.tail) this.head = this.tail = 0;
    this.lens[this.tail] = len;
    this.dists[this.tail++] = distance;
  }
}
