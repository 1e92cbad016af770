import { failure } from '../errors.js';

/** Throws unless [offset, offset + length) lies inside [0, size). `what` names the disk or window. */
export function checkBounds(what: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw failure(`${what}: access of ${length} bytes at offset ${offset} is outside its ${size} bytes`);
  }
}
