/**
 * tsdib's library API: what people import to build and check layouts byte by byte.
 */
export { TsdibError, inputError, failure, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
export { parseSize, parseSizeSpec, parseImageSize, formatSize } from './size.js';
export type { SizeSpec } from './size.js';
export * from './disk/index.js';
export { deriveBytes, deriveUuid, deriveUint32 } from './seed.js';
