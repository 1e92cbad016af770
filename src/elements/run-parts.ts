/**
 * dib-run-parts' rules (reference/dib.md §1.5), as pure functions:
 * - a phase script runs only if it is a regular file (symlinks followed), executable, and its name matches
 *   ^[0-9A-Za-z_-]+$ — so `10-foo.sh` never runs (DIB skips it silently; we report it);
 * - environment.d files match [0-9A-Za-z_.-]+ (dots allowed) and need not be executable;
 * - order is `LANG=C sort -n`: by the leading number, then byte-wise by the whole name.
 */

/** DIB's default RUN_PARTS_REGEX. */
export const SCRIPT_NAME = /^[0-9A-Za-z_-]+$/;
/** The names dib-run-parts sources from environment.d. */
export const ENVIRONMENT_FILE_NAME = /^[0-9A-Za-z_.-]+$/;

export function isRunnableScriptName(name: string): boolean {
  return SCRIPT_NAME.test(name);
}

export function isEnvironmentFileName(name: string): boolean {
  return ENVIRONMENT_FILE_NAME.test(name);
}

/**
 * The leading number `sort -n` sees in the C locale: optional blanks, optional '-', digits, optionally a
 * '.' and more digits. No number reads as 0. Kept as digit strings so no name can overflow a double.
 */
interface LeadingNumber {
  negative: boolean;
  integer: string; // no leading zeros; '' for zero
  fraction: string; // no trailing zeros
}

function leadingNumber(name: string): LeadingNumber {
  const m = /^[ \t]*(-?)([0-9]*)(?:\.([0-9]*))?/.exec(name);
  const integer = (m?.[2] ?? '').replace(/^0+/, '');
  const fraction = (m?.[3] ?? '').replace(/0+$/, '');
  const isZero = integer === '' && fraction === '';
  return { negative: m?.[1] === '-' && !isZero, integer, fraction };
}

function compareMagnitude(a: LeadingNumber, b: LeadingNumber): number {
  if (a.integer.length !== b.integer.length) return a.integer.length - b.integer.length;
  if (a.integer !== b.integer) return a.integer < b.integer ? -1 : 1;
  if (a.fraction !== b.fraction) return a.fraction < b.fraction ? -1 : 1;
  return 0;
}

function compareNumbers(a: LeadingNumber, b: LeadingNumber): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const m = compareMagnitude(a, b);
  return a.negative ? -m : m;
}

/** Byte-wise comparison, as `LANG=C sort` breaks ties. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The comparator of `LANG=C sort -n`. */
export function compareRunParts(a: string, b: string): number {
  return compareNumbers(leadingNumber(a), leadingNumber(b)) || compareBytes(a, b);
}

/** Sorts names in the order dib-run-parts runs them. Does not modify its argument. */
export function sortRunParts(names: readonly string[]): string[] {
  return [...names].sort(compareRunParts);
}
