/**
 * Partition tables: MBR (with EBR chains) and GPT codecs, the DIB planner, and the Disk edge.
 */
export { lbaToChs, encodeChs, decodeChs, type Chs } from './chs.js';
export { encodeEntry, decodeEntry, type MbrEntry } from './entry.js';
export { encodeMbrSector, decodeMbrSector, encodeTableTail, hasBootSignature, type MbrSector } from './sector.js';
export {
  encodeMbrTable,
  decodeMbrTable,
  validateMbrTable,
  EXTENDED_LBA,
  EBR_LINK,
  type MbrPartition,
  type MbrTable,
  type SectorWrite,
  type EncodeOptions,
  type ReadAt,
} from './msdos.js';
export { guidToBytes, bytesToGuid, normalizeGuid } from './guid.js';
export { GPT_TYPES, gptTypeGuid, gptTypeInfo, type GptTypeInfo } from './gpt-types.js';
export { ATTR_LEGACY_BIOS_BOOTABLE, ATTR_REQUIRED, ATTR_NO_BLOCK_IO } from './gpt-entry.js';
export {
  encodeGptTable,
  decodeGptTable,
  validateGptTable,
  gptGeometry,
  type GptPartition,
  type GptTable,
  type GptGeometry,
  type GptReadResult,
  type GptCopyStatus,
} from './gpt.js';
export { encodeTable, writeTable, readTable, type PartitionTable, type TableReadResult } from './table.js';
export { planTable, mbrTypeByte, type PartitionRequest, type TableRequest, type TablePlan, type PlannedPartition } from './plan.js';
export { inspectTable, type InspectReport, type InspectedPartition } from './inspect.js';
