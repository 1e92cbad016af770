/** True when every byte is zero. Compares 4 bytes at a time where alignment allows (V8 is fast at Uint32). */
export function isAllZero(bytes: Uint8Array): boolean {
  const n = bytes.length;
  const head = Math.min((4 - (bytes.byteOffset % 4)) % 4, n);
  for (let i = 0; i < head; i++) if (bytes[i] !== 0) return false;
  const words = (n - head) >>> 2;
  const view = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words);
  for (let w = 0; w < words; w++) if (view[w] !== 0) return false;
  for (let i = head + words * 4; i < n; i++) if (bytes[i] !== 0) return false;
  return true;
}
