export type { Body, BodySegment, FileType, Inode, Timestamp } from './types.js';
export { MODE_TYPE_BITS, S_IFMT } from './types.js';
export { FileTree, splitPath, compareNames, NAME_MAX, NO_XATTRS } from './tree.js';
export type { NodeAttrs } from './tree.js';
export type { BodySource } from './types.js';
export { BodyReader, bytesBody, hostFileBody, hostRunBody, hostDirFileBody } from './body.js';
