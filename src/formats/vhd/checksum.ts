/** The VHD checksum (VHD spec, "Hard Disk Footer Format", Checksum): one's complement of the byte sum, checksum field taken as zero. */
export function vhdChecksum(bytes: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) if (i < checksumOffset || i >= checksumOffset + 4) sum += bytes[i]!;
  return ~sum >>> 0;
}
