/**
 * GUIDs as GPT stores them (UEFI spec 2.10 appendix A): the first three fields little-endian, the
 * last two (8 bytes) in the order they are written. Text form is upper-case, as sgdisk and sfdisk print.
 */
import { inputError } from '../errors.js';

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(text: string): boolean {
  return GUID_RE.test(text);
}

/** Canonical (upper-case) form; throws naming `what` if `text` is not a GUID. */
export function normalizeGuid(text: string, what = 'GUID'): string {
  if (!isGuid(text)) throw inputError(`${what}: "${text}" is not a GUID`, 'write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx');
  return text.toUpperCase();
}

export function guidToBytes(text: string, what = 'GUID'): Uint8Array {
  const hex = normalizeGuid(text, what).replace(/-/g, '');
  const b = Uint8Array.from(Buffer.from(hex, 'hex'));
  // Reverse the byte order of fields 1 (4 bytes), 2 (2 bytes) and 3 (2 bytes).
  return Uint8Array.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

export function bytesToGuid(bytes: Uint8Array, offset = 0): string {
  const b = bytes.subarray(offset, offset + 16);
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  const hex = order.map((i) => b[i]!.toString(16).padStart(2, '0')).join('').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
