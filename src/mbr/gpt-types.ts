/**
 * GPT partition type GUIDs and the 4-hex-digit short codes sgdisk uses for them (gdisk's parttypes
 * list; GUIDs from the UEFI spec and the Discoverable Partitions Specification).
 */
import { inputError } from '../errors.js';
import { isGuid, normalizeGuid } from './guid.js';

export interface GptTypeInfo {
  readonly code: string;
  readonly guid: string;
  readonly name: string;
}

export const GPT_TYPES: readonly GptTypeInfo[] = [
  { code: '0700', guid: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7', name: 'Microsoft basic data' },
  { code: '0C01', guid: 'E3C9E316-0B5C-4DB8-817D-F92DF00215AE', name: 'Microsoft reserved' },
  { code: '2700', guid: 'DE94BBA4-06D1-4D40-A16A-BFD50179D6AC', name: 'Windows RE' },
  { code: '4100', guid: '9E1A2D38-C612-4316-AA26-8B49521E5A8B', name: 'PowerPC PReP boot' },
  { code: '8200', guid: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', name: 'Linux swap' },
  { code: '8300', guid: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', name: 'Linux filesystem' },
  { code: '8301', guid: '8DA63339-0007-60C0-C436-083AC8230908', name: 'Linux reserved' },
  { code: '8302', guid: '933AC7E1-2EB4-4F13-B844-0E14E2AEF915', name: 'Linux /home' },
  { code: '8303', guid: '44479540-F297-41B2-9AF7-D131D5F0458A', name: 'Linux x86 root (/)' },
  { code: '8304', guid: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709', name: 'Linux x86-64 root (/)' },
  { code: '8305', guid: 'B921B045-1DF0-41C3-AF44-4C6F280D3FAE', name: 'Linux ARM64 root (/)' },
  { code: '8306', guid: '3B8F8425-20E0-4F3B-907F-1A25A76F98E8', name: 'Linux /srv' },
  { code: '8307', guid: '69DAD710-2CE4-4E3C-B16C-21A1D49ABED3', name: 'Linux ARM32 root (/)' },
  { code: '8310', guid: '4D21B016-B534-45C2-A9FB-5C16E091FD2D', name: 'Linux /var' },
  { code: '8311', guid: '7EC6F557-3BC5-4ACA-B293-16EF5DF639D1', name: 'Linux /var/tmp' },
  { code: '8E00', guid: 'E6D6D379-F507-44C2-A23C-238F2A3DF928', name: 'Linux LVM' },
  { code: 'EA00', guid: 'BC13C2FF-59E6-4262-A352-B275FD6F7172', name: 'XBOOTLDR partition' },
  { code: 'EF00', guid: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', name: 'EFI system partition' },
  { code: 'EF01', guid: '024DEE41-33E7-11D3-9D69-0008C781F39F', name: 'MBR partition scheme' },
  { code: 'EF02', guid: '21686148-6449-6E6F-744E-656564454649', name: 'BIOS boot partition' },
  { code: 'FD00', guid: 'A19D880F-05FC-4D3B-A006-743F0F84911E', name: 'Linux RAID' },
];

const BY_CODE = new Map(GPT_TYPES.map((t) => [t.code, t]));
const BY_GUID = new Map(GPT_TYPES.map((t) => [t.guid, t]));

/** The type GUID for an sgdisk short code ("8300", "ef00", "0x8300") or a GUID; `what` names the field in errors. */
export function gptTypeGuid(codeOrGuid: string, what = 'GPT type'): string {
  const text = codeOrGuid.trim();
  if (isGuid(text)) return normalizeGuid(text, what);
  const code = text.replace(/^0x/i, '').toUpperCase().padStart(4, '0');
  const info = BY_CODE.get(code);
  if (!info) {
    throw inputError(`${what}: unknown type code "${codeOrGuid}"`, `use a GUID or one of ${GPT_TYPES.map((t) => t.code).join(', ')}`);
  }
  return info.guid;
}

/** The short code and name of a type GUID, when we know it. */
export function gptTypeInfo(guid: string): GptTypeInfo | undefined {
  return BY_GUID.get(guid.toUpperCase());
}
