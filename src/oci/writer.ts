/**
 * FileTree → container image tarballs (DIB's `-t docker`, and `-t oci`):
 *
 *  - NAME.docker.tar, a docker-archive as `docker save` writes it: manifest.json, the config as
 *    <config hex>.json, the one layer as <layer hex>/layer.tar, and the legacy `repositories` file
 *    when a target is named. `docker load` and `podman load` read it.
 *  - NAME.oci.tar, an OCI image layout in a tar (image-layout.md; what `skopeo copy oci-archive:`
 *    and `podman load` read): oci-layout, index.json, blobs/sha256/<hex> for manifest, config, layer.
 *
 * One uncompressed layer holds the whole tree (the pax tar of src/tar, so ownership, modes, xattrs
 * and hard links survive); its digest and diff_id are then the same sha256. The layer is streamed to
 * a temp file beside the output while it is hashed (the outer tar needs its size and name first),
 * then streamed into the outer tar. Deterministic: the layer, the JSON documents and the outer tar
 * depend only on the tree, the target and `epoch`.
 */
import * as fs from 'node:fs';
import { writeFully } from '../disk/file.js';
import { AtomicOutput } from '../output.js';
import { tarChunks } from '../tar/writer.js';
import { bytesBody, hostFileBody } from '../tree/body.js';
import { FileTree } from '../tree/tree.js';
import { encodeImageConfig, type ImageRuntimeConfig } from './config.js';
import { digestHex, newSha256, sha256Digest, SHA256_PREFIX } from './digest.js';
import { encodeDockerManifest, encodeDockerRepositories, encodeOciIndex, encodeOciLayout, encodeOciManifest } from './manifest.js';
import { DOCKER_MANIFEST_FILE, DOCKER_REPOSITORIES_FILE, OCI_INDEX_FILE, OCI_LAYER_TAR, OCI_LAYOUT_FILE } from './media-types.js';
import { parseImageReference, type ImageReference } from './reference.js';

export interface WriteImageOptions extends ImageRuntimeConfig {
  /** SOURCE_DATE_EPOCH: the config's "created" and the outer tar's member times. */
  epoch: number;
  /** DIB's --docker-target: "repository[:tag]" (tag defaults to latest). Untagged when absent. */
  target?: string | ImageReference;
  /** OCI/GOARCH or DIB name (amd64, x86_64, arm64, aarch64, ...); default amd64. */
  architecture?: string;
  /** Replace an existing output file. */
  force?: boolean;
}

export interface WriteImageResult {
  path: string;
  /** Size of the tarball written. */
  bytes: number;
  configDigest: string;
  /** The layer's digest, which is also its diff_id (the layer is not compressed). */
  layerDigest: string;
  layerSize: number;
  /** The manifest's digest (OCI layout only): the image's identity in a registry. */
  manifestDigest?: string;
  reference?: ImageReference;
}

interface Layer {
  digest: string;
  size: number;
  /** The temp file holding it. */
  path: string;
}

const MEMBER_MODE = 0o644;

/** Writes NAME.docker.tar (pass the full path) from `tree`. */
export function writeDockerArchive(tree: FileTree, out: string, options: WriteImageOptions): WriteImageResult {
  return withLayer(tree, out, options, (layer, reference) => {
    const layerHex = digestHex(layer.digest)!;
    const config = encodeImageConfig({ ...options, architecture: options.architecture ?? 'amd64', created: options.epoch, diffIds: [layer.digest] });
    const configFile = `${digestHex(sha256Digest(config))}.json`;
    const layerFile = `${layerHex}/layer.tar`;
    const outer = new FileTree({ sec: options.epoch, nsec: 0 });
    addFile(outer, layerFile, hostFileBody(layer.path, layer.size), options.epoch);
    addFile(outer, configFile, bytesBody(config), options.epoch);
    addFile(outer, DOCKER_MANIFEST_FILE, bytesBody(encodeDockerManifest(configFile, [layerFile], reference)), options.epoch);
    if (reference) addFile(outer, DOCKER_REPOSITORIES_FILE, bytesBody(encodeDockerRepositories(reference, layer.digest)), options.epoch);
    return { outer, configDigest: sha256Digest(config) };
  });
}

/** Writes NAME.oci.tar (pass the full path) from `tree`. */
export function writeOciArchive(tree: FileTree, out: string, options: WriteImageOptions): WriteImageResult {
  return withLayer(tree, out, options, (layer, reference) => {
    const config = encodeImageConfig({ ...options, architecture: options.architecture ?? 'amd64', created: options.epoch, diffIds: [layer.digest] });
    const configDigest = sha256Digest(config);
    const manifest = encodeOciManifest({ digest: configDigest, size: config.length }, [{ mediaType: OCI_LAYER_TAR, digest: layer.digest, size: layer.size }]);
    const manifestDigest = sha256Digest(manifest);
    const outer = new FileTree({ sec: options.epoch, nsec: 0 });
    const blob = (digest: string) => `blobs/sha256/${digestHex(digest)}`;
    addFile(outer, OCI_LAYOUT_FILE, bytesBody(encodeOciLayout()), options.epoch);
    addFile(outer, OCI_INDEX_FILE, bytesBody(encodeOciIndex({ digest: manifestDigest, size: manifest.length }, reference)), options.epoch);
    addFile(outer, blob(layer.digest), hostFileBody(layer.path, layer.size), options.epoch);
    addFile(outer, blob(configDigest), bytesBody(config), options.epoch);
    addFile(outer, blob(manifestDigest), bytesBody(manifest), options.epoch);
    return { outer, configDigest, manifestDigest };
  });
}

function addFile(outer: FileTree, path: string, body: ReturnType<typeof bytesBody>, epoch: number): void {
  const time = { sec: epoch, nsec: 0 };
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) outer.addDir(parts.slice(0, i).join('/'), { mode: 0o755, mtime: time });
  outer.addFile(path, body, { mode: MEMBER_MODE, mtime: time });
}

/**
 * Writes the layer to a temp file beside `out` (hashing it on the way), lets `build` lay out the
 * outer archive around it, streams that to `out` atomically, and always removes the temp layer.
 */
function withLayer(
  tree: FileTree,
  out: string,
  options: WriteImageOptions,
  build: (layer: Layer, reference: ImageReference | undefined) => { outer: FileTree; configDigest: string; manifestDigest?: string },
): WriteImageResult {
  const reference = typeof options.target === 'string' ? parseImageReference(options.target) : options.target;
  const output = new AtomicOutput(out, { force: options.force });
  // Never committed: AtomicOutput only lends its temp name and its removal on errors and signals.
  const layerTemp = new AtomicOutput(`${out}.layer`, { force: true });
  try {
    const layer = writeLayer(tree, layerTemp.tempPath, options.epoch);
    const { outer, configDigest, manifestDigest } = build(layer, reference);
    const fd = fs.openSync(output.tempPath, 'w');
    let bytes = 0;
    try {
      for (const chunk of tarChunks(outer, { epoch: options.epoch })) {
        writeFully(fd, chunk, bytes);
        bytes += chunk.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    output.commit();
    const result: WriteImageResult = { path: out, bytes, configDigest, layerDigest: layer.digest, layerSize: layer.size };
    if (manifestDigest) result.manifestDigest = manifestDigest;
    if (reference) result.reference = reference;
    return result;
  } catch (e) {
    output.abort();
    throw e;
  } finally {
    layerTemp.abort();
  }
}

function writeLayer(tree: FileTree, path: string, epoch: number): Layer {
  const hash = newSha256();
  const fd = fs.openSync(path, 'w');
  let size = 0;
  try {
    for (const chunk of tarChunks(tree, { epoch })) {
      hash.update(chunk);
      writeFully(fd, chunk, size);
      size += chunk.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { digest: SHA256_PREFIX + hash.digest('hex'), size, path };
}
