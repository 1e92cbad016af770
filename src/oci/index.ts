export { writeDockerArchive, writeOciArchive, type WriteImageOptions, type WriteImageResult } from './writer.js';
export { parseImageReference, formatReference, type ImageReference } from './reference.js';
export { encodeImageConfig, ociArchitecture, type ImageConfigInput, type ImageRuntimeConfig } from './config.js';
