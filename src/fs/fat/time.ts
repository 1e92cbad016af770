/**
 * FAT date and time fields (fatgen103 §6 "Date and Time Formats"). FAT stores local time without a
 * zone; we store UTC, so the same input gives the same bytes on every machine (Linux mounts with
 * tz=UTC or time_offset to read it back exactly). Times have 2-second resolution; the creation time
 * has an extra 10 ms field. FAT counts years 1980..2107, so times outside are clamped.
 */
import type { Timestamp } from '../../tree/index.js';

/** 1980-01-01T00:00:00Z, the earliest FAT time. */
export const FAT_EPOCH_MIN = 315532800;
/** 2107-12-31T23:59:58Z, the latest FAT time (seconds are stored halved). */
export const FAT_EPOCH_MAX = 4354819198;

export interface FatTime {
  /** Bits 15-9 year-1980, 8-5 month (1-12), 4-0 day (1-31). */
  readonly date: number;
  /** Bits 15-11 hours, 10-5 minutes, 4-0 seconds/2. */
  readonly time: number;
  /** Creation time's 10 ms units, 0..199 (the odd second and the fraction). */
  readonly hundredths: number;
}

/** Clamps to FAT's range and splits into the date, time and 10 ms fields. */
export function toFatTime(t: Timestamp): FatTime {
  let sec = Math.floor(t.sec);
  let nsec = t.nsec;
  if (sec < FAT_EPOCH_MIN) [sec, nsec] = [FAT_EPOCH_MIN, 0];
  if (sec > FAT_EPOCH_MAX + 1) [sec, nsec] = [FAT_EPOCH_MAX + 1, 999_999_999];
  const d = new Date(sec * 1000);
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const hundredths = (d.getUTCSeconds() & 1) * 100 + Math.floor(nsec / 10_000_000);
  return { date, time, hundredths };
}

/** The epoch seconds a FAT date and time stand for (UTC), for readers and tests. */
export function fromFatTime(date: number, time: number): number {
  const year = 1980 + (date >> 9);
  const month = (date >> 5) & 0x0f;
  const day = date & 0x1f;
  return Date.UTC(year, month - 1, day, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2) / 1000;
}
