/**
 * DIB's size syntax (reference/dib.md §6.4, block_device/utils.py): a number, an optional single
 * space, a unit. Binary units KiB/MiB/GiB/TiB, decimal K/KB, M/MB, G/GB, T/TB, and B or no unit
 * for bytes. `N%` is a share of what remains, for partitions only.
 */
import { inputError } from './errors.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  K: 1000,
  KB: 1000,
  M: 1000 ** 2,
  MB: 1000 ** 2,
  G: 1000 ** 3,
  GB: 1000 ** 3,
  T: 1000 ** 4,
  TB: 1000 ** 4,
};

export type SizeSpec = { kind: 'absolute'; bytes: number } | { kind: 'percent'; percent: number };

const SIZE_RE = /^(\d+(?:\.\d*)?|\.\d+) ?([a-zA-Z]*)$/;
const PERCENT_RE = /^(\d+(?:\.\d*)?|\.\d+) ?%$/;

/** Parses an absolute size such as `154MiB`, `7.5GiB`, `198` (bytes). `what` names the field in errors. */
export function parseSize(text: string | number, what = 'size'): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text) || text < 0) throw inputError(`${what}: invalid size ${text}`, 'use a non-negative number of bytes');
    return Math.floor(text);
  }
  const m = SIZE_RE.exec(text.trim());
  if (!m) throw inputError(`${what}: invalid size "${text}"`, 'write a number and a unit, e.g. 512MiB, 2GiB, 10G, 4096');
  const unit = m[2] ?? '';
  const multiplier = UNITS[unit];
  if (multiplier === undefined) {
    throw inputError(`${what}: unit "${unit}" not known in "${text}"`, 'use B, KiB, MiB, GiB, TiB (binary) or K, M, G, T (decimal)');
  }
  return Math.floor(Number(m[1]) * multiplier);
}

/** Parses a partition size: absolute, or `N%` of the remaining space. */
export function parseSizeSpec(text: string | number, what = 'size'): SizeSpec {
  if (typeof text === 'string') {
    const m = PERCENT_RE.exec(text.trim());
    if (m) {
      const percent = Number(m[1]);
      if (percent <= 0 || percent > 100) throw inputError(`${what}: percentage "${text}" must be in (0, 100]`);
      return { kind: 'percent', percent };
    }
  }
  return { kind: 'absolute', bytes: parseSize(text, what) };
}

/**
 * `--image-size` as DIB reads it: a bare number is "GB", which DIB multiplies by 1024 × 1024 KiB
 * (dib.md §5.4), so it is really GiB; anything with a unit uses DIB's size syntax.
 */
export function parseImageSize(text: string, what = '--image-size'): number {
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.floor(Number(text) * 1024 ** 3);
  return parseSize(text, what);
}

/** Human-readable binary size, e.g. 1.5 GiB, 812 MiB, 4 KiB. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const text = i === 0 || Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return `${text} ${units[i]}`;
}
