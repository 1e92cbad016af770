/**
 * Block maps, the ext2/ext3 way of addressing a file's blocks (kernel Documentation/filesystems/ext4/
 * blockmap.rst): i_block[0..11] point at data blocks, i_block[12] at a block of pointers, [13] at a
 * block of pointer blocks, [14] one level deeper. Holes are zero pointers; pointer blocks are made
 * only for ranges that hold data. Pure codec: the caller allocates the pointer blocks.
 */
import { I_BLOCK_SIZE } from './constants.js';
import type { Extent } from './extents.js';

const DIRECT = 12;
const IND = 12;
const DIND = 13;
const TIND = 14;

/** The chain of pointer-block keys a logical block needs ([] for direct blocks). */
function chain(logical: number, apb: number): string[] {
  let l = logical - DIRECT;
  if (l < 0) return [];
  if (l < apb) return ['i'];
  l -= apb;
  if (l < apb * apb) return ['d', `d${Math.floor(l / apb)}`];
  l -= apb * apb;
  const i1 = Math.floor(l / (apb * apb));
  const i2 = Math.floor((l % (apb * apb)) / apb);
  return ['t', `t${i1}`, `t${i1}/${i2}`];
}

/** Pointer blocks a file with data in these [logical, count] runs needs. */
export function blockMapMetaBlocks(runs: readonly (readonly [number, number])[], blockSize: number): number {
  const apb = blockSize / 4;
  const keys = new Set<string>();
  for (const [start, count] of runs) {
    // Every pointer block covers a multiple of apb blocks: visiting each apb-aligned step is enough.
    for (let l = start; l < start + count; l = Math.max(l + 1, Math.min(start + count, DIRECT + Math.ceil((l + 1 - DIRECT) / apb) * apb))) {
      for (const k of chain(l, apb)) keys.add(k);
    }
  }
  return keys.size;
}

export interface BlockMap {
  iBlock: Uint8Array;
  blocks: { block: number; bytes: Uint8Array }[];
}

/**
 * Builds i_block and the pointer blocks for `extents`; `allocate()` gives a physical block for each
 * pointer block, in the order they are first needed.
 */
export function buildBlockMap(extents: readonly Extent[], blockSize: number, allocate: () => number): BlockMap {
  const apb = blockSize / 4;
  const iBlock = new Uint8Array(I_BLOCK_SIZE);
  const iv = new DataView(iBlock.buffer);
  const nodes = new Map<string, { block: number; bytes: Uint8Array; view: DataView }>();
  const blocks: { block: number; bytes: Uint8Array }[] = [];
  const node = (key: string) => {
    let n = nodes.get(key);
    if (!n) {
      const bytes = new Uint8Array(blockSize);
      n = { block: allocate(), bytes, view: new DataView(bytes.buffer) };
      nodes.set(key, n);
      blocks.push({ block: n.block, bytes });
    }
    return n;
  };
  for (const e of extents) {
    for (let k = 0; k < e.length; k++) {
      const logical = e.logical + k;
      const physical = e.physical + k;
      let l = logical - DIRECT;
      if (l < 0) {
        iv.setUint32(logical * 4, physical, true);
        continue;
      }
      if (l < apb) {
        const ind = node('i');
        iv.setUint32(IND * 4, ind.block, true);
        ind.view.setUint32(l * 4, physical, true);
        continue;
      }
      l -= apb;
      if (l < apb * apb) {
        const d = node('d');
        iv.setUint32(DIND * 4, d.block, true);
        const i1 = Math.floor(l / apb);
        const ind = node(`d${i1}`);
        d.view.setUint32(i1 * 4, ind.block, true);
        ind.view.setUint32((l % apb) * 4, physical, true);
        continue;
      }
      l -= apb * apb;
      const t = node('t');
      iv.setUint32(TIND * 4, t.block, true);
      const i1 = Math.floor(l / (apb * apb));
      const i2 = Math.floor((l % (apb * apb)) / apb);
      const d = node(`t${i1}`);
      t.view.setUint32(i1 * 4, d.block, true);
      const ind = node(`t${i1}/${i2}`);
      d.view.setUint32(i2 * 4, ind.block, true);
      ind.view.setUint32((l % apb) * 4, physical, true);
    }
  }
  return { iBlock, blocks };
}
