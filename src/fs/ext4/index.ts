/** ext4 writer: public surface (see writer.ts for the order of work, planner.ts for sizing). */
export { writeExt4, type Ext4Result } from './writer.js';
export { planExt4, autoSize, type Ext4Options, type Ext4Plan } from './planner.js';
export { resolveFeatures, PROFILES, type ProfileName, type FeatureSet } from './features.js';
export { decodeSuperblock } from './superblock.js';
export type { Extent } from './extents.js';
export { warmUpForInputs } from './block-writer.js';
