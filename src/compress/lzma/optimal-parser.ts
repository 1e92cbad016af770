/**
 * The "normal" parser: a shortest-path search over the next few thousand bytes, priced in 1/16 bit from
 * the coder's current probabilities. Node k is "k bytes coded"; from each node it relaxes a literal, a
 * short rep, every length of every rep match and every length of every match the finder reports (each
 * length with the closest distance that reaches it). Each node keeps the LZMA state and reps of its best
 * path, so prices follow the state machine. The search ends where no path reaches further, when a match
 * of niceLen or more shows up (it is then taken whole by the next plan), or at the node limit; the best
 * path to that point becomes the decisions.
 */
import { DecisionQueue, LITERAL } from './decisions.js';
import { longestRep, oneByteDecision } from './fast-parser.js';
import { LENGTHS, MATCH_LEN_MAX, MATCH_LEN_MIN } from './length-coder.js';
import { type MatchFinder, matchLength } from './match-finder.js';
import { type LzmaSymbolCoder, PB, stateAfterLiteral, stateAfterMatch, stateAfterRep, stateAfterShortRep } from './symbol-coder.js';

/** How many bytes one plan may span (then the path so far is taken). */
const OPTS = 1 << 11;
const NODES = OPTS + MATCH_LEN_MAX + 1;
const INFINITE = 0x7fffffff;
const POS_MASK = (1 << PB) - 1;
/** Length and distance price tables are refreshed after this many decisions. */
const PRICE_REFRESH = 128;

export class OptimalParser {
  /** Bytes that must be buffered past the start of a plan, so every search sees a full-length window. */
  readonly lookahead = OPTS + MATCH_LEN_MAX + 5;
  private cached = false;
  /** The longest rep match relax() saw at its node. */
  private longestRep = 0;
  private decisionsSinceRefresh = PRICE_REFRESH;
  private readonly price = new Int32Array(NODES);
  private readonly prev = new Int32Array(NODES);
  private readonly lenTo = new Int32Array(NODES);
  private readonly distTo = new Int32Array(NODES);
  private readonly state = new Uint8Array(NODES);
  private readonly reps = new Int32Array(NODES * 4);
  private readonly rep = new Int32Array(2);
  private readonly path = new Int32Array(NODES);

  constructor(
    private readonly mf: MatchFinder,
    private readonly coder: LzmaSymbolCoder,
    private readonly queue: DecisionQueue,
    private readonly niceLen: number,
  ) {}

  plan(pos: number, avail: number): void {
    const mf = this.mf;
    const coder = this.coder;
    if (!this.cached) mf.find(Math.min(avail, MATCH_LEN_MAX));
    this.cached = false;
    const i0 = pos - mf.bufBase;
    const nice = this.niceLen;

    // A long match is taken whole, without a search.
    longestRep(mf, coder.reps, i0, Math.min(avail, MATCH_LEN_MAX), this.rep);
    if (this.rep[0]! >= nice) return this.take(this.rep[0]!, coder.reps[this.rep[1]!]!);
    const count = mf.count;
    if (count > 0 && mf.lens[count - 1]! >= nice) return this.take(mf.lens[count - 1]!, mf.dists[count - 1]!);
    if (count === 0 && this.rep[0]! < 2) {
      this.decisionsSinceRefresh++;
      this.queue.push(1, oneByteDecision(mf, coder.reps[0]!, i0));
      return;
    }

    if (this.decisionsSinceRefresh >= PRICE_REFRESH) {
      coder.updatePrices();
      this.decisionsSinceRefresh = 0;
    }
    this.price[0] = 0;
    this.state[0] = coder.state;
    this.reps.set(coder.reps, 0);
    let end = 0;
    end = this.relax(0, pos, end);
    let cur = 1;
    for (; cur < end; cur++) {
      this.deriveNode(cur);
      const c = mf.find(Math.min(avail - cur, MATCH_LEN_MAX));
      if ((c > 0 && mf.lens[c - 1]! >= nice) || cur + MATCH_LEN_MAX >= OPTS) break;
      end = this.relax(cur, pos + cur, end);
      if (this.longestRep >= nice) break;
    }
    // Stopped early: the path to `cur` is final, and the search at `cur` serves the next plan.
    if (cur < end) this.cached = true;
    this.emitPath(cur);
  }

  /** Relaxes every symbol from node `cur` (at absolute position `at`); returns the new farthest node. */
  private relax(cur: number, at: number, farthest: number): number {
    const mf = this.mf;
    const coder = this.coder;
    const buf = mf.buf;
    const price = this.price;
    const i = at - mf.bufBase;
    const limit = Math.min(mf.end - at, MATCH_LEN_MAX);
    const position = at - mf.streamStart;
    const posState = position & POS_MASK;
    const base = price[cur]!;
    const s = this.state[cur]!;
    const r4 = cur * 4;
    const rep0 = this.reps[r4]!;
    const minIndex = mf.streamStart - mf.bufBase;
    let end = farthest;
    this.longestRep = 0;

    // One byte: a literal, or a short rep when the byte equals the one at rep0.
    if (end < cur + 1) price[++end] = INFINITE;
    const byte = buf[i]!;
    const j0 = i - rep0 - 1;
    const rep0Valid = j0 >= minIndex;
    this.offer(cur, 1, LITERAL, base + coder.literalPrice(position, s, byte, position > 0 ? buf[i - 1]! : 0, rep0Valid ? buf[j0]! : 0));
    if (rep0Valid && buf[j0] === byte) {
      this.offer(cur, 1, rep0, base + coder.shortRepPrice(s, posState));
    }
    if (limit < 2) return end;

    // Every length of every rep match. A match no longer than rep0's costs more than rep0: skip those.
    let matchStart = 2;
    const lenRow = posState * LENGTHS - MATCH_LEN_MIN;
    const repLenPrices = coder.repLenPrices();
    for (let r = 0; r < 4; r++) {
      const distance = this.reps[r4 + r]!;
      const j = i - distance - 1;
      if (j < minIndex || buf[j] !== byte || buf[j + 1] !== buf[i + 1]) continue;
      const len = matchLength(buf, j, i, limit);
      if (len > this.longestRep) this.longestRep = len;
      if (r === 0) matchStart = len + 1;
      while (end < cur + len) price[++end] = INFINITE;
      const flags = base + coder.repPrice(r, s, posState);
      for (let l = 2; l <= len; l++) {
        this.offer(cur, l, distance, flags + repLenPrices[lenRow + l]!);
      }
    }

    // Every length of every match, each with the closest distance that reaches it.
    const count = mf.count;
    if (count === 0) return end;
    while (end < cur + mf.lens[count - 1]!) price[++end] = INFINITE;
    const flags = base + coder.matchFlagsPrice(s, posState);
    const matchLenPrices = coder.matchLenPrices();
    let l = matchStart;
    for (let k = 0; k < count; k++) {
      const distance = mf.dists[k]!;
      const maxLen = mf.lens[k]!;
      // The distance's price depends on the length only up to 5 (the slot tree is picked by min(len - 2, 3)).
      for (; l <= maxLen && l < 5; l++) {
        this.offer(cur, l, distance, flags + matchLenPrices[lenRow + l]! + coder.distancePrice(distance, l));
      }
      if (l > maxLen) continue;
      const distPrice = flags + coder.distancePrice(distance, 5);
      for (; l <= maxLen; l++) {
        this.offer(cur, l, distance, distPrice + matchLenPrices[lenRow + l]!);
      }
    }
    return end;
  }

  /** Makes `len` bytes at `distance` from node `cur` the best way to node cur + len if `p` beats its price. */
  private offer(cur: number, len: number, distance: number, p: number): void {
    const to = cur + len;
    if (p < this.price[to]!) {
      this.price[to] = p;
      this.prev[to] = cur;
      this.lenTo[to] = len;
      this.distTo[to] = distance;
    }
  }

  /** The LZMA state and reps after the best path to node `cur` (from its predecessor's). */
  private deriveNode(cur: number): void {
    const from = this.prev[cur]!;
    const len = this.lenTo[cur]!;
    const distance = this.distTo[cur]!;
    const s = this.state[from]!;
    const reps = this.reps;
    const a = from * 4;
    const b = cur * 4;
    if (len === 1) {
      reps.copyWithin(b, a, a + 4);
      this.state[cur] = distance === LITERAL ? stateAfterLiteral(s) : stateAfterShortRep(s);
      return;
    }
    let r = 0;
    while (r < 4 && reps[a + r] !== distance) r++;
    if (r < 4) {
      // A rep: its distance moves to the front, the others keep their order.
      reps[b] = distance;
      for (let k = 0, o = 1; k < 4; k++) if (k !== r) reps[b + o++] = reps[a + k]!;
      this.state[cur] = stateAfterRep(s);
    } else {
      reps[b] = distance;
      reps[b + 1] = reps[a]!;
      reps[b + 2] = reps[a + 1]!;
      reps[b + 3] = reps[a + 2]!;
      this.state[cur] = stateAfterMatch(s);
    }
  }

  /** Queues the decisions of the best path from node 0 to node `last`. */
  private emitPath(last: number): void {
    let n = 0;
    for (let k = last; k > 0; k = this.prev[k]!) this.path[n++] = k;
    for (let k = n - 1; k >= 0; k--) {
      const node = this.path[k]!;
      this.queue.push(this.lenTo[node]!, this.distTo[node]!);
    }
    this.decisionsSinceRefresh += n;
  }

  /** A copy of `len` bytes taken without a search; the positions it covers go in unsearched. */
  private take(len: number, distance: number): void {
    this.queue.push(len, distance);
    this.mf.skip(len - 1);
    this.decisionsSinceRefresh++;
  }
}
