export { writeDockerArchive, writeOciArchive, type WriteImageOptions, type WriteImageResult } from './writer.js';
export { parseImageReference, formatReference, type ImageReference } from './reference.js';
export { encodeImageConfig, ociArchitecture, type ImageConfigInput, type ImageRuntimeConfig } from './config.js';
export { readContainerRootfs, openContainerLayers, detectContainerImage, type ContainerLayers, type ContainerRootfs, type ContainerImageKind, type ContainerImageSelection, type ImageConfig } from './reader.js';
export { requireImageKernel, kernelAdvice } from './kernel-hint.js';
