export type { ByteRange, Disk, ReadableDisk } from './types.js';
export { RangeSet } from './ranges.js';
export { MemoryDisk } from './memory.js';
export { FileDisk, RawFileReader, backingFile } from './file.js';
export { WindowDisk } from './window.js';
export { isAllZero } from './zero.js';
