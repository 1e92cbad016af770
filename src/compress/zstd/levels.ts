/**
 * Compression levels 1-22 (zstd's scale) mapped to our match finder's parameters: a bigger window,
 * a longer hash chain walk and lazier matching for higher levels, and from 13 on the optimal parser
 * (optimal.ts). Our own table, tuned on our code with a tar of Python's standard library.
 */
import { inputError } from '../../errors.js';

export interface LevelParameters {
  /** log2 of the window (the farthest a match may reach back). */
  readonly windowLog: number;
  /** log2 of the number of hash heads. */
  readonly hashLog: number;
  /** Candidates examined per position. */
  readonly searchDepth: number;
  /** 0 = take the first good match, 1-2 = also try the next one or two positions. */
  readonly lazy: number;
  /** A match this long ends the search. */
  readonly niceLength: number;
  /** Parse each block by the cheapest path (optimal.ts) instead of lazily. */
  readonly optimal?: boolean;
  /** Skip ahead faster through data with no matches (fast levels). */
  readonly skipStep: boolean;
}

const TABLE: readonly LevelParameters[] = [
  /* 1 */ { windowLog: 20, hashLog: 16, searchDepth: 2, lazy: 0, niceLength: 16, skipStep: true },
  /* 2 */ { windowLog: 20, hashLog: 17, searchDepth: 4, lazy: 0, niceLength: 24, skipStep: true },
  /* 3 */ { windowLog: 21, hashLog: 17, searchDepth: 6, lazy: 1, niceLength: 32, skipStep: true },
  /* 4 */ { windowLog: 21, hashLog: 18, searchDepth: 8, lazy: 1, niceLength: 32, skipStep: false },
  /* 5 */ { windowLog: 21, hashLog: 18, searchDepth: 12, lazy: 2, niceLength: 48, skipStep: false },
  /* 6 */ { windowLog: 22, hashLog: 18, searchDepth: 16, lazy: 2, niceLength: 64, skipStep: false },
  /* 7 */ { windowLog: 22, hashLog: 19, searchDepth: 24, lazy: 2, niceLength: 64, skipStep: false },
  /* 8 */ { windowLog: 22, hashLog: 19, searchDepth: 32, lazy: 2, niceLength: 96, skipStep: false },
  /* 9 */ { windowLog: 23, hashLog: 19, searchDepth: 48, lazy: 2, niceLength: 128, skipStep: false },
  /* 10 */ { windowLog: 23, hashLog: 20, searchDepth: 64, lazy: 2, niceLength: 128, skipStep: false },
  /* 11 */ { windowLog: 23, hashLog: 20, searchDepth: 96, lazy: 2, niceLength: 160, skipStep: false },
  /* 12 */ { windowLog: 23, hashLog: 20, searchDepth: 128, lazy: 2, niceLength: 192, skipStep: false },
  /* 13 */ { windowLog: 23, hashLog: 20, searchDepth: 8, lazy: 0, niceLength: 32, skipStep: false, optimal: true },
  /* 14 */ { windowLog: 23, hashLog: 20, searchDepth: 10, lazy: 0, niceLength: 40, skipStep: false, optimal: true },
  /* 15 */ { windowLog: 23, hashLog: 20, searchDepth: 12, lazy: 0, niceLength: 48, skipStep: false, optimal: true },
  /* 16 */ { windowLog: 23, hashLog: 20, searchDepth: 16, lazy: 0, niceLength: 48, skipStep: false, optimal: true },
  /* 17 */ { windowLog: 23, hashLog: 20, searchDepth: 20, lazy: 0, niceLength: 56, skipStep: false, optimal: true },
  /* 18 */ { windowLog: 23, hashLog: 20, searchDepth: 24, lazy: 0, niceLength: 64, skipStep: false, optimal: true },
  /* 19 */ { windowLog: 23, hashLog: 20, searchDepth: 32, lazy: 0, niceLength: 64, skipStep: false, optimal: true },
  /* 20 */ { windowLog: 23, hashLog: 20, searchDepth: 48, lazy: 0, niceLength: 96, skipStep: false, optimal: true },
  /* 21 */ { windowLog: 23, hashLog: 20, searchDepth: 64, lazy: 0, niceLength: 128, skipStep: false, optimal: true },
  /* 22 */ { windowLog: 23, hashLog: 20, searchDepth: 128, lazy: 0, niceLength: 256, skipStep: false, optimal: true },
];

/** What initramfs-tools uses, and what the ramdisk writer documents as its zstd default. */
export const DEFAULT_LEVEL = 19;
export const MIN_LEVEL = 1;
export const MAX_LEVEL = 22;

/** The parameters of `level`; anything but an integer 1-22 is an input error naming it. */
export function levelParameters(level: number): LevelParameters {
  if (!Number.isInteger(level) || level < MIN_LEVEL || level > MAX_LEVEL) {
    throw inputError(`zstd compression level ${String(level)} is out of range`, `use an integer from ${MIN_LEVEL} to ${MAX_LEVEL}`);
  }
  return TABLE[level - 1]!;
}
