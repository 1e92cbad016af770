/**
 * The LZMA distance coder (lzma-specification.txt, §"The distance decoder"). A 0-based distance is split
 * into a 6-bit slot (coded through one of four bit trees chosen by the match length) and the bits below
 * the slot's top two: distances under 128 code those bits through small reverse trees ("special" probs);
 * larger ones send all but the lowest 4 bits as direct bits and the last 4 through the reverse align tree.
 */
import { bitTreePrice, PRICE_SHIFT, reverseBitTreePrice } from './price.js';
import { encodeBitTree, encodeReverseBitTree, newProbs, PROB_INIT, type RangeEncoder } from './range-encoder.js';

const SLOT_BITS = 6;
/** The slot tree is chosen by min(len - 2, 3). */
const LEN_TO_SLOT_STATES = 4;
/** Slots below this code their extra bits with the "special" reverse trees. */
const END_POS_MODEL_INDEX = 14;
/** Distances below this never use direct bits (1 << (END_POS_MODEL_INDEX / 2)). */
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const ALIGN_MASK = (1 << ALIGN_BITS) - 1;
/** Distances 0..3 are their own slots. */
const START_POS_MODEL_INDEX = 4;

/** The slot of a 0-based distance: 2 × (index of its top bit) + the bit below it. */
export function distanceSlot(distance: number): number {
  if (distance < START_POS_MODEL_INDEX) return distance;
  const top = 31 - Math.clz32(distance);
  return (top << 1) | ((distance >>> (top - 1)) & 1);
}

export class DistanceCoder {
  private readonly slots = newProbs(LEN_TO_SLOT_STATES << SLOT_BITS);
  /** Reverse trees for slots 4..13; index = slot base - slot + tree node (spec: PosDecoders). */
  private readonly special = newProbs(1 + FULL_DISTANCES - END_POS_MODEL_INDEX);
  private readonly align = newProbs(1 << ALIGN_BITS);
  /** Prices as of the last updatePrices(): slot (with its direct bits), distances < 128, align bits. */
  private readonly slotPrices = new Uint32Array(LEN_TO_SLOT_STATES << SLOT_BITS);
  private readonly fullPrices = new Uint32Array(LEN_TO_SLOT_STATES * FULL_DISTANCES);
  private readonly alignPrices = new Uint32Array(1 << ALIGN_BITS);

  reset(): void {
    this.slots.fill(PROB_INIT);
    this.special.fill(PROB_INIT);
    this.align.fill(PROB_INIT);
  }

  /** Codes a 0-based `distance` for a match of `len` bytes. */
  encode(rc: RangeEncoder, distance: number, len: number): void {
    const lenState = Math.min(len - 2, LEN_TO_SLOT_STATES - 1);
    const slot = distanceSlot(distance);
    encodeBitTree(rc, this.slots, lenState << SLOT_BITS, SLOT_BITS, slot);
    if (slot < START_POS_MODEL_INDEX) return;
    const footerBits = (slot >>> 1) - 1;
    const base = (2 | (slot & 1)) << footerBits;
    const reduced = distance - base;
    if (slot < END_POS_MODEL_INDEX) {
      encodeReverseBitTree(rc, this.special, base - slot, footerBits, reduced);
      return;
    }
    rc.encodeDirectBits(reduced >>> ALIGN_BITS, footerBits - ALIGN_BITS);
    encodeReverseBitTree(rc, this.align, 0, ALIGN_BITS, reduced & ALIGN_MASK);
  }

  updatePrices(): void {
    for (let ls = 0; ls < LEN_TO_SLOT_STATES; ls++) {
      for (let slot = 0; slot < 1 << SLOT_BITS; slot++) {
        let price = bitTreePrice(this.slots, ls << SLOT_BITS, SLOT_BITS, slot);
        if (slot >= END_POS_MODEL_INDEX) price += ((slot >>> 1) - 1 - ALIGN_BITS) << PRICE_SHIFT;
        this.slotPrices[(ls << SLOT_BITS) + slot] = price;
      }
      for (let distance = 0; distance < FULL_DISTANCES; distance++) {
        const slot = distanceSlot(distance);
        let price = this.slotPrices[(ls << SLOT_BITS) + slot]!;
        if (slot >= START_POS_MODEL_INDEX) {
          const footerBits = (slot >>> 1) - 1;
          const base = (2 | (slot & 1)) << footerBits;
          price += reverseBitTreePrice(this.special, base - slot, footerBits, distance - base);
        }
        this.fullPrices[ls * FULL_DISTANCES + distance] = price;
      }
    }
    for (let i = 0; i < 1 << ALIGN_BITS; i++) this.alignPrices[i] = reverseBitTreePrice(this.align, 0, ALIGN_BITS, i);
  }

  /** The price of a 0-based `distance` for a match of `len`, as of the last updatePrices(). */
  price(distance: number, len: number): number {
    const ls = Math.min(len - 2, LEN_TO_SLOT_STATES - 1);
    if (distance < FULL_DISTANCES) return this.fullPrices[ls * FULL_DISTANCES + distance]!;
    return this.slotPrices[(ls << SLOT_BITS) + distanceSlot(distance)]! + this.alignPrices[distance & ALIGN_MASK]!;
  }
}
