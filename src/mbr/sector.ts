/**
 * The 512-byte MBR sector (also the shape of every EBR): 440 bytes of boot code, a 4-byte disk
 * signature, 2 reserved bytes, four 16-byte entries from offset 446, and 0x55 0xAA at 510
 * (UEFI spec 2.10 §5.2.1, table 5-1).
 *
 * The table part (bytes 440..511) is encoded separately from the boot code: the bootloader owns
 * bytes 0..439, and writing a table must not disturb them.
 */
import { inputError } from '../errors.js';
import { decodeEntry, encodeEntry, ENTRY_SIZE, type MbrEntry } from './entry.js';

export const MBR_SIZE = 512;
export const BOOT_CODE_SIZE = 440;
export const DISK_SIGNATURE_OFFSET = 440;
export const FIRST_ENTRY_OFFSET = 446;
export const SIGNATURE_OFFSET = 510;
export const ENTRY_SLOTS = 4;
/** What bytes 440..511 hold: signature, reserved, entries, 0x55AA. */
export const TABLE_TAIL_SIZE = MBR_SIZE - DISK_SIGNATURE_OFFSET;

export interface MbrSector {
  /** The 32-bit disk signature (sfdisk's "label-id", Windows' disk id). Zero in EBRs. */
  readonly diskSignature: number;
  /** Exactly four entries; empty slots have type 0. */
  readonly entries: readonly MbrEntry[];
}

export const EMPTY_ENTRY: MbrEntry = { bootable: false, type: 0, lbaStart: 0, sectorCount: 0 };

/**
 * Bytes 440..511 of the sector. `chsBase[i]` is added to entry i's LBA for its CHS fields
 * (non-zero only in EBRs, whose LBAs are relative).
 */
export function encodeTableTail(sector: MbrSector, chsBase: readonly number[] = []): Uint8Array {
  if (sector.entries.length > ENTRY_SLOTS) throw inputError(`MBR: ${sector.entries.length} entries do not fit in ${ENTRY_SLOTS} slots`);
  const out = new Uint8Array(TABLE_TAIL_SIZE);
  new DataView(out.buffer).setUint32(0, sector.diskSignature >>> 0, true);
  sector.entries.forEach((e, i) => out.set(encodeEntry(e, chsBase[i] ?? 0), FIRST_ENTRY_OFFSET - DISK_SIGNATURE_OFFSET + i * ENTRY_SIZE));
  out[SIGNATURE_OFFSET - DISK_SIGNATURE_OFFSET] = 0x55;
  out[SIGNATURE_OFFSET - DISK_SIGNATURE_OFFSET + 1] = 0xaa;
  return out;
}

/** A whole 512-byte sector: `bootCode` (at most 440 bytes, zeros if absent) then the table tail. */
export function encodeMbrSector(sector: MbrSector, bootCode?: Uint8Array, chsBase: readonly number[] = []): Uint8Array {
  const out = new Uint8Array(MBR_SIZE);
  if (bootCode) {
    if (bootCode.length > BOOT_CODE_SIZE) throw inputError(`MBR boot code is ${bootCode.length} bytes`, `it must fit in ${BOOT_CODE_SIZE}`);
    out.set(bootCode, 0);
  }
  out.set(encodeTableTail(sector, chsBase), DISK_SIGNATURE_OFFSET);
  return out;
}

export function hasBootSignature(bytes: Uint8Array, offset = 0): boolean {
  return bytes[offset + SIGNATURE_OFFSET] === 0x55 && bytes[offset + SIGNATURE_OFFSET + 1] === 0xaa;
}

/** Decodes a sector; `where` names it in the error ("image.raw sector 0", "EBR at sector 8192"). */
export function decodeMbrSector(bytes: Uint8Array, offset = 0, where = 'MBR'): MbrSector {
  if (bytes.length < offset + MBR_SIZE) throw inputError(`${where}: only ${bytes.length - offset} bytes, an MBR needs ${MBR_SIZE}`);
  if (!hasBootSignature(bytes, offset)) {
    const got = `0x${bytes[offset + SIGNATURE_OFFSET]!.toString(16).padStart(2, '0')}${bytes[offset + SIGNATURE_OFFSET + 1]!.toString(16).padStart(2, '0')}`;
    throw inputError(`${where}: bad boot signature ${got} at byte 510 (expected 0x55AA)`, 'this is not an MBR or EBR: is the image raw and the offset right?');
  }
  const entries: MbrEntry[] = [];
  for (let i = 0; i < ENTRY_SLOTS; i++) entries.push(decodeEntry(bytes, offset + FIRST_ENTRY_OFFSET + i * ENTRY_SIZE));
  const diskSignature = new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(DISK_SIGNATURE_OFFSET, true);
  return { diskSignature, entries };
}
