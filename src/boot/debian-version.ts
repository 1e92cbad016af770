/**
 * Debian version ordering (deb-version(7), "Sorting algorithm"), used to pick the newest kernel in
 * /boot as Debian's own tools (linux-version sort, which asks dpkg) do. Kernel file suffixes such as
 * "6.1.0-13-amd64" are compared whole: runs of non-digits compare character by character, with
 * letters before non-letters and "~" before everything (even the end); runs of digits compare as
 * numbers.
 */

/** A character's weight in the non-digit part: "~" < end of string < letters < everything else. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Negative when a sorts before b, positive after, 0 when equal in Debian's ordering. */
export function compareDebianVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run: compare one character at a time until both sides reach a digit.
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ca = isDigit(a[i]) ? undefined : a[i];
      const cb = isDigit(b[j]) ? undefined : b[j];
      const d = order(ca) - order(cb);
      if (d !== 0) return d;
      i++;
      j++;
    }
    // Digit run: numeric comparison without overflow (strip leading zeros, then length, then text).
    let si = i;
    let sj = j;
    while (a[si] === '0') si++;
    while (b[sj] === '0') sj++;
    let ei = si;
    let ej = sj;
    while (isDigit(a[ei])) ei++;
    while (isDigit(b[ej])) ej++;
    const na = a.slice(si, ei);
    const nb = b.slice(sj, ej);
    if (na.length !== nb.length) return na.length - nb.length;
    if (na !== nb) return na < nb ? -1 : 1;
    i = ei;
    j = ej;
  }
  return 0;
}
