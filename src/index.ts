/**
 * tsdib's library API: what people import to build and check layouts byte by byte.
 */
export { TsdibError, inputError, failure, EXIT_FAILURE, EXIT_USAGE } from './errors.js';
export { parseSize, parseSizeSpec, parseImageSize, formatSize } from './size.js';
export type { SizeSpec } from './size.js';
export * from './disk/index.js';
export { deriveBytes, deriveUuid, deriveUint32 } from './seed.js';

// The rootfs model and its readers/writers.
export * from './tree/index.js';
export { readRootfs, readArchive, ArchiveFile, sniffCompression, writeTar, tarChunks } from './tar/index.js';
export type { ReadRootfsOptions, ReadProgress, Rootfs, ReadStats, TarEntry, EntryType, DataRegion, Compression, WriteTarOptions, WriteTarResult } from './tar/index.js';

// FAT (the ESP) and swap.
export { writeFat, planFat, chooseGeometry as chooseFatGeometry, normalizeFatLabel, decodeBootSector as decodeFatBootSector, encodeBootSector as encodeFatBootSector } from './fs/fat/index.js';
export type { FatOptions, FatResult, FatPlan, FatPlanOptions, FatGeometry, FatType } from './fs/fat/index.js';
export { writeSwap, encodeSwapHeader, decodeSwapHeader } from './fs/swap.js';
export type { SwapOptions } from './fs/swap.js';

// DIB elements: discovery, expansion, hook plans, package-installs, pkg-map.
export {
  planElements, discoverElements, expandElements, elementsSearchPath, SHIPPED_ELEMENTS_DIR,
  planHooks, scanElementHooks, planHookCopies, PHASES, phaseEnvironment, imageElementVariables,
  sortRunParts, compareRunParts, isRunnableScriptName,
  parsePackageInstalls, loadPackageInstalls, squashPackageInstalls, packageActions,
  parsePkgMap, readPkgMapFile, mapPackages, effectiveNameMap, osFamily,
} from './elements/index.js';
export type {
  ElementInfo, ElementCatalog, Expansion, ExpandOptions, ElementsPlan, ElementsRequest, HookPlan, PhasePlan,
  HookScript, HookCopy, BuildContext, PackageRule, SquashedPackages, PackageActions, PkgMap,
} from './elements/index.js';

// Partition tables (MBR/EBR, GPT) and DIB block-device layouts.
export {
  planTable, encodeTable, writeTable, readTable, inspectTable,
  encodeMbrTable, decodeMbrTable, encodeGptTable, decodeGptTable,
  gptTypeGuid, gptTypeInfo, GPT_TYPES, ATTR_LEGACY_BIOS_BOOTABLE, lbaToChs,
} from './mbr/index.js';
export type {
  PartitionTable, MbrTable, MbrPartition, GptTable, GptPartition, TableRequest, PartitionRequest, TablePlan,
  PlannedPartition, TableReadResult, InspectReport, InspectedPartition, SectorWrite,
} from './mbr/index.js';
export type { EncodeOptions as TableEncodeOptions } from './mbr/index.js';
export { parseLayout, presetLayout, planLayout, planLayoutYaml, PRESETS, toDibGraph } from './layout/index.js';
export type {
  Layout, LayoutGraph, LayoutNode, DiskPlan, PlannedFilesystem, PlanOptions, MkfsNode, MountNode, FstabNode, PartitionNode, LocalLoopNode,
} from './layout/index.js';

// ext4 (and ext2/ext3): the root filesystem writer.
export { writeExt4, planExt4, autoSize as ext4AutoSize, resolveFeatures as resolveExt4Features, PROFILES as EXT4_PROFILES, decodeSuperblock as decodeExt4Superblock } from './fs/ext4/index.js';
export type { Ext4Options, Ext4Plan, Ext4Result, Extent as Ext4Extent, ProfileName as Ext4Profile, FeatureSet as Ext4FeatureSet } from './fs/ext4/index.js';

// Ramdisk (newc cpio + kernel), Docker/OCI image outputs, container images as ROOTFS.
export { writeCpio, cpioChunks, writeRamdisk, writeRamdiskTo, checkRamdiskTree, encodeNewcHeader, decodeNewcHeader, encodeTrailer, NEWC_MAGIC } from './fs/cpio/index.js';
export type { CpioCompression, WriteCpioOptions, WriteCpioResult, WriteRamdiskOptions, RamdiskResult, NewcFields } from './fs/cpio/index.js';
export {
  writeDockerArchive, writeOciArchive, parseImageReference, formatReference, encodeImageConfig, ociArchitecture,
  readContainerRootfs, openContainerLayers, detectContainerImage, requireImageKernel, kernelAdvice,
} from './oci/index.js';
export type {
  WriteImageOptions as WriteContainerImageOptions, WriteImageResult as WriteContainerImageResult, ImageReference, ImageConfigInput, ImageRuntimeConfig,
  ContainerLayers, ContainerRootfs, ContainerImageKind, ContainerImageSelection, ImageConfig,
} from './oci/index.js';

// Bootloaders written byte by byte (GRUB i386-pc, systemd-boot, shim + signed GRUB, EXTLINUX) and kernel discovery.
export { prepareBoot, installBoot, bootLayoutFromPlan, BOOT_ROUTES, findKernel, listKernels, requireKernel, compareDebianVersions, kernelCmdline, DIB_DEFAULT_CMDLINE, buildCoreImage, buildCorePayload, encodeLzmaLiterals } from './boot/index.js';
export type { BootRoute, UefiLoader, BootLayout, BootLayoutOptions, BootPartitionRef, BootPlan, PrepareBootOptions, InstallBootInputs, BootFilesystem, KernelPair, KernelSearchOptions, TreeFile, CoreImageInput, CoreImage } from './boot/index.js';

// Image containers: raw, qcow2, VHD, VMDK, VDI.
export { openImage, writeImage, encodeImage, detectFormat, parseFormatName, parseOptionList, resolveFormatOptions, FileSink, IMAGE_FORMATS } from './formats/index.js';
export type { ImageFormat, ImageInfo, OpenedImage, EncodeProgress, Sink, EncodeSettings, WriteImageOptions } from './formats/index.js';

// Assemble: rootfs tree + DIB layout → filesystems, fstab, table, bootloader → disk images; inspect's filesystem probe.
export { assemble, OUTPUT_TYPES, TREE_TYPES, parseOutputTypes, outputPath, outputFiles, RAMDISK_GZIP_LEVEL, expandContainerInputs, mayBeContainerImage, splitReference, splitByMountPoints, withFile, withPrivateDirs, planDisk, autoPlan, sizeArgument, ext4Overrides, fatOverrides, probeFilesystem } from './assemble/index.js';
export type { AssembleOptions, AssembleResult, BootloaderChoice, OutputType, TreeOutputType, ContainerInput, ExpandedInputs, FsSummary, Needs, SizingOptions, ProbedFilesystem } from './assemble/index.js';
export { resolveFilesystems, fstabText, mountOrder, dibMountOrder, dibCompareMountPoints, FS_TYPES, LABEL_MAX, DEFAULT_ROOT_LABEL, ROOT_MKFS } from './layout/index.js';
export type { FilesystemSpec, FstabEntry, RootParams, FsType } from './layout/index.js';

// tsdib build: DIB elements run without root (user namespace / proot), packed and assembled.
export { build, buildLayout, defaultArch, CHROOT_MODES, probeUserns, selectExecutor } from './build/index.js';
export type { BuildOptions, BuildResult, ChrootMode, Executor } from './build/index.js';
export { probeProotLauncher, prootLauncher, enosysFilter, PROOT_SECCOMP_LAUNCHER, SECCOMP_ARCHES } from './build/executor.js';
export type { ProotLauncher, SeccompArch } from './build/executor.js';
export { createZstdCompressStream, zstdCompressSync, ZstdEncoder, ZSTD_DEFAULT_LEVEL, ZSTD_MIN_LEVEL, ZSTD_MAX_LEVEL } from './compress/zstd/index.js';
export type { ZstdCompressOptions } from './compress/zstd/index.js';
export { createXzCompressStream, xzCompress, XzEncoder } from './compress/xz/index.js';
export type { XzCompressOptions } from './compress/xz/index.js';
