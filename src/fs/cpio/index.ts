export { cpioChunks, writeCpio, compressorFor, CPIO_COMPRESSIONS, type CpioCompression, type WriteCpioOptions, type WriteCpioResult } from './writer.js';
export { encodeNewcHeader, decodeNewcHeader, encodeTrailer, NEWC_MAGIC, type NewcFields } from './header.js';
export { writeRamdisk, writeRamdiskTo, checkRamdiskTree, type WriteRamdiskOptions, type RamdiskResult } from './ramdisk.js';
