/**
 * Compression levels 0-9, shaped like xz's presets: the dictionary grows with the level (xz: 256 KiB at
 * -0, 8 MiB at -6, 64 MiB at -9) and so does the search effort. Levels 0-3 use the fast parser (greedy
 * with lookahead), 4-9 the priced shortest-path parser, as xz's presets switch from "fast" to "normal"
 * mode. Level 6 is the default, as in xz.
 */
import { inputError } from '../../errors.js';
import type { Lzma2EncoderOptions } from './lzma2-encoder.js';

const MiB = 1 << 20;

export const DEFAULT_LEVEL = 6;

const PRESETS: readonly Lzma2EncoderOptions[] = [
  { dictSize: 1 * MiB, depth: 4, niceLen: 32 },
  { dictSize: 1 * MiB, depth: 8, niceLen: 48 },
  { dictSize: 2 * MiB, depth: 16, niceLen: 64 },
  // The fastest setting that stays within ~10% of xz -6: about 2.5x the speed of level 6.
  { dictSize: 4 * MiB, depth: 24, niceLen: 128, goodLen: 32 },
  // The priced parser from here on, as xz switches to its "normal" mode at -4.
  { dictSize: 4 * MiB, depth: 4, niceLen: 16, goodLen: 8, mode: 'normal' },
  { dictSize: 8 * MiB, depth: 6, niceLen: 24, goodLen: 12, mode: 'normal' },
  { dictSize: 8 * MiB, depth: 8, niceLen: 32, goodLen: 16, mode: 'normal' },
  { dictSize: 16 * MiB, depth: 10, niceLen: 40, goodLen: 20, mode: 'normal' },
  { dictSize: 32 * MiB, depth: 12, niceLen: 48, goodLen: 24, mode: 'normal' },
  { dictSize: 64 * MiB, depth: 16, niceLen: 64, goodLen: 32, mode: 'normal' },
];

/** The encoder settings for `level` (0-9); anything else is an input error naming it. */
export function lzma2Preset(level: number = DEFAULT_LEVEL): Lzma2EncoderOptions {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw inputError(`xz compression level ${String(level)} is out of range`, 'use a level from 0 (fastest) to 9 (smallest)');
  }
  return PRESETS[level]!;
}
