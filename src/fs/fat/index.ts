export { writeFat, type FatOptions, type FatResult } from './writer.js';
export { planFat, type FatPlan, type FatPlanOptions } from './planner.js';
export { chooseGeometry, type FatGeometry } from './geometry.js';
export { normalizeLabel as normalizeFatLabel } from './label.js';
export { decodeBootSector, encodeBootSector } from './bootsector.js';
export type { FatType } from './constants.js';
