/**
 * Media types and well-known names of the OCI image spec (image-spec v1.1: media-types.md,
 * image-layout.md, annotations.md) and of Docker's `docker save` archive.
 */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** An uncompressed layer tar (we write these: diff_id and digest are then the same). */
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** Docker's schema 2 equivalents, which an OCI layout may also hold. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** image-layout.md: the file that marks an OCI layout, and its only field's value. */
export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_VERSION = '1.0.0';
export const OCI_INDEX_FILE = 'index.json';
/** annotations.md: the reference name (the tag) of a manifest in an index. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's (and Docker ≥ 25's) annotation for the full image name in an OCI archive. */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
/** docker save: the list of images in a docker-archive. */
export const DOCKER_MANIFEST_FILE = 'manifest.json';
export const DOCKER_REPOSITORIES_FILE = 'repositories';
