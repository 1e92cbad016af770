/**
 * xz's variable-length integers (xz-file-format.txt §1.2): 7 bits per byte, least significant first,
 * the top bit set on every byte but the last; at most 9 bytes (63 bits).
 */
export function encodeVli(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`VLI out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
