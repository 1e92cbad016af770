/**
 * pax extended header records (POSIX.1-2001, pax "Extended Header Format"): `"%d %s=%s\n", length,
 * keyword, value`, where length counts the whole record in bytes. Values stay BYTES: the
 * SCHILY.xattr.* values hold binary xattrs (security.capability masks have bytes ≥ 0x80), which a
 * UTF-8 decode would turn into U+FFFD. Order and repeats are kept (GNU sparse 0.0 repeats keys).
 */

export interface PaxRecord {
  readonly key: string;
  readonly value: Uint8Array;
}

export class PaxError extends Error {}

const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

/** Parses the data of an `x` or `g` member. Trailing NUL padding is ignored. */
export function parsePaxRecords(data: Uint8Array): PaxRecord[] {
  const records: PaxRecord[] = [];
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const space = data.indexOf(SPACE, pos);
    if (space < 0) throw new PaxError(`pax record at byte ${pos}: no length`);
    const length = parseDecimal(data.subarray(pos, space));
    if (length === undefined || length <= space - pos + 1 || pos + length > data.length) {
      throw new PaxError(`pax record at byte ${pos}: bad length`);
    }
    const end = pos + length;
    if (data[end - 1] !== NEWLINE) throw new PaxError(`pax record at byte ${pos}: not ended by a newline`);
    const equals = data.indexOf(EQUALS, space + 1);
    if (equals < 0 || equals >= end) throw new PaxError(`pax record at byte ${pos}: no "="`);
    const key = Buffer.from(data.subarray(space + 1, equals)).toString('utf8');
    records.push({ key, value: data.slice(equals + 1, end - 1) });
    pos = end;
  }
  return records;
}

function parseDecimal(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes.length > 15) return undefined;
  let n = 0;
  for (const b of bytes) {
    if (b < 0x30 || b > 0x39) return undefined;
    n = n * 10 + (b - 0x30);
  }
  return n;
}

/** Encodes one record; the length prefix counts itself, so it is found by iteration. */
export function encodePaxRecord(key: string, value: Uint8Array): Uint8Array {
  const keyBytes = Buffer.from(key, 'utf8');
  const rest = keyBytes.length + value.length + 3; // space, "=", newline
  let length = rest + 1;
  while (String(length).length + rest !== length) length = String(length).length + rest;
  const out = new Uint8Array(length);
  const head = Buffer.from(`${length} ${key}=`, 'utf8');
  out.set(head, 0);
  out.set(value, head.length);
  out[length - 1] = NEWLINE;
  return out;
}

export function encodePaxRecords(records: readonly PaxRecord[]): Uint8Array {
  return Buffer.concat(records.map((r) => encodePaxRecord(r.key, r.value)));
}

/**
 * A pax time value: decimal seconds with an optional fraction ("1700000000.123456789", "-1.5").
 * Returned as whole seconds (floored) and nanoseconds in [0, 1e9).
 */
export function parsePaxTime(text: string): { sec: number; nsec: number } | undefined {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const whole = Number(m[2]);
  const frac = Number(((m[3] ?? '') + '000000000').slice(0, 9));
  if (!Number.isSafeInteger(whole)) return undefined;
  if (m[1] !== '-') return { sec: whole, nsec: frac };
  return frac === 0 ? { sec: -whole, nsec: 0 } : { sec: -whole - 1, nsec: 1e9 - frac };
}

export function formatPaxTime(t: { sec: number; nsec: number }): string {
  if (t.nsec === 0) return String(t.sec);
  // Negative times: sec is floored, so -1.25 s is stored as sec -2, nsec 750000000.
  if (t.sec < 0) {
    const frac = 1e9 - t.nsec;
    return `-${-t.sec - 1}.${String(frac).padStart(9, '0')}`;
  }
  return `${t.sec}.${String(t.nsec).padStart(9, '0')}`;
}
