/** Bounded reads from a container file, turning "past the end" into an error that names the structure. */
import { inputError } from '../errors.js';
import type { ByteSource } from './types.js';

export interface ClosableSource extends ByteSource {
  close(): void;
}

/** Reads [offset, offset + length) of the container, or throws an input error naming `what` in `name`. */
export function readStructure(source: ByteSource, name: string, what: string, offset: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > source.size) {
    throw inputError(`${name}: ${what} at offset ${offset} (+${length} bytes) lies past the end of the file (${source.size} bytes)`, 'the image is truncated or corrupt');
  }
  return source.read(offset, length);
}

/** readStructure into the caller's buffer (no allocation when the source can read into it). */
export function readStructureInto(source: ByteSource, name: string, what: string, offset: number, target: Uint8Array): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + target.length > source.size) {
    throw inputError(`${name}: ${what} at offset ${offset} (+${target.length} bytes) lies past the end of the file (${source.size} bytes)`, 'the image is truncated or corrupt');
  }
  const into = (source as Partial<{ readInto(o: number, t: Uint8Array): void }>).readInto;
  if (into) into.call(source, offset, target);
  else target.set(source.read(offset, target.length));
}

/** Reads up to `length` bytes at `offset`, stopping at the end of the file. */
export function readClamped(source: ByteSource, offset: number, length: number): Uint8Array {
  const n = Math.max(0, Math.min(length, source.size - offset));
  return source.read(offset, n);
}

/** A small least-recently-used cache (tables and decompressed units). */
export class LruCache<V> {
  private readonly map = new Map<number, V>();
  constructor(private readonly capacity: number) {}

  get(key: number): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: number, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
