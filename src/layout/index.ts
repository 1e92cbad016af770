/**
 * DIB block-device layouts: YAML (tree or graph form) or presets → a validated graph → a disk plan.
 */
export { parseLayout, presetLayout, validateConfig, type Layout } from './parse.js';
export { layoutFromEnv } from './env.js';
export { PRESETS, isPresetName, type PresetName } from './presets.js';
export { configTreeToGraph, toDibGraph, type GraphEntry, type ConfigValues } from './tree.js';
export {
  buildGraph,
  type LayoutGraph,
  type LayoutNode,
  type LocalLoopNode,
  type PartitionNode,
  type PartitioningInfo,
  type MkfsNode,
  type MountNode,
  type FstabNode,
  type LvmNode,
} from './graph.js';
export { planLayout, planLayoutYaml, type DiskPlan, type PlannedFilesystem, type PlanOptions } from './plan.js';
export { PLUGINS, type PluginName } from './schema.js';
export {
  resolveFilesystems,
  fstabText,
  mountOrder,
  normalizeMountPoint,
  FS_TYPES,
  LABEL_MAX,
  DEFAULT_ROOT_LABEL,
  ROOT_MKFS,
  type FsType,
  type FilesystemSpec,
  type FstabEntry,
  type RootParams,
} from './filesystems.js';
export { dibMountOrder, dibCompareMountPoints } from './mount-order.js';
