/** Bootloaders written byte by byte (DESIGN.md §2 boot/): the public surface. */
export { prepareBoot, installBoot, BOOT_ROUTES, type BootRoute, type UefiLoader, type BootLayout, type BootPartitionRef, type BootPlan, type PrepareBootOptions, type InstallBootInputs } from './install.js';
export { findKernel, listKernels, requireKernel, type KernelPair, type KernelSearchOptions, type TreeFile } from './kernel.js';
export { compareDebianVersions } from './debian-version.js';
export { resolvePath } from './tree-path.js';
export { kernelCmdline, DIB_DEFAULT_CMDLINE } from './cmdline.js';
export { buildCoreImage, buildCorePayload, type CoreImageInput, type CoreImage } from './grub-core.js';
export { encodeLzmaLiterals } from './lzma-literal.js';
export type { BootFilesystem } from './fs-support.js';
export { bootLayoutFromPlan, type BootLayoutOptions } from './layout.js';
