/** `tsdib assemble` as a library: rootfs tree + DIB layout → disk images. */
export { assemble, type AssembleOptions, type AssembleResult, type BootloaderChoice } from './assemble.js';
export { OUTPUT_TYPES, TREE_TYPES, parseOutputTypes, outputPath, outputFiles, type OutputType, type TreeOutputType } from './outputs.js';
export { RAMDISK_GZIP_LEVEL } from './tree-outputs.js';
export { expandContainerInputs, mayBeContainerImage, splitReference, type ContainerInput, type ExpandedInputs } from './container-input.js';
export { splitByMountPoints, withFile, withPrivateDirs } from './split.js';
export { planDisk, autoPlan, sizeArgument, type Needs, type SizingOptions } from './sizing.js';
export { ext4Overrides, fatOverrides } from './mkfs-options.js';
export type { FsSummary } from './writers.js';
export { probeFilesystem, type ProbedFilesystem } from './probe.js';
